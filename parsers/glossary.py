"""Hand-written zh→en glossary of export-control terms, and English subjects for titles.

The glossary is ``parsers/data/glossary.tsv``: one ``zh<TAB>en<TAB>category`` line per term,
category one of :data:`CATEGORIES`. ``subject_en`` turns an announcement title such as
``公布对锂电池和人造石墨负极材料相关物项实施出口管制的决定`` into an English phrase
(``export controls on lithium batteries and artificial graphite anode materials``): a fixed
pattern gives the frame, and the words inside it are segmented with :mod:`parsers.segment` and
translated entry by entry, longest glossary match first.

Invariants:

* Keys are unique simplified-Chinese strings; the file is read once per process.
* Nothing is guessed. If any content word of a title is missing from the glossary, or the title
  fits no pattern, ``subject_en`` returns None and the caller keeps the Chinese title.
* Element names are never compounded: ``铟镓砷`` is an entry of its own or untranslatable, not
  "indium gallium arsenic".
* Pure apart from reading package data (and the segmenter's dictionary) at first use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

from parsers import segment

GLOSSARY_PACKAGE = "parsers"
GLOSSARY_PATH = "data/glossary.tsv"
CATEGORIES = frozenset({"issuer", "item", "material", "element", "unit", "term", "doctype"})

#: Tokens that separate the members of a list (镓、锗 / 锂电池和人造石墨负极材料).
CONNECTORS = frozenset({"、", "，", ",", "和", "及", "与"})
#: Modifiers that may open a subject, in the order they may appear (部分相关…).
PREFIXES = ("部分", "相关")
#: ``X相关物项``: kept as "X related items" when X is a list of elements, else just "X".
RELATED_ITEMS = "相关物项"
#: ``锑等物项`` → "antimony and other items".
AND_OTHER_ITEMS = "等物项"
#: ``石墨物项`` → "graphite items".
ITEMS = "物项"

#: A leading own number: issuer names, then 公告/令 and the number (商务部海关总署公告2025年第58号).
_NUMBER_PREFIX_RE = re.compile(r"^(?P<who>\D*?)(?:公告|令)?(?:\d{4}年第\d+号|〔\d{4}〕\d+号)")

# Title frames. Each captures the Chinese pieces that get translated.
#: 公布对X实施出口管制的决定 / 关于对X实施出口管制的公告 / 关于公布对X…的决定 (临时 optional)
CONTROL_RE = re.compile(r"(?:关于)?(?:公布)?对(?P<x>.+?)实施(?P<temp>临时)?出口管制的(?:决定|公告)")
#: 关于暂停实施部分出口管制措施的公告 / 关于暂停实施2025年10月9日公布的相关出口管制措施的公告
SUSPEND_RE = re.compile(
    r"关于暂停实施(?:(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日公布的)?(?P<x>.+?)的(?:公告|决定)"
)
#: 关于优化调整石墨物项临时出口管制措施的公告
ADJUST_RE = re.compile(r"关于优化调整(?P<x>.+?)临时出口管制措施的公告")
#: 关于加强相关两用物项对美国出口管制的公告
STRENGTHEN_RE = re.compile(r"关于加强(?P<x>.+?)对(?P<dest>[^对]+?)出口管制的公告")
#: 关于将14家外国实体列入不可靠实体清单的公告 / …列入出口管制管控名单的决定
LISTING_RE = re.compile(r"关于将(?P<n>\d+)家(?P<who>\S*?实体)列入(?P<list>.+?)的(?:公告|决定)")
#: 公布《中华人民共和国两用物项出口管制清单》 / 关于公布《…》的公告
PUBLISH_RE = re.compile(r"(?:关于)?公布《(?P<x>[^《》]+)》(?:的公告|的决定)?")


@dataclass(frozen=True)
class Entry:
    """One glossary line.

    Attributes:
        zh: Simplified-Chinese term.
        en: English rendering, written for the glossary.
        category: One of :data:`CATEGORIES`.
    """

    zh: str
    en: str
    category: str


def parse_glossary(text: str) -> dict[str, Entry]:
    """Parse glossary TSV text.

    Args:
        text: ``zh<TAB>en<TAB>category`` lines; blank lines are skipped.

    Returns:
        Entries keyed by ``zh``, in file order.

    Raises:
        ValueError: A line without exactly three non-empty fields, an unknown category or a
            repeated key (a broken data file must fail loudly, not translate half a title).
    """
    out: dict[str, Entry] = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not all(f.strip() == f and f for f in fields):
            raise ValueError(f"glossary line {n}: want 3 trimmed, non-empty fields: {line!r}")
        zh, en, category = fields
        if category not in CATEGORIES:
            raise ValueError(f"glossary line {n}: unknown category {category!r}")
        if zh in out:
            raise ValueError(f"glossary line {n}: duplicate term {zh!r}")
        out[zh] = Entry(zh, en, category)
    return out


@cache
def entries() -> dict[str, Entry]:
    """The shipped glossary, read from package data once per process.

    Returns:
        Entries keyed by simplified-Chinese term (treat as read-only).
    """
    path = resources.files(GLOSSARY_PACKAGE).joinpath(GLOSSARY_PATH)
    return parse_glossary(path.read_text(encoding="utf-8"))


def lookup(zh: str) -> str | None:
    """English for an exact glossary term.

    Args:
        zh: Simplified-Chinese term, e.g. ``钬`` or ``出口管制``.

    Returns:
        The English rendering (``holmium``, ``export controls``), or None when absent.
    """
    entry = entries().get(zh)
    return entry.en if entry else None


def subject_en(title: str) -> str | None:
    """English subject phrase for a simplified-Chinese announcement title.

    Examples: ``关于对镓、锗相关物项实施出口管制的公告`` → ``export controls on gallium and
    germanium related items``; ``关于暂停实施部分出口管制措施的公告`` → ``suspension of certain
    export control measures``. A leading document number (``…公告2025年第58号``) or issuer name
    before ``关于`` is ignored.

    Args:
        title: The title in simplified characters.

    Returns:
        The phrase, or None when the title fits no known frame or any of its words is missing
        from the glossary.
    """
    text = "".join((title or "").split())  # every whitespace character dropped
    if not text.endswith(FRAME_ENDINGS):
        return None
    text = _strip_head(text)
    for pattern, build in FRAMES:
        m = pattern.fullmatch(text)
        if m:
            return build(m)
    return None


def _strip_head(text: str) -> str:
    """Drop a leading document number, then issuer names standing before ``关于``."""
    m = _NUMBER_PREFIX_RE.match(text)
    if m and (not m["who"] or _all_issuers(m["who"])):
        text = text[m.end() :]
    at = text.find("关于")
    if at > 0 and _all_issuers(text[:at]):
        text = text[at:]
    return text


def _all_issuers(head: str) -> bool:
    """Whether ``head`` is nothing but issuer names (``商务部``, ``商务部海关总署``).

    The answer for one or two issuer names in a row, the heads titles have, is in a table
    made once from the glossary; text that is no run of issuer names at all is not segmented.
    """
    known = _issuer_heads().get(head)
    if known is not None:
        return known
    if _issuer_run_re().fullmatch("".join(head.split())) is None:
        return False  # every cover of it by issuer entries would spell it
    return _covered_by_issuers(head)


def _covered_by_issuers(head: str) -> bool:
    found = _covered(head)
    if not found:
        return False
    return all(e is not None and e.category == "issuer" for e in found)


@cache
def _issuer_names() -> tuple[str, ...]:
    return tuple(zh for zh, e in entries().items() if e.category == "issuer")


@cache
def _issuer_heads() -> dict[str, bool]:
    """``_covered_by_issuers`` of every issuer name and every two of them in a row."""
    names = _issuer_names()
    return {a + b: _covered_by_issuers(a + b) for a in names for b in ("", *names)}


@cache
def _issuer_run_re() -> re.Pattern[str]:
    """One or more issuer names in a row, and nothing else."""
    names = sorted(_issuer_names(), key=len, reverse=True)
    return re.compile("(?:" + "|".join(re.escape(n) for n in names) + ")+")


def _covered(zh: str) -> list[Entry | None] | None:
    """``_match_entries`` of the segmented ``zh``.

    A glossary term without spaces is its own cover, however the segmenter cuts it (the
    longest run of its tokens is all of them): it is not segmented.
    """
    entry = entries().get(zh)
    if entry is not None and len(zh.split()) == 1:
        return [entry]
    return _match_entries(segment.cut(zh, hmm=False))


def _match_entries(tokens: list[str]) -> list[Entry | None] | None:
    """Cover ``tokens`` with glossary entries, longest run of tokens first.

    Args:
        tokens: Segmenter output; whitespace tokens are ignored.

    Returns:
        One Entry per matched run, None for each list connector; None when some token is
        neither part of an entry nor a connector.
    """
    toks = [t for t in tokens if t.strip()]
    table = entries()
    out: list[Entry | None] = []
    i = 0
    while i < len(toks):
        for j in range(len(toks), i, -1):
            entry = table.get("".join(toks[i:j]))
            if entry:
                out.append(entry)
                i = j
                break
        else:
            if toks[i] not in CONNECTORS:
                return None
            out.append(None)
            i += 1
    return out


def _join(parts: list[str]) -> str:
    """``a``; ``a and b``; ``a, b and c``."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def phrase_en(zh: str) -> str | None:
    """Translate a noun phrase from a title (the X in ``对X实施出口管制``).

    A whole-phrase glossary entry wins. Otherwise leading ``部分``/``相关`` become modifiers,
    a trailing ``相关物项``/``等物项``/``物项`` is handled as described at the module constants,
    and the rest is segmented into a list whose members are runs of glossary entries.

    Args:
        zh: Simplified-Chinese noun phrase.

    Returns:
        English, or None if any part is not in the glossary.
    """
    whole = lookup(zh)
    if whole:
        return whole
    head: list[str] = []
    rest = zh
    for prefix in PREFIXES:
        if rest.startswith(prefix) and len(rest) > len(prefix):
            head.append(entries()[prefix].en)
            rest = rest[len(prefix) :]
    whole = lookup(rest)
    if whole:
        return " ".join([*head, whole])
    related, tail = False, ""
    if rest.endswith(RELATED_ITEMS):
        rest, related = rest[: -len(RELATED_ITEMS)], True
    elif rest.endswith(AND_OTHER_ITEMS):
        rest, tail = rest[: -len(AND_OTHER_ITEMS)], "and other items"
    elif rest.endswith(ITEMS):
        rest, tail = rest[: -len(ITEMS)], entries()[ITEMS].en
    members = _members(rest)
    if members is None:
        return None
    words = [*head, _join([en for en, _ in members])]
    if tail:
        words.append(tail)
    # 镓、锗相关物项 names elements, so the items are "related"; in 锂电池…相关物项 the goods
    # named are the items themselves and "related items" would only repeat them.
    if related and all(is_element for _, is_element in members):
        words.append(entries()[RELATED_ITEMS].en)
    return " ".join(words)


