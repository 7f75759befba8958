"""The clause outline of a document and clause references inside sentences.

MOFCOM announcements number their clauses in five levels: ``一、`` (条), ``（一）`` (项),
``1.`` / ``1、`` (目), ``（1）`` and ``a.``. ``outline`` gives every line its path, written by
concatenating the markers of the line and its ancestors: ``一``, ``一(一)``, ``一(一)1``,
``一(一)1(1)a``. ``第一条`` counts as level one. A marker resets every deeper level.

``clause_refs`` reads references such as ``本公告第一条第（一）项、第（二）项`` or
``Paragraphs (1) and (2) of Article 1`` into the same path form (``一(一)``, ``一(二)``).
Invariant: pure, never raises, offsets are into the searched string.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from parsers.numbers import cn_to_int

_CN = r"[一二三四五六七八九十]{1,3}"
#: A control code right after ``1.`` / ``a.``: the dot ends the enumerator (``1．3A001`` in a
#: full-width copy folds to ``1.3A001``), it is no decimal point.
_CODE_NEXT = r"\.(?=\d ?[A-E] ?\d{3})"
#: (level, pattern) at the start of a line; the first that matches wins.
MARKERS = (
    (1, re.compile(rf"^(?:第(?P<v>{_CN})条|(?P<w>{_CN})[、.])\s*")),
    (2, re.compile(rf"^[（(](?P<v>{_CN})[）)]\s*")),
    (4, re.compile(r"^[（(](?P<v>\d{1,3})[）)]\s*")),
    (3, re.compile(rf"^(?P<v>\d{{1,3}})(?:、|\.(?!\d)|{_CODE_NEXT})\s*")),
    (5, re.compile(rf"^(?P<v>[a-z])(?:[.、)）](?![0-9a-z])|{_CODE_NEXT})\s*")),
)
LEVEL_FORMAT = {1: "{}", 2: "({})", 3: "{}", 4: "({})", 5: "{}"}
#: What a marker can start with (besides a digit): most lines start otherwise and need no regex.
MARKER_FIRST = frozenset("第一二三四五六七八九十（(abcdefghijklmnopqrstuvwxyz")
#: ``MARKERS`` as one pattern, alternatives in the same order (the first that matches wins, as
#: in the loop): one match per line instead of up to five. Group ``l<i>`` is ``MARKERS[i]``,
#: its ``v``/``w`` groups renamed ``v<i>``/``w<i>``.
MARKER_RE = re.compile(
    "|".join(
        f"(?P<l{i}>{rule.pattern.replace('(?P<v>', f'(?P<v{i}>').replace('(?P<w>', f'(?P<w{i}>')})"
        for i, (_, rule) in enumerate(MARKERS)
    )
)
#: ``MARKER_RE`` for a whole text: ``TEXT_MARKER_RE`` finds the markers of the first line,
#: ``LINE_MARKER_RE`` those of the others (after their newline, a literal the engine skips to).
#: The spaces after a marker stay on its line (``\s`` would run on into the next one).
_LINE_ALTS = MARKER_RE.pattern.replace("^", "").replace(r"\s*", r"[^\S\n]*")
TEXT_MARKER_RE = re.compile(_LINE_ALTS)
LINE_MARKER_RE = re.compile(f"\n(?:{_LINE_ALTS})")


def _marker_groups() -> dict[int, tuple[int, int, int, str, str]]:
    """Per outer group index of ``MARKER_RE`` (what ``lastindex`` names): the level, the value
    groups of that alternative (the second is the first again when it has one only) and what
    ``LEVEL_FORMAT`` writes before and after the value."""
    out = {}
    for i, (level, _) in enumerate(MARKERS):
        value = MARKER_RE.groupindex[f"v{i}"]
        before, after = LEVEL_FORMAT[level].split("{}")
        other = MARKER_RE.groupindex.get(f"w{i}", value)
        out[MARKER_RE.groupindex[f"l{i}"]] = (level, value, other, before, after)
    return out


MARKER_GROUPS = _marker_groups()
ARTICLE_REF_RE = re.compile(
    rf"第(?P<art>{_CN})条(?P<items>(?:[、，和及与或]?第?[（(]{_CN}[）)]项?)*)"
    rf"|(?P<bare>(?:[、，和及与或]?第[（(]{_CN}[）)]项)+)"
)
ITEM_REF_RE = re.compile(rf"[（(]({_CN})[）)]")
EN_REF_RE = re.compile(
    r"(?:paragraphs?|items?|subparagraphs?)\s+(?P<items>\(\d+\)(?:\s*(?:,|and|&)\s*\(\d+\))*)"
    r"\s+of\s+article\s+(?P<art>\d+)",
    re.IGNORECASE,
)
CN_DIGITS = "零一二三四五六七八九十"


@dataclass(frozen=True)
class OutlineLine:
    """One line of the text with its clause path.

    Attributes:
        start: Offset of the line.
        end: Offset of the line end (before its newline).
        body: Offset where the line's own content starts (after its marker).
        path: Clause path, "" before the first marker.
        level: Level of the line's own marker, 0 when it has none.
    """

    start: int
    end: int
    body: int
    path: str
    level: int


def marker(line: str) -> tuple[int, str, int] | None:
    """(level, formatted marker, marker length) of a line's leading enumerator, or None."""
    first = line[:1]
    if first not in MARKER_FIRST and not first.isdecimal():  # \d is any decimal digit
        return None
    m = MARKER_RE.match(line)
    if m is None:
        return None
    i = int(m.lastgroup[1:])  # type: ignore[index]  # the outer group closes last
    level = MARKERS[i][0]
    value = m.group(f"v{i}") or (m.groupdict().get(f"w{i}") or "")
    return level, LEVEL_FORMAT[level].format(value), m.end()


