"""JPaaS navigation helpers: params from a column shell, API URLs, envelopes, rows, pager."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from crawlers.jpaas import (
    JpaasParams,
    api_url,
    params_from_column,
    parse_envelope,
    parse_pager,
    parse_rows,
)

COLUMN = "https://www.mofcom.gov.cn/zwgk/zcfb/index.html"
SHELL = """<html><body><div class="list" id="分页列表">
<script id="cb38aba59e094b359a406e13e4ca33ed"
  src="/cms_files/default/script/AuthorizedRead/unitbuild.js?v=4.3.0-SWB-U19"
  webId="8f43c7ad3afc411fb56f281724b73708" parseType="bulidstatic"
  url="/api-gateway/jpaas-publish-server/front/page/build/unit"
  queryData="{'parseType':'bulidstatic','webId':'8f43c7ad3afc411fb56f281724b73708','tplSetId':'52551ea0e2c14bca8c84792f7aa37ead','pageType':'column','tagId':'分页列表','editType':'null','pageId':'fc8bdff48fa345a48b651c1285b70b8f'}">
</script></div>
<script src="/cms_files/default/script/ajax/page/page.js"></script></body></html>"""
FRAGMENT = (
    '<div id="分页列表"><div class="page-content"><ul class="txtList_01">'
    '<li><a href="/zwgk/zcfb/art/2025/art_9c2108ccaf754f22a34abab2fedaa944.html" title="商务部公告2025年第18号 全文" target="_blank">商务部公告2025年第18号</a><span>[2025-04-04]</span></li>'
    '<li><a href="https://cws.mofcom.gov.cn/zwgk/art/2025/art_0123456789abcdef0123456789abcdef.html" title="转载">转载</a><span>[2025-3-7]</span></li>'
    "<li>no link here</li>"
    "</ul></div>"
    '<div class="pagination" querydata="{}" rows="15" unitid="分页列表" count="2285" pageno="1" '
    'uniturl="/api-gateway/jpaas-publish-server/front/page/build/unit"></div></div>'
)


def test_params_are_read_from_the_single_quoted_querydata() -> None:
    params = params_from_column(SHELL)
    assert params is not None
    assert params.api_path == "/api-gateway/jpaas-publish-server/front/page/build/unit"
    assert params.query["pageId"] == "fc8bdff48fa345a48b651c1285b70b8f"
    assert params.query["tagId"] == "分页列表"
    assert params.query["parseType"] == "bulidstatic"
    assert next(iter(params.query)) == "parseType"


def test_a_page_without_the_script_has_no_params() -> None:
    assert params_from_column("<html><script src='/x.js'></script></html>") is None
    assert params_from_column('<script queryData="{not json}"></script>') is None


def test_page_one_url_sends_keys_separately_and_no_paramjson() -> None:
    params = params_from_column(SHELL)
    assert params is not None
    url = api_url(COLUMN, params, 1)
    assert url.startswith(
        "https://www.mofcom.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?"
    )
    assert "tagId=%E5%88%86%E9%A1%B5%E5%88%97%E8%A1%A8" in url  # UTF-8, never GBK
    assert "paramJson" not in url
    assert "queryData" not in url
    assert parse_qs(urlsplit(url).query)["editType"] == ["null"]


def test_later_pages_send_paramjson_as_one_encoded_value() -> None:
    params = JpaasParams("/api", {"pageId": "abc", "tagId": "信息列表"})
    url = api_url("https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/index.html", params, 2)
    assert url == (
        "https://aqygzj.mofcom.gov.cn/api?pageId=abc&tagId=%E4%BF%A1%E6%81%AF%E5%88%97%E8%A1%A8"
        "&paramJson=%7B%22pageNo%22%3A2%2C%22pageSize%22%3A15%7D"
    )
    assert json.loads(parse_qs(urlsplit(url).query)["paramJson"][0]) == {
        "pageNo": 2,
        "pageSize": 15,
    }


def test_envelope_success_yields_the_fragment() -> None:
    body = json.dumps({"success": True, "code": "200", "data": {"html": FRAGMENT}}).encode()
    assert parse_envelope(body) == (FRAGMENT, None)


def test_envelope_failure_is_an_actionable_error() -> None:
    html, error = parse_envelope(b'{"success":false,"data":{}}')
    assert html is None
    assert error is not None and "success=False" in error and "UTF-8" in error
    html, error = parse_envelope(b"<html>412</html>")
    assert html is None and error is not None and "JSON" in error


def test_rows_have_absolute_urls_full_titles_and_padded_dates() -> None:
    rows = parse_rows(FRAGMENT, COLUMN)
    assert [(r.url, r.title, r.date) for r in rows] == [
        (
            "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_9c2108ccaf754f22a34abab2fedaa944.html",
            "商务部公告2025年第18号 全文",
            "2025-04-04",
        ),
        (
            "https://cws.mofcom.gov.cn/zwgk/art/2025/art_0123456789abcdef0123456789abcdef.html",
            "转载",
            "2025-03-07",
        ),
    ]


def test_pager_gives_the_last_page() -> None:
    pager = parse_pager(FRAGMENT)
    assert pager is not None
    assert (pager.count, pager.rows, pager.pageno) == (2285, 15, 1)
    assert pager.last_page == 153
    assert parse_pager("<div></div>") is None
