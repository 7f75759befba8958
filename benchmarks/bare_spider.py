"""A bare Scrapy spider that only downloads a list of URLs: the baseline regwatch is measured against.

Same Scrapy, same concurrency and the same mirror as regwatch's run; no parsing, no storage.
Usage: python -m benchmarks.bare_spider URLS_FILE CONCURRENCY [CONCURRENT_ITEMS]
(CONCURRENT_ITEMS defaults to Scrapy's own default.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.urls = urls

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, dont_filter=True)

    def parse(self, response):
        self.crawler.stats.inc_value("bare/bytes", len(response.body))


def main() -> None:
    urls = Path(sys.argv[1]).read_text().split()
    concurrency = int(sys.argv[2])
    settings: dict[str, object] = {
        "LOG_LEVEL": "WARNING",
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS": concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
        "DOWNLOAD_DELAY": 0,
        "TELNETCONSOLE_ENABLED": False,
    }
    if len(sys.argv) > 3:
        settings["CONCURRENT_ITEMS"] = int(sys.argv[3])
    process = CrawlerProcess(settings)
    process.crawl(BareSpider, urls=urls)
    process.start()


if __name__ == "__main__":
    main()
