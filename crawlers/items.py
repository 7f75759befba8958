"""Items the spiders yield and ``crawlers.pipelines.StorePipeline`` stores.

``FetchedPage`` and ``FetchEvent`` are the crawlers → db interface (docs/ARCHITECTURE.md);
``db.store`` reads them by attribute. URLs are always production URLs, never mirror URLs.
``FetchEvent.body`` follows ``fetched_at`` here (the architecture sketch lists it before; a
dataclass field with a default cannot precede one without).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass
class FetchedPage:
    """One HTTP response for an article or an annex."""

    source: str
    url: str
    canonical_url: str
    kind: str  # "article" | "annex"
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    fetched_at: datetime  # aware, UTC
    list_title: str | None = None
    list_date: str | None = None
    parent_url: str | None = None
    elapsed_ms: int | None = None


@dataclass
class FetchEvent:
    """Every other request outcome: list and column pages, robots.txt, failures."""

    source: str
    url: str
    kind: str  # "column" | "list" | "article" | "annex" | "robots"
    status: int | None  # None for network errors
    outcome: str  # "ok" | "http_error" | "waf" | "network_error" | "api_error"
    error: str | None
    fetched_at: datetime
    body: bytes | None = None
    elapsed_ms: int | None = None
