"""新闻发布 › 日常新闻发布 on www.mofcom.gov.cn: a JPaaS column (pageId read from the page)."""

from __future__ import annotations

from collections.abc import Iterator

import scrapy

from crawlers.jpaas import JpaasSpider

COLUMN_URL = "https://www.mofcom.gov.cn/xwfb/rcxwfb/index.html"


class GovMofcomRcxwfbSpider(JpaasSpider):
    name = "gov_mofcom_rcxwfb"

    def entry_requests(self) -> Iterator[scrapy.Request]:
        yield from self.jpaas_requests(COLUMN_URL)
