"""Column shells and the JPaaS unit API (SITE_NOTES §1.2, §1.3, §3)."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest

from mirror import MirrorServer
from tests.mirror.conftest import SAMPLE_CONTENT, WWW_API, ZCFB_PAGE_ID, fetch

# the regex several real crawlers apply to data.html
ROW_RE = re.compile(
    r'href="([^"]+)"\s+title="([^"]+)"[^>]*>[^<]*</a><span>\[(\d{4}-\d{2}-\d{2})\]</span>'
)
SCRIPT_RE = re.compile(r"<script id=\"[0-9a-f]{32}\"[^>]*parseType=\"bulidstatic\"[^>]*>")


def api(get, page_id=ZCFB_PAGE_ID, extra=""):
    reply = get(f"{WWW_API}&pageId={page_id}{extra}")
    assert reply.headers["content-type"] == "application/json; charset=UTF-8"
    return json.loads(reply.body)


@pytest.mark.parametrize(
    ("path", "page_id", "tag"),
    [
        ("/_/www.mofcom.gov.cn/zwgk/zcfb/index.html", ZCFB_PAGE_ID, "分页列表"),
        ("/_/www.mofcom.gov.cn/xwfb/rcxwfb/", "95d89972d8aa4fcea511701cd0f212d9", "分页列表"),
        (
            "/_/aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/index.html",
            "79d6d2c4e44d458180d37dd4f0996645",
            "信息列表",
        ),
    ],
)
def test_shell_carries_the_api_parameters_not_the_list(get, path, page_id, tag):
    html = get(path).text
    script = SCRIPT_RE.search(html).group(0)
    assert 'src="/cms_files/default/script/AuthorizedRead/unitbuild.js?v=4.3.0-SWB-U19"' in script
    assert 'url="/api-gateway/jpaas-publish-server/front/page/build/unit"' in script
    query = re.search(r'queryData="([^"]+)"', script).group(1)
    data = json.loads(query.replace("'", '"'))
    assert data["pageId"] == page_id and data["tagId"] == tag and data["editType"] == "null"
    assert data["parseType"] == "bulidstatic" and data["pageType"] == "column"
    assert f'id="{tag}"' in html
    assert "txtList_01" not in html and "/art/" not in html


def test_xwfyrth_shell_has_its_own_page_id(get):
    html = get("/_/www.mofcom.gov.cn/xwfb/xwfyrth/index.html").text
    page_id = re.search(r"'pageId':'([0-9a-f]{32})'", html).group(1)
    assert page_id not in (ZCFB_PAGE_ID, "95d89972d8aa4fcea511701cd0f212d9")
    assert api(get, page_id)["success"] is True


def test_envelope_and_fragment_shape(get):
    data = api(get)
    assert data["success"] is True and data["code"] == "200" and data["message"] == "操作成功"
    assert {"roles", "permissions", "traceId"} <= set(data)
    html = data["data"]["html"]
    assert html.startswith('<div id="分页列表"><div class="page-content"><ul class="txtList_01">')
    rows = ROW_RE.findall(html)
    # newest first; the 2024 GBK page comes last
    assert [r[2] for r in rows] == ["2025-10-09", "2025-09-30", "2024-05-20"]
    assert rows[0][0] == "/zwgk/zcfb/art/2025/art_a1b2c3d4e5f60718293a4b5c6d7e8f90.html"
    assert re.search(r'count="3"', html) and 'rows="15"' in html and 'pageno="1"' in html
    assert 'unitid="分页列表"' in html and "layui-laypage-last" in html
    assert api(get)["traceId"] != data["traceId"]


def test_paging_only_through_param_json():
    with MirrorServer(SAMPLE_CONTENT, synthetic=40) as srv:

        def rows(extra: str) -> list[str]:
            reply = fetch(f"{srv.url}{WWW_API}&pageId={ZCFB_PAGE_ID}{extra}")
            return [r[0] for r in ROW_RE.findall(json.loads(reply.body)["data"]["html"])]

        page1 = rows("")
        assert len(page1) == 15
        page2 = rows("&paramJson=" + quote('{"pageNo":2,"pageSize":15}'))
        assert len(page2) == 15 and not set(page1) & set(page2)
        assert rows("&paramJson=" + quote('{"pageNo":2,"pageSize":"15"}')) == page2
        assert rows("&pageNo=2&pageSize=15") == page1  # top-level paging is ignored
        everything = rows("&paramJson=" + quote('{"pageNo":1,"pageSize":99999}'))
        assert len(everything) == 43 and everything[:30] == page1 + page2
        past = fetch(
            f"{srv.url}{WWW_API}&pageId={ZCFB_PAGE_ID}&paramJson="
            + quote('{"pageNo":9,"pageSize":15}')
        )
        html = json.loads(past.body)["data"]["html"]
        assert '<ul class="txtList_01">\n</ul>' in html and 'count="43"' in html


def test_gbk_tag_id_and_unknown_page_id_fail(get):
    gbk_tag = quote("分页列表".encode("gbk"))
    reply = get(
        WWW_API.replace("%E5%88%86%E9%A1%B5%E5%88%97%E8%A1%A8", gbk_tag) + f"&pageId={ZCFB_PAGE_ID}"
    )
    assert reply.status == 200 and json.loads(reply.body) == {"success": False, "data": {}}
    assert api(get, "0" * 32) == {"success": False, "data": {}}
    # the aqygzj pageId is unknown on www
    assert api(get, "79d6d2c4e44d458180d37dd4f0996645") == {"success": False, "data": {}}


def test_aqygzj_api_uses_its_own_parameters(get):
    query = (
        "parseType=bulidstatic&webId=b28941ad4e064442856787562c9a4961&tplSetId=DDBav9QvwJVbs9iznQVmO"
        "&pageType=column&tagId=" + quote("信息列表") + "&editType=null"
        "&pageId=79d6d2c4e44d458180d37dd4f0996645&paramJson="
        + quote('{"pageNo":1,"pageSize":99999}')
    )
    reply = get(
        "/_/aqygzj.mofcom.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?" + query
    )
    html = json.loads(reply.body)["data"]["html"]
    assert html.startswith('<div id="信息列表">')
    rows = ROW_RE.findall(html)
    assert [r[0] for r in rows] == [
        "/flzc/gzjgfxwj/art/2025/art_e5f60718293a4b5c6d7e8f90a1b2c3d4.html"
    ]
