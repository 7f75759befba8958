"""The base spider: run options, what is already known, article/annex capture, error capture.

Spiders navigate and capture; they never interpret. Every response ends up as exactly one item:
a ``FetchedPage`` (articles, annexes) or a ``FetchEvent`` (column/list pages, failures), so
the fetch log is complete. One bad page never stops a spider: every request has an errback that
turns the failure (HTTP error with its body, WAF page, DNS/timeout/reset) into a ``FetchEvent``.

Stats the runner reads to judge a source (besides the pipeline's counters):
``regwatch/entry_ok`` / ``regwatch/entry_failed`` — entry lists (column page or API page 1,
yearly index, home page) read / unreadable; ``regwatch/fetch_failed`` — other requests that
failed for good (articles, annexes, later list pages).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.items import FetchedPage, FetchEvent
from crawlers.middlewares import WAF_STATUSES, production_url
from crawlers.storage import SharedStore
from parsers.encoding import decode_html
from parsers.urls import canonical_url

ANNEX_EXTS = ("pdf", "doc", "docx", "xls", "xlsx", "wps", "zip", "rar")
#: Annex links inside an article (SITE_NOTES §1.5): CMS file store, listed file types only.
_EXTS = "|".join(ANNEX_EXTS)
ANNEX_LINK_RE = re.compile(
    rf"""href\s*=\s*["']([^"'<>]*?/cms_files/[^"'<>]*?\.(?:{_EXTS}))(?:[?#][^"'<>]*)?["']""",
    re.IGNORECASE,
)
ANNEX_PATH_RE = re.compile(rf"\.(?:{_EXTS})$", re.IGNORECASE)
EVENT_BODY_CAP = 256 * 1024
REVISIT_MODES = ("none", "due", "all")
TRUE_WORDS = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ListRow:
    """One row of a list: where it points and what the list says about it (hints only)."""

    url: str
    title: str | None = None
    date: str | None = None  # YYYY-MM-DD


def as_bool(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).strip().lower() in TRUE_WORDS


def now_utc() -> datetime:
    return datetime.now(UTC)


def headers_of(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
        for k, v in response.headers.items()
    }


def elapsed_ms(response: Response | None) -> int | None:
    latency = response.meta.get("download_latency") if response is not None else None
    return int(latency * 1000) if isinstance(latency, int | float) else None


def annex_links(page_html: str, base_url: str) -> list[str]:
    """Absolute URLs of the attachments an article links to, in order, without repeats."""
    return list(dict.fromkeys(urljoin(base_url, m[1]) for m in ANNEX_LINK_RE.finditer(page_html)))


class RegwatchSpider(scrapy.Spider):
    """Common behaviour; subclasses define ``name`` and ``entry_requests``.

    Spider arguments (``-a name=value`` or ``CrawlerProcess.crawl(cls, name=value)``):
    backfill (page lists to the end), revisit (none|due|all), revisit_after_hours,
    revisit_budget, years (comma-separated, for yearly indexes).
    """

    name = "regwatch_base"

    def __init__(
        self,
        backfill: Any = False,
        revisit: str = "due",
        revisit_after_hours: Any = 24.0,
        revisit_budget: Any = 50,
        years: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.backfill = as_bool(backfill)
        if revisit not in REVISIT_MODES:
            raise ValueError(f"revisit must be one of {REVISIT_MODES}, not {revisit!r}")
        self.revisit = revisit
        self.revisit_after_hours = float(revisit_after_hours)
        self.revisit_budget = int(revisit_budget)
        if isinstance(years, str):
            years = [int(y) for y in years.split(",") if y.strip()]
        self.years: list[int] | None = list(years) if years else None
        self.store: SharedStore | None = None
        self._known: set[str] | None = None
        self._state: dict[str, Any] = {}

    # -- database (reads here, writes through the storage process; see crawlers.storage) -----

    def _db(self) -> SharedStore | None:
        if self.store is None and hasattr(self, "crawler"):
            self.store = SharedStore.acquire(self.crawler.settings)
        return self.store

    def closed(self, reason: str) -> None:
        if self.store is not None:
            self.store.release()
            self.store = None

    @property
    def known(self) -> set[str]:
        """Canonical URLs already stored for this source (read once per run)."""
        if self._known is None:
            from db import queries

            store = self._db()
            self._known = set()
            if store is not None:
                with store.reading() as s:
                    self._known = queries.known_urls(s, self.name)
        return self._known

    def is_known(self, url: str) -> bool:
        return canonical_url(url) in self.known

    def get_state(self, key: str) -> Any:
        if key not in self._state:
            from db import queries

            store = self._db()
            self._state[key] = None
            if store is not None:
                with store.reading() as s:
                    self._state[key] = queries.get_state(s, self.name, key)
        return self._state[key]

    def set_state(self, key: str, value: Any) -> None:
        self._state[key] = value
        store = self._db()
        if store is not None:
            store.set_state(self.name, key, value)

    # -- entry -------------------------------------------------------------------------------

    async def start(self):  # type: ignore[override]
        for request in self.entry_requests():
            yield request
        for request in self.revisit_requests():
            yield request

    def entry_requests(self) -> Iterable[scrapy.Request]:
        raise NotImplementedError

    def revisit_requests(self) -> Iterator[scrapy.Request]:
        """Known pages due for a re-check (revisit=due: older than N hours, at most budget)."""
        if self.revisit == "none":
            return
        from db import queries

        store = self._db()
        if store is None:
            return
        with store.reading() as s:
            if self.revisit == "all":
                urls = queries.due_for_revisit(s, self.name, None, None)
            else:
                older = now_utc() - timedelta(hours=self.revisit_after_hours)
                urls = queries.due_for_revisit(s, self.name, older, self.revisit_budget)
        for url in urls:
            kind = "annex" if ANNEX_PATH_RE.search(urlsplit(url).path) else "article"
            yield self.page_request(url, kind=kind, dont_filter=True)

    # -- requests ----------------------------------------------------------------------------

    def list_request(
        self,
        url: str,
        callback: Callable[..., Any],
        *,
        kind: str,
        entry: bool = False,
        meta: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> scrapy.Request:
        """A column/list/index request; ``entry`` marks the one whose failure fails the source."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            meta={**(meta or {}), "kind": kind, "entry": entry},
            **kwargs,
        )

    def page_request(
        self,
        url: str,
        *,
        kind: str = "article",
        row: ListRow | None = None,
        parent_url: str | None = None,
        dont_filter: bool = False,
    ) -> scrapy.Request:
        callback = self.parse_annex if kind == "annex" else self.parse_article
        meta = {
            "kind": kind,
            "list_title": row.title if row else None,
            "list_date": row.date if row else None,
            "parent_url": parent_url,
        }
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, meta=meta, dont_filter=dont_filter
        )

    def rows_to_requests(self, rows: Iterable[ListRow]) -> tuple[list[scrapy.Request], bool]:
        """Requests for the rows not yet known, and whether any row was known already."""
        requests, any_known, seen = [], False, 0
        for row in rows:
            seen += 1
            if self.is_known(row.url):
                any_known = True
                continue
            kind = "annex" if ANNEX_PATH_RE.search(urlsplit(row.url).path) else "article"
            requests.append(self.page_request(row.url, kind=kind, row=row))
        self.crawler.stats.inc_value("regwatch/listed_new", len(requests))
        # rows seen, new or not: zero on a list that was read means the layout changed (health)
        self.crawler.stats.inc_value("regwatch/list_rows", seen)
        return requests, any_known

    # -- callbacks ---------------------------------------------------------------------------

    def text_of(self, response: Response) -> str:
        """Decoded text for navigation (aqygzj sends no charset: never trust Scrapy's guess)."""
        return decode_html(
            response.body, (response.headers.get(b"Content-Type") or b"").decode("latin-1") or None
        ).text

    def page_item(self, response: Response, kind: str) -> FetchedPage:
        meta = response.meta
        return FetchedPage(
            source=self.name,
            url=response.url,
            canonical_url=canonical_url(response.url),
            kind=kind,
            status=response.status,
            headers=headers_of(response),
            body=response.body,
            fetched_at=now_utc(),
            list_title=meta.get("list_title"),
            list_date=meta.get("list_date"),
            parent_url=meta.get("parent_url"),
            elapsed_ms=elapsed_ms(response),
        )

    def parse_article(self, response: Response) -> Iterator[Any]:
        yield self.page_item(response, "article")
        ctype = (response.headers.get(b"Content-Type") or b"").lower()
        if ctype and b"html" not in ctype:
            return  # a PDF or similar served as the "article": nothing to follow
        parent = canonical_url(response.url)
        for url in annex_links(self.text_of(response), response.url):
            if not self.is_known(url):
                yield self.page_request(url, kind="annex", parent_url=parent)

    def parse_annex(self, response: Response) -> Iterator[Any]:
        yield self.page_item(response, "annex")

    def list_event(
        self,
        response: Response,
        kind: str,
        *,
        outcome: str = "ok",
        error: str | None = None,
        counted: bool = True,
    ) -> FetchEvent:
        """The fetch-log record of a list/column page that arrived."""
        # A column shell is only a step towards the list: a source whose shell loads but whose
        # list API refuses has still read no list.
        if counted and outcome == "ok" and response.meta.get("entry") and kind != "column":
            self.crawler.stats.inc_value("regwatch/entry_ok")
        return FetchEvent(
            source=self.name,
            url=response.url,
            kind=kind,
            status=response.status,
            outcome=outcome,
            error=error,
            fetched_at=now_utc(),
            body=response.body[:EVENT_BODY_CAP] if outcome != "ok" else None,
            elapsed_ms=elapsed_ms(response),
        )

    def list_failed(self, response: Response, kind: str, outcome: str, error: str) -> FetchEvent:
        """A list that arrived but cannot be used (no params, API refusal)."""
        self._count_failure(response.meta)
        self.logger.warning("%s: %s", response.url, error)
        return self.list_event(response, kind, outcome=outcome, error=error)

    def _count_failure(self, meta: dict[str, Any]) -> None:
        key = "regwatch/entry_failed" if meta.get("entry") else "regwatch/fetch_failed"
        self.crawler.stats.inc_value(key)

    def on_error(self, failure: Failure) -> Iterator[FetchEvent]:
        """Every failed request becomes a FetchEvent; the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        meta = request.meta
        kind = meta.get("kind", "article")
        url = production_url(request)
        status: int | None = None
        body: bytes | None = None
        exc = failure.value
        if isinstance(exc, HttpError):
            response = exc.response
            url, status, body = response.url, response.status, response.body[:EVENT_BODY_CAP]
            if status in WAF_STATUSES:
                outcome = "waf"
                error = f"HTTP {status}: blocked by the site's WAF; recorded, not retried (try later or from a mainland vantage point)"
            else:
                outcome = "http_error"
                error = f"HTTP {status} for {kind} page" + (
                    " after retries" if meta.get("retry_times") else ""
                )
        elif isinstance(exc, IgnoreRequest):
            outcome, error = "http_error", f"not fetched: {exc or type(exc).__name__} (robots.txt?)"
        else:
            outcome = "network_error"
            error = f"{type(exc).__name__}: {exc}; retried {meta.get('retry_times', 0)} time(s)"
        self._count_failure(meta)
        self.logger.warning("%s %s failed: %s", kind, url, error)
        yield FetchEvent(
            source=self.name,
            url=url,
            kind=kind,
            status=status,
            outcome=outcome,
            error=error,
            fetched_at=now_utc(),
            body=body,
        )
