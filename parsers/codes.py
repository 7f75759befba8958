"""Control codes (管制编码) and reference customs codes (参考税则号列 / 参考海关商品编号).

A control code is a digit (category 0–9), a letter A–E (group), three digits, then dot-separated
sub-levels: ``3A001``, ``3B901.a.1``, ``1C902.a``, ``3C901.a.2.b``. Copies of announcements
carry noise inside codes — spaces (``3A 001``, ``1E902 .b``) and full-width or ideographic dots
(``3C901。a。1``) — which ``normalize_code`` removes.

HS codes are 8 digits (税则号列) or 10 digits (海关商品编号); copies split them with spaces
(``8507 6000``, ``2805 3019 00``). Invariant: every returned span lies inside the searched
string; nothing here raises.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import chain

from parsers.normalize import may_say

_DOT = r"[.。．·]"
#: Control code with optional noise; group 0 is the whole written code. Its look-behind (no
#: letter, digit or dot before the code) is written after the first digit, which then starts
#: the pattern: the engine skips to the digits of a text.
CODE_RE = re.compile(
    rf"[0-9](?<![0-9A-Za-z.][0-9]) ?[A-E] ?[0-9]{{3}}(?: ?{_DOT} ?[a-z0-9]{{1,2}}(?![0-9A-Za-z]))*(?![0-9A-Za-z])"
)
NOISE_RE = re.compile(rf"\s+|{_DOT}")
DOT_RE = re.compile(_DOT)
#: A code ``normalize_code`` leaves as it is: parts of letters and digits, joined by single dots.
PLAIN_CODE_RE = re.compile(r"[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*")
#: The codes after a label: digits, spaces and separators, from a digit to a digit.
HS_BODY = r"[0-9][0-9 、，,;；/和及或]*[0-9]"
#: The label of a reference customs code and what follows it up to the closing bracket or line.
HS_LABEL_RE = re.compile(
    r"(?=[参税海商HhTtCcRr])"  # the labels' first characters: a fast skip of other positions
    r"(?:参考|reference\s)?(?:税则号列|海关商品编号|商品编号|商品编码|税则号|HS编码|HS\scode"
    r"|tariff\s(?:item\s)?(?:number|code)|(?:customs\s)?commodity\s(?:code|number))[s]?"
    rf"(?:为)?[：:]? ?(?P<body>{HS_BODY})",
    re.IGNORECASE,
)
#: The words of ``HS_LABEL_RE``'s English parts: one of them is in each.
HS_LABEL_WORDS = ("reference", "hs", "tariff", "commodity")
#: ``HS_LABEL_RE`` in a text without ``HS_LABEL_WORDS`` (``normalize.may_say``), where only its Chinese
#: labels can match: the same matches, and each alternative starts with a literal, so the
#: engine skips to their first characters.
_ZH_LABELS = "税则号列|海关商品编号|商品编号|商品编码|税则号"
ZH_HS_LABEL_RE = re.compile(
    rf"(?:参考(?:{_ZH_LABELS})|{_ZH_LABELS})(?i:[s])?(?:为)?[：:]? ?(?P<body>{HS_BODY})"
)
HS_SPLIT_RE = re.compile(r"[、，,;；/和及或]")
HS_DIGITS = (8, 10)
#: A cell or token that is only an HS code (table layouts).
HS_CELL_RE = re.compile(r"^[0-9]{4} ?[0-9]{2} ?[0-9]{2}(?: ?[0-9]{2})?$")


@dataclass(frozen=True)
class CodeMatch:
    """A control code as written, normalised, with its span."""

    code: str
    written: str
    span: tuple[int, int]


def normalize_code(written: str) -> str:
    """``3C901。a。1`` → ``3C901.a.1``; ``3A 001`` → ``3A001``; ``1E902 .b`` → ``1E902.b``.

    Args:
        written: A code as matched by ``CODE_RE``.

    Returns:
        The code without spaces, dots normalised, no trailing dot.
    """
    if PLAIN_CODE_RE.fullmatch(written):  # no space to drop, no dot to change: most codes
        return written
    parts = [p for p in DOT_RE.split("".join(written.split())) if p]  # split(): what \s is
    return ".".join(parts)


def find_codes(search: str, start: int = 0, end: int | None = None) -> list[CodeMatch]:
    """Every control code in ``search[start:end]`` with absolute spans."""
    stop = len(search) if end is None else end
    return [
        CodeMatch(normalize_code(m.group()), m.group(), (m.start(), m.end()))
        for m in CODE_RE.finditer(search, start, stop)
    ]


def hs_from_body(body: str) -> list[str]:
    """Digits-only HS codes from the text after a label: separators split, spaces join."""
    if body.isdigit():  # one code, or no code: what the loop below finds in it
        return [body] if len(body) in HS_DIGITS else []
    out: list[str] = []
    for part in HS_SPLIT_RE.split(body):
        digits = "".join(part.split())
        if digits.isdigit() and len(digits) in HS_DIGITS:
            out.append(digits)
        elif digits.isdigit() and len(digits) > 10:
            out += [d for d in part.split() if d.isdigit() and len(d) in HS_DIGITS]
    return out


class Labels:
    """Every match of ``HS_LABEL_RE`` in a text (one scan), with its codes.

    A scan of a range finds exactly the whole-text matches that meet the range when they all
    lie inside it: the pattern has no look-behind and no negative look-ahead, so cutting the
    text at the range's ends cannot change a match that stays inside, nor add one. Otherwise
    (a match runs over an end: ``find_hs``) the range is scanned on its own.
    """

    __slots__ = ("codes", "ends", "english", "starts")

    def __init__(self, search: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.codes: list[list[str]] = []
        #: whether an English label word may stand in the text (``normalize.may_say``)
        self.english = may_say(search, HS_LABEL_WORDS)
        rule = HS_LABEL_RE if self.english else ZH_HS_LABEL_RE
        for m in rule.finditer(search):
            self.starts.append(m.start())
            self.ends.append(m.end())
            self.codes.append(hs_from_body(m.group("body")))

    def inside(self, start: int, stop: int) -> tuple[int, int] | None:
        """The indexes (first, last+1) of the matches a scan of ``[start, stop)`` finds; None
        when a match runs over an end of it (then that scan decides)."""
        first = bisect_right(self.ends, start)
        last = bisect_left(self.starts, stop, first)
        if first == last or (self.starts[first] >= start and self.ends[last - 1] <= stop):
            return first, last
        return None

    def codes_in(self, search: str, start: int, stop: int) -> tuple[str, ...]:
        """The codes ``find_hs`` finds in ``search[start:stop]``, each once, in order."""
        first = bisect_right(self.ends, start)  # as inside(), without its tuple: items ask
        last = bisect_left(self.starts, stop, first)
        if first == last:
            return ()
        if self.starts[first] < start or self.ends[last - 1] > stop:
            return tuple(dict.fromkeys(code for code, _ in find_hs(search, start, stop)))
        if last == first + 1:
            return tuple(dict.fromkeys(self.codes[first]))
        return tuple(dict.fromkeys(chain.from_iterable(self.codes[first:last])))


@lru_cache(maxsize=4)
def labels(search: str) -> Labels:
    """The customs-code labels of ``search`` (cached: the items of a text ask range by range)."""
    return Labels(search)


def find_hs(
    search: str, start: int = 0, end: int | None = None
) -> list[tuple[str, tuple[int, int]]]:
    """Reference customs codes after their label in ``search[start:end]``, with label spans."""
    stop = len(search) if end is None else end
    out: list[tuple[str, tuple[int, int]]] = []
    found = labels(search)
    inside = found.inside(start, stop)
    if inside is not None:
        for i in range(*inside):
            span = (found.starts[i], found.ends[i])
            out += [(code, span) for code in found.codes[i]]
        return out
    for m in HS_LABEL_RE.finditer(search, start, stop):
        out += [(code, (m.start(), m.end())) for code in hs_from_body(m.group("body"))]
    return out


def hs_cell(cell: str) -> list[str]:
    """HS codes in a table cell that holds only codes (``85076000``, ``8507 6000、85078000``)."""
    out: list[str] = []
    for part in HS_SPLIT_RE.split(cell):
        part = part.strip()
        if HS_CELL_RE.match(part):
            out.append(part.replace(" ", ""))
    return out
