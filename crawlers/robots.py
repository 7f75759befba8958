"""robots.txt obeyed, but fetched at most once per host per process and once a day per host.

Scrapy's RobotsTxtMiddleware asks every host for robots.txt once per *spider*. Four of our
spiders share www.mofcom.gov.cn and cron starts a run every few hours, so an idle run paid five
robots.txt requests beside its one list request per column. ``CachedRobotsTxtMiddleware``
keeps Scrapy's rules (the ROBOTSTXT_PARSER setting, its user-agent choice, ``IgnoreRequest``
and ``robotstxt/*`` stats, the ``robots_parsed`` signal) and caches each host's answer twice:

1. in memory, module-wide: all spiders of the process share one parser per host, and requests
   that arrive while it is being fetched wait for that single fetch;
2. in ``crawl_state`` (source ``_robots``, key = host) as ``{"status", "body", "fetched_at"}``,
   reused while younger than ROBOTSTXT_CACHE_HOURS (only when REGWATCH_DB_URL is set).

What an answer means:
* 2xx: the body is the rules (cached; only the first ROBOTS_MAX_BYTES count, RFC 9309 §2.5);
* 404/410: no rules (cached with an empty body: MOFCOM hosts answer robots.txt with a large
  HTML 404 page, SITE_NOTES §6, which says nothing about crawling);
* anything else (5xx after retries, WAF 403/412, 429, network errors): no rules for this
  process, not cached, so the next run asks again.

Invariants: a Disallow still blocks (``IgnoreRequest``, exactly as Scrapy). Every robots.txt
download goes through the engine, hence through MirrorMiddleware and RetryMiddleware, and is
logged as a ``robots`` fetch by ``StorePipeline.response_received``; a cache hit makes no request
and logs nothing. The database is reached through the crawl's ``SharedStore``: the cache is
read in this process and saved by the crawl's storage process, its only writer (see
``crawlers.storage``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.robotstxt import RobotParser
    from sqlalchemy.orm import Session

    from crawlers.storage import SharedStore

log = logging.getLogger(__name__)

STATE_SOURCE = "_robots"  # crawl_state.source of the cache rows; key = host
DEFAULT_CACHE_HOURS = 24.0
ROBOTS_MAX_BYTES = 500 * 1024  # RFC 9309 §2.5: parse at least the first 500 KiB
NO_RULES_STATUSES = frozenset({404, 410})  # "unavailable": nothing is disallowed

#: Process-wide, shared by every crawler: host → parser (None: no rules apply).
_PARSERS: dict[str, RobotParser | None] = {}
#: Hosts whose robots.txt is being fetched → Deferreds of the requests waiting for it.
_WAITING: dict[str, list[Deferred[RobotParser | None]]] = {}


@dataclass(frozen=True)
class RobotsEntry:
    """One host's robots.txt answer as cached: HTTP status, the rules text, when it arrived."""

    status: int
    body: str  # the rules; "" when the answer carries none (404, errors)
    fetched_at: datetime  # aware UTC

    def to_state(self) -> dict[str, Any]:
        return {"status": self.status, "body": self.body, "fetched_at": self.fetched_at.isoformat()}

    @classmethod
    def from_state(cls, value: Any) -> RobotsEntry | None:
        """The entry a ``crawl_state`` value holds, or None when it is not a well-formed one."""
        if not isinstance(value, dict):
            return None
        status, body, when = value.get("status"), value.get("body"), value.get("fetched_at")
        if not isinstance(status, int) or not isinstance(body, str) or not isinstance(when, str):
            return None
        try:
            fetched_at = datetime.fromisoformat(when)
        except ValueError:
            return None
        if fetched_at.tzinfo is None:
            return None
        return cls(status, body, fetched_at)


def cacheable(status: int) -> bool:
    """Whether an answer with ``status`` says something lasting about the host's rules."""
    return 200 <= status < 300 or status in NO_RULES_STATUSES


def rules_text(status: int, body: bytes) -> str:
    """The rules a robots.txt answer carries: the (capped) body of a 2xx, otherwise none."""
    if not 200 <= status < 300:
        return ""
    return body[:ROBOTS_MAX_BYTES].decode("utf-8-sig", errors="replace")


def is_fresh(entry: RobotsEntry, now: datetime, max_age: timedelta) -> bool:
    """Whether a cached answer may still be used instead of asking the host again.

    Only cacheable answers count, and only while ``0 <= age < max_age``: an entry dated in the
    future (the clock went back) is treated as stale rather than trusted indefinitely.
    """
    age = now - entry.fetched_at
    return cacheable(entry.status) and timedelta(0) <= age < max_age


