"""normalize_text output and the same-length simplified search copy."""

import pytest

from parsers.normalize import as_written, normalize_text, search_copy


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("商务部公告２０２５年第６１号", "商务部公告2025年第61号\n"),
        ("３Ａ００１　ｘ", "3A001 x\n"),
        ("比例≥０．１％", "比例≥0.1%\n"),
        ("第一行<br>第二行<BR/>第三行", "第一行\n第二行\n第三行\n"),
        ("a&amp;b&nbsp;c &lt;br&gt;d", "a&b c\nd\n"),
        ("  多余   空格\t\t和\r\n\r\n\n空行  ", "多余 空格 和\n空行\n"),
        ("（一）编码：3A001。", "（一）编码：3A001。\n"),
        ("", ""),
    ],
)
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_normalize_is_idempotent() -> None:
    once = normalize_text("Ｘ　<br>ｙ&amp;z\r\n  ")
    assert normalize_text(once) == once


@pytest.mark.parametrize(
    "text",
    [
        "商務部 海關總署公告2025年第58號",
        "不可靠實體清單工作機制〔2025〕10號",
        "乾隆後來著作瞭解",
        "English only",
        "",
    ],
)
def test_search_copy_keeps_length_and_alignment(text: str) -> None:
    copy = search_copy(text)
    assert len(copy) == len(text)
    for a, b in zip(text, copy, strict=True):
        assert (a == b) or (not a.isascii() and not b.isascii())


def test_search_copy_converts_traditional() -> None:
    assert search_copy("商務部 海關總署公告2025年第58號") == "商务部 海关总署公告2025年第58号"


def test_as_written_gives_the_text_characters_of_a_search_copy_piece() -> None:
    text = "將貝宜系統股份有限公司（BAE Systems, Inc.）列入"
    search = search_copy(text)
    assert as_written(text, search, "贝宜系统股份有限公司", 0, len(text)) == "貝宜系統股份有限公司"
    assert as_written(text, search, "BAE Systems, Inc.", 0, len(text)) == "BAE Systems, Inc."
    assert (
        as_written(text, search, "别的名字", 0, len(text)) == "别的名字"
    )  # not a piece: unchanged
    assert as_written(text, search, "贝宜系统", 5, len(text)) == "贝宜系统"  # outside the window
    assert as_written(text, search, None, 0, len(text)) is None
