"""Control codes and reference customs codes, in the forms real copies carry."""

import pytest

from parsers.codes import find_codes, find_hs, hs_cell, normalize_code


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
