"""StorePipeline: every item to the crawl's storage process; stats once it is committed.

Invariants:
- Each ``FetchedPage`` is stored through ``db.batch`` in the storage process (a version is
  appended only when the stable hash changed; the fetch is always logged); each ``FetchEvent``
  becomes one ``fetch_log`` row. robots.txt answers are logged too (Scrapy fetches them itself,
  see ``response_received``).
- The storage process (``crawlers.storage``, ``db.writer``) reads and writes items in batches:
  when REGWATCH_STORE_BATCH_SIZE items wait, REGWATCH_STORE_BATCH_SECONDS after the first of
  them arrived, and when the spider closes.
- Nothing is counted before it is committed: an item's outcome reaches the crawl's stats (what
  the run reports as fetched, new, changed, failed) only when the storage process acknowledges
  its commit, and the spider does not finish closing before the storage process has committed
  everything sent before (its items, and the crawl state its spider saved).
  A crash loses at most the items not acknowledged; their pages are not known to the next run,
  which fetches them again.
- An item that could not be stored (a failed commit, a storage process that died) counts as a
  store error, so the source ends ``partial``; a storage process that dies closes the spider
  (``store_failed``), so the source ends ``failed``.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from crawlers.base import now_utc
from crawlers.items import FetchedPage, FetchEvent
from crawlers.storage import SharedStore

log = logging.getLogger(__name__)

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
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.store: SharedStore | None = None
        self.unanswered = 0  # items sent to the storage process, not acknowledged yet

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        if not crawler.settings.get("REGWATCH_DB_URL"):
            raise NotConfigured("REGWATCH_DB_URL is not set: nothing would be stored")
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        return pipeline

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = SharedStore.acquire(self.crawler.settings)
        assert self.store is not None
        self.store.writer.feed_listeners.append(self._pause)
        self.store.writer.failure_listeners.append(self._store_failed)

    async def close_spider(self, spider: Spider | None = None) -> None:
        store = self.store
        if store is None:
            return
        try:
            # answered in order: once the flush is, so is every item and state write before it
            await maybe_deferred_to_future(store.writer.flush())
            if self.unanswered:
                log.error("%d items were never answered by the storage process", self.unanswered)
                self.stats.inc_value("regwatch/store_errors", self.unanswered)
        finally:
            store.writer.feed_listeners.remove(self._pause)
            store.writer.failure_listeners.remove(self._store_failed)
            self.store = None
            store.release()

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, FetchedPage | FetchEvent):
            self._send(item)
        return item

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        """Log robots.txt fetches (made by RobotsTxtMiddleware, invisible to the spiders)."""
        if self.store is None or not response.url.endswith("/robots.txt"):
            return
        if request.callback is not NO_CALLBACK:
            return  # a spider asked for it: its own callback records it
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
        self._send(event)

    # -- the storage process ---------------------------------------------------------------

    def _send(self, item: FetchedPage | FetchEvent) -> None:
        if self.store is None:
            log.error("%s arrived after the spider closed; not stored", item.url)
            return
        self.unanswered += 1
        kind = "page" if isinstance(item, FetchedPage) else "event"
        self.store.writer.send(
            kind, dict(vars(item)), lambda outcome: self._answered(item, outcome)
        )

    def _answered(self, item: FetchedPage | FetchEvent, outcome: str | None) -> None:
        self.unanswered -= 1
        self._count(item, outcome)

    def _count(self, item: FetchedPage | FetchEvent, outcome: str | None) -> None:
        if outcome is None or outcome == "dropped":  # lost: fetched again next run
            self.stats.inc_value("regwatch/store_errors")
            return
        if isinstance(item, FetchedPage):
            self.stats.inc_value(OUTCOME_STATS.get(outcome, f"regwatch/{outcome}"))
            self.stats.inc_value(f"regwatch/{item.kind}_pages")
            self.stats.inc_value("regwatch/pages_fetched")
            return
        if item.kind in ("column", "list") and item.outcome == "ok":
            self.stats.inc_value("regwatch/list_pages")
        if item.outcome != "ok":
            self.stats.inc_value("regwatch/errors")
            self.stats.inc_value(f"regwatch/errors/{item.outcome}")

    def _pause(self, paused: bool) -> None:
        engine = self.crawler.engine
        if engine is not None:
            engine.pause() if paused else engine.unpause()

    def _store_failed(self, reason: str) -> None:
        engine = self.crawler.engine
        if engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="store_failed"))
