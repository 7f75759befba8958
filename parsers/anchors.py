"""Anchor words: an exact pre-check before a pattern is run on a part of a text.

Extractors ask the same question of many ranges of one text (is there a threshold, a control
code, a customs-code label in this line, this item?), and most ranges hold none. Each pattern
needs some word (an operator, a label, a digit-letter core) to match; where that word stands is
found once per text, and a range it does not touch is answered without running the pattern.
Invariant: pure; ``touch`` is False only when no match of the guarded pattern can lie inside
the range, so the guarded results are exactly the unguarded ones.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import cache, lru_cache


def may_hold(text: str, words: tuple[str, ...]) -> bool:
    """False only when ``re.IGNORECASE`` finds none of ``words`` (lower-case ASCII) in ``text``.

    ``casefold`` maps every character IGNORECASE lets match an ASCII letter to that letter,
    except the two Turkish i's, which decide on their own. The folded text (cached: several
    extractors ask) is searched for the words as one literal alternation, which the regex
    engine scans far faster than an IGNORECASE pattern. Its ASCII characters alone are searched
    first: a word stands on them whole, so where they hold none the text holds none (a Chinese
    text has few of them); where they do, the folded text decides.
    """
    folded = _folded(text)
    if folded is None:
        return True
    rule = _ascii_alternation(words)
    if rule is not None and rule.search(folded[1]) is None:
        return False
    return _alternation(words).search(folded[0]) is not None


@cache
def _alternation(words: tuple[str, ...]) -> re.Pattern[str]:
    """The words as one literal alternation: one scan, the engine skipping to first letters."""
    return re.compile("|".join(re.escape(word) for word in words))


@cache
def _ascii_alternation(words: tuple[str, ...]) -> re.Pattern[bytes] | None:
    """``_alternation`` for ASCII bytes; None when a word is not ASCII."""
    if not all(word.isascii() for word in words):
        return None
    return re.compile(b"|".join(re.escape(word.encode()) for word in words))


@lru_cache(maxsize=8)
def _folded(text: str) -> tuple[str, bytes] | None:
    """``text.casefold()`` and its ASCII characters, None when it has a Turkish i; cached,
    several extractors ask."""
    if "\u0130" in text or "\u0131" in text:
        return None
    folded = text.casefold()
    return folded, folded.encode("ascii", "ignore")


class Words:
    """A yes/no question put to a pattern of Chinese words and English phrases.

    ``pattern`` (IGNORECASE) is the Chinese alternatives ``zh`` plus English ones, each holding
    one of ``english``. The Chinese alternatives alone, without the flag, let the regex engine
    skip to their first characters; the whole pattern runs only where an English word may be.
    """

    def __init__(self, zh: str, pattern: re.Pattern[str], english: tuple[str, ...]) -> None:
        self.zh = re.compile(zh)
        self.pattern = pattern
        self.english = english

    def found(self, text: str) -> bool:
        """``bool(pattern.search(text))``."""
        if self.zh.search(text) is not None:
            return True
        return may_hold(text, self.english) and self.pattern.search(text) is not None


class Anchors:
    """Where the matches of anchor patterns stand in a text."""

    def __init__(self, spans: list[tuple[int, int]], disjoint: bool = False) -> None:
        """``disjoint``: the spans are in order and do not overlap (one pattern's scan)."""
        if not disjoint:
            spans = sorted(spans, key=lambda span: span[1])
        #: the smallest start among the spans from here on (spans of several patterns overlap;
        #: disjoint ones in order are their own)
        self.first_start = [a for a, _ in spans]
        for i in range(-1 if disjoint else len(spans) - 2, -1, -1):
            self.first_start[i] = min(self.first_start[i], self.first_start[i + 1])
        self.ends = [b for _, b in spans]
        self.spans = spans

    @classmethod
    def of(cls, rule: re.Pattern[str], text: str) -> Anchors:
        """The matches of ``rule`` in ``text`` (a whole-text scan, non-overlapping)."""
        return cls([m.span() for m in rule.finditer(text)], disjoint=True)

    @classmethod
    def union(cls, *anchors: Anchors) -> Anchors:
        """The anchors of all of them: touched when one of them is."""
        return cls([span for a in anchors for span in a.spans])

    def touch(self, start: int, stop: int) -> bool:
        """Whether an anchor match overlaps ``[start, stop)``.

        Exact as a pre-check when every match of the guarded pattern inside a range holds a
        match of the anchor pattern at some position: the whole-text scan either matches there
        or covers that position with an earlier match, and both overlap the range.
        """
        i = bisect_right(self.ends, start)
        return i < len(self.ends) and self.first_start[i] < stop
