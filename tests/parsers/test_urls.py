"""canonical_url: one spelling per document."""

import pytest

from parsers.urls import canonical_url

CASES = [
    (
        "HTTP://WWW.MOFCOM.GOV.CN/zwgk/zcfb/art/2025/art_ab.html",
        "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_ab.html",
    ),
    (
        "http://aqygzj.mofcom.gov.cn:80/flzc/gzjgfxwj/index.html#top",
        "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/index.html",
    ),
    ("https://www.mofcom.gov.cn:443/a.html", "https://www.mofcom.gov.cn/a.html"),
    ("http://www.gov.cn/zhengce/x.htm", "https://www.gov.cn/zhengce/x.htm"),
    ("http://www.news.cn:8080/a/c.html", "http://www.news.cn:8080/a/c.html"),
    (
        "https://udn.com/news/story/7266/9779704?from=udn-ch1_breaknews",
        "https://udn.com/news/story/7266/9779704",
    ),
    ("https://udn.com/x?b=2&utm_source=tw&a=1&spm=abc&UTM_medium=m", "https://udn.com/x?a=1&b=2"),
    (
        "https://www.guancha.cn/politics/2026_08_19_827799_s.shtml",
        "https://www.guancha.cn/politics/2026_08_19_827799.shtml",
    ),
    (
        "https://www.guancha.cn/TMT/2017_09_13_426874_2.shtml",
        "https://www.guancha.cn/TMT/2017_09_13_426874.shtml",
    ),
    (
        "https://www.guancha.cn/politics/2026_08_19_827799.shtml",
        "https://www.guancha.cn/politics/2026_08_19_827799.shtml",
    ),
    ("https://example.org", "https://example.org/"),
    ("  https://example.org/a?x=  ", "https://example.org/a?x="),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize(("raw", "_"), CASES)
def test_canonical_url_is_idempotent(raw: str, _: str) -> None:
    once = canonical_url(raw)
    assert canonical_url(once) == once


def test_non_ascii_query_is_utf8_percent_encoded() -> None:
    url = "https://aqygzj.mofcom.gov.cn/api?tagId=信息列表&pageNo=1"
    assert canonical_url(url) == (
        "https://aqygzj.mofcom.gov.cn/api?pageNo=1&tagId=%E4%BF%A1%E6%81%AF%E5%88%97%E8%A1%A8"
    )


@pytest.mark.parametrize("junk", ["", "not a url", "/relative/path", "http://[::1", "mailto:x@y"])
def test_unparsable_input_comes_back_stripped(junk: str) -> None:
    assert canonical_url(f" {junk} ") == junk
