"""Static lists: the yearly 公告 index and the aqygzj home page (mixed links, undated rows)."""

from __future__ import annotations

from crawlers.spiders import SOURCES
from crawlers.spiders.gov_mofcom_aqygzj import home_rows
from crawlers.spiders.gov_mofcom_gg import index_rows

HOME = """<ul>
<li><a href="http://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/art/2025/art_f7201e9ac9864599bd43ed65a3257577.html" title="不可靠实体清单工作机制公告2025年第9号">公告</a><span>2025-10-09</span></li>
<li><a href="/zhxx/art/2026/art_90f295b25fce4401b72ddf1b9adac31f.html">答记者问</a></li>
<li><a href="https://www.mofcom.gov.cn/zcfb/blgg/gg/2025/art/2025/art_0123456789abcdef0123456789abcdef.html">www</a><span>2025-4-4</span></li>
<li><a href="/gywm/index.html">联系方式</a></li>
<li><a href="https://example.org/art/2025/art_1.html">elsewhere</a></li>
</ul>"""
INDEX = """<ul class="txtList_01">
<li><a href="/zcfb/blgg/gg/2025/art/2025/art_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.html" title="商务部公告2025年第61号">61</a><span>2025-10-09</span></li>
<li><a href="/zcfb/blgg/gg/2025nswbgg/art/2025/art_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.html">变体子栏目</a></li>
<li><a href="/zwgk/zcfb/art/2025/art_cccccccccccccccccccccccccccccccc.html">other column</a></li>
</ul>"""


def test_home_rows_fold_http_onto_https_and_keep_undated_rows() -> None:
    rows = home_rows(HOME, "https://aqygzj.mofcom.gov.cn/")
    assert [(r.url, r.title, r.date) for r in rows] == [
        (
            "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/art/2025/art_f7201e9ac9864599bd43ed65a3257577.html",
            "不可靠实体清单工作机制公告2025年第9号",
            "2025-10-09",
        ),
        (
            "https://aqygzj.mofcom.gov.cn/zhxx/art/2026/art_90f295b25fce4401b72ddf1b9adac31f.html",
            "答记者问",
            None,
        ),
        (
            "https://www.mofcom.gov.cn/zcfb/blgg/gg/2025/art/2025/art_0123456789abcdef0123456789abcdef.html",
            "www",
            "2025-04-04",
        ),
    ]


def test_index_rows_keep_announcement_links_including_variant_subcolumns() -> None:
    rows = index_rows(INDEX, "https://www.mofcom.gov.cn/zcfb/blgg/gg/2025/index.html")
    assert [r.title for r in rows] == ["商务部公告2025年第61号", "变体子栏目"]
    assert "2025nswbgg" in rows[1].url and rows[1].date is None


def test_sources_match_the_cli_list() -> None:
    from regwatch.sources import SOURCE_NAMES

    assert tuple(SOURCES) == SOURCE_NAMES
