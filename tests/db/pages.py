"""Hand-written MOFCOM-style pages (SITE_NOTES §1.4 anatomy), as the crawler items that carry them.

The announcement text is invented for tests; only the page structure follows the real site.
"""

from __future__ import annotations

from datetime import UTC, datetime

from crawlers.items import FetchedPage as Page
from crawlers.items import FetchEvent

#: Tests build fetch outcomes as ``P.Event`` (the crawler's own item).
Event = FetchEvent

ARTICLE_URL = (
    "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_3f0c2a9d5b8e4c17a6d2e9f1b4c7a850.html"
)
ANNEX_URL = (
    "https://www.mofcom.gov.cn/cms_files/filemanager/1077459795/attach/202510/"
    "5d1e8c3b7a9f4e2db6c0a1f3e5d7b9c2.pdf"
)
BODY = (
    "为维护国家安全和利益，履行防扩散等国际义务，根据《中华人民共和国出口管制法》的有关规定，"
    "经国务院批准，决定对下列物项实施出口管制。"
)
EDITED_BODY = BODY + "本公告自发布之日起正式实施。"

ARTICLE_TEMPLATE = """<!DOCTYPE html>
<html>
<head>
{charset_meta}<title>{title}_中华人民共和国商务部</title>
<meta name="SiteName" content="中华人民共和国商务部">
<meta name="ColumnName" content="政策发布">
<meta name="ArticleTitle" content="{title}">
<meta name="PubDate" content="2025-10-09 15:00">
<meta name="ContentSource" content="商务部新闻办公室">
<meta name="Url" content="{url}">
<meta name="MakeTime" content="{make_time}">
</head>
<body>
<nav class="nav"><a href="/">首页</a><a href="/zwgk/zcfb/index.html">政策发布</a></nav>
<div class="art-title">{title}</div>
<div class="at-left">来源：商务部新闻办公室 类型：原创 2025-10-09 15:00</div>
<div class="art-con art-con-bottonmLine">
  <div class="art-con-gonggao">
    <p>【发布单位】商务部</p>
    <p>【发布文号】商务部公告2025年第99号</p>
    <p>【发文日期】2025年10月09日</p>
  </div>
</div>
<div ergodic="article" class="art-con art-con-bottonmLine">
  <p style="text-indent:2em">{body}</p>
  <p>附件：<a href="/cms_files/filemanager/1077459795/attach/202510/5d1e8c3b7a9f4e2db6c0a1f3e5d7b9c2.pdf">1.管制物项清单.pdf</a></p>
  <p style="text-align:right">商务部<br>2025年10月9日</p>
</div>
<section class="article-tool"><span>浏览次数：{views}</span><a href="javascript:window.print()">打印</a></section>
<footer class="footer">主办单位：中华人民共和国商务部 网站标识码bm22000001</footer>
</body>
</html>
"""

TITLE = "商务部公告2025年第99号 关于对有关物项实施出口管制的公告"

PORTAL_SHELL = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>中华人民共和国商务部</title>
<meta name="SiteName" content="中华人民共和国商务部">
</head><body>
<header class="header"><a href="/">首页</a><a href="/zwgk/">政务公开</a><a href="/xwfb/">新闻发布</a></header>
<div class="main"><div class="search"><a href="/search.html">搜索</a></div></div>
<footer class="footer">主办单位：中华人民共和国商务部</footer>
</body></html>
"""

WAF_412 = (
    "<html><head><title>412 Precondition Failed</title></head>"
    "<body><h1>Precondition Failed</h1><p>请求被拒绝，请稍后再试。</p></body></html>"
)


def article_html(
    *,
    body: str = BODY,
    title: str = TITLE,
    make_time: str = "2025-10-09 15:02:11",
    views: int = 1,
    charset: str | None = "utf-8",
) -> str:
    """The article page; ``make_time`` and ``views`` are chrome that must not change the hash."""
    charset_meta = f'<meta charset="{charset}">\n' if charset else ""
    return ARTICLE_TEMPLATE.format(
        charset_meta=charset_meta,
        title=title,
        url=ARTICLE_URL,
        make_time=make_time,
        views=views,
        body=body,
    )


def at(hour: int, day: int = 9) -> datetime:
    return datetime(2025, 10, day, hour, 0, tzinfo=UTC)


def article(
    html: str | bytes,
    *,
    url: str = ARTICLE_URL,
    status: int = 200,
    content_type: str | None = "text/html; charset=UTF-8",
    fetched_at: datetime | None = None,
    source: str = "gov_mofcom_zcfb",
    list_date: str | None = "2025-10-09",
) -> Page:
    body = html.encode("utf-8") if isinstance(html, str) else html
    headers = {"content-type": content_type} if content_type else {}
    return Page(
        source=source,
        url=url,
        canonical_url=url,
        kind="article",
        status=status,
        headers=headers,
        body=body,
        fetched_at=fetched_at or at(12),
        list_title=TITLE,
        list_date=list_date,
        elapsed_ms=42,
    )


def annex(body: bytes, *, fetched_at: datetime | None = None, parent: str = ARTICLE_URL) -> Page:
    return Page(
        source="gov_mofcom_zcfb",
        url=ANNEX_URL,
        canonical_url=ANNEX_URL,
        kind="annex",
        status=200,
        headers={"content-type": "application/pdf"},
        body=body,
        fetched_at=fetched_at or at(12),
        list_title="1.管制物项清单.pdf",
        parent_url=parent,
    )
