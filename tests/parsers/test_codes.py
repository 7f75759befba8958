"""Control codes and reference customs codes, in the forms real copies carry."""

import re

import pytest
from hypothesis import given, settings

from parsers.codes import (
    CODE_RE,
    DOT_RE,
    HS_LABEL_RE,
    HS_LABEL_WORDS,
    ZH_HS_LABEL_RE,
    find_codes,
    find_hs,
    hs_cell,
    hs_from_body,
    normalize_code,
)
from parsers.normalize import may_say
from tests.parsers.conftest import texts_of


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("3A001", "3A001"),
        ("3A 001", "3A001"),
        ("3C901。a。1", "3C901.a.1"),
        ("1E902 .b", "1E902.b"),
        ("3C901.a.2.b", "3C901.a.2.b"),
        ("1C902．a", "1C902.a"),
    ],
)
def test_codes_are_normalised(written: str, code: str) -> None:
    found = find_codes(f"（一）{written} 物项名称")
    assert [c.code for c in found] == [code]
    assert normalize_code(written) == code
    start, end = found[0].span
    assert f"（一）{written} 物项名称"[start:end] == found[0].written


@pytest.mark.parametrize("text", ["5G网络", "20251009", "85076000", "第58号", "A001", "33A001"])
def test_things_that_are_not_codes(text: str) -> None:
    assert find_codes(text) == []


def test_trailing_dot_is_not_part_of_the_code() -> None:
    assert [c.code for c in find_codes("见1C902.a.")] == ["1C902.a"]


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("（参考税则号列：85076000）", ["85076000"]),
        ("（参考海关商品编号：8112923010、8112929010）", ["8112923010", "8112929010"]),
        ("（参考税则号列：8507 6000、85078000）", ["85076000", "85078000"]),
        ("（参考海关商品编号:2805 3019 00）", ["2805301900"]),
        ("(参考税则号列 71051020)", ["71051020"]),
        ("参考税则号列：2025年", []),
        ("(reference tariff number: 85076000)", ["85076000"]),
        (
            "(reference customs commodity codes: 8112923010, 8112929010)",
            ["8112923010", "8112929010"],
        ),
        ("(HS code 2805 3019)", ["28053019"]),
        ("tariff number: 2025", []),
    ],
)
def test_hs_codes_after_either_label(text: str, codes: list[str]) -> None:
    assert [c for c, _ in find_hs(text)] == codes


def test_hs_cells_in_tables() -> None:
    assert hs_cell("85076000") == ["85076000"]
    assert hs_cell("8507 6000、2842 9040") == ["85076000", "28429040"]
    assert hs_cell("人造金刚石") == []


CODE_PIECES = [*"0123 ABEa.。．·-\n中xZ", "3A001", "3A 001", ".a", "。1", " 1B234", "12", "a.3"]


@settings(max_examples=400, deadline=None)
@given(texts_of(CODE_PIECES, 12))
def test_code_pattern_reads_as_its_look_behind_first_form(text: str) -> None:
    """CODE_RE's look-behind after the first digit is the one before it, as first written."""
    before = re.compile(
        r"(?<![0-9A-Za-z.])[0-9] ?[A-E] ?[0-9]{3}(?: ?[.。．·] ?[a-z0-9]{1,2}(?![0-9A-Za-z]))*"
        r"(?![0-9A-Za-z])"
    )
    assert [m.span() for m in CODE_RE.finditer(text)] == [m.span() for m in before.finditer(text)]
    for start in range(len(text)):
        assert [m.span() for m in CODE_RE.finditer(text, start)] == [
            m.span() for m in before.finditer(text, start)
        ]


@settings(max_examples=300, deadline=None)
@given(texts_of([*CODE_PIECES, "\t", "\xa0", "..", "3A001."], 6))
def test_plain_codes_are_left_as_they_are(written: str) -> None:
    slow = ".".join(p for p in DOT_RE.split("".join(written.split())) if p)
    assert normalize_code(written) == slow


HS_PIECES = [
    *(
        "参考",
        "税则号列",
        "海关商品编号",
        "商品编码",
        "税则号",
        "为",
        "：",
        ":",
        " ",
        "s",
        "S",
        "ſ",
    ),
    *("8507 6000", "85076000", "、", "，", "/", "和", "1", "\n", "HS", "hs code", "Reference "),
    *("tariff number", "commodity code", "İ", "中"),
]


@settings(max_examples=400, deadline=None)
@given(texts_of(HS_PIECES, 12))
def test_chinese_label_pattern_finds_what_the_full_one_does(text: str) -> None:
    if not may_say(text, HS_LABEL_WORDS):
        assert [m.span() for m in ZH_HS_LABEL_RE.finditer(text)] == [
            m.span() for m in HS_LABEL_RE.finditer(text)
        ]


@settings(max_examples=300, deadline=None)
@given(texts_of(HS_PIECES, 12))
def test_labels_of_a_range_are_those_a_scan_of_it_finds(text: str) -> None:
    for start in range(0, len(text) + 1, 3):
        for stop in range(start, len(text) + 1, 4):
            direct = [
                (code, m.span())
                for m in HS_LABEL_RE.finditer(text, start, stop)
                for code in hs_from_body(m.group("body"))
            ]
            assert find_hs(text, start, stop) == direct
