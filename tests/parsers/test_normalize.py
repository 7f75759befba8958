"""normalize_text output, the same-length simplified search copy, and the t2s shortcut."""

import json
import os
import re
import subprocess
from pathlib import Path

import opencc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.normalize import (
    T2S_PHRASE_ONLY,
    _t2s,
    _t2s_triggers,
    as_written,
    normalize_text,
    search_copy,
    to_simplified,
)


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


# --- to_simplified skips OpenCC for a text none of whose characters t2s could change ---------


def _opencc_dictionary_keys(tmp_path: Path) -> dict[str, str]:
    """Every key of the installed OpenCC's t2s dictionaries → its first value.

    The dictionaries are the ones ``t2s.json`` names (normalisation and conversion chain),
    written out as text by the ``opencc_dict`` tool the OpenCC wheel ships.
    """
    clib = Path(opencc.__file__).parent / "clib"
    tool, share = clib / "bin" / "opencc_dict", clib / "share" / "opencc"
    assert tool.exists(), f"no {tool}: this OpenCC install does not ship its dictionary tool"
    config = json.loads((share / "t2s.json").read_text(encoding="utf-8"))
    files = re.findall(r'"file": "([^"]+\.ocd2)"', json.dumps(config))
    assert len(files) >= 3, config  # compatibility ideographs, phrases, characters
    env = {**os.environ, "LD_LIBRARY_PATH": str(clib / "lib64")}
    keys: dict[str, str] = {}
    for name in files:
        out = tmp_path / f"{name}.txt"
        subprocess.run(
            [str(tool), "-i", str(share / name), "-o", str(out), "-f", "ocd2", "-t", "text"],
            check=True,
            env=env,
        )
        for line in out.read_text(encoding="utf-8").splitlines():
            key, values = line.split("\t")
            keys.setdefault(key, values.split(" ")[0])
    return keys


def test_every_t2s_key_that_changes_a_text_holds_a_trigger_character(tmp_path: Path) -> None:
    keys = _opencc_dictionary_keys(tmp_path)
    changing = {key: value for key, value in keys.items() if key != value}
    assert len(changing) > 4000 and "深沈" in changing and "臺" in changing
    triggers = _t2s_triggers()
    missed = sorted(key for key in changing if triggers.search(key) is None)
    assert not missed, f"add the characters that change in {missed[:20]} to T2S_PHRASE_ONLY"
    # and the phrase-only characters are needed: each changes only inside a phrase
    for ch in T2S_PHRASE_ONLY:
        assert _t2s().convert(ch) == ch
        assert any(ch in key and len(key) > 1 for key in changing), ch


T2S_PIECES = [
    *"商务部公告编号沈阳回复打破坏覆盖臺灣國關於乾隆著a1 \n\t𠀀",
    "深沈",
    "答覆",
    "打坏",
    "瞭解",
]


@given(st.lists(st.sampled_from(T2S_PIECES), max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_to_simplified_is_opencc_t2s(text: str) -> None:
    assert to_simplified(text) == _t2s().convert(text)


@pytest.mark.parametrize(
    ("text", "converted"),
    [("商务部公告", "商务部公告"), ("臺灣", "台湾"), ("深沈", "深沉"), ("沈阳", "沈阳"), ("", "")],
)
def test_to_simplified(text: str, converted: str) -> None:
    assert to_simplified(text) == converted


def test_to_simplified_still_asks_opencc_about_surrogates() -> None:
    with pytest.raises(UnicodeEncodeError):
        _t2s().convert("公告\ud800")
    with pytest.raises(UnicodeEncodeError):
        to_simplified("公告\ud800")
