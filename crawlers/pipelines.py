"""StorePipeline: every item into the database through ``db.store``, one shared session.

Invariant: each ``FetchedPage`` goes through ``db.store.store_page`` (which appends a version
only when the stable hash changed and always logs the fetch); each ``FetchEvent`` becomes one
``fetch_log`` row. robots.txt answers are logged here too (Scrapy fetches them itself). Commits
every 50 writes and when the spider closes. Per-spider counters go to ``crawler.stats``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK

from crawlers.base import now_utc
from crawlers.items import FetchedPage, FetchEvent
from crawlers.storage import SharedStore

log = logging.getLogger(__name__)

COMMIT_EVERY = 50
#: StoreResult.outcome → stats key
OUTCOME_STATS = {
    "new_document": "regwatch/new_documents",
    "new_version": "regwatch/new_versions",
    "unchanged": "regwatch/unchanged",
    "portal_shell": "regwatch/portal_shells",
    "waf": "regwatch/waf_pages",
    "error": "regwatch/store_errors",
}


class StorePipeline:
    def __init__(self, crawler: Crawler, db_url: str, run_id: int) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.run_id = run_id
        self.store: SharedStore | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        db_url = crawler.settings.get("REGWATCH_DB_URL") or ""
        if not db_url:
            raise NotConfigured("REGWATCH_DB_URL is not set: nothing would be stored")
        pipeline = cls(crawler, db_url, crawler.settings.getint("REGWATCH_RUN_ID"))
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        return pipeline

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = SharedStore.acquire(self.db_url)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.store is not None:
            self.store.release()
            self.store = None

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        from db import store as db_store

        assert self.store is not None
        if isinstance(item, FetchedPage):
            result = db_store.store_page(self.store.session, self.run_id, item)
            self.stats.inc_value(OUTCOME_STATS.get(result.outcome, f"regwatch/{result.outcome}"))
            self.stats.inc_value(f"regwatch/{item.kind}_pages")
            self.stats.inc_value("regwatch/pages_fetched")
        elif isinstance(item, FetchEvent):
            db_store.record_fetch(self.store.session, self.run_id, item)
            if item.kind in ("column", "list") and item.outcome == "ok":
                self.stats.inc_value("regwatch/list_pages")
            if item.outcome != "ok":
                self.stats.inc_value("regwatch/errors")
                self.stats.inc_value(f"regwatch/errors/{item.outcome}")
        else:
            return item
        self.store.wrote(COMMIT_EVERY)
        return item

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Log robots.txt fetches (made by RobotsTxtMiddleware, invisible to the spiders)."""
        if self.store is None or not response.url.endswith("/robots.txt"):
            return
        if request.callback is not NO_CALLBACK:
            return  # a spider asked for it: its own callback records it
        from db import store as db_store

        ok = response.status == 200 or response.status == 404
        event = FetchEvent(
            source=spider.name,
            url=response.url,
            kind="robots",
            status=response.status,
            outcome="ok" if ok else "http_error",
            error=None if ok else f"robots.txt answered HTTP {response.status}",
            fetched_at=now_utc(),
        )
        db_store.record_fetch(self.store.session, self.run_id, event)
        self.store.wrote(COMMIT_EVERY)