class Lines:
    """The outline of a text as parallel lists, one entry per line (see ``OutlineLine``), and
    its marked lines with their paths (a line without a marker has the path of the marked line
    before it: ``path``).

    Attributes:
        starts, ends, bodies, levels: Per line, as the ``OutlineLine`` fields.
        marked: Indexes of the lines with a marker, in order.
        marked_paths: The path of each of them.
    """

    __slots__ = ("bodies", "ends", "levels", "marked", "marked_paths", "starts")

    def __init__(self, search: str) -> None:
        starts: list[int] = []
        ends: list[int] = []
        pos = 0
        for line in search.split("\n"):
            starts.append(pos)
            pos += len(line)
            ends.append(pos)
            pos += 1
        n = len(starts)
        bodies = starts.copy()
        levels = [0] * n
        marked: list[int] = []
        paths: list[str] = []
        # markers found by two scans over the whole text, not line by line: most lines have none
        first = TEXT_MARKER_RE.match(search)
        found = LINE_MARKER_RE.finditer(search)
        line_at = dict(zip(starts, range(n), strict=True))
        stack = [(0, "")]  # (level, path up to and with that level's marker); level 0: the root
        for m in [first, *found] if first else found:
            i = 0 if m is first else line_at[m.start() + 1]
            level, v, w, before, after = MARKER_GROUPS[m.lastindex]  # type: ignore[index]
            while stack[-1][0] >= level:
                stack.pop()
            path = f"{stack[-1][1]}{before}{m.group(v) or m.group(w) or ''}{after}"
            stack.append((level, path))
            bodies[i] = m.end()
            levels[i] = level
            marked.append(i)
            paths.append(path)
        self.starts, self.ends, self.bodies, self.levels = starts, ends, bodies, levels
        self.marked, self.marked_paths = marked, paths

    def path(self, i: int) -> str:
        """The clause path of line ``i``."""
        k = bisect_right(self.marked, i) - 1
        return self.marked_paths[k] if k >= 0 else ""


@lru_cache(maxsize=4)
def lines(search: str) -> Lines:
    """The outline of ``search`` as lists (cached: items and document thresholds both read it)."""
    return Lines(search)


def outline(search: str) -> tuple[OutlineLine, ...]:
    """Every line of ``search`` with its clause path, in order."""
    ol = lines(search)
    paths = [ol.path(i) for i in range(len(ol.starts))]
    return tuple(map(OutlineLine, ol.starts, ol.ends, ol.bodies, paths, ol.levels))


def _cn(n: int) -> str:
    if n <= 10:
        return CN_DIGITS[n]
    if n < 20:
        return "十" + (CN_DIGITS[n - 10] if n > 10 else "")
    tens, ones = divmod(n, 10)
    return CN_DIGITS[tens] + "十" + (CN_DIGITS[ones] if ones else "")


def clause_refs(fragment: str) -> list[str]:
    """Clause paths named in a sentence fragment, e.g. ``['一(一)', '一(二)']``; [] for none."""
    paths: list[str] = []
    article = ""
    for m in ARTICLE_REF_RE.finditer(fragment):
        if m.group("art"):
            article = m.group("art")
            items = ITEM_REF_RE.findall(m.group("items") or "")
        else:
            items = ITEM_REF_RE.findall(m.group("bare"))
        if not article:
            continue
        paths += [f"{article}({i})" for i in items] or [article]
    for m in EN_REF_RE.finditer(fragment):
        art = _cn(int(m.group("art")))
        for num in re.findall(r"\d+", m.group("items")):
            paths.append(f"{art}({_cn(int(num))})")
    out: list[str] = []
    for p in paths:
        if p not in out:
            out.append(p)
    # keep the value a number-free check can rely on: cn_to_int validates the article numeral
    return [p for p in out if cn_to_int(p.split("(")[0]) is not None]
