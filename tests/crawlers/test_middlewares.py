"""MirrorMiddleware URL rewriting, Retry-After parsing, annex link discovery."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse

from crawlers.base import annex_links
from crawlers.middlewares import (
    META_FROM,
    MirrorMiddleware,
    from_mirror,
    production_url,
    retry_after_seconds,
    to_mirror,
)

MIRROR = "http://127.0.0.1:8123"


def test_to_and_from_mirror() -> None:
    url = "https://www.mofcom.gov.cn/api-gateway/x/unit?tagId=%E5%88%86&pageId=1"
    mirrored = to_mirror(url, MIRROR + "/")
    assert mirrored == f"{MIRROR}/_/www.mofcom.gov.cn/api-gateway/x/unit?tagId=%E5%88%86&pageId=1"
    assert from_mirror(mirrored, MIRROR) == url
    assert to_mirror("http://aqygzj.mofcom.gov.cn", MIRROR) == f"{MIRROR}/_/aqygzj.mofcom.gov.cn/"
    assert from_mirror("https://www.mofcom.gov.cn/x", MIRROR) is None


def test_request_is_rewritten_once_and_response_comes_back_under_the_production_url() -> None:
    mw = MirrorMiddleware(MIRROR)
    original = Request("https://www.mofcom.gov.cn/zwgk/zcfb/index.html", meta={"kind": "column"})
    rewritten = mw.process_request(original)
    assert rewritten is not None
    assert rewritten.url == f"{MIRROR}/_/www.mofcom.gov.cn/zwgk/zcfb/index.html"
    assert rewritten.meta[META_FROM] == original.url
    assert rewritten.meta["kind"] == "column"
    assert rewritten.meta["download_slot"] == "www.mofcom.gov.cn"
    assert rewritten.dont_filter
    assert production_url(rewritten) == original.url
    assert mw.process_request(rewritten) is None  # second pass goes through untouched
    response = HtmlResponse(rewritten.url, status=200, body=b"<html></html>", request=rewritten)
    back = mw.process_response(rewritten, response)
    assert back.url == original.url


def test_response_without_a_charset_comes_back_undecided_and_decodes_as_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mw = MirrorMiddleware(MIRROR)
    rewritten = mw.process_request(Request("https://aqygzj.mofcom.gov.cn/"))
    assert rewritten is not None
    body = "<html><body><p>两用物项出口管制</p></body></html>".encode("gbk")
    response = HtmlResponse(rewritten.url, status=200, body=body, request=rewritten)
    guesses: list[object] = []
    guess = TextResponse._body_inferred_encoding  # Scrapy's charset guess (a private method)
    monkeypatch.setattr(
        TextResponse, "_body_inferred_encoding", lambda self: guesses.append(self) or guess(self)
    )
    back = mw.process_response(rewritten, response)
    assert guesses == []  # nothing guessed on the way back
    assert isinstance(back, HtmlResponse) and back.body == body
    assert back.url == "https://aqygzj.mofcom.gov.cn/"
    fresh = HtmlResponse(rewritten.url, status=200, body=body)
    assert (back.encoding, back.text) == (fresh.encoding, fresh.text)


def test_redirects_resolve_against_production_and_are_rewritten_again() -> None:
    mw = MirrorMiddleware(MIRROR)
    rewritten = mw.process_request(Request("https://www.mofcom.gov.cn/a.html"))
    assert rewritten is not None
    response = HtmlResponse(
        rewritten.url,
        status=302,
        headers={"Location": f"{MIRROR}/_/www.mofcom.gov.cn/b.html"},
        request=rewritten,
    )
    back = mw.process_response(rewritten, response)
    assert back.headers[b"Location"] == b"https://www.mofcom.gov.cn/b.html"
    follow = rewritten.replace(url="https://www.mofcom.gov.cn/b.html")  # as RedirectMiddleware
    assert production_url(follow) == "https://www.mofcom.gov.cn/b.html"
    again = mw.process_request(follow)
    assert again is not None and again.url == f"{MIRROR}/_/www.mofcom.gov.cn/b.html"


def test_retry_after_seconds_and_dates() -> None:
    now = datetime(2025, 10, 9, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds("Thu, 09 Oct 2025 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds(b"soon") is None
    assert retry_after_seconds(None) is None


def test_annex_links_keep_cms_files_of_listed_types_only() -> None:
    html = (
        '<a href="/cms_files/filemanager/1077459795/attach/20248/11e73e55f0f549fc9922625a0c046f38.pdf">附件1</a>'
        "<a href='https://www.mofcom.gov.cn/cms_files/oldfile//fms/202312/20231221153855374.DOCX'>2</a>"
        '<script src="/cms_files/default/script/ajax/page/page.js"></script>'
        '<a href="/zwgk/zcfb/art/2025/art_1.html">not an annex</a>'
        '<a href="/cms_files/filemanager/1077459795/attach/20248/11e73e55f0f549fc9922625a0c046f38.pdf">dup</a>'
    )
    assert annex_links(html, "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_x.html") == [
        "https://www.mofcom.gov.cn/cms_files/filemanager/1077459795/attach/20248/11e73e55f0f549fc9922625a0c046f38.pdf",
        "https://www.mofcom.gov.cn/cms_files/oldfile//fms/202312/20231221153855374.DOCX",
    ]
