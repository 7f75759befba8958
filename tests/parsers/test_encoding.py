"""decode_html: evidence order BOM → header → meta → UTF-8 → GB18030 → replacement."""

import codecs

from parsers.encoding import decode_html

ZH = "商务部公告2025年第61号"


def test_bom_wins_over_a_wrong_header() -> None:
    got = decode_html(codecs.BOM_UTF8 + ZH.encode(), "text/html; charset=gbk")
    assert (got.text, got.encoding) == (ZH, "utf-8")
    assert "byte-order mark" in got.reason


def test_header_charset_gbk_is_read_as_gb18030() -> None:
    got = decode_html(ZH.encode("gbk"), "text/html; charset=GBK")
    assert got.text == ZH
    assert got.encoding == "gb18030"
    assert "Content-Type" in got.reason


def test_meta_charset_in_first_2kb() -> None:
    body = f'<html><head><meta charset="gb2312"><title>{ZH}</title>'.encode("gb18030")
    got = decode_html(body, "text/html")
    assert ZH in got.text
    assert got.encoding == "gb18030"
    assert "<meta>" in got.reason


def test_http_equiv_meta() -> None:
    body = ('<meta http-equiv="Content-Type" content="text/html; charset=gbk">' + ZH).encode("gbk")
    got = decode_html(body, None)
    assert got.text.endswith(ZH)
    assert got.encoding == "gb18030"


def test_meta_after_2kb_is_ignored() -> None:
    body = (" " * 3000 + '<meta charset="gbk">' + ZH).encode("utf-8")
    got = decode_html(body, None)
    assert got.encoding == "utf-8"
    assert got.text.endswith(ZH)


def test_no_charset_utf8_body_like_aqygzj() -> None:
    got = decode_html(f"<p>{ZH}</p>".encode(), "text/html")
    assert got.text == f"<p>{ZH}</p>"
    assert got.encoding == "utf-8"
    assert "UTF-8" in got.reason


def test_undeclared_gbk_falls_back_to_gb18030() -> None:
    got = decode_html(ZH.encode("gbk"), None)
    assert (got.text, got.encoding) == (ZH, "gb18030")


def test_wrong_declaration_is_skipped_and_reported() -> None:
    got = decode_html(ZH.encode("utf-8"), "text/html; charset=ascii")
    assert got.text == ZH
    assert "does not decode" in got.reason


def test_unknown_label_is_reported() -> None:
    got = decode_html(ZH.encode(), "text/html; charset=x-bogus")
    assert got.text == ZH
    assert "x-bogus" in got.reason


def test_last_resort_replaces_and_says_so() -> None:
    body = b"\x81\x20\xff\xfe\xfd" * 3
    got = decode_html(body, None)
    assert "\ufffd" in got.text
    assert "last resort" in got.reason


def test_empty_body() -> None:
    assert decode_html(b"", None).text == ""
