"""新闻发布 › 新闻发言人谈话 (spokesperson remarks; export-control statements land here).

Probably a JPaaS column like its siblings (SITE_NOTES §1.1, confidence M); if the real page
turns out static, the spider records "no <script queryData>" as an api_error and fails loudly.
"""

from __future__ import annotations

from collections.abc import Iterator

import scrapy

from crawlers.jpaas import JpaasSpider

COLUMN_URL = "https://www.mofcom.gov.cn/xwfb/xwfyrth/index.html"


class GovMofcomXwfyrthSpider(JpaasSpider):
    name = "gov_mofcom_xwfyrth"

    def entry_requests(self) -> Iterator[scrapy.Request]:
        yield from self.jpaas_requests(COLUMN_URL)
