"""Document numbers (文号) in every spelling seen, and how a document relates to the ones it cites.

Forms handled (matched on the simplified search copy, so 號/商務部 work too):
``商务部 海关总署公告2025年第58号`` (joint issuers joined by space, 、 or nothing),
``商务部公告2025第62号`` (no 年), header lines without 号, ``不可靠实体清单工作机制公告〔2025〕10号``,
``（2025）第70号``, ``公告第61号`` / ``61号公告`` (year inferred later), ``2025 年第 61 号``,
Chinese numerals (``第一号``), ``商务部令2024年第1号`` (type 令), continuation lists
(``第55号、第56号``), English ``Announcement No. 61 of 2025``, ``MOFCOM Announcement [2025] No. 61``
and ``Announcement 70/2025``.

Invariant: every ``Mention.span`` is a [start, end) range into the text that was searched and
``text[start:end] == mention.text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from operator import attrgetter
from typing import NamedTuple

from parsers.normalize import may_say

#: Issuer spellings → the short simplified name used in records.
ISSUERS = {
    "中华人民共和国商务部": "商务部",
    "商务部": "商务部",
    "中华人民共和国海关总署": "海关总署",
    "海关总署": "海关总署",
    "不可靠实体清单工作机制": "不可靠实体清单工作机制",
    "国务院关税税则委员会": "国务院关税税则委员会",
    "国家发展和改革委员会": "国家发展改革委",
    "国家发展改革委": "国家发展改革委",
    "工业和信息化部": "工业和信息化部",
    "科学技术部": "科技部",
    "科技部": "科技部",
    "国家原子能机构": "国家原子能机构",
    "国家国防科技工业局": "国家国防科技工业局",
    "中央军委装备发展部": "中央军委装备发展部",
    "公安部": "公安部",
    "外交部": "外交部",
    "财政部": "财政部",
    "国家市场监督管理总局": "市场监管总局",
    "市场监管总局": "市场监管总局",
    "国家密码管理局": "国家密码管理局",
    "中华人民共和国国务院": "国务院",
    "国务院": "国务院",
}
#: (issuers, type) whose numbers run on across years (国务院令第792号): no year is inferred.
RUNNING_SERIES = frozenset({(("国务院",), "令")})
EN_ISSUERS = {
    "mofcom": "商务部",
    "ministry of commerce": "商务部",
    "gacc": "海关总署",
    "gac": "海关总署",
    "general administration of customs": "海关总署",
    "customs": "海关总署",
}
EN_TYPES = {
    "announcement": "公告",
    "order": "令",
    "decree": "令",
    "notice": "通知",
    "decision": "决定",
}
CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}

_ISSUER = "|".join(sorted(ISSUERS, key=len, reverse=True))
ISSUER_RE = re.compile(_ISSUER)
_ISSUERS = rf"(?:{_ISSUER})(?:[ 、，,和与及]{{0,2}}(?:{_ISSUER}))*"
_NUM = r"(?:\d{1,4}|[〇零一二两三四五六七八九十百]{1,6})"
_YEAR = r"(?:\d{4}|[〇零一二三四五六七八九]{4})"
#: 令 after a number is the type unless it starts a word (令牌, 令人, 令其).
_LING = r"令(?![牌人其])"
_OPEN, _CLOSE = r"[〔\[（(【［]", r"[〕\]）)】］]"
#: One Chinese number; groups y/n per form, h = 号 present, t = type before, t2 = type after.
#: Every character a Chinese number can start with. As a leading lookahead it lets the regex
#: engine skip the positions where no match can start (same matches, about twice as fast).
_NUMBER_FIRST = "".join(sorted({name[0] for name in ISSUERS} | set("公令通决 第〔[（(【［")))
NUMBER_RE = re.compile(
    rf"(?=[{re.escape(_NUMBER_FIRST)}\d〇零一二两三四五六七八九十百])"
    rf"(?P<iss>{_ISSUERS})?[ ]?(?P<t>公告|令|通知|决定)?[ ]?"
    rf"(?:(?P<y1>{_YEAR})[ ]?年?[ ]?第[ ]?(?P<n1>{_NUM})[ ]?(?P<h1>号)?"
    rf"|{_OPEN}[ ]?(?P<y2>{_YEAR})[ ]?年?[ ]?{_CLOSE}[ ]?第?[ ]?(?P<n2>{_NUM})[ ]?(?P<h2>号)?"
    rf"|第[ ]?(?P<n3>{_NUM})[ ]?(?P<h3>号)"
    rf"|(?<![\d第])(?P<n4>\d{{1,4}})[ ]?(?P<h4>号)(?=公告|{_LING}))"
    rf"(?P<t2>公告|{_LING})?"
)
#: Every match of ``NUMBER_RE`` holds one of these (第, an opening bracket, 号), and before the
#: first of them only characters of issuers, types, years and spaces (``NUMBER_LEAD_RE``).
NUMBER_ANCHOR_RE = re.compile(r"[第〔\[（(【［号]")
_LEAD = "".join(
    sorted(set("".join(ISSUERS)) | set(" 、，,和与及公告令通知决定年〇零一二两三四五六七八九十百"))
)
#: A run of those characters, read backwards from an anchor (on the reversed text).
NUMBER_LEAD_RE = re.compile(rf"[{re.escape(_LEAD)}\d]*")
_N, _Y = r"[\d〇零一二两三四五六七八九十百]", r"[\d〇零一二三四五六七八九]"  # a number's, a year's
#: What must stand around an anchor that is a number's first, as the reversed text has it
#: (what follows an anchor in the text stands before it there), tested once the anchor is
#: passed: 第 before a number (forms y1 and n3), an opening bracket before a year (y2), 号
#: after digits and before 公告 or 令 (n4). (A lookbehind is of one width: one per spelling.)
_FIRST_ANCHOR = (
    rf"(?<={_N}第)|(?<={_N} 第)|(?<={_Y}{{4}}{_OPEN})|(?<={_Y}{{4}} {_OPEN})"
    r"|(?:(?<=告公号)|(?<=令号))(?=[ ]?\d)"
)
#: An anchor that can be a number's first and the run of lead characters before it, in the
#: reversed text: the scan passes every other anchor (第一条, a bracket before prose).
ANCHOR_RUN_RE = re.compile(
    NUMBER_ANCHOR_RE.pattern + f"(?:{_FIRST_ANCHOR})" + NUMBER_LEAD_RE.pattern
)
#: The first number starting in a lead run, tried from the run's start one position after
#: the other (the lazy repeat) inside one regex call: group ``num`` is what ``NUMBER_RE``
#: matches at that position.
NUMBER_IN_RUN_RE = re.compile(rf"[{re.escape(_LEAD)}\d]*?(?P<num>{NUMBER_RE.pattern})")
#: The joiners a continuation opens with (after one space at most).
CONTINUATION_FIRST = frozenset("、，,和及与")
CONTINUATION_OPENERS = CONTINUATION_FIRST | {" "}
#: ``、第56号`` / ``和2025年第57号`` right after a number: same issuers, type and year.
CONTINUATION_RE = re.compile(
    rf"[ ]?[、，,和及与][ ]?(?:(?P<y>{_YEAR})[ ]?年?[ ]?)?第?[ ]?(?P<n>{_NUM})[ ]?号(?P<t2>公告|令)?"
)
_EN_ISSUER = (
    r"MOFCOM|Ministry\s+of\s+Commerce|GACC?|General\s+Administration\s+of\s+Customs|Customs"
)
EN_NUMBER_RE = re.compile(
    r"(?=[\sMGCTAODN])"  # first letters of the issuer and type words (a fast skip, as above)
    rf"(?P<iss>(?:the\s+)?(?:{_EN_ISSUER})(?:\s*(?:and|&|/|,)\s*(?:the\s+)?(?:{_EN_ISSUER}))*)?\s*"
    r"(?P<t>Announcement|Order|Decree|Notice|Decision)\s*"
    r"(?:No\.?\s*(?P<n1>\d{1,4})\s*(?:of|,)\s*(?:the\s+year\s+)?(?P<y1>\d{4})"
    r"|\[(?P<y2>\d{4})\]\s*No\.?\s*(?P<n2>\d{1,4})"
    r"|(?P<n3>\d{1,4})\s*/\s*(?P<y3>\d{4})"
    r"|No\.?\s*(?P<n4>\d{1,4})\b)",
    re.IGNORECASE,
)
#: ``Nos. 55, 56 and 57`` / ``No. 55, No. 56, No. 57 and No. 58`` (of 2025): a list of numbers.
EN_LIST_RE = re.compile(
    r"\bNos?\.?\s*\d{1,4}(?:\s*(?:,|and|&)\s*(?:No\.?\s*)?\d{1,4}\b)+"
    r"(?:\s*(?:of|,)\s*(?:the\s+year\s+)?(?P<y>\d{4})\b)?",
    re.IGNORECASE,
)
EN_LIST_ITEM_RE = re.compile(r"(?:Nos?\.?\s*)?(\d{1,4})\b", re.IGNORECASE)
#: The document type a list belongs to, named earlier in the same sentence.
EN_LIST_TYPE_RE = re.compile(
    r"\b(announcement|order|decree|notice|decision)s?\b(?:(?![.;!?]\s+[A-Z]).){0,120}$",
    re.IGNORECASE,
)
EN_TYPE_WORDS = ("announcement", "order", "decree", "notice", "decision")
EN_TYPE_HINT_RE = re.compile(rf"(?=[AODNaodn])(?:{'|'.join(EN_TYPE_WORDS)})", re.IGNORECASE)
#: Without 号 a number must end the clause, or ``第一批`` would count.
NO_HAO_END_RE = re.compile(r"[\s，。；：、,.;:)）》”\"]|$")


SPAN = attrgetter("span")


class Mention(NamedTuple):
    """A document number as found in the text (year None when the text gives none).

    Immutable; a named tuple rather than a frozen dataclass because a text makes a few of them
    on every parse and a tuple is several times cheaper to make.
    """

    text: str
    issuers: tuple[str, ...]
    type: str | None
    year: int | None
    seq: int
    span: tuple[int, int]


def cn_to_int(raw: str) -> int | None:
    """``61`` / ``六十一`` / ``二〇二五`` / ``一百零五`` → int; None when not a number."""
    raw = raw.strip()
    if raw.isdigit():
        return int(raw)
    if not raw or any(c not in CN_DIGITS and c not in "十百" for c in raw):
        return None
    if "十" not in raw and "百" not in raw:
        return int("".join(str(CN_DIGITS[c]) for c in raw))
    total, current = 0, 0
    for c in raw:
        if c in CN_DIGITS:
            current = CN_DIGITS[c]
        elif c == "百":
            total += (current or 1) * 100
            current = 0
        else:  # 十
            total += (current or 1) * 10
            current = 0
    return total + current


def _issuers(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    found = ISSUER_RE.findall(raw)
    out: list[str] = []
    for name in found:
        short = ISSUERS[name]
        if short not in out:
            out.append(short)
    return tuple(out)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in " 、，,和与及":
        start += 1
    while end > start and text[end - 1] == " ":
        end -= 1
    return start, end


#: One ``NUMBER_RE`` match: its start, its end and its groups (``iss``, ``t``, ``y1`` … ``t2``).
RawNumber = tuple[int, int, tuple[str | None, ...]]


def _accepted(number: RawNumber, search: str) -> bool:
    """Whether a ``NUMBER_RE`` match is a document number."""
    iss, t, y1, n1, h1, y2, n2, h2, _, h3, _, h4, t2 = number[2]
    if h1 or h2 or h3 or h4:
        # a bare 第N号 needs an issuer or a type beside it (附件第1号 is not a document)
        return bool(n1 or n2 or iss or t or t2)
    if not (iss or t) or not (y1 or y2):
        return False
    return (n1 or n2 or "").isdigit() and bool(NO_HAO_END_RE.match(search, number[1]))


def _from_match(number: RawNumber, text: str) -> Mention | None:
    iss, t, y1, n1, _, y2, n2, _, n3, _, n4, _, t2 = number[2]
    n = n1 or n2 or n3 or n4 or ""
    seq = int(n) if n.isdigit() else cn_to_int(n)
    y = y1 or y2
    year = (int(y) if y.isdigit() else cn_to_int(y)) if y else None
    if not seq or (year is not None and not 1949 <= year <= 2100):
        return None
    start, end = _trimmed(text, number[0], number[1])
    issuers = () if not iss else (ISSUERS[iss],) if iss in ISSUERS else _issuers(iss)
    return Mention(text[start:end], issuers, t or t2, year, seq, (start, end))


def _continuations(first: Mention, search: str, text: str, pos: int) -> list[Mention]:
    out: list[Mention] = []
    if search[pos : pos + 1] not in CONTINUATION_FIRST and not (
        search[pos : pos + 1] == " " and search[pos + 1 : pos + 2] in CONTINUATION_FIRST
    ):
        return out  # what CONTINUATION_RE opens with is not there
    while (c := CONTINUATION_RE.match(search, pos)) is not None:
        seq = cn_to_int(c.group("n"))
        year = cn_to_int(c.group("y")) if c.group("y") else first.year
        if not seq:
            break
        start, end = _trimmed(text, c.start(), c.end())
        out.append(
            Mention(
                text[start:end], first.issuers, first.type or c.group("t2"), year, seq, (start, end)
            )
        )
        pos = c.end()
    return out


def _forward_typed(number: RawNumber, search: str, text: str) -> list[Mention]:
    """``第21号和第22号公告``: a bare 第N号 whose list ends in a type word takes that type."""
    if not (number[2][8] and number[2][9]):  # n3 and h3
        return []
    first = _from_match(number, text)
    if first is None:
        return []
    chain = _continuations(first, search, text, number[1])
    if not chain or chain[-1].type is None:
        return []
    typed = chain[-1].type
    return [Mention(x.text, x.issuers, typed, x.year, x.seq, x.span) for x in (first, *chain)]


def _english_lists(text: str) -> list[Mention]:
    """Numbers listed after the type word of their sentence (``announcements … No. 55, No. 56``)."""
    out: list[Mention] = []
    for m in EN_LIST_RE.finditer(text):
        kind = EN_LIST_TYPE_RE.search(text, max(0, m.start() - 200), m.start())
        if kind is None:
            continue
        doc_type = EN_TYPES[kind.group(1).lower()]
        year = int(m.group("y")) if m.group("y") else None
        body_end = m.start("y") if m.group("y") else m.end()
        for item in EN_LIST_ITEM_RE.finditer(text, m.start(), body_end):
            start, end = _trimmed(text, item.start(), item.end())
            out.append(
                Mention(text[start:end], (), doc_type, year, int(item.group(1)), (start, end))
            )
    return out


def _numbers_in(search: str) -> Iterator[RawNumber]:
    """``NUMBER_RE.finditer(search)``, trying only the positions a number can start at.

    A number starts in the run of lead characters right before its first anchor (an anchor is
    no lead character, so no number reaches across one to a later anchor). One scan of the
    reversed text finds each anchor that can be a number's first together with its run; the
    positions of a run are tried in order inside one regex call (``NUMBER_IN_RUN_RE``), as the
    whole-text scan would try them. The prose between the runs, where the big pattern failed
    char by char (dates and codes are digits, 一 and 国 lead issuers), is not tried.
    """
    n = len(search)
    in_run = NUMBER_IN_RUN_RE.match
    # (anchor, run start) in text order: the reversed text's matches, last first
    runs = [(n - 1 - m.start(), n - m.end()) for m in ANCHOR_RUN_RE.finditer(search[::-1])]
    pos = 0
    for at, start in reversed(runs):
        if at < pos:
            continue
        found = in_run(search, max(pos, start))
        if found is not None:
            start, pos = found.span("num")
            yield start, pos, found.groups()[1:]


def find_numbers(text: str, search: str | None = None) -> list[Mention]:
    """Every document number in ``text`` in order of appearance.

    Args:
        text: The normalised text (spans and ``Mention.text`` come from it).
        search: Its same-length simplified copy (``normalize.search_copy``); ``text`` if None.

    Returns:
        Mentions sorted by start offset, non-overlapping.
    """
    search = text if search is None or len(search) != len(text) else search
    found: list[Mention] = []
    for number in _numbers_in(search):
        if not _accepted(number, search):
            if number[2][8] and number[2][9]:  # n3 and h3: see _forward_typed
                found.extend(_forward_typed(number, search, text))
            continue
        mention = _from_match(number, text)
        if mention is None:
            continue
        found.append(mention)
        if search[number[1] : number[1] + 1] in CONTINUATION_OPENERS:
            found.extend(_continuations(mention, search, text, number[1]))
    # the English patterns need a type word; most texts have no Latin word to look at twice
    english = may_say(text, EN_TYPE_WORDS) and EN_TYPE_HINT_RE.search(text) is not None
    for m in EN_NUMBER_RE.finditer(text) if english else ():
        n = m.group("n1") or m.group("n2") or m.group("n3") or m.group("n4")
        y = m.group("y1") or m.group("y2") or m.group("y3")
        iss = m.group("iss") or ""
        names = re.split(r"\s*(?:and|&|/|,)\s*", re.sub(r"\bthe\s+", "", iss.strip(), flags=re.I))
        issuers = tuple(
            dict.fromkeys(
                EN_ISSUERS[k]
                for k in (re.sub(r"\s+", " ", x.lower()) for x in names)
                if k in EN_ISSUERS
            )
        )
        start, end = _trimmed(text, m.start(), m.end())
        found.append(
            Mention(
                text[start:end],
                issuers,
                EN_TYPES[m.group("t").lower()],
                int(y) if y else None,
                int(n),
                (start, end),
            )
        )
    if english:
        found.extend(_english_lists(text))
    found.sort(key=SPAN)
    out: list[Mention] = []
    for mention in found:
        if out and mention.span[0] < out[-1].span[1]:
            continue
        out.append(mention)
    return out


def same_document(a: Mention, b: Mention) -> bool:
    """True when two mentions can name the same document (missing parts are compatible)."""
    if a.seq != b.seq:
        return False
    if a.year is not None and b.year is not None and a.year != b.year:
        return False
    if a.type and b.type and a.type != b.type:
        return False
    return not (a.issuers and b.issuers and a.issuers != b.issuers)
