"""Dates: publication, entry into force (施行/实施) and suspension windows (暂停实施…至…).

All functions search the simplified, same-length copy of the text and return spans into the
text. Dates are ISO ``YYYY-MM-DD`` strings; an impossible date (2025年2月30日) is no date.
Invariant: nothing here raises on any input; a fact the text does not state is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any

from parsers.clauses import clause_refs
from parsers.normalize import has_latin, latin_in, may_say
from parsers.numbers import cn_to_int, find_numbers

_CN_Y = r"[〇零一二三四五六七八九]{4}"
_CN_MD = r"[一二三四五六七八九十]{1,3}"
MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_EN_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
#: The forms of a date written without letters (年月日, ISO).
_ZH_DATE = (
    rf"(?P<y>\d{{4}})[ ]?年[ ]?(?P<m>\d{{1,2}})[ ]?月[ ]?(?P<d>\d{{1,2}})[ ]?日"
    rf"|(?P<cy>{_CN_Y})年(?P<cm>{_CN_MD})月(?P<cd>{_CN_MD})日"
    rf"|(?<!\d)(?P<iy>\d{{4}})[-/.](?P<im>\d{{1,2}})[-/.](?P<id>\d{{1,2}})(?!\d)"
)
#: One date in any written form; exactly one of the named group sets matches.
DATE_RE = re.compile(
    _ZH_DATE + rf"|(?P<em>{_EN_MONTH})\.?\s+(?P<ed>\d{{1,2}}),?\s+(?P<ey>\d{{4}})"
    rf"|(?P<ed2>\d{{1,2}})\s+(?P<em2>{_EN_MONTH})\.?,?\s+(?P<ey2>\d{{4}})",
    re.IGNORECASE,
)
COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_DATE = DATE_RE.pattern
_ACT = r"(?:施行|实施|执行|生效)"
_PUB = r"(?:公布|发布|印发|公告)之日"
#: A clock time after the date: ``2025年4月10日12时01分``, ``12:01``.
_CLOCK = r"(?:[ ]?\d{1,2}(?:时|点|[:：])(?:\d{1,2}分?)?)?"
#: 自2025年11月8日起正式实施 / 于2025年12月1日起施行 / 自2025年4月10日12时01分起正式实施
#: Where a date (or 自/从/于 before it) can start: a leading lookahead lets the engine skip the
#: other positions instead of trying every alternative of ``DATE_RE`` there.
_DATE_FIRST = r"(?=[自从于 \d〇零一二三四五六七八九jfmasond])"
FIXED_RE = re.compile(
    rf"{_DATE_FIRST}(?:自|从|于)?[ ]?(?:{_DATE}){_CLOCK}[ ]?起?[ ]?(?:正式)?{_ACT}", re.IGNORECASE
)
#: ``FIXED_RE`` without the English month names, for a text without letters (where they match
#: nothing): the same matches, and without IGNORECASE and month words the engine is faster.
ZH_FIXED_RE = re.compile(
    rf"(?=[自从于 \d〇零一二三四五六七八九])(?:自|从|于)?[ ]?(?:{_ZH_DATE}){_CLOCK}[ ]?起?[ ]?(?:正式)?{_ACT}"
)
#: What a date without letters holds: 年 (年月日 forms) or an ISO separator.
ZH_DATE_MARKS = ("年", "-", "/", ".")
#: The entry-into-force verbs of ``_ACT``; ``ZH_FIXED_RE`` needs one.
ACT_WORDS = ("施行", "实施", "执行", "生效")
#: What ``FIXED_RE`` has right before its verb, read backwards from the verb on the reversed
#: text: (正式), a space, 起, a space, and the end of a date or a clock time (日, a digit, 分,
#: 时, 点, a colon).
DATED_ACT_RE = re.compile(r"(?:式正)?[ ]?起?[ ]?[日\d分时点:：]")
RELATIVE_RE = re.compile(
    rf"自{_PUB}起(?:满)?[ ]?(?P<n>\d{{1,3}}|[一二三四五六七八九十百]{{1,4}})[ ]?(?:日|天)(?:后|之后)?(?:起)?(?:正式)?{_ACT}?"
)
ON_PUB_RE = re.compile(rf"自{_PUB}起(?:正式)?{_ACT}?|即日起(?:正式)?{_ACT}")
EN_FIXED_RE = re.compile(
    r"(?:(?:take[s]?|come[s]?|enter[s]?)\s+(?:into\s+)?(?:effect|force)|effective)"
    rf"\s+(?:on|from|as\s+of)\s+(?:{_DATE})",
    re.IGNORECASE,
)
EN_ON_PUB_RE = re.compile(
    r"(?:take[s]?|come[s]?|enter[s]?)\s+(?:into\s+)?(?:effect|force)\s+(?:on|from|as\s+of)\s+the\s+date\s+of\s+"
    r"(?:its\s+|the\s+)?(?:promulgation|publication|issuance|release|announcement)",
    re.IGNORECASE,
)
#: A word every entry-into-force pattern above contains (``effective`` contains ``effect``).
TRIGGER_RE = re.compile(
    rf"(?=[施实执生之即EeFf])(?:{_ACT}|之日起|即日起|effect|force)", re.IGNORECASE
)
#: The English words of the patterns above; a text without them needs only the Chinese ones
#: (a literal alternation without IGNORECASE, which the engine scans fast).
EN_EFFECT_WORDS = ("effect", "force")
ZH_TRIGGER_RE = re.compile(r"施行|实施|执行|生效|之日起|即日起")  # flat: (?:…) hides the skip
SUSPEND_RE = re.compile(r"暂停(?:实施|执行|适用)|\bsuspend", re.IGNORECASE)
ZH_SUSPEND_RE = re.compile(r"暂停(?:实施|执行|适用)")
UNTIL_RE = re.compile(rf"(?:至|到|截至|until|through)\s?(?:{_DATE})", re.IGNORECASE)
#: (a leading lookahead of the characters a date starts with skips the other positions)
UNTIL_END_RE = re.compile(
    rf"(?=[\d〇零一二三四五六七八九jfmasond])(?:{_DATE})[ ]?(?:止|为止)", re.IGNORECASE
)
FROM_RE = re.compile(rf"(?:自|从|from)\s?(?:{_DATE})", re.IGNORECASE)
#: The three for a sentence without letters (``UNTIL_END_RE`` needs 止 there).
ZH_UNTIL_RE = re.compile(rf"(?:至|到|截至)\s?(?:{_ZH_DATE})")
ZH_UNTIL_END_RE = re.compile(rf"(?=[\d〇零一二三四五六七八九])(?:{_ZH_DATE})[ ]?(?:止|为止)")
ZH_FROM_RE = re.compile(rf"(?:自|从)\s?(?:{_ZH_DATE})")
SENTENCE_RE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
STOPS = "。；;！？!?"
SEPARATORS = STOPS + "\n"
#: Read backwards from a position: the characters of its sentence's run before it; the
#: separators before it.
RUN_BACK_RE = re.compile(r"[^。；;！？!?\n]*")
SEPARATORS_BACK_RE = re.compile(r"[。；;！？!?\n]*")
SIGNATURE_LINES = 6
SIGNER_MAX_CHARS = 30
#: A line with sentence punctuation or digits is no signer.
SIGNER_NOT_RE = re.compile(r"[。，；：！？,;:!?0-9]")
DATELINE_LINES = 4
DATELINE_RE = re.compile(rf"(?:{_DATE})[ ]?\d{{1,2}}:\d{{2}}(?::\d{{2}})?(?!\d)", re.IGNORECASE)


@dataclass(frozen=True)
class Effective:
    """One entry-into-force statement; ``applies_to`` is "all" or the clause paths it names."""

    date: str | None
    applies_to: str
    basis: str
    span: tuple[int, int]


def iso(year: int | None, month: int | None, day: int | None) -> str | None:
    """``YYYY-MM-DD`` when the parts form a real date, else None."""
    try:
        return date(year or 0, month or 0, day or 0).isoformat()
    except (ValueError, TypeError):
        return None


def date_of(m: re.Match[str]) -> str | None:
    """ISO date from a ``DATE_RE`` match (or a pattern that embeds it)."""
    try:
        y, cy, iy = m.group("y", "cy", "iy")
    except IndexError:  # a pattern without the forms written without letters
        return _date_of_groups(m.groupdict())
    if y:
        year, month, day = m.group("y", "m", "d")
        return iso(int(year), int(month), int(day))
    if cy:
        year, month, day = m.group("cy", "cm", "cd")
        return iso(cn_to_int(year), cn_to_int(month), cn_to_int(day))
    if iy:
        year, month, day = m.group("iy", "im", "id")
        return iso(int(year), int(month), int(day))
    return _date_of_groups(m.groupdict())


def _date_of_groups(g: dict[str, Any]) -> str | None:
    """``date_of`` from the match's groups by name (which a pattern may lack)."""
    if g.get("y"):
        return iso(int(g["y"]), int(g["m"]), int(g["d"]))
    if g.get("cy"):
        return iso(cn_to_int(g["cy"]), cn_to_int(g["cm"]), cn_to_int(g["cd"]))
    if g.get("iy"):
        return iso(int(g["iy"]), int(g["im"]), int(g["id"]))
    if g.get("em"):
        return iso(int(g["ey"]), MONTHS[g["em"].lower()], int(g["ed"]))
    if g.get("em2"):
        return iso(int(g["ey2"]), MONTHS[g["em2"].lower()], int(g["ed2"]))
    return None


