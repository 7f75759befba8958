"""Article pages, portal shell, static indexes, aqygzj, annexes and time travel."""

from __future__ import annotations

import io
import json
import re
import zipfile

ART = "/_/www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_a1b2c3d4e5f60718293a4b5c6d7e8f90.html"
DELISTED = "/_/www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_b2c3d4e5f60718293a4b5c6d7e8f90a1.html"
REMARKS = "/_/www.mofcom.gov.cn/xwfb/xwfyrth/art/2025/art_c3d4e5f60718293a4b5c6d7e8f90a1b2.html"
GBK = "/_/www.mofcom.gov.cn/zwgk/zcfb/art/2024/art_d4e5f60718293a4b5c6d7e8f90a1b2c3.html"
BODY_RE = re.compile(r'<div ergodic="article" class="art-con[^"]*">(.*?)</div>\s*<section', re.S)


def meta(html: str, name: str) -> str:
    return re.search(rf'<meta name="{name}" content="([^"]*)">', html).group(1)


def test_article_structure(get):
    reply = get(ART)
    assert reply.status == 200 and reply.headers["content-type"] == "text/html; charset=UTF-8"
    html = reply.text
    assert meta(html, "SiteName") == "中华人民共和国商务部"
    assert meta(html, "ColumnName") == "政策发布"
    assert meta(html, "ArticleTitle").startswith("商务部 海关总署公告2025年第99号")
    assert meta(html, "PubDate") == "2025-10-09 15:30"
    assert meta(html, "ContentSource") == "安全与管制局"
    assert meta(html, "Url") == "https://www.mofcom.gov.cn" + ART.removeprefix(
        "/_/www.mofcom.gov.cn"
    )
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", meta(html, "MakeTime"))
    assert {"Keywords", "Description"} <= set(re.findall(r'<meta name="(\w+)"', html))
    assert '<div class="art-title">商务部 海关总署公告2025年第99号' in html
    assert "来源：安全与管制局" in html and "2025-10-09 15:30" in html
    gonggao = re.search(r'<div class="art-con-gonggao">(.*?)</div>', html).group(1)
    assert gonggao == (
        "<p>【发布单位】商务部 海关总署</p><p>【发布文号】商务部 海关总署公告2025年第99号</p>"
        "<p>【发文日期】2025年10月09日</p>"
    )
    body = BODY_RE.search(html).group(1)
    assert '<p style="text-indent:2em">为维护国家安全和利益' in body
    assert "<td>9Z901.a</td><td>测试用精密量具</td><td>90178000</td>" in body
    assert (
        '附件：<a href="/cms_files/filemanager/1077459795/attach/202510/0a1b2c3d4e5f40718293a4b5c6d7e8f9.pdf">'
        in body
    )
    assert '<p style="text-align:right">商务部 海关总署<br>2025年10月9日</p>' in body
    assert '<section class="article-tool">' in html and "浏览次数" in html


def test_volatile_parts_change_but_nothing_else(get):
    first, second = get(ART).text, get(ART).text
    assert first != second
    strip = re.compile(r'MakeTime" content="[^"]*"|浏览次数：<em>\d+</em>')
    assert strip.sub("", first) == strip.sub("", second)


def test_news_page_has_no_gonggao_and_older_label(srv, get):
    srv.set_state(2)
    assert "art-con-gonggao" not in get(REMARKS).text
    aq = get(
        "/_/aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/art/2025/art_e5f60718293a4b5c6d7e8f90a1b2c3d4.html"
    )
    assert "<p>【发布日期】2025-10-09</p>" in aq.text


def test_delisted_and_unknown_articles_get_the_portal_shell(srv, get):
    assert "art-title" in get(DELISTED).text
    srv.set_state(2)
    for path in (DELISTED, "/_/www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_" + "0" * 32 + ".html"):
        reply = get(path)
        assert reply.status == 200
        assert "art-title" not in reply.text and "ergodic" not in reply.text
        assert "中华人民共和国商务部" in reply.text
    assert DELISTED.rsplit("/", 1)[1] not in get("/_/www.mofcom.gov.cn/zcfb/index.html").text


def test_states_switch_lists_and_revisions(srv, get):
    assert get(REMARKS).text.count("art-title") == 0  # not yet published in state 1
    shell = get("/_/www.mofcom.gov.cn/xwfb/xwfyrth/index.html").text
    page_id = re.search(r"'pageId':'([0-9a-f]{32})'", shell).group(1)
    api = (
        "/_/www.mofcom.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?webId="
        "8f43c7ad3afc411fb56f281724b73708&tagId=%E5%88%86%E9%A1%B5%E5%88%97%E8%A1%A8&pageId="
        + page_id
    )
    assert 'count="0"' in json.loads(get(api).body)["data"]["html"]
    srv.set_state(2)
    assert (
        'count="1"' in json.loads(get(api).body)["data"]["html"]
        and "art-title" in get(REMARKS).text
    )
    assert "本条已更正" not in get(ART).text
    get("/_mirror/state?n=3")
    assert srv.state == 3 and "本条已更正" in get(ART).text
    assert get("/_mirror/status").text.count('"state": 3') == 1


