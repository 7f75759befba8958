"""StorePipeline: every item into the database, in batches, through one shared session.

Invariants:
- Each ``FetchedPage`` goes through ``db.batch`` (a version is appended only when the stable
  hash changed; the fetch is always logged); each ``FetchEvent`` becomes one ``fetch_log`` row.
  robots.txt answers are logged too (Scrapy fetches them itself, see ``response_received``).
- An item is read (decoded, extracted, hashed) as it arrives and written with the others of its
  batch: once REGWATCH_STORE_BATCH_SIZE items wait, REGWATCH_STORE_BATCH_SECONDS after the
  first of them arrived, and when the spider closes. Every write is committed at once.
- Nothing is counted before it is committed: an item's outcome reaches the crawl's stats (what
  the run reports as fetched, new, changed, failed) only after its batch's commit. A crash loses
  at most the items not written yet; their pages are not known to the next run, which fetches
  them again.
- A batch whose commit fails is rolled back, logged as an error and counted as store errors
  (the source ends ``partial``); the crawl goes on.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from twisted.internet.interfaces import IDelayedCall, IReactorTime

from crawlers.base import now_utc
from crawlers.items import FetchedPage, FetchEvent
from crawlers.storage import SharedStore
from db.batch import Batch

log = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200
DEFAULT_BATCH_SECONDS = 2.0
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
    def __init__(
        self,
        crawler: Crawler,
        db_url: str,
        run_id: int,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        batch_seconds: float = DEFAULT_BATCH_SECONDS,
        clock: IReactorTime | None = None,
    ) -> None:
        self.crawler = crawler
        self.db_url = db_url
        self.run_id = run_id
        self.batch_size = max(1, batch_size)
        self.batch_seconds = batch_seconds
        if clock is None:
            from twisted.internet import reactor

            clock = reactor  # type: ignore[assignment]
        self.clock = clock
        self.store: SharedStore | None = None
        self.batch = Batch(run_id)
        self.waiting: list[FetchedPage | FetchEvent] = []  # added to the batch, not yet written
        self._timer: IDelayedCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        settings = crawler.settings
        db_url = settings.get("REGWATCH_DB_URL") or ""
        if not db_url:
            raise NotConfigured("REGWATCH_DB_URL is not set: nothing would be stored")
        pipeline = cls(
            crawler,
            db_url,
            settings.getint("REGWATCH_RUN_ID"),
            batch_size=settings.getint("REGWATCH_STORE_BATCH_SIZE", DEFAULT_BATCH_SIZE),
            batch_seconds=settings.getfloat("REGWATCH_STORE_BATCH_SECONDS", DEFAULT_BATCH_SECONDS),
        )
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        return pipeline

    @property
    def stats(self) -> Any:
        return self.crawler.stats

    def open_spider(self, spider: Spider | None = None) -> None:
        self.store = SharedStore.acquire(self.db_url)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self.store is None:
            return
        try:
            self.flush()
        finally:
            self.store.release()
            self.store = None

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if isinstance(item, FetchedPage):
            self.batch.add_page(item)
            self._wait(item)
        elif isinstance(item, FetchEvent):
            self._add_event(item)
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
        self._add_event(event)

    # -- batches ---------------------------------------------------------------------------

    def _add_event(self, event: FetchEvent) -> None:
        if self.batch.add_event(event):
            self._wait(event)

    def _wait(self, item: FetchedPage | FetchEvent) -> None:
        self.waiting.append(item)
        if len(self.waiting) >= self.batch_size:
            self.flush()
        elif self._timer is None:
            self._timer = self.clock.callLater(self.batch_seconds, self._flush_on_time)

    def _flush_on_time(self) -> None:
        self._timer = None
        self.flush()

    def flush(self) -> None:
        """Write and commit the waiting items, then count what they did."""
        if self._timer is not None:
            if self._timer.active():
                self._timer.cancel()
            self._timer = None
        if not self.waiting:
            return
        assert self.store is not None, "items arrived before open_spider"
        items, self.waiting = self.waiting, []
        try:
            results = self.batch.write(self.store.session)
            self.store.commit()
        except Exception as exc:
            self.store.session.rollback()
            pages = sum(isinstance(item, FetchedPage) for item in items)
            log.error(
                "could not store a batch of %d items (%d pages): %s: %s; "
                "their pages are fetched again next run",
                len(items),
                pages,
                type(exc).__name__,
                exc,
            )
            self.stats.inc_value("regwatch/store_errors", pages)
            return
        for item, result in zip(items, results, strict=True):
            self._count(item, result)
        log.debug(
            "committed %d items of %s (%d pages)",
            len(items),
            self.crawler.spider.name if self.crawler.spider else "?",
            sum(isinstance(item, FetchedPage) for item in items),
        )

    def _count(self, item: FetchedPage | FetchEvent, result: Any) -> None:
        if isinstance(item, FetchedPage):
            outcome = result.outcome if result is not None else "error"
            self.stats.inc_value(OUTCOME_STATS.get(outcome, f"regwatch/{outcome}"))
            self.stats.inc_value(f"regwatch/{item.kind}_pages")
            self.stats.inc_value("regwatch/pages_fetched")
            return
        if item.kind in ("column", "list") and item.outcome == "ok":
            self.stats.inc_value("regwatch/list_pages")
        if item.outcome != "ok":
            self.stats.inc_value("regwatch/errors")
            self.stats.inc_value(f"regwatch/errors/{item.outcome}")