def parse_date(raw: str | None) -> str | None:
    """Parse one written date (``2025年10月09日``, ``20251009``, ``2025-10-9``, ``二〇二五年十月九日``)."""
    if not raw:
        return None
    compact = COMPACT_RE.match(raw)
    if compact:
        return iso(*(int(x) for x in compact.groups()))
    m = DATE_RE.search(raw)
    return date_of(m) if m else None


def sentences(search: str) -> tuple[tuple[int, int], ...]:
    """Sentence spans (split at 。；！？ and line ends): what a sentence is.

    The extractors find the few sentences they need around a position (``sentence_span``,
    ``next_sentence``, ``previous_sentence``); the tests hold those to this.
    """
    return tuple([m.span() for m in SENTENCE_RE.finditer(search) if not m.group().isspace()])


@lru_cache(maxsize=4)
def _backwards(search: str) -> str:
    """``search`` reversed; cached: the sentences around several positions are looked for."""
    return search[::-1]


def sentence_span(search: str, pos: int) -> tuple[int, int] | None:
    """The span in ``sentences(search)`` holding ``pos`` (None between them), found around
    ``pos`` alone.

    A sentence is a run of characters without a stop or a line end, with the stop after it;
    its start is where the run read backwards from ``pos`` ends (on the reversed text). A few
    positions of a text ask this for less than splitting the whole text into sentences.
    """
    n = len(search)
    if not 0 <= pos < n or search[pos] == "\n":
        return None
    back = _backwards(search)
    if search[pos] in STOPS:  # the stop closing the run right before it, if there is one
        if pos == 0 or search[pos - 1] in SEPARATORS:
            return None
        start, end = pos - _run_before(back, n, pos), pos + 1
    else:
        start = pos - _run_before(back, n, pos)
        end = SENTENCE_RE.match(search, start).end()  # type: ignore[union-attr]
    return None if search[start:end].isspace() else (start, end)


