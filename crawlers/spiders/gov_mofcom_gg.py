"""部令公告 › 公告 on www.mofcom.gov.cn: one static index per year (SITE_NOTES §1.1).

Articles live under the year's column, sometimes a variant sub-column (``2025nswbgg``), and the
year appears twice: ``/zcfb/blgg/gg/2025/art/2025/art_<hex>.html``. Default years: this one and
the previous (an announcement from late December is still listed in January); backfill: every
year since 2019. A missing yearly index (early January) is recorded and does not fail the source
while another year's index could be read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import urljoin

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.base import ListRow, RegwatchSpider
from crawlers.jpaas import anchor_row

INDEX_URL = "https://www.mofcom.gov.cn/zcfb/blgg/gg/{year}/index.html"
FIRST_YEAR = 2019
ARTICLE_RE = re.compile(r"/zcfb/blgg/gg/\d{4}[^/]*/art/")


def index_rows(page_html: str, base_url: str) -> list[ListRow]:
    """Announcement links of a yearly index with their title and the row's day."""
    rows: dict[str, ListRow] = {}
    for a in Selector(text=page_html).css("a[href]"):
        url = urljoin(base_url, a.attrib["href"].strip())
        if not ARTICLE_RE.search(url) or url in rows:
            continue
        rows[url] = anchor_row(a, url)
    return list(rows.values())


class GovMofcomGgSpider(RegwatchSpider):
    name = "gov_mofcom_gg"

    def index_years(self) -> list[int]:
        this_year = date.today().year
        if self.years:
            return sorted(set(self.years), reverse=True)
        if self.backfill:
            return list(range(this_year, FIRST_YEAR - 1, -1))
        return [this_year, this_year - 1]

    def entry_requests(self) -> Iterator[scrapy.Request]:
        for year in self.index_years():
            yield self.list_request(
                INDEX_URL.format(year=year), self.parse_index, kind="list", entry=True
            )

    def parse_index(self, response: Response) -> Iterator[Any]:
        yield self.list_event(response, "list")
        requests, _ = self.rows_to_requests(index_rows(self.text_of(response), response.url))
        yield from requests
