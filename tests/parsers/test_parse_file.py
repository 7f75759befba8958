"""parse_file picks HTML or text by name and content, and never raises."""

from parsers import PARSER_VERSION, Record, parse_file

HTML = "<html><body><div class='art-title'>商务部公告2025年第61号</div><div ergodic='article'><p>本公告自公布之日起实施。</p></div></body></html>"


def test_html_by_content_even_with_txt_name() -> None:
    rec = parse_file(HTML.encode("utf-8"), "page.txt")
    assert isinstance(rec, Record)
    assert rec.text.startswith("商务部公告2025年第61号\n")
    assert "<div" not in rec.text


def test_plain_text_gbk_bytes() -> None:
    rec = parse_file("商务部公告2025年第61号\n本公告自公布之日起实施。\n".encode("gbk"), "a.txt")
    assert [n.seq for n in rec.numbers] == [61]
    assert rec.effective[0].basis == "on_publication"


def test_binary_formats_are_reported_not_parsed() -> None:
    rec = parse_file(b"%PDF-1.7\x00\x01", "annex.pdf")
    assert rec.text == ""
    assert "not supported" in rec.warnings[0]
    assert rec.to_dict()["kind"] == "other"


def test_undecodable_bytes_warn() -> None:
    rec = parse_file(b"\x81\x20\xff\xfe\xfd" * 3, "x.txt")
    assert any("last resort" in w for w in rec.warnings)


def test_parser_version_is_semver() -> None:
    assert [p.isdigit() for p in PARSER_VERSION.split(".")] == [True, True, True]