def _run_before(back: str, n: int, pos: int) -> int:
    """How many characters before ``pos`` belong to its run (read on the reversed text)."""
    return RUN_BACK_RE.match(back, n - pos).end() - (n - pos)  # type: ignore[union-attr]


def next_sentence(search: str, end: int) -> tuple[int, int] | None:
    """The first sentence of ``sentences(search)`` starting at or after ``end``, if any."""
    for m in SENTENCE_RE.finditer(search, end):
        if not m.group().isspace():
            return m.span()
    return None


def previous_sentence(search: str, start: int) -> tuple[int, int] | None:
    """The last sentence of ``sentences(search)`` ending at or before ``start``, if any.

    ``start``: where a sentence starts (what stands before it is a separator or nothing).
    """
    n = len(search)
    back = _backwards(search)
    while start > 0:
        # the last character before ``start`` that is in a run
        at = start - 1 - (SEPARATORS_BACK_RE.match(back, n - start).end() - (n - start))  # type: ignore[union-attr]
        if at < 0:
            return None
        found = sentence_span(search, at)
        if found is not None:
            return found
        start = at - _run_before(back, n, at)  # a run of spaces only: look before it
    return None


@lru_cache(maxsize=4)
def suspending_spans(search: str) -> frozenset[tuple[int, int]]:
    """The spans of the sentences ``SUSPEND_RE`` finds something in (cached: effective dates
    skip them, suspension windows read them).

    One scan of the text, each match's sentence found around it: no match crosses a sentence
    end (it holds no stop and no newline), and a sentence starts after a stop or a newline, a
    word boundary as at the start of a string.
    """
    rule = SUSPEND_RE if may_say(search, ("suspend",)) else ZH_SUSPEND_RE
    found = {sentence_span(search, m.start()) for m in rule.finditer(search)}
    return frozenset(span for span in found if span is not None)


