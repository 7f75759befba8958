"""robots.txt obeyed, but fetched at most once per host and day.

Scrapy's ``RobotsTxtMiddleware`` asks every crawler for its own copy, on every run: four www
spiders meant four identical requests per run, which an idle cron run cannot afford (its budget is
one list request per column). This subclass keeps Scrapy's parsing and enforcement and adds two
caches: one per process (shared by every spider of the run) and one in ``crawl_state`` (source
``_robots``, key = host) reused for ``ROBOTSTXT_CACHE_HOURS``.

What is cached: a 2xx body, and "no rules" for a 4xx (mofcom answers robots.txt with a large 404
HTML page). A 5xx or network failure is not cached, so the next run asks again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler

from crawlers.storage import SharedStore
from db import queries

STATE_SOURCE = "_robots"


def fresh_body(entry: Any, now: datetime, max_age: timedelta) -> bytes | None:
    """The cached robots.txt body if ``entry`` (a crawl_state value) is still fresh, else None."""
    if not isinstance(entry, dict) or "fetched_at" not in entry:
        return None
    try:
        fetched = datetime.fromisoformat(str(entry["fetched_at"]))
    except ValueError:
        return None
    if fetched.tzinfo is None or now - fetched > max_age or now < fetched:
        return None
    return str(entry.get("body", "")).encode("utf-8")


def cache_entry(response: Response, now: datetime) -> dict[str, Any] | None:
    """What to remember of a robots.txt answer; None when it must be asked for again."""
    if response.status >= 500:
        return None
    body = response.text if 200 <= response.status < 300 else ""
    return {"body": body, "status": response.status, "fetched_at": now.isoformat()}


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """``RobotsTxtMiddleware`` with a per-process and a per-day (database) cache."""

    _process_cache: ClassVar[dict[str, bytes]] = {}

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self._max_age = timedelta(hours=crawler.settings.getfloat("ROBOTSTXT_CACHE_HOURS", 24.0))
        self._db_url: str | None = crawler.settings.get("REGWATCH_DB_URL")

    async def robot_parser(self, request: Request) -> Any:
        netloc = urlparse_cached(request).netloc
        if netloc not in self._parsers:
            body = self._process_cache.get(netloc)
            if body is None:
                body = self._load(netloc)
            if body is not None:
                self._process_cache[netloc] = body
                self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
                self._stats.inc_value("robotstxt/cache_hit")
        return await super().robot_parser(request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        entry = cache_entry(response, datetime.now(UTC))
        if entry is not None:
            self._process_cache[netloc] = entry["body"].encode("utf-8")
            self._save(netloc, entry)
        await super()._parse_robots(response, netloc, request)

    def _load(self, netloc: str) -> bytes | None:
        if not self._db_url:
            return None
        store = SharedStore.acquire(self._db_url)
        try:
            entry = queries.get_state(store.session, STATE_SOURCE, netloc)
        finally:
            store.release()
        return fresh_body(entry, datetime.now(UTC), self._max_age)

    def _save(self, netloc: str, entry: dict[str, Any]) -> None:
        if not self._db_url:
            return
        store = SharedStore.acquire(self._db_url)
        try:
            queries.set_state(store.session, STATE_SOURCE, netloc, entry)
            store.wrote()
        finally:
            store.release()
