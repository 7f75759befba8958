"""Crawler items read into rows ready to write: validation, decoding, extraction, hashing.

The CPU half of the write path (``db.batch`` is the database half): ``read_page`` and
``read_event`` turn a ``crawlers.items.FetchedPage`` / ``FetchEvent`` — or any object with their
attributes — into an ``Entry``: its ``fetch_log`` row and, for a page that may become a version,
its content and hash. Nothing here touches a session. Never raises on bad input: a bad item
becomes an ``error`` row with a warning that says what to fix.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import parsers
from db.errors import DBError
from db.schema import FETCH_BODY_CAP
from db.types import as_utc, compress, utcnow

log = logging.getLogger("db.store")  # one logger for the whole write side

PAGE_KINDS = ("article", "annex")
#: Statuses the MOFCOM WAFs answer non-browser clients with (SITE_NOTES §1.7).
WAF_STATUSES = frozenset({403, 412})


class FetchedPageLike(Protocol):
    """What ``add_page`` reads (``crawlers.items.FetchedPage``); optional fields may be absent."""

    source: str
    url: str
    canonical_url: str
    kind: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime


class FetchEventLike(Protocol):
    """What ``add_event`` reads (``crawlers.items.FetchEvent``)."""

    source: str
    url: str
    kind: str
    status: int | None
    outcome: str
    error: str | None
    fetched_at: datetime


class BadInput(DBError):
    """A crawler item that cannot be stored as given (message says which field and why)."""


@dataclass(frozen=True)
class Page:
    """A validated, normalised ``FetchedPageLike``."""

    source: str
    url: str
    canonical_url: str
    kind: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    list_title: str | None
    list_date: date | None
    parent_url: str | None
    elapsed_ms: int | None


@dataclass(frozen=True)
class Content:
    """What a page would store as a version, if its hash is new."""

    content_hash: str
    title: str | None
    text: str | None
    encoding: str | None
    decode_reason: str | None
    page_type: str | None


@dataclass
class Entry:
    """One added item, read and ready to be written.

    ``row`` is its ``fetch_log`` row; for a page with ``content`` the outcome is only known once
    the document's current hash has been looked up. ``page`` is None for events and unreadable
    pages; ``is_page`` tells the two apart (events have no StoreResult).
    """

    row: dict[str, Any]
    is_page: bool
    page: Page | None = None
    content: Content | None = None
    failure: str | None = None  # for a page that could not be stored: what went wrong


# --- reading items --------------------------------------------------------------------------


def str_attr(item: object, name: str, default: str = "?") -> str:
    value = getattr(item, name, None)
    return value if isinstance(value, str) and value else default


def int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def fetched_when(item: object) -> datetime:
    value = getattr(item, "fetched_at", None)
    if not isinstance(value, datetime):
        return utcnow()
    if value.tzinfo is None:
        log.warning("naive fetched_at %s for %s: taken as UTC", value, getattr(item, "url", "?"))
    return as_utc(value)


def _body_of(item: object) -> bytes | None:
    body = getattr(item, "body", None)
    return bytes(body) if isinstance(body, bytes | bytearray | memoryview) else None


def log_row(
    run_id: int | None,
    *,
    source: str,
    url: str,
    kind: str,
    status: int | None,
    outcome: str | None,
    error: str | None,
    body: bytes | None,
    size: int | None,
    elapsed_ms: int | None,
    fetched_at: datetime,
) -> dict[str, Any]:
    """A ``fetch_log`` row; ``body`` is what arrived, kept compressed up to FETCH_BODY_CAP."""
    return {
        "run_id": run_id,
        "source": source,
        "url": url,
        "kind": kind,
        "status": status,
        "outcome": outcome,
        "error": error,
        "body": compress(body[:FETCH_BODY_CAP]) if body is not None else None,
        "size": len(body) if body is not None else size,
        "elapsed_ms": elapsed_ms,
        "fetched_at": fetched_at,
    }


def _list_date(value: object, url: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip().strip("[]"))
    except ValueError:
        log.warning("list_date %r for %s is not YYYY-MM-DD; ignored", value, url)
        return None


def _validate(page: object) -> Page:
    """Check and normalise a crawler page item; raise BadInput naming the bad field."""
    source = getattr(page, "source", None)
    url = getattr(page, "url", None)
    kind = getattr(page, "kind", None)
    status = getattr(page, "status", None)
    body = getattr(page, "body", None)
    if not isinstance(source, str) or not source:
        raise BadInput(f"source must be a non-empty string, got {source!r}")
    if not isinstance(url, str) or not url.strip():
        raise BadInput(f"url must be a non-empty string, got {url!r}")
    if kind not in PAGE_KINDS:
        raise BadInput(f"kind must be article or annex, got {kind!r}")
    if int_or_none(status) is None:
        raise BadInput(f"status must be an int, got {status!r}")
    if not isinstance(body, bytes | bytearray | memoryview):
        raise BadInput(f"body must be bytes, got {type(body).__name__}")
    headers_in = getattr(page, "headers", None) or {}
    if not isinstance(headers_in, dict):
        raise BadInput(f"headers must be a dict, got {type(headers_in).__name__}")
    canonical = getattr(page, "canonical_url", None)
    if not isinstance(canonical, str) or not canonical.strip():
        canonical = parsers.canonical_url(url)
    list_title = getattr(page, "list_title", None)
    parent_url = getattr(page, "parent_url", None)
    return Page(
        source=source,
        url=url.strip(),
        canonical_url=canonical.strip(),
        kind=kind,
        status=int(status),  # type: ignore[arg-type]
        headers={str(k).lower(): str(v) for k, v in headers_in.items()},
        body=bytes(body),
        fetched_at=fetched_when(page),
        list_title=list_title if isinstance(list_title, str) and list_title else None,
        list_date=_list_date(getattr(page, "list_date", None), url),
        parent_url=parsers.canonical_url(parent_url) if isinstance(parent_url, str) else None,
        elapsed_ms=int_or_none(getattr(page, "elapsed_ms", None)),
    )


def _page_row(
    run_id: int | None, p: Page, outcome: str | None, error: str | None, keep_body: bool
) -> dict[str, Any]:
    return log_row(
        run_id,
        source=p.source,
        url=p.url,
        kind=p.kind,
        status=p.status,
        outcome=outcome,
        error=error,
        body=p.body if keep_body else None,
        size=len(p.body),
        elapsed_ms=p.elapsed_ms,
        fetched_at=p.fetched_at,
    )


def _read_article(run_id: int | None, p: Page) -> Entry:
    decoded = parsers.decode_html(p.body, p.headers.get("content-type"))
    page = parsers.extract_page(decoded.text, p.url)
    if page.page_type == "article":
        content = Content(
            content_hash=page.stable_hash,
            title=page.title or p.list_title,
            text=page.stable_text(),
            encoding=decoded.encoding,
            decode_reason=decoded.reason,
            page_type=page.page_type,
        )
        return Entry(_page_row(run_id, p, None, None, False), True, p, content)
    if page.page_type == "portal_shell":
        outcome = "portal_shell"
        error = f"{p.url} answered with the portal shell, not an article (delisted or moved?)"
    elif page.page_type == "waf":
        outcome = "waf"
        error = f"{p.url} answered HTTP {p.status} with a WAF/challenge page; retry later"
    else:
        outcome = "error"
        notes = "; ".join(page.warnings) or "no article markers found"
        error = f"{p.url} is a {page.page_type} page, not an article ({notes}); not stored"
        log.warning("%s", error)
    return Entry(_page_row(run_id, p, outcome, error, True), True, p)


def _read_fetched(run_id: int | None, p: Page) -> Entry:
    if p.status >= 400:
        outcome = "waf" if p.status in WAF_STATUSES else "http_error"
        error = f"HTTP {p.status} for {p.url}" + (
            " (WAF block: slow down or retry later)" if outcome == "waf" else ""
        )
        return Entry(_page_row(run_id, p, outcome, error, True), True, p)
    if p.kind == "article":
        return _read_article(run_id, p)
    if not p.body:
        error = f"annex {p.url} arrived empty (HTTP {p.status}); not stored"
        log.warning("%s", error)
        return Entry(_page_row(run_id, p, "error", error, False), True, p)
    name = p.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or None
    content = Content(
        content_hash=hashlib.sha256(p.body).hexdigest(),
        title=p.list_title or name,
        text=None,
        encoding=None,
        decode_reason=None,
        page_type=None,
    )
    return Entry(_page_row(run_id, p, None, None, False), True, p, content)


def failure_entry(run_id: int | None, item: object, error: str, *, is_page: bool) -> Entry:
    """The ``error`` row of an item that cannot be stored as given."""
    row = log_row(
        run_id,
        source=str_attr(item, "source"),
        url=str_attr(item, "url"),
        kind=str_attr(item, "kind"),
        status=int_or_none(getattr(item, "status", None)),
        outcome="error",
        error=error,
        body=_body_of(item),
        size=None,
        elapsed_ms=int_or_none(getattr(item, "elapsed_ms", None)),
        fetched_at=fetched_when(item),
    )
    return Entry(row, is_page, failure=error)


def read_page(run_id: int | None, page: FetchedPageLike) -> Entry:
    """Read one fetched article or annex (validate, decode, extract, hash); never raises.

    Articles are decoded and extracted with ``parsers``; only ``article`` pages can become
    versions. Annexes are hashed as bytes. Status >= 400, portal shells and WAF pages are kept
    in ``fetch_log`` with their body, never as versions.
    """
    try:
        p = _validate(page)
    except BadInput as exc:
        error = f"cannot store page from {str_attr(page, 'url')}: {exc}"
        log.warning("%s (fix the crawler item)", error)
        return failure_entry(run_id, page, error, is_page=True)
    try:
        return _read_fetched(run_id, p)
    except Exception as exc:  # one bad page must not stop a crawl
        error = f"storing {p.url} failed: {type(exc).__name__}: {exc}"
        log.warning("%s; the page will be fetched again next run", error)
        return failure_entry(run_id, page, error, is_page=True)


def read_event(run_id: int | None, event: FetchEventLike) -> Entry | None:
    """Read one crawler event (list page, failure, robots …); never raises.

    Missing fields are recorded as ``?`` with a warning; None when not even that is possible.
    """
    fields = {
        "source": str_attr(event, "source"),
        "url": str_attr(event, "url"),
        "kind": str_attr(event, "kind"),
        "outcome": str_attr(event, "outcome", "error"),
    }
    missing = [k for k, v in fields.items() if v == "?"]
    if missing:
        log.warning(
            "fetch event %r lacks %s; recorded with '?' (fix the crawler item)",
            event,
            ", ".join(missing),
        )
    error = getattr(event, "error", None)
    try:
        row = log_row(
            run_id,
            status=int_or_none(getattr(event, "status", None)),
            error=error if isinstance(error, str) else None,
            body=_body_of(event),
            size=None,
            elapsed_ms=int_or_none(getattr(event, "elapsed_ms", None)),
            fetched_at=fetched_when(event),
            **fields,
        )
    except Exception as exc:
        log.warning("could not record fetch of %s: %s: %s", fields["url"], type(exc).__name__, exc)
        return None
    return Entry(row, is_page=False)