def test_gbk_fixture(get):
    reply = get(GBK)
    assert reply.headers["content-type"] == "text/html"
    assert b'<meta charset="gb2312">' in reply.body
    html = reply.body.decode("gbk")
    assert "本页面以国标编码发送" in html
    try:
        reply.body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        raise AssertionError("GBK page decodes as UTF-8")


def test_aqygzj_home_and_no_charset(get):
    reply = get("/_/aqygzj.mofcom.gov.cn/")
    assert reply.headers["content-type"] == "text/html"
    html = reply.text
    assert "charset" not in html.lower()
    hrefs = re.findall(r'<li><a href="([^"]+/art/[^"]+)"', html)
    assert len(hrefs) == 3
    assert any(h.startswith("https://aqygzj.mofcom.gov.cn/") for h in hrefs)
    assert any(h.startswith("http://aqygzj.mofcom.gov.cn/") for h in hrefs)
    assert any(h.startswith("/gzdt/art/2025/art_") for h in hrefs)
    assert re.search(r"</a><span>2025-10-10</span></li>", html)
    assert re.search(r"<li><a href=\"[^\"]+\" target=\"_blank\">联系方式</a></li>", html)
    art = get("/_/aqygzj.mofcom.gov.cn/zhxx/art/2025/art_f60718293a4b5c6d7e8f90a1b2c3d4e5.html")
    assert art.headers["content-type"] == "text/html"
    assert art.text.index("答：决定依据") < art.text.index("关于我们")


def test_host_header_dispatch(srv):
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
    conn.request("GET", "/", headers={"Host": "aqygzj.mofcom.gov.cn"})
    assert "联系方式" in conn.getresponse().read().decode()
    conn.request("GET", "/", headers={"Host": "elsewhere.example"})
    assert "联系方式" not in conn.getresponse().read().decode()
    conn.close()
    assert [e["host"] for e in srv.log()] == ["aqygzj.mofcom.gov.cn", "www.mofcom.gov.cn"]


def test_static_indexes(get):
    gg = get("/_/www.mofcom.gov.cn/zcfb/blgg/gg/2025/index.html").text
    links = re.findall(r'<a href="([^"]+/art/[^"]+)" title="([^"]+)"', gg)
    assert [link for link, _ in links] == [
        "/zwgk/zcfb/art/2025/art_a1b2c3d4e5f60718293a4b5c6d7e8f90.html"
    ]
    zcfb = get("/_/www.mofcom.gov.cn/zcfb/index.html").text
    rows = re.findall(
        r'<li><em>【([^】]+)】</em><a href="([^"]+)" title="([^"]+)"[^>]*>[^<]*</a><span>(\d{4}-\d{2}-\d{2})</span></li>',
        zcfb,
    )
    assert 'class="policy-list f-mt20"' in zcfb
    assert len(rows) == 3 and rows[0][3] == "2025-10-09"


def test_robots_and_unknown_paths_are_large_404s(get):
    robots = get("/_/www.mofcom.gov.cn/robots.txt")
    assert robots.status == 404 and len(robots.body) > 20_000 and "<html" in robots.text
    assert get("/_/www.mofcom.gov.cn/no/such/page.html").status == 404
    assert get("/_/cws.mofcom.gov.cn/").status == 404


def test_annexes_are_real_files(get):
    base = "/_/www.mofcom.gov.cn/cms_files/filemanager/1077459795/attach/202510/"
    pdf = get(base + "0a1b2c3d4e5f40718293a4b5c6d7e8f9.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF-1.4") and pdf.body.rstrip().endswith(b"%%EOF")
    assert b"9Z901.a" in pdf.body
    xref = int(re.search(rb"startxref\n(\d+)", pdf.body).group(1))
    assert pdf.body[xref : xref + 4] == b"xref"
    docx = get(base + "1a1b2c3d4e5f40718293a4b5c6d7e8f9.docx")
    assert docx.headers["content-type"].endswith("wordprocessingml.document")
    with zipfile.ZipFile(io.BytesIO(docx.body)) as zf:
        assert "出口许可申请表" in zf.read("word/document.xml").decode()
    assert get(base + "1a1b2c3d4e5f40718293a4b5c6d7e8f9.docx").body == docx.body
