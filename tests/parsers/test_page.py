"""extract_page: page anatomy, classification and the stable hash."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from parsers.page import (
    BAD_CHARS_RE,
    DATELINE_NOT,
    DATELINE_XPATH,
    HTML_PARSER,
    _fallback_body,
    _has_bad_chars,
    _is_annex,
    _maybe_annex,
    extract_page,
    parse_header,
)
from tests.parsers.conftest import texts_of

FIXTURES = Path(__file__).parent / "fixtures"
URL = "http://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_0123456789abcdef0123456789abcdef.html"


def load(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_announcement_page_parts() -> None:
    page = extract_page(load("mofcom_58.html"), URL)
    assert page.page_type == "article"
    assert page.title.startswith("商务部 海关总署公告2025年第58号 公布对锂电池")
    assert page.meta["PubDate"] == "2025-10-09 15:30"
    assert page.header == {
        "发布单位": "商务部 海关总署",
        "发布文号": "商务部 海关总署公告2025年第58号",
        "发文日期": "2025年10月09日",
    }
    lines = page.body_text.split("\n")
    assert lines[0].startswith("根据《中华人民共和国出口管制法》")
    assert "3C901.a.1 | 磷酸铁锂正极材料 | 28429040" in lines
    assert lines[-2:] == ["商务部 海关总署", "2025年10月9日"]
    for chrome in ("打印", "浏览次数", "关于我们", "首页", "traceId", "【发布文号】"):
        assert chrome not in page.body_text
    assert [a.url for a in page.annexes] == [
        "http://www.mofcom.gov.cn/cms_files/filemanager/1077459795/attach/202510/"
        "0123456789abcdef0123456789abcdef.pdf"
    ]
    assert page.annexes[0].label == "1.锂电池相关物项清单.pdf"
    assert len(page.stable_hash) == 64
    assert page.warnings == ()


def test_stable_text_has_title_header_and_body() -> None:
    page = extract_page(load("mofcom_58.html"), URL)
    text = page.stable_text()
    assert text.split("\n")[:2] == [page.title, "发布单位：商务部 海关总署"]
    assert text.endswith("2025年10月9日")


def test_annex_urls_stay_relative_without_page_url() -> None:
    page = extract_page(load("mofcom_58.html"))
    assert page.annexes[0].url.startswith("/cms_files/filemanager/")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('content="2026-09-30 17:00:46"', 'content="2026-10-01 09:12:00"'),  # MakeTime
        ('<span id="views">1234</span>', '<span id="views">99999</span>'),  # view counter
        ('var traceId="ab12cd"', 'var traceId="ffffff"'),
        ("打印</a>", "打印本页</a>"),  # toolbar chrome
        ("关于我们", "联系我们"),  # footer
        ('<p style="text-indent:2em">二、', "<p>\n  二、"),  # markup and whitespace only
    ],
)
def test_hash_ignores_chrome(old: str, new: str) -> None:
    html = load("mofcom_58.html")
    assert old in html
    assert (
        extract_page(html, URL).stable_hash == extract_page(html.replace(old, new), URL).stable_hash
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("2025年11月8日起", "2025年12月1日起"),
        ("【发文日期】2025年10月09日", "【发文日期】2025年10月10日"),
        ("0123456789abcdef0123456789abcdef.pdf", "fedcba9876543210fedcba9876543210.pdf"),
        ('<div class="art-title">商务部', '<div class="art-title">（修订）商务部'),
    ],
)
def test_hash_sees_content_changes(old: str, new: str) -> None:
    html = load("mofcom_58.html")
    assert old in html
    assert (
        extract_page(html, URL).stable_hash != extract_page(html.replace(old, new), URL).stable_hash
    )


def test_news_page_without_gonggao() -> None:
    page = extract_page(load("mofcom_news.html"), URL)
    assert page.page_type == "article"
    assert page.title == "商务部新闻发言人就出口管制有关问题答记者问"
    assert page.header == {}
    assert page.body_text == (
        "问：商务部公告2025年第61号发布后，各方关注其适用范围，请介绍有关情况。\n"
        "答：该公告依法实施，\n与正常贸易无关。"
    )


def test_portal_shell() -> None:
    page = extract_page(load("portal_shell.html"), URL)
    assert page.page_type == "portal_shell"
    assert page.body_text == ""
    assert page.header == {}


@pytest.mark.parametrize("name", ["waf_412.html", "waf_js_challenge.html"])
def test_waf_pages(name: str) -> None:
    assert extract_page(load(name), URL).page_type == "waf"


def test_tiny_page_is_waf() -> None:
    assert extract_page("<html><body><p>请稍候</p></body></html>").page_type == "waf"


def test_list_page() -> None:
    rows = "".join(
        f'<li><a href="/art/2025/art_{i:032x}.html" title="公告{i}">公告{i}</a><span>[2025-10-0{i}]</span></li>'
        for i in range(1, 8)
    )
    html = f'<html><body><div class="page-content"><ul class="txtList_01">{rows}</ul></div></body></html>'
    assert extract_page(html).page_type == "list"


def test_colon_header_and_publish_date_label() -> None:
    html = (
        '<html><body><div class="art-title">商务部公告2025年第62号</div>'
        '<div class="art-con art-con-bottonmLine"><p>发布文号：商务部公告2025年第62号</p>'
        "<p>发文日期：2025年10月9日</p></div>"
        '<div ergodic="article" class="art-con"><p>正文。</p></div></body></html>'
    )
    page = extract_page(html)
    assert page.header == {"发布文号": "商务部公告2025年第62号", "发文日期": "2025年10月9日"}
    old = "<p>【发布单位】商务部</p><p>【发布日期】2025-10-9</p>"
    html2 = f'<html><body><div class="art-title">X</div><div class="art-con-gonggao">{old}</div><div class="art-con"><p>正文</p></div></body></html>'
    page2 = extract_page(html2)
    assert page2.header == {"发布单位": "商务部", "发布日期": "2025-10-9"}
    assert page2.body_text == "正文"


def test_gonggao_inside_single_line() -> None:
    html = '<div class="art-title">T</div><div class="art-con-gonggao">【发布单位】商务部【发布文号】商务部令2024年第1号【发文日期】20240101</div><div ergodic="article">正文</div>'
    assert extract_page(html).header == {
        "发布单位": "商务部",
        "发布文号": "商务部令2024年第1号",
        "发文日期": "20240101",
    }


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   ",
        "<",
        "<html",
        "\x00\x01<p>",
        '<?xml version="1.0" encoding="gbk"?><p>正文</p>',
        "<div ergodic='article'><p>截断的正文<table><tr><td>a",
        "<" * 5000,
        "<div>" * 3000,
    ],
)
def test_broken_html_never_raises(junk: str) -> None:
    page = extract_page(junk)
    assert page.page_type in {"article", "portal_shell", "waf", "list", "unknown"}
    assert len(page.stable_hash) == 64


def test_truncated_article_keeps_what_arrived() -> None:
    html = load("mofcom_58.html")
    cut = html[: html.index("二、本公告")]
    page = extract_page(cut, URL)
    assert page.page_type == "truncated"  # never stored as a version nor read as a delisting
    assert "3C901.a.1 | 磷酸铁锂正极材料 | 28429040" in page.body_text


def test_news_dateline_is_read_but_not_hashed() -> None:
    html = (
        '<html><body><div class="nav"><span class="date">2020-01-01 00:00</span></div>'
        '<h3>标题</h3><div class="time fix"><span>2025-10-09 20:15:33</span>'
        '<span>来源：观察者网</span></div><div class="all-txt"><p>正文第一段，足够长的文字。'
        "</p><p>第二段。</p></div></body></html>"
    )
    page = extract_page(html)
    assert page.dateline == "2025-10-09 20:15:33"
    moved = extract_page(html.replace("2025-10-09 20:15:33", "2025-10-10 08:00"))
    assert moved.dateline == "2025-10-10 08:00"
    assert moved.stable_hash == page.stable_hash
    assert (
        extract_page("<html><body><div class='art-title'>标题</div></body></html>").dateline is None
    )


def test_header_labels_of_a_traditional_copy() -> None:
    text = "【發佈單位】商務部\n【發佈文號】商務部公告2025年第61號\n【發文日期】20251009\n"
    assert parse_header(text) == {
        "发布单位": "商務部",
        "发布文号": "商務部公告2025年第61號",
        "发文日期": "20251009",
    }


@pytest.mark.parametrize(
    ("html", "truncated"),
    [
        ("<HTML><BODY><div ergodic='article'><p>正文内容</p></div></BODY></HTML>", False),
        ("<html><body><div ergodic='article'><p>正文内容</p></div></body>", False),
        ("<Html><body><div ergodic='article'><p>正文内容</p></div>" + "<p>续</p>" * 2000, True),
        ("<body><div ergodic='article'><p>正文内容</p></div>", False),  # a fragment, not a page
        (" " * 4096 + "<html><body><div ergodic='article'><p>正文</p></div>", False),
    ],
)
def test_truncation_is_judged_on_the_first_and_last_4_kib(html: str, truncated: bool) -> None:
    assert (extract_page(html, URL).page_type == "truncated") is truncated


def test_the_bad_character_check_agrees_with_its_pattern() -> None:
    chars = [*range(0x800), 0xD800, 0xDFFF, 0x3000, 0xFEFF, 0xFFFD, 0xFFFE, 0xFFFF, 0x10FFFF]
    for c in chars:
        text = f"<p>中{chr(c)}a</p>"
        assert _has_bad_chars(text) == bool(BAD_CHARS_RE.search(text)), hex(c)


def _has_class_xpath(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


#: The selectors ``_fallback_body`` and ``DATELINE_XPATH`` replace, as they were written.
OLD_FALLBACKS = [
    etree.XPath(xp)
    for xp in (
        "//*[@id='zoom']",
        f"//*[{_has_class_xpath('artCon')}]",
        f"//*[{_has_class_xpath('all-txt')}]",
        "//*[@id='detail']",
        f"//div[{_has_class_xpath('bd')}]",
    )
]
OLD_DATELINE = etree.XPath(
    "//*[not(self::script or self::style)][contains(@class, 'time') or contains(@class, 'date')"
    " or contains(@id, 'time') or contains(@id, 'date')]"
)
ATTR_WORDS = ["zoom", "detail", "artCon", "all-txt", "bd", "bdx", "time", "date", "pubdate"]
ATTR_VALUES = st.lists(st.sampled_from([*ATTR_WORDS, " ", "\t", "\n", "x"]), max_size=4).map(
    "".join
)
ELEMENT = st.tuples(
    st.sampled_from(["div", "span", "p", "script", "style", "section"]),
    st.one_of(st.none(), ATTR_VALUES),
    st.one_of(st.none(), ATTR_VALUES),
)


def _page(elements: list[tuple[str, str | None, str | None]], nest: list[bool]) -> str:
    """Elements one after another, each opened inside the one before when ``nest`` says so."""
    html, open_tags = "<html><body>", []
    for (tag, cls, id_), inside in zip(elements, nest, strict=False):
        if not inside:
            while open_tags:
                html += f"</{open_tags.pop()}>"
        attrs = "".join(f' {k}="{v}"' for k, v in (("class", cls), ("id", id_)) if v is not None)
        html += f"<{tag}{attrs}>2025-10-09 text"
        open_tags.append(tag)
    while open_tags:
        html += f"</{open_tags.pop()}>"
    return html + "</body></html>"


@settings(max_examples=300, deadline=None)
@given(st.lists(ELEMENT, max_size=8), st.lists(st.booleans(), min_size=8, max_size=8))
def test_fallback_body_and_dateline_pick_what_the_old_xpaths_picked(elements, nest) -> None:
    root = etree.fromstring(_page(elements, nest), HTML_PARSER)
    old = next((found[:1] for xp in OLD_FALLBACKS if (found := xp(root))), [])
    assert _fallback_body(root) == old
    assert [el for el in DATELINE_XPATH(root) if el.tag not in DATELINE_NOT] == OLD_DATELINE(root)


HREF_PIECES = [
    *("/", "cms_files", "/cms_files/", "document/download", ".PDF", ".pdf", ".docx", ".Xls"),
    *(".rar", ".html", "?a=1", "#x", "http://", "www.mofcom.gov.cn", "[", "附件", "\t", "\n"),
    *("a", "Z", "\0"),
]


@settings(max_examples=400, deadline=None)
@given(st.lists(texts_of(HREF_PIECES, 8), max_size=4))
def test_the_annex_pre_check_never_drops_an_annex_link(hrefs: list[str]) -> None:
    """``_maybe_annex`` (one test on all of a page's hrefs) says no only when ``_is_annex``
    says no without raising, for each href and for all of them at once."""

    def passes(href: str) -> bool:
        try:
            return _is_annex(href)
        except ValueError:  # urlsplit refuses some hosts: the href must reach it
            return True

    for href in hrefs:
        if passes(href):
            assert _maybe_annex(href), href
    if any(passes(href) for href in hrefs):
        assert _maybe_annex("\0".join(hrefs)), hrefs