def _date_line(line: str) -> str | None:
    m = DATE_RE.fullmatch(line) or DATE_RE.fullmatch(line.rstrip("。."))
    return date_of(m) if m else None


def _signer(line: str) -> bool:
    """A signature line (``商务部 海关总署``, ``部长 王文涛``): short, no sentence, no digits."""
    return 0 < len(line) <= SIGNER_MAX_CHARS and not SIGNER_NOT_RE.search(line)


def signature_date(text: str) -> str | None:
    """The date of the signature block.

    The last date-only line among the final lines; else, earlier on, a date-only line right
    under a signer line — an order signs before the rules it promulgates, a decision before
    its annex.
    """
    lines = [line.strip() for line in text.strip().split("\n")]
    for line in reversed(lines[-SIGNATURE_LINES:]):
        found = _date_line(line)
        if found:
            return found
    for signer, line in pairwise(lines):
        found = _date_line(line) if _signer(signer) else None
        if found:
            return found
    return None


def dateline(text: str) -> str | None:
    """A news dateline near the top: a line that opens with a date and a clock time.

    ``2026年02月24日 18:05`` or ``2025-11-07 21:40 聯合報／ 綜合報導``: the time of day marks the
    page's own publication stamp, not a date the article reports.
    """
    if ":" not in text:  # every dateline has a clock time
        return None
    for line in text.split("\n", DATELINE_LINES)[:DATELINE_LINES]:
        m = DATELINE_RE.match(line.strip())
        if m:
            return date_of(m)
    return None


def publish_date(
    header: dict[str, str], meta: dict[str, str], search: str, stamp: str | None = None
) -> str | None:
    """Publication date, from the first source that gives one.

    Args:
        header: The 【…】 header block (发文日期 / 发布日期 / 成文日期).
        meta: The page's meta tags (``PubDate``).
        search: The text (a news dateline at the top, else the signature block).
        stamp: The date a page shows beside its title (``Page.dateline``), if any.

    Returns:
        ISO date or None.
    """
    for label in ("发文日期", "发布日期", "成文日期"):
        found = parse_date(header.get(label))
        if found:
            return found
    found = parse_date(meta.get("PubDate")) or parse_date(stamp) or dateline(search)
    return found or signature_date(search)


def _add_days(iso_date: str | None, days: int) -> str | None:
    if iso_date is None:
        return None
    return (date.fromisoformat(iso_date) + timedelta(days=days)).isoformat()


