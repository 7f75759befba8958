"""Elements a control document is about — not every element inside a material's name."""

import re

import pytest
from hypothesis import given, settings

from parsers import elements
from parsers.elements import (
    BARE_LIST_RE,
    ELEMENTS,
    PREFIX_RE,
    SUBJECT_RE,
    SUFFIX_RE,
    find_elements,
)
from tests.parsers.conftest import texts_of


@pytest.mark.parametrize(
    ("text", "symbols"),
    [
        ("关于对镓、锗相关物项实施出口管制的公告\n1.金属镓（单质）\n7.铟镓砷", ["Ga", "Ge"]),
        ("公布对钨、碲、铋、钼、铟相关物项实施出口管制的决定", ["W", "Te", "Bi", "Mo", "In"]),
        (
            "对钐、钆、铽、镝、镥、钪、钇等7类中重稀土相关物项",
            ["Sm", "Gd", "Tb", "Dy", "Lu", "Sc", "Y"],
        ),
        ("1C909.a 金属钬及其合金\n1C910.b 氧化铒\n1C911.c 含铥的化合物", ["Ho", "Er", "Tm"]),
        ("锑及其合金、氧化锑", ["Sb"]),
        ("磷酸铁锂正极材料；锂电池相关物项；钐钴永磁材料", []),
        ("钐钴、钕铁硼、铈磁体制造技术", []),
        ("镍钴锰氢氧化物（三元前驱体）", []),
        ("氧化铟锡靶材", []),
        (
            "1. Samarium metal, dysprosium metal and yttrium metal.\n2. Samarium-cobalt alloys, "
            "terbium-iron alloys.\n3. Dysprosium oxide and terbium oxide.",
            ["Sm", "Dy", "Y", "Tb"],
        ),
        ("gallium-related items; antimony and its alloys; metallic holmium", ["Ga", "Sb", "Ho"]),
        ("indium tin oxide targets; lithium cobalt oxide; lead times; tin plate", []),
    ],
)
def test_elements(text: str, symbols: list[str]) -> None:
    assert find_elements(text) == symbols


def test_first_mention_order_without_duplicates() -> None:
    assert find_elements("金属铒、金属钬、氧化铒、含钬的合金") == ["Er", "Ho"]


def test_english_high_purity_form_alone_names_the_element() -> None:
    # no other English subject word (metal, oxide, alloys …) in the text
    assert find_elements("Export control on high-purity gallium, effective 1 August 2023.") == [
        "Ga"
    ]


_E, _HAN = elements._E, elements._HAN
#: The patterns as first written, the look-behinds before the element name.
SUFFIX_BEFORE = re.compile(
    rf"(?:(?<![{_HAN}A-Za-z])(?P<e>{_E})(?=及其|的化合物|的合金|相关物项|相关两用物项|单质|金属(?!间))"
    rf"|(?<=[对和及与、])(?P<f>{_E})(?=及其|的化合物|相关物项|相关两用物项|单质))"
)
BARE_BEFORE = re.compile(
    rf"(?:^|(?<=[^{_HAN}])|(?<=[对将可]))({_E}(?:[、，和及与]{_E})+)(?=等|相关|[、，]?[0-9一二三四五六七八九十]+[类种]|[、，][^。；\n]{{1,8}}?相关)"
)
PIECES = [
    *"镓锗锑钨铟氧金对和及与、将可a中，等 \n7类",
    *("及其", "相关物项", "的合金", "单质", "金属间", "镓、锗", "钨和钼等", "可钨、铟等"),
]


@settings(max_examples=400, deadline=None)
@given(texts_of(PIECES, 12))
def test_element_patterns_look_behind_after_the_name_as_before_it(text: str) -> None:
    before = [
        (m.start("e") if m.group("e") else m.start("f")) for m in SUFFIX_BEFORE.finditer(text)
    ]
    assert [m.start() for m in SUFFIX_RE.finditer(text)] == before
    spans = [m.span(1) for m in BARE_BEFORE.finditer(text)]
    assert [m.span(1) for m in BARE_LIST_RE.finditer(text)] == spans


def _hits_form_by_form(text: str) -> list[tuple[int, str]]:
    hits = [(m.start("e"), ELEMENTS[m.group("e")]) for m in PREFIX_RE.finditer(text)]
    hits += [(m.start(), ELEMENTS[m.group("e")]) for m in SUFFIX_RE.finditer(text)]
    for m in BARE_LIST_RE.finditer(text):
        hits += [(m.start(1) + i, ELEMENTS[c]) for i, c in enumerate(m.group(1)) if c in ELEMENTS]
    return hits


def _first_mentions(hits: list[tuple[int, str]]) -> list[str]:
    return list(dict.fromkeys(symbol for _, symbol in sorted(hits)))


SUBJECT_PIECES = [
    *PIECES,
    *("金属", "氧化", "含", "高纯", "区熔", "区熔锗锭", "金属镓及其", "含钨、钼等"),
]


@settings(max_examples=500, deadline=None)
@given(texts_of(SUBJECT_PIECES, 12))
def test_one_scan_finds_the_subjects_the_three_forms_find(text: str) -> None:
    hits = []
    for m in SUBJECT_RE.finditer(text):
        start, end = m.span()
        at = [end - 1] if m.start("e") >= 0 else range(start, end)
        hits += [(i, ELEMENTS[text[i]]) for i in at if text[i] in ELEMENTS]
    assert _first_mentions(hits) == _first_mentions(_hits_form_by_form(text))
    assert set(_hits_form_by_form(text)) <= set(hits)
