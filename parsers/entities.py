"""Listed entities of entity-list decisions (不可靠实体清单, 出口管制管控名单, 关注名单).

A decision sentence names a list and an action: ``决定将以下14家美国实体列入出口管制管控名单``
(add), ``将…移出关注名单`` (remove), ``对…采取…措施`` without a listing verb (measure).
The entities it covers are written either inline in that sentence —
``将A公司（A Corp.）、B公司（B Inc.）列入…`` or ``…列入不可靠实体清单：A（A Inc.）、B（B LLC）。`` —
or as numbered lines after it or in the annex: ``1. 中文名（English Name）`` followed by
``地址：`` / ``常用名称：`` / ``别名：`` lines, which are not entities. A name may be Chinese only,
English only, or both (Chinese first, English in brackets).

Country: from the entity's own address line (``地址：美国…``) when there is one, else from the
decision sentence (``14家美国实体`` → US for each), else null — never guessed from the name.
Invariant: pure; spans cover the entity's name as written; order is document order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from parsers.normalize import has_latin, latin_in, may_say

#: List names (simplified) → contract ``list``. Longest first.
LISTS = (
    ("不可靠实体清单", "unreliable_entity"),
    ("出口管制管控名单", "control_list"),
    ("管控名单", "control_list"),
    ("出口管制关注名单", "watch_list"),
    ("关注名单", "watch_list"),
    ("unreliable entity list", "unreliable_entity"),
    ("export control list", "control_list"),
    ("control list", "control_list"),
    ("watch list", "watch_list"),
)
LIST_RE = re.compile(
    "(?=[不出管关UuEeCcWw])" + "|".join(re.escape(k) for k, _ in LISTS), re.IGNORECASE
)
#: The Chinese names alone, for a text without the word every English name holds: without
#: IGNORECASE the regex engine skips straight to their first characters.
ZH_LIST_RE = re.compile("|".join(re.escape(k) for k, _ in LISTS if not k.isascii()))
EN_LIST_WORDS = ("list",)
#: Every Chinese list name holds one of these.
ZH_LIST_CORES = ("实体清单", "管控名单", "关注名单")
_ADD_ZH, _REMOVE_ZH = r"列入|纳入|增列|加入", r"移出|移除|删除|不再列入|撤出"
_MEASURE_ZH = r"(?:采取|追加|实施)[^。]{0,30}措施"
ADD_RE = re.compile(rf"{_ADD_ZH}|add(?:ed|s)? (?:to|on)|includ(?:e|ed|es) (?:in|on)", re.IGNORECASE)
REMOVE_RE = re.compile(rf"{_REMOVE_ZH}|remov(?:e|ed|es) from", re.IGNORECASE)
MEASURE_RE = re.compile(rf"{_MEASURE_ZH}|impose[sd]? [^.]{{0,30}}measures", re.IGNORECASE)
#: What the English words of the three hold.
EN_ACTION_WORDS = ("add", "includ", "remov", "impose")
#: The three without their English words, for a text without those (where they match
#: nothing): the same matches, found faster.
ZH_ADD_RE, ZH_REMOVE_RE, ZH_MEASURE_RE = map(re.compile, (_ADD_ZH, _REMOVE_ZH, _MEASURE_ZH))
#: A listing verb that describes a standing fact, not this decision: ``已列入…名单的``,
#: ``列入出口管制管控名单的美国实体X`` (an attributive clause naming who is already listed).
DESCRIPTIVE_BEFORE_RE = re.compile(r"(?:已|已经|已被|曾被?)\s*$")
DESCRIPTIVE_AFTER_RE = re.compile(r"^[^，。；、]{0,30}?(?:清单|名单)的")
#: ``决定将其移出…`` / ``对上述实体采取…``: the entities were named earlier in the sentence.
PRONOUN_RE = re.compile(r"^\s*(?:其|他们|上述实体|该实体|上述企业|该企业|上述公司|该公司)\s*$")
#: ``…清单的美国实体X``: the attributive clause in front of an entity's name.
ATTRIBUTIVE_RE = re.compile(r"^.*?(?:清单|名单)的")
#: Countries as written before 实体 / in addresses → ISO 3166-1 alpha-2.
COUNTRIES = {
    "美国": "US", "加拿大": "CA", "英国": "GB", "德国": "DE", "法国": "FR", "日本": "JP",
    "韩国": "KR", "荷兰": "NL", "比利时": "BE", "意大利": "IT", "西班牙": "ES", "瑞典": "SE",
    "瑞士": "CH", "波兰": "PL", "立陶宛": "LT", "捷克": "CZ", "澳大利亚": "AU", "新西兰": "NZ",
    "印度": "IN", "以色列": "IL", "新加坡": "SG", "俄罗斯": "RU", "乌克兰": "UA", "奥地利": "AT",
    "丹麦": "DK", "芬兰": "FI", "挪威": "NO", "爱尔兰": "IE", "台湾地区": "TW", "中国台湾": "TW",
    "台湾": "TW", "墨西哥": "MX", "巴西": "BR", "土耳其": "TR", "阿联酋": "AE",
    "united states": "US", "u.s.": "US", "canada": "CA", "united kingdom": "GB",
    "germany": "DE", "france": "FR", "japan": "JP", "netherlands": "NL",
}  # fmt: skip
_COUNTRY = "|".join(re.escape(c) for c in sorted(COUNTRIES, key=len, reverse=True))
#: ``14家美国实体`` / ``以下美国实体`` / ``28 U.S. entities``.
_COUNTRY_FIRST = re.escape("".join(sorted({c[0] for c in COUNTRIES})))
COUNTRY_IN_SENTENCE_RE = re.compile(
    # a leading lookahead of every first character skips the positions no match starts at
    rf"(?=[0-9一二三四五六七八九十百以下这{_COUNTRY_FIRST}])"
    rf"(?:[0-9一二三四五六七八九十百]+家|以下|下列|这些)?(?P<c>{_COUNTRY})(?:的)?(?:实体|公司|企业|机构|组织)"
    rf"|(?P<e>{_COUNTRY})\s+entit",
    re.IGNORECASE,
)
_ZH_COUNTRIES = sorted((c for c in COUNTRIES if not c.isascii()), key=len, reverse=True)
#: What an English match of ``COUNTRY_IN_SENTENCE_RE`` holds: an English name or ``entit``.
EN_COUNTRY_WORDS = (*(c for c in COUNTRIES if c.isascii()), "entit")
#: ``COUNTRY_IN_SENTENCE_RE`` without English names, for a sentence without them.
ZH_COUNTRY_IN_SENTENCE_RE = re.compile(
    rf"(?=[0-9一二三四五六七八九十百以下这{re.escape(''.join(sorted({c[0] for c in _ZH_COUNTRIES})))}])"
    rf"(?:[0-9一二三四五六七八九十百]+家|以下|下列|这些)?(?P<c>{'|'.join(_ZH_COUNTRIES)})"
    rf"(?:的)?(?:实体|公司|企业|机构|组织)"
)
ADDRESS_RE = re.compile(r"^\s*(?:地\s*址|address)\s*[：:]\s*(?P<addr>.*)$", re.IGNORECASE)
NOT_ENTITY_LINE_RE = re.compile(
    r"^\s*(?:地\s*址|邮\s*编|常用名称|别\s*名|英文名称|中文名称|电\s*话|网\s*址|注册地|address|alias)"
    r"\s*[：:]",
    re.IGNORECASE,
)
NUMBERED_RE = re.compile(r"^\s*[（(]?(?P<n>\d{1,3})[)）.、．]\s*(?P<body>\S.*?)\s*[。；;]?\s*$")
PAIR_RE = re.compile(
    r"(?P<zh>[^（）()、，,；;：:\n]*?)\s*[（(](?P<en>[^（）()\n]*[A-Za-z][^（）()\n]*)[）)]"
)
ORG_WORDS_RE = re.compile(
    # 会社: Japanese company forms (株式会社, 合同会社), often listed without an English name
    r"公司|集团|大学|学院|研究所|研究院|研究中心|实验室|中心|机构|论坛|协会|基金会|局|部|所|厂"
    r"|会社|银行|商会"
    r"|\b(?:inc|llc|ltd|limited|corp|corporation|co|company|gmbh|ag|sa|plc|group|university"
    r"|institute|laboratory|forum|foundation|technologies|systems|defense|defence|international)\b",
    re.IGNORECASE,
)
#: A lead-in before the first name (``将以下12家美国实体：``). The country goes only with the noun
#: right after it: in ``美国光子公司`` it is part of the name.
LEAD_TRIM_RE = re.compile(
    r"^(?:决定|工作机制|商务部)?(?:将|把|对)?(?:以下|下列|如下)?(?:[0-9一二三四五六七八九十百]+家)?"
    rf"(?:(?:{_COUNTRY})?(?:的)?(?:实体|企业|公司|机构|组织))?\s*[：:]?\s*"
)
TAIL_TRIM_RE = re.compile(r"(?:等)?(?:[0-9一二三四五六七八九十百]+家)?(?:实体|企业|机构)?\s*$")
#: A sentence of a decision (what ``_sentence_around`` finds around a position).
SENTENCE_RE = re.compile(r"[^。\n]+")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
LETTER_RE = re.compile(r"[A-Za-z]")
#: ``中文名（English）`` and what follows the bracket, as ``_split_name`` reads a name.
NAME_PAIR_RE = re.compile(r"(?P<zh>.*?)\s*[（(](?P<en>[^（）()]*)[）)]\s*(?P<rest>.*)")
NAME_SEPARATOR_RE = re.compile(r"[、；;]")
#: Words of a clause, not of a name, in a numbered line.
CLAUSE_WORDS_RE = re.compile(r"列入|移出|实施|施行|不得|应当|措施|规定")
#: ``…, Germany`` / ``…，美国。`` closing an address.
COUNTRY_AT_END_RE = re.compile(rf"(?:,|，)\s*({_COUNTRY})\s*[.。]?$", re.IGNORECASE)
COUNTRIES_LONGEST_FIRST = sorted(COUNTRIES, key=len, reverse=True)
#: ``列入不可靠实体清单：`` — names follow the list phrase only when a colon closes it directly.
LIST_COLON_RE = re.compile(r"^[^，,。；;：:]{0,20}[：:]")
#: The word that opens the names: 将 A 列入/移出, 对 A 采取措施.
LEAD_WORD = {"add": "将", "remove": "将", "measure": "对"}


@dataclass(frozen=True)
class Entity:
    """One entity on a list decision (contract ``entities[]``)."""

    name_zh: str | None
    name_en: str | None
    country: str | None
    list: str
    action: str
    span: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        """Contract form."""
        return {
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "country": self.country,
            "list": self.list,
            "action": self.action,
            "span": list(self.span),
        }


@dataclass(frozen=True)
class Decision:
    """A sentence that puts entities on a list, takes them off, or imposes measures."""

    list: str
    action: str
    country: str | None
    span: tuple[int, int]
    verb_start: int
    verb_end: int


def _list_name(found: str) -> str:
    low = found.lower()
    return next(v for k, v in LISTS if k.lower() == low)


def _sentence_around(search: str, pos: int) -> tuple[int, int]:
    """The ``SENTENCE_RE`` match holding ``pos`` (a run without 。 and line ends around it)."""
    start = max(search.rfind("。", 0, pos), search.rfind("\n", 0, pos)) + 1
    stops = [at for at in (search.find("。", pos), search.find("\n", pos)) if at >= 0]
    return start, min(stops, default=len(search))


def _descriptive(sentence: str, verb: re.Match[str]) -> bool:
    """``已列入`` / ``列入…名单的``: the verb describes who is listed, it decides nothing."""
    return bool(
        DESCRIPTIVE_BEFORE_RE.search(sentence[: verb.start()])
        or DESCRIPTIVE_AFTER_RE.search(sentence[verb.end() :])
    )


def _action(sentence: str, latin: bool = True) -> tuple[str, re.Match[str]] | None:
    """The sentence's action and the verb that states it (the first deciding verb wins).

    ``latin``: whether the sentence may hold an English verb (``EN_ACTION_WORDS``).
    """
    remove, add, measure_rule = (
        (REMOVE_RE, ADD_RE, MEASURE_RE) if latin else (ZH_REMOVE_RE, ZH_ADD_RE, ZH_MEASURE_RE)
    )
    verbs = [
        (name, m)
        for name, rule in (("remove", remove), ("add", add))
        for m in rule.finditer(sentence)
        if not _descriptive(sentence, m)
    ]
    if verbs:
        name, verb = min(verbs, key=lambda v: v[1].start())
        return name, verb
    measure = measure_rule.search(sentence)
    return ("measure", measure) if measure else None


def _basis_only(sentence: str) -> bool:
    """``根据《不可靠实体清单规定》…`` names a list as legal basis without deciding anything."""
    return (
        sentence.lstrip().startswith(("根据", "依据"))
        and "决定" not in sentence
        and not PAIR_RE.search(sentence)
    )


def decisions(search: str) -> list[Decision]:
    """Decision sentences in document order (one per sentence).

    Only the sentences that name a list are read: the names are found in one scan of the text
    (none holds a stop or a newline, so none crosses a sentence end), and each sentence's first
    one counts, as a search of the sentence alone would find it. A text holding no part
    every name holds (``ZH_LIST_CORES``, or ``list`` for an English one) is not scanned.
    """
    out: list[Decision] = []
    read = -1  # where the last sentence read ends
    latin = has_latin(search)
    if may_say(search, EN_LIST_WORDS):
        names = LIST_RE.finditer(search)
    elif any(map(search.__contains__, ZH_LIST_CORES)):
        names = ZH_LIST_RE.finditer(search)
    else:
        return out
    for lst in names:
        if lst.start() < read:
            continue
        a, b = _sentence_around(search, lst.start())
        read = b
        sentence = search[a:b]
        letters = latin and latin_in(sentence)
        found = _action(sentence, letters and may_say(sentence, EN_ACTION_WORDS, document=False))
        if found is None or _basis_only(sentence):
            continue
        action, verb = found
        english = letters and may_say(sentence, EN_COUNTRY_WORDS, document=False)
        cm = (COUNTRY_IN_SENTENCE_RE if english else ZH_COUNTRY_IN_SENTENCE_RE).search(sentence)
        named = (cm.group("c") or cm.groupdict().get("e") or "") if cm else ""
        country = COUNTRIES.get(named.lower()) if cm else None
        out.append(
            Decision(
                _list_name(lst.group()), action, country, (a, b), a + verb.start(), a + verb.end()
            )
        )
    return out


def _split_name(raw: str, offset: int) -> tuple[str | None, str | None, tuple[int, int]] | None:
    """``中文名（English）`` / ``English`` / ``中文名`` → (zh, en, span)."""
    text = raw.strip(" \t，,；;。：:")
    if not text:
        return None
    start = offset + raw.find(text)
    span = (start, start + len(text))
    m = NAME_PAIR_RE.fullmatch(text)
    zh_part = m.group("zh") if m else ""
    # ``Exelis公司（Exelis Inc.）``: a Chinese name may hold Latin letters, but it has Han in it
    if (
        m
        and LETTER_RE.search(m.group("en"))
        and (HAN_RE.search(zh_part) or not LETTER_RE.search(zh_part))
    ):
        zh = m.group("zh").strip() or None
        return zh, m.group("en").strip() or None, span
    if HAN_RE.search(text):
        return text, None, span
    return None, text, span


def _clean_zh(zh: str | None) -> str | None:
    if zh is None:
        return None
    zh = ATTRIBUTIVE_RE.sub("", zh)
    zh = TAIL_TRIM_RE.sub("", LEAD_TRIM_RE.sub("", zh)).strip(" ：:")
    return zh or None


def _named_before(
    search: str, start: int, end: int
) -> list[tuple[str | None, str | None, tuple[int, int]]]:
    """``中文名（English）`` pairs in ``search[start:end]``, lead-ins and attributives trimmed."""
    out = []
    for m in PAIR_RE.finditer(search, start, end):
        zh, en = _clean_zh(m.group("zh")), m.group("en").strip() or None
        if zh is None and en is None:
            continue
        first = m.start("zh") + m.group("zh").find(zh) if zh else m.start("en")
        out.append((zh, en, (first, m.end())))
    return out


def _inline(search: str, d: Decision) -> list[tuple[str | None, str | None, tuple[int, int]]]:
    """Entities written inside the decision sentence (before the verb, or after a colon)."""
    a, b = d.span
    sentence = search[a:b]
    after = sentence[d.verb_end - a :]
    colon = LIST_COLON_RE.match(after)
    if colon and d.action != "measure":  # 列入…清单：A（A Inc.）、B（B LLC）
        seg_start, seg_end = d.verb_end + colon.end(), b
    else:  # 将A、B列入… / 对A采取…措施
        decided = sentence.find("决定")
        lead = LEAD_WORD[d.action]
        at = sentence.find(lead, max(decided, 0), d.verb_start - a)
        seg_start = a + (at + len(lead) if at >= 0 else max(decided + 2, 0))
        seg_end = d.verb_start
    segment = search[seg_start:seg_end]
    if PRONOUN_RE.match(segment):  # 决定将其移出…: the names stand earlier in the sentence
        return _named_before(search, a, seg_start)
    if not PAIR_RE.search(segment) and "、" not in segment:
        return []
    out = []
    pos = seg_start
    for part in NAME_SEPARATOR_RE.split(segment):
        found = _split_name(part, pos)
        pos += len(part) + 1
        if found is None:
            continue
        zh, en, span = found
        zh = _clean_zh(zh)
        if zh is None and en is None:
            continue
        if en is None and not ORG_WORDS_RE.search(zh or ""):
            continue
        if zh and zh != found[0]:  # the trim removed a lead-in: move the span start
            span = (span[0] + (found[0] or "").find(zh), span[1])
        out.append((zh, en, span))
    return out


def _numbered(
    search: str, after: int, until: int
) -> list[tuple[str | None, str | None, tuple[int, int], str | None]]:
    """Numbered entity lines in ``search[after:until]`` with the country of their address."""
    out: list[tuple[str | None, str | None, tuple[int, int], str | None]] = []
    pos = after
    lines = search[after:until].split("\n")
    for line in lines:
        start = pos
        pos += len(line) + 1
        address = ADDRESS_RE.match(line)
        if address and out:
            zh, en, span, _ = out[-1]
            out[-1] = (zh, en, span, _country_of(address.group("addr")))
            continue
        if NOT_ENTITY_LINE_RE.match(line):
            continue
        m = NUMBERED_RE.match(line)
        if not m:
            continue
        body = m.group("body")
        if not (PAIR_RE.search(body) or ORG_WORDS_RE.search(body)) or len(body) > 160:
            continue
        if CLAUSE_WORDS_RE.search(body) and not PAIR_RE.fullmatch(body):
            continue
        found = _split_name(body, start + m.start("body"))
        if found:
            out.append((*found, None))
    return out


def _country_of(address: str) -> str | None:
    address = address.strip()
    for name in COUNTRIES_LONGEST_FIRST:
        if address.lower().startswith(name) or address.startswith(name):
            return COUNTRIES[name]
    m = COUNTRY_AT_END_RE.search(address)
    return COUNTRIES[m.group(1).lower()] if m else None


def find_entities(search: str) -> list[Entity]:
    """Entities added to, removed from, or subject to measures under a list, in order.

    Args:
        search: Simplified-character text of the document (title, header and body).

    Returns:
        Entities with spans into ``search``; [] when the text decides nothing about a list.
    """
    found: list[Entity] = []
    ds = decisions(search)
    for i, d in enumerate(ds):
        inline = _inline(search, d)
        for zh, en, span in inline:
            found.append(Entity(zh, en, d.country, d.list, d.action, span))
        if inline:
            continue
        until = ds[i + 1].span[0] if i + 1 < len(ds) else len(search)
        for zh, en, span, country in _numbered(search, d.span[1], until):
            found.append(
                Entity(
                    _clean_zh(zh) if zh else None, en, country or d.country, d.list, d.action, span
                )
            )
    seen: set[tuple[str | None, str | None, str, str]] = set()
    out = []
    for e in found:
        key = (e.name_zh, e.name_en, e.list, e.action)
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out
