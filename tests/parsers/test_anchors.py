"""Anchor pre-checks: they may only skip ranges the guarded pattern finds nothing in."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.anchors import Anchors
from parsers.build import RELATION_RULES
from parsers.codes import HS_LABEL_RE, find_hs, hs_from_body
from parsers.control import CONTROL
from parsers.kinds import ENTITY_LIST, LISTING, QA
from parsers.normalize import latin_in, may_say
from tests.parsers.conftest import corpus_ranges, texts_of


def test_touch_is_overlap_with_any_span() -> None:
    spans = [(2, 5), (3, 4), (10, 12), (0, 1)]  # several patterns: spans overlap, any order
    anchors = Anchors(spans)
    for start in range(14):
        for stop in range(start, 15):
            expected = any(a < stop and b > start for a, b in spans)
            assert anchors.touch(start, stop) == expected, (start, stop)


def test_union_is_touched_when_one_part_is() -> None:
    one, two = Anchors([(1, 2)]), Anchors([(6, 9)])
    both = Anchors.union(one, two)
    assert [both.touch(i, i + 1) for i in range(10)] == [
        one.touch(i, i + 1) or two.touch(i, i + 1) for i in range(10)
    ]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("HhSsTtARIiFfCcOoMDdYy ſKİık中")), max_size=30))
def test_may_say_is_never_false_where_ignorecase_finds_a_word(text: str) -> None:
    words = ("hs", "tariff", "commodity", "kit")
    if re.search("|".join(words), text, re.IGNORECASE):
        assert may_say(text, words) and may_say(text, words, document=False)


def test_hs_labels_found_by_range_are_the_direct_matches() -> None:
    for search, start, stop in corpus_ranges():
        direct = [
            (code, m.span())
            for m in HS_LABEL_RE.finditer(search, start, stop)
            for code in hs_from_body(m.group("body"))
        ]
        assert find_hs(search, start, stop) == direct


WORD_PIECES = [
    *("答记者问", "发言人", "Spokesperson", "Q & A", "q&a", "Press Conference", "不可靠实体清单"),
    *("Watch List", "CONTROL LIST", "列入", "Added to", "removed from", "出口管制", "Dual-Use"),
    *("export control", "ſ", "İ", " ", "x", "中"),
    *(
        "暂停实施",
        "SUSPEND",
        "废止",
        "Repeal",
        "abolish",
        "修订",
        "amend",
        "取代",
        "以《清单》为准",
    ),
    *("supersede", "REPLACE", "》"),
]


@settings(max_examples=300, deadline=None)
@given(texts_of(WORD_PIECES, 12))
def test_words_answer_as_their_whole_pattern(text: str) -> None:
    latin = latin_in(text)
    for words in (QA, ENTITY_LIST, LISTING, CONTROL, *(rule for _, rule in RELATION_RULES)):
        assert words.found(text) == bool(words.pattern.search(text)), words.pattern.pattern
        for end in (0, 5, len(text) // 2):  # the start of a text, told whether it has letters
            expected = bool(words.pattern.search(text, 0, end))
            assert words.found(text, end, latin=latin, document=False) == expected, (end, text)
