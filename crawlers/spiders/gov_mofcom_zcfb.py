"""政务公开 › 政策发布 on www.mofcom.gov.cn: a JPaaS column (pageId read from the page)."""

from __future__ import annotations

from collections.abc import Iterator

import scrapy

from crawlers.jpaas import JpaasSpider

COLUMN_URL = "https://www.mofcom.gov.cn/zwgk/zcfb/index.html"


class GovMofcomZcfbSpider(JpaasSpider):
    name = "gov_mofcom_zcfb"

    def entry_requests(self) -> Iterator[scrapy.Request]:
        yield from self.jpaas_requests(COLUMN_URL)
