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

from parsers.normalize import may_say


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

    def found(
        self, text: str, end: int | None = None, *, latin: bool = True, document: bool = True
    ) -> bool:
        """``bool(pattern.search(text, 0, end))``.

        Args:
            text: What is searched.
            end: Only ``text[:end]`` is searched (the English pre-check reads all of ``text``:
                a "maybe" for its start).
            latin: False when the caller knows ``text`` holds no letter
                (``normalize.has_latin``): only the Chinese words are looked for.
            document: ``text`` is the document's text or search copy (``normalize.may_say``
                caches its view); False for any other string.
        """
        stop = len(text) if end is None else end
        if self.zh.search(text, 0, stop) is not None:
            return True
        return (
            latin
            and may_say(text, self.english, document)
            and self.pattern.search(text, 0, stop) is not None
        )


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
