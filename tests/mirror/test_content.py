"""Loading TOML documents: scoping slips, revisions, and bad files reported without crashing."""

from __future__ import annotations

from pathlib import Path

from mirror.content import load_dir

# body/signature/states written after [header] and [[annexes]] land in those tables in TOML
SLIPPED = """
id = "11111111111111111111111111111111"
column = "zcfb/blgg/gg/2025"
column_name = "公告"
published = "2025-11-07 17:00"
title = "商务部公告2025年第97号"

[header]
unit = "商务部"
number = "商务部公告2025年第97号"
date = "2025年11月07日"
body = "正文一行。"
signature = ["商务部", "2025年11月7日"]

[[annexes]]
label = "附件.txt"
path = "/cms_files/filemanager/1077459795/attach/202511/2222222222222222222222222222222a.txt"
states = [2, 3]

[[revisions]]
from_state = 3
title = "商务部公告2025年第97号（更正）"
[revisions.header]
number = "商务部公告2025年第97号（更正）"
"""


def test_slipped_keys_are_hoisted_and_revisions_apply(tmp_path: Path):
    (tmp_path / "www.mofcom.gov.cn").mkdir()
    (tmp_path / "www.mofcom.gov.cn" / "a.toml").write_text(SLIPPED, encoding="utf-8")
    result = load_dir(tmp_path)
    assert result.errors == []
    (doc,) = result.documents
    assert doc.host == "www.mofcom.gov.cn" and doc.states == (2, 3)
    assert doc.body == "正文一行。" and doc.signature == ("商务部", "2025年11月7日")
    assert doc.path == "/zcfb/blgg/gg/2025/art/2025/art_11111111111111111111111111111111.html"
    assert doc.at_state(1) is None and doc.at_state(4) is None
    assert doc.at_state(2).header.number == "商务部公告2025年第97号"
    edited = doc.at_state(3)
    assert edited.title.endswith("（更正）") and edited.header.number.endswith("（更正）")
    assert edited.header.unit == "商务部" and edited.path == doc.path


def test_bad_files_are_reported_and_skipped(tmp_path: Path):
    (tmp_path / "ok.toml").write_text(SLIPPED, encoding="utf-8")
    (tmp_path / "broken.toml").write_text("id = [unclosed", encoding="utf-8")
    (tmp_path / "badid.toml").write_text(SLIPPED.replace("1111", "XXXX", 1), encoding="utf-8")
    (tmp_path / "dup.toml").write_text(SLIPPED, encoding="utf-8")
    result = load_dir(tmp_path)
    assert len(result.documents) == 1
    assert sorted(e.split(":")[0] for e in result.errors) == [
        "badid.toml",
        "broken.toml",
        "ok.toml",
    ]
    assert any("duplicate id" in e for e in result.errors)
