"""Downloader middlewares: the mirror switch, WAF recognition and retry backoff.

Invariant: spiders, items and stored data only ever see production URLs. With the mirror
configured, the request that goes on the wire is ``{mirror}/_/HOST/path?query``; the response
comes back under the production URL it answers for.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

log = logging.getLogger(__name__)

META_FROM = "regwatch_mirror_from"  # the production URL a mirror request stands for
META_TO = "regwatch_mirror_to"  # the mirror URL it was rewritten to
#: WAF answers (SITE_NOTES §1.7): final, never retried, recorded with their body.
WAF_STATUSES = frozenset({403, 412})
BACKOFF_STATUSES = frozenset({429, 503})


def to_mirror(url: str, mirror_url: str) -> str:
    """``https://HOST/path?q`` → ``{mirror_url}/_/HOST/path?q`` (scheme and fragment dropped)."""
    parts = urlsplit(url)
    host = parts.netloc.lower()
    query = f"?{parts.query}" if parts.query else ""
    return f"{mirror_url.rstrip('/')}/_/{host}{parts.path or '/'}{query}"


def from_mirror(url: str, mirror_url: str) -> str | None:
    """The production URL behind a mirror URL (``https`` assumed), or None if it is not one."""
    prefix = mirror_url.rstrip("/") + "/_/"
    if not url.startswith(prefix):
        return None
    rest = url[len(prefix) :]
    host, _, path = rest.partition("/")
    return f"https://{host}/{path}" if host else None


def production_url(request: Request) -> str:
    """The production URL of ``request``, whether or not it has been rewritten for the mirror."""
    if request.meta.get(META_TO) == request.url:
        return str(request.meta[META_FROM])
    return request.url


class MirrorMiddleware:
    """Send every request to the local mirror; hand the response back under its production URL.

    A downloader middleware cannot change a request's URL in place, so ``process_request``
    returns a rewritten copy, which Scrapy schedules again. The copy carries both URLs in its
    meta, skips the robots.txt check (the original passed it), the dupe filter (the original
    passed it too) and keeps the production host as its download slot, so per-host concurrency
    and delays behave as in production. It sits before DownloaderStats so each request is
    counted once. On the way back the response gets its production URL before RedirectMiddleware
    and RetryMiddleware see it, so redirects resolve against production URLs and are rewritten
    again on their next pass; a ``Location`` that points into the mirror is mapped back too.
    """

    def __init__(self, mirror_url: str) -> None:
        self.mirror_url = mirror_url.rstrip("/")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorMiddleware:
        mirror_url = crawler.settings.get("REGWATCH_MIRROR_URL") or ""
        if not mirror_url:
            raise NotConfigured("REGWATCH_MIRROR_URL is not set")
        return cls(mirror_url)

    def process_request(self, request: Request) -> Request | None:
        if request.meta.get(META_TO) == request.url:
            return None  # already rewritten: let it through to the downloader
        if request.url.startswith(self.mirror_url + "/"):
            return None  # a direct mirror URL (control endpoints, tests)
        target = to_mirror(request.url, self.mirror_url)
        meta = {
            **request.meta,
            META_FROM: request.url,
            META_TO: target,
            "dont_obey_robotstxt": True,
            "download_slot": urlsplit(request.url).hostname or "",
        }
        return request.replace(url=target, meta=meta, dont_filter=True)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get(META_TO) != request.url:
            return response
        original = str(request.meta[META_FROM])
        location = response.headers.get(b"Location")
        if location:
            back = from_mirror(location.decode("latin-1"), self.mirror_url)
            if back is not None:
                response.headers[b"Location"] = back.encode("latin-1")
        # Not response.replace(): it reads every attribute, and reading a TextResponse's
        # ``encoding`` makes Scrapy guess the charset of a body that declares none
        # (charset_normalizer: slow to import and to run). The copy leaves it undecided and
        # infers it only if asked.
        kept = {name: getattr(response, name) for name in response.attributes if name != "encoding"}
        return type(response)(**{**kept, "url": original})


class WafDetectMiddleware:
    """Recognise WAF answers (412/403) and make them loud; they are recorded, never escalated.

    The spider's errback stores the page (``FetchEvent`` outcome ``waf``) with its body; this
    middleware counts them per host and logs one actionable warning per host.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.warned: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WafDetectMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in WAF_STATUSES:
            host = urlsplit(response.url).hostname or "?"
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value("regwatch/waf")
            if host not in self.warned:
                self.warned.add(host)
                log.warning(
                    "%s answered HTTP %s (WAF block) for %s; the page is recorded, not retried. "
                    "If this persists, crawl from a mainland-China vantage point or later.",
                    host,
                    response.status,
                    response.url,
                )
        return response


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Parse a Retry-After header (delta-seconds or HTTP date); None when absent or invalid."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class BackoffMiddleware:
    """Slow a host down before RetryMiddleware re-sends a 429/503 (Scrapy retries at once).

    The host's download slot delay is raised to the Retry-After value, or to an exponential
    backoff (base × 2^attempt) when there is none, capped at REGWATCH_BACKOFF_MAX_SECONDS.
    AutoThrottle lowers the delay again as normal responses arrive; without AutoThrottle (the
    mirror) the configured delay is restored once the backoff has elapsed.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.base = crawler.settings.getfloat("REGWATCH_BACKOFF_BASE_SECONDS", 2.0)
        self.cap = crawler.settings.getfloat("REGWATCH_BACKOFF_MAX_SECONDS", 120.0)
        self.autothrottle = crawler.settings.getbool("AUTOTHROTTLE_ENABLED")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BackoffMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status in BACKOFF_STATUSES and not request.meta.get("dont_retry"):
            attempt = int(request.meta.get("retry_times", 0))
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait is None:
                wait = self.base * 2**attempt
            self._slow_down(request, min(wait, self.cap))
        return response

    def _slow_down(self, request: Request, wait: float) -> None:
        engine: Any = self.crawler.engine
        downloader = getattr(engine, "downloader", None)
        if downloader is None or wait <= 0:
            return
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None or slot.delay >= wait:
            return
        previous = slot.delay
        slot.delay = wait
        log.info("backing off %s for %.1f s (HTTP 429/503)", key, wait)
        if not self.autothrottle:
            from twisted.internet import reactor

            def restore() -> None:
                if slot.delay == wait:
                    slot.delay = previous

            reactor.callLater(wait, restore)  # type: ignore[attr-defined,arg-type]