def _sentence_effective(
    sentence: str, offset: int, published: str | None, latin: bool = True, effect: bool = True
) -> list[Effective]:
    """Effective statements in one sentence; earlier, more specific patterns win overlaps.

    ``latin``: False when the text holds no letter (``normalize.has_latin``); ``effect``:
    False when it holds no ``EN_EFFECT_WORDS`` (``normalize.may_say``). Each pattern runs only
    where the sentence holds the words it needs: English ones only with letters, and where
    there are none, the dates without month names.
    """
    candidates: list[tuple[re.Match[str], str | None, str]] = []
    on_pub = "之日起" in sentence or "即日起" in sentence  # every RELATIVE_RE, ON_PUB_RE match
    for m in RELATIVE_RE.finditer(sentence) if "之日起" in sentence else ():
        candidates.append((m, _add_days(published, cn_to_int(m.group("n")) or 0), "relative"))
    letters = latin and latin_in(sentence)
    # EN_* need one of the effect words
    english = letters and effect and may_say(sentence, EN_EFFECT_WORDS, document=False)
    if letters:
        fixed: tuple[re.Pattern[str], ...] = (FIXED_RE, EN_FIXED_RE) if english else (FIXED_RE,)
    elif any(map(sentence.__contains__, ACT_WORDS)) and any(
        map(sentence.__contains__, ZH_DATE_MARKS)
    ):
        fixed = (ZH_FIXED_RE,)
    else:
        fixed = ()
    for rule in fixed:
        candidates += [(m, date_of(m), "fixed") for m in rule.finditer(sentence)]
    pub_rules = (ON_PUB_RE,) if on_pub else ()
    for rule in (*pub_rules, EN_ON_PUB_RE) if english else pub_rules:
        candidates += [(m, published, "on_publication") for m in rule.finditer(sentence)]
    out: list[Effective] = []
    for m, when, basis in candidates:
        if basis != "relative" and "本" not in sentence and find_numbers(sentence[: m.start()]):
            continue  # a statement about another document's entry into force
        span = (offset + m.start(), offset + m.end())
        if any(e.span[0] < span[1] and span[0] < e.span[1] for e in out):
            continue
        out.append(Effective(when, _applies_to(sentence, m.start(), out, offset), basis, span))
    return out


def _applies_to(sentence: str, at: int, earlier: list[Effective], offset: int) -> str:
    """Clause paths named between the previous statement (or sentence start) and ``at``."""
    since = max([e.span[1] - offset for e in earlier if e.span[1] - offset <= at], default=0)
    paths = clause_refs(sentence[since:at])
    return ",".join(paths) if paths else "all"


def effective_dates(search: str, published: str | None) -> list[Effective]:
    """Every entry-into-force statement outside suspension sentences, in text order."""
    found: list[Effective] = []
    # every statement pattern needs one of these words: only their sentences are read
    latin = has_latin(search)
    effect = may_say(search, EN_EFFECT_WORDS)
    trigger = TRIGGER_RE if effect else ZH_TRIGGER_RE
    back, n = _backwards(search), len(search)
    read: list[tuple[int, int]] = []
    for m in trigger.finditer(search):
        if read and m.start() < read[-1][1]:
            continue  # in the sentence just found
        if not effect and m.group() in ACT_WORDS and not DATED_ACT_RE.match(back, n - m.start()):
            continue  # 实施 with no date before it states nothing here (only FIXED_RE needs it)
        span = sentence_span(search, m.start())
        if span is not None:
            read.append(span)
    if not read:
        return found
    skip = suspending_spans(search)
    for start, end in read:
        if (start, end) not in skip:
            found += _sentence_effective(search[start:end], start, published, latin, effect)
    found.sort(key=lambda e: e.span)
    return found


@dataclass(frozen=True)
class Window:
    """A suspension sentence: its span and the window it states."""

    span: tuple[int, int]
    start: str | None
    until: str | None


def suspension_windows(search: str, published: str | None) -> list[Window]:
    """Sentences that suspend something (暂停实施…), with from (stated or publication) and until."""
    out: list[Window] = []
    latin = has_latin(search)
    for start, end in sorted(suspending_spans(search)):
        sentence = search[start:end]
        if latin and latin_in(sentence):
            until = UNTIL_RE.search(sentence) or UNTIL_END_RE.search(sentence)
            since = FROM_RE.search(sentence)
        else:  # the same without English words and month names, where they match nothing
            until = ZH_UNTIL_RE.search(sentence) or (
                ZH_UNTIL_END_RE.search(sentence) if "止" in sentence else None
            )
            since = ZH_FROM_RE.search(sentence)
        begin = date_of(since) if since else None
        end_date = date_of(until) if until else None
        s, e = start, end
        while e > s and search[e - 1] in " 。；;":
            e -= 1
        out.append(Window((s, e), begin or published, end_date))
    return out