def load_entry(s: Session, host: str) -> RobotsEntry | None:
    """The cached answer for ``host``; None when absent or malformed (a warning is logged)."""
    from db import queries

    value = queries.get_state(s, STATE_SOURCE, host)
    if value is None:
        return None
    entry = RobotsEntry.from_state(value)
    if entry is None:
        log.warning("ignoring malformed robots.txt cache entry for %s: %r", host, value)
    return entry


def save_entry(s: Session, host: str, entry: RobotsEntry) -> None:
    """Store ``entry`` as the cached answer for ``host`` (the caller commits)."""
    from db import queries

    queries.set_state(s, STATE_SOURCE, host, entry.to_state())


class CachedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's RobotsTxtMiddleware with a process-wide and a database cache per host.

    Replaces ``scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware`` at its priority
    (100); only ``robot_parser`` (where a host's parser comes from) is different.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        hours = crawler.settings.getfloat("ROBOTSTXT_CACHE_HOURS", DEFAULT_CACHE_HOURS)
        self.max_age = timedelta(hours=hours)
        self.db_url: str = crawler.settings.get("REGWATCH_DB_URL") or ""
        self.store: SharedStore | None = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self) -> None:
        if self.store is not None:
            self.store.release()
            self.store = None

    async def robot_parser(self, request: Request) -> RobotParser | None:
        host = urlparse_cached(request).netloc.lower()
        if host in _PARSERS:
            return _PARSERS[host]
        waiting = _WAITING.get(host)
        if waiting is not None:
            # One Deferred per waiter: a Deferred turned into a Future hands its result to
            # that Future only, so waiters sharing one would see None ("no rules").
            mine: Deferred[RobotParser | None] = Deferred()
            waiting.append(mine)
            return await maybe_deferred_to_future(mine)
        _WAITING[host] = []
        parser: RobotParser | None = None
        try:
            parser = await self._load(request, host)
        finally:
            _PARSERS[host] = parser
            for waiter in _WAITING.pop(host):
                waiter.callback(parser)
        return parser

    async def _load(self, request: Request, host: str) -> RobotParser | None:
        """The host's parser from the database cache when fresh, else from one download."""
        cached = self._cached(host)
        if cached is not None and is_fresh(cached, datetime.now(UTC), self.max_age):
            self._stats.inc_value("robotstxt/cache_hit")
            return await self._parser(cached, request)
        url = urlparse_cached(request)
        robots_request = Request(
            f"{url.scheme}://{url.netloc}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,  # StorePipeline logs NO_CALLBACK robots.txt answers
        )
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robots_request)  # type: ignore[union-attr]
        except IgnoreRequest:
            return None
        except Exception as exc:  # any download failure means "no rules"
            self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
            log.warning(
                "robots.txt of %s could not be fetched (%s: %s); no rules apply this run, "
                "it is asked for again next run",
                host,
                type(exc).__name__,
                exc,
            )
            return None
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        entry = RobotsEntry(
            response.status, rules_text(response.status, response.body), datetime.now(UTC)
        )
        if cacheable(response.status):
            self._save(host, entry)
        else:
            log.warning(
                "robots.txt of %s answered HTTP %s; no rules apply this run, "
                "it is asked for again next run",
                host,
                response.status,
            )
        return await self._parser(entry, request)

    async def _parser(self, entry: RobotsEntry, request: Request) -> RobotParser:
        parser: RobotParser = build_from_crawler(
            self._parserimpl, self.crawler, entry.body.encode("utf-8")
        )
        await self.crawler.signals.send_catch_log_async(
            signal=signals.robots_parsed, robotparser=parser, request=request
        )
        return parser

    # -- database cache (best effort: a failure costs one robots.txt request, nothing more) --

    def _db(self) -> SharedStore | None:
        if self.store is None and self.db_url:
            from crawlers.storage import SharedStore

            self.store = SharedStore.acquire(self.crawler.settings)
        return self.store

    def _cached(self, host: str) -> RobotsEntry | None:
        from sqlalchemy.exc import SQLAlchemyError

        from db import DBError

        try:
            store = self._db()
            if store is None:
                return None
            with store.reading() as s:
                return load_entry(s, host)
        except (DBError, SQLAlchemyError) as exc:
            log.warning("robots.txt cache for %s unreadable (%s); fetching it", host, exc)
            return None

    def _save(self, host: str, entry: RobotsEntry) -> None:
        store = self._db()
        if store is not None:  # the storage process saves it (a failure there is logged)
            store.set_state(STATE_SOURCE, host, entry.to_state())