def _members(zh: str) -> list[tuple[str, bool]] | None:
    """The list inside a phrase as (English, is a bare element name) pairs; None if untranslatable."""
    if not zh:
        return None
    found = _covered(zh)
    if not found:
        return None
    members: list[tuple[str, bool]] = []
    run: list[Entry] = []
    for entry in [*found, None]:
        if entry is not None:
            run.append(entry)
            continue
        if not run:  # connector at the start, the end or twice in a row
            return None
        if len(run) > 1 and any(e.category == "element" for e in run):
            return None  # 铟 + 镓 + 砷 is a compound's name, not three words to glue
        members.append(
            (" ".join(e.en for e in run), len(run) == 1 and run[0].category == "element")
        )
        run = []
    return members


def _control(m: re.Match[str]) -> str | None:
    x = phrase_en(m["x"])
    if x is None:
        return None
    return f"{'temporary ' if m['temp'] else ''}export controls on {x}"


def _suspend(m: re.Match[str]) -> str | None:
    x = phrase_en(m["x"])
    if x is None:
        return None
    if not m["y"]:
        return f"suspension of {x}"
    try:
        day = dt.date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None
    return f"suspension of {x} announced on {day.isoformat()}"


def _adjust(m: re.Match[str]) -> str | None:
    x = phrase_en(m["x"])
    return f"optimization and adjustment of temporary export control measures on {x}" if x else None


def _strengthen(m: re.Match[str]) -> str | None:
    x, dest = phrase_en(m["x"]), lookup(m["dest"])
    return f"stronger export controls on {x} to {dest}" if x and dest else None


def _listing(m: re.Match[str]) -> str | None:
    who, where = lookup(m["who"]), lookup(m["list"])
    if not (who and where):
        return None
    n = int(m["n"])
    if n == 1 and who.endswith("entities"):
        who = who.removesuffix("ies") + "y"
    return f"addition of {n} {who} to the {where}"


def _publish(m: re.Match[str]) -> str | None:
    x = lookup(m["x"])
    return f"publication of the {x}" if x else None


#: How every frame's match ends: a title ending otherwise fits none.
FRAME_ENDINGS = ("公告", "决定", "》")
#: Title frames, tried in order; the first that matches the whole title decides.
FRAMES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str | None]], ...] = (
    (SUSPEND_RE, _suspend),
    (ADJUST_RE, _adjust),
    (STRENGTHEN_RE, _strengthen),
    (LISTING_RE, _listing),
    (PUBLISH_RE, _publish),
    (CONTROL_RE, _control),
)
