"""Write side: runs, the fetch log and append-only document versions.

Every function takes an open ``Session``; the caller commits. Crawler items are duck-typed: any
object with the attributes of ``crawlers.items.FetchedPage`` / ``FetchEvent`` will do.

Invariants:
- ``store_page`` and ``record_fetch`` never raise on bad input: they log a warning that says
  what to fix, record an ``error`` row in ``fetch_log`` and carry on. Their writes happen in a
  SAVEPOINT, so a failure never leaves half a document in the caller's transaction.
- A ``document_versions`` row is only ever inserted (``seq`` = previous + 1), never updated or
  deleted, and only when the content hash differs from the document's current version.
- Responses with HTTP status >= 400, portal shells and WAF pages never become versions; what
  arrived is kept in ``fetch_log.body`` (capped) instead.
- Exactly one ``fetch_log`` row per call.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import parsers
from db.errors import DBError
from db.schema import (
    FETCH_BODY_CAP,
    RUN_STATUSES,
    SOURCE_RUN_STATUSES,
    CrawlRun,
    Document,
    DocumentVersion,
    FetchLog,
    Source,
    SourceRun,
)
from db.types import as_utc, compress, utcnow

log = logging.getLogger(__name__)

PAGE_KINDS = ("article", "annex")
#: Statuses the MOFCOM WAFs answer non-browser clients with (SITE_NOTES §1.7).
WAF_STATUSES = frozenset({403, 412})
STORE_OUTCOMES = (
    "new_document",
    "new_version",
    "unchanged",
    "portal_shell",
    "waf",
    "http_error",
    "error",
)


class FetchedPageLike(Protocol):
    """What ``store_page`` reads (``crawlers.items.FetchedPage``); optional fields may be absent."""

    source: str
    url: str
    canonical_url: str
    kind: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime


class FetchEventLike(Protocol):
    """What ``record_fetch`` reads (``crawlers.items.FetchEvent``)."""

    source: str
    url: str
    kind: str
    status: int | None
    outcome: str
    error: str | None
    fetched_at: datetime


@dataclass(frozen=True)
class StoreResult:
    """What ``store_page`` did.

    Attributes:
        document_id: The document the page belongs to (None when none exists or input was bad).
        version_id: The new version, or the current one when ``unchanged``; else None.
        outcome: One of ``STORE_OUTCOMES``. ``http_error`` is a status >= 400 other than the
            WAF statuses 403/412.
    """

    document_id: int | None
    version_id: int | None
    outcome: str


class BadInput(DBError):
    """A crawler item that cannot be stored as given (message says which field and why)."""


@dataclass(frozen=True)
class _Page:
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


# --- runs -----------------------------------------------------------------------------------


def begin_run(s: Session, command: str, sources: list[str]) -> int:
    """Record the start of a run (status ``running``, this process's pid); return its id."""
    run = CrawlRun(
        command=command,
        status="running",
        pid=os.getpid(),
        started_at=utcnow(),
        stats={"sources_requested": list(sources)},
    )
    s.add(run)
    s.flush()
    return run.id


def _run(s: Session, run_id: int) -> CrawlRun:
    run = s.get(CrawlRun, run_id)
    if run is None:
        raise DBError(f"crawl run {run_id} does not exist")
    return run


def finish_run(s: Session, run_id: int, status: str, stats: dict[str, Any]) -> None:
    """Close a run: set its final status and merge ``stats`` into what begin_run stored.

    Raises:
        DBError: unknown run or status.
    """
    if status not in RUN_STATUSES or status == "running":
        raise DBError(f"run status must be one of ok|partial|failed|interrupted, not {status!r}")
    run = _run(s, run_id)
    run.status = status
    run.finished_at = utcnow()
    run.stats = {**(run.stats or {}), **stats}
    s.flush()


def interrupt_stale_runs(s: Session) -> list[int]:
    """Mark every run still ``running`` as ``interrupted`` (and its running sources ``failed``).

    Call only while holding the run lock: then no other run can really be in progress, so a
    ``running`` row is a process that died (kill -9, power loss) before ``finish_run``.

    Returns:
        The ids of the runs marked.
    """
    now = utcnow()
    ids = list(s.scalars(select(CrawlRun.id).where(CrawlRun.status == "running")))
    if not ids:
        return []
    s.execute(
        update(CrawlRun).where(CrawlRun.id.in_(ids)).values(status="interrupted", finished_at=now)
    )
    s.execute(
        update(SourceRun)
        .where(SourceRun.run_id.in_(ids), SourceRun.status == "running")
        .values(status="failed", finished_at=now, error="run interrupted before it finished")
    )
    for run_id in ids:
        log.warning("crawl run %s never finished; marked interrupted", run_id)
    return ids


def _source_id(s: Session, name: str) -> int:
    cache: dict[str, int] = s.info.setdefault("regwatch_source_ids", {})
    if name in cache:
        return cache[name]
    found = s.scalar(select(Source.id).where(Source.name == name))
    if found is None:
        source = Source(name=name, created_at=utcnow())
        s.add(source)
        s.flush()
        found = source.id
    cache[name] = found
    return found


def begin_source_run(s: Session, run_id: int, source: str) -> None:
    """Record that ``source`` started within run ``run_id`` (restarting it if already present)."""
    _run(s, run_id)
    _source_id(s, source)
    row = s.scalar(select(SourceRun).where(SourceRun.run_id == run_id, SourceRun.source == source))
    if row is None:
        s.add(SourceRun(run_id=run_id, source=source, started_at=utcnow(), status="running"))
    else:
        row.started_at, row.finished_at, row.status, row.error = utcnow(), None, "running", None
    s.flush()


def finish_source_run(
    s: Session,
    run_id: int,
    source: str,
    status: str,
    stats: dict[str, Any],
    error: str | None,
) -> None:
    """Close one source's part of a run (creating the row if begin_source_run was skipped).

    Raises:
        DBError: unknown run or status.
    """
    if status not in SOURCE_RUN_STATUSES or status == "running":
        raise DBError(f"source run status must be one of ok|partial|failed, not {status!r}")
    row = s.scalar(select(SourceRun).where(SourceRun.run_id == run_id, SourceRun.source == source))
    if row is None:
        begin_source_run(s, run_id, source)
        row = s.scalar(
            select(SourceRun).where(SourceRun.run_id == run_id, SourceRun.source == source)
        )
        assert row is not None
    row.status, row.stats, row.error, row.finished_at = status, stats, error, utcnow()
    s.flush()


# --- fetch log ------------------------------------------------------------------------------


def _capped(body: bytes | None) -> tuple[bytes | None, int | None]:
    """(compressed first FETCH_BODY_CAP bytes, full size) of what arrived."""
    if body is None:
        return None, None
    return compress(body[:FETCH_BODY_CAP]), len(body)


def _add_log(
    s: Session,
    run_id: int | None,
    *,
    source: str,
    url: str,
    kind: str,
    status: int | None,
    outcome: str,
    error: str | None,
    body: bytes | None,
    size: int | None,
    elapsed_ms: int | None,
    fetched_at: datetime,
) -> None:
    blob, full = _capped(body)
    s.add(
        FetchLog(
            run_id=run_id,
            source=source,
            url=url,
            kind=kind,
            status=status,
            outcome=outcome,
            error=error,
            body=blob,
            size=full if full is not None else size,
            elapsed_ms=elapsed_ms,
            fetched_at=fetched_at,
        )
    )


def _str_attr(item: object, name: str, default: str = "?") -> str:
    value = getattr(item, name, None)
    return value if isinstance(value, str) and value else default


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _when(item: object) -> datetime:
    value = getattr(item, "fetched_at", None)
    if not isinstance(value, datetime):
        return utcnow()
    if value.tzinfo is None:
        log.warning("naive fetched_at %s for %s: taken as UTC", value, getattr(item, "url", "?"))
    return as_utc(value)


def record_fetch(s: Session, run_id: int | None, event: FetchEventLike) -> None:
    """Append one ``fetch_log`` row for a crawler event (list page, failure, robots …).

    Never raises on a malformed event: missing fields are recorded as ``?`` with a warning.
    """
    body = getattr(event, "body", None)
    body = bytes(body) if isinstance(body, bytes | bytearray | memoryview) else None
    fields = {
        "source": _str_attr(event, "source"),
        "url": _str_attr(event, "url"),
        "kind": _str_attr(event, "kind"),
        "outcome": _str_attr(event, "outcome", "error"),
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
        with s.begin_nested():
            _add_log(
                s,
                run_id,
                status=_int_or_none(getattr(event, "status", None)),
                error=error if isinstance(error, str) else None,
                body=body,
                size=None,
                elapsed_ms=_int_or_none(getattr(event, "elapsed_ms", None)),
                fetched_at=_when(event),
                **fields,
            )
    except Exception as exc:
        log.warning("could not record fetch of %s: %s: %s", fields["url"], type(exc).__name__, exc)


# --- pages ----------------------------------------------------------------------------------


def _validate(page: object) -> _Page:
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
    if _int_or_none(status) is None:
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
    return _Page(
        source=source,
        url=url.strip(),
        canonical_url=canonical.strip(),
        kind=kind,
        status=int(status),  # type: ignore[arg-type]
        headers={str(k).lower(): str(v) for k, v in headers_in.items()},
        body=bytes(body),
        fetched_at=_when(page),
        list_title=list_title if isinstance(list_title, str) and list_title else None,
        list_date=_list_date(getattr(page, "list_date", None), url),
        parent_url=parsers.canonical_url(parent_url) if isinstance(parent_url, str) else None,
        elapsed_ms=_int_or_none(getattr(page, "elapsed_ms", None)),
    )


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


def _log_page(
    s: Session, run_id: int | None, p: _Page, outcome: str, error: str | None, keep_body: bool
) -> None:
    _add_log(
        s,
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


def _document(s: Session, canonical_url: str) -> Document | None:
    with s.no_autoflush:
        return s.scalar(select(Document).where(Document.canonical_url == canonical_url))


def _append_version(
    s: Session,
    run_id: int | None,
    p: _Page,
    *,
    content_hash: str,
    title: str | None,
    text: str | None,
    encoding: str | None,
    decode_reason: str | None,
    page_type: str | None,
) -> StoreResult:
    """Upsert the document and add a version unless its content hash is the current one."""
    doc = _document(s, p.canonical_url)
    created = doc is None
    if doc is None:
        doc = Document(
            source_id=_source_id(s, p.source),
            canonical_url=p.canonical_url,
            kind=p.kind,
            first_seen_at=p.fetched_at,
            last_seen_at=p.fetched_at,
            status="active",
        )
        s.add(doc)
    if p.kind == "annex" and p.parent_url and doc.parent_id is None:
        parent = _document(s, p.parent_url)
        doc.parent_id = parent.id if parent is not None else None
    doc.last_seen_at = max(doc.last_seen_at or p.fetched_at, p.fetched_at)
    doc.last_fetched_at = p.fetched_at
    if p.list_date is not None:
        doc.list_date = p.list_date
    # A page that serves content again is listed again (delisting itself is decided elsewhere).
    doc.status, doc.delisted_at = "active", None
    s.flush()
    # Only the hash of the current version is needed: never load its raw blob here.
    current_hash = (
        s.scalar(
            select(DocumentVersion.content_hash).where(DocumentVersion.id == doc.current_version_id)
        )
        if doc.current_version_id
        else None
    )
    if current_hash is not None and current_hash == content_hash:
        if doc.title is None and title:
            doc.title = title
        _log_page(s, run_id, p, "unchanged", None, keep_body=False)
        return StoreResult(doc.id, doc.current_version_id, "unchanged")
    last_seq = (
        None
        if created
        else s.scalar(
            select(func.max(DocumentVersion.seq)).where(DocumentVersion.document_id == doc.id)
        )
    )
    version = DocumentVersion(
        document_id=doc.id,
        seq=(last_seq or 0) + 1,
        content_hash=content_hash,
        raw_sha256=hashlib.sha256(p.body).hexdigest(),
        raw_body=compress(p.body),
        raw_size=len(p.body),
        encoding=encoding,
        decode_reason=decode_reason,
        page_type=page_type,
        title=title,
        text=text,
        url=p.url,
        http_status=p.status,
        headers=p.headers,
        fetched_at=p.fetched_at,
        run_id=run_id,
    )
    s.add(version)
    s.flush()
    doc.current_version_id = version.id
    doc.title = title or doc.title
    outcome = "new_document" if created else "new_version"
    _log_page(s, run_id, p, outcome, None, keep_body=False)
    log.debug("%s: %s seq %s", p.canonical_url, outcome, version.seq)
    return StoreResult(doc.id, version.id, outcome)


def _touch_fetched(s: Session, p: _Page) -> int | None:
    """Note a fetch of a known document that produced no content; return its id (or None)."""
    doc = _document(s, p.canonical_url)
    if doc is None:
        return None
    doc.last_fetched_at = p.fetched_at
    return doc.id


def _store_http_error(s: Session, run_id: int | None, p: _Page) -> StoreResult:
    outcome = "waf" if p.status in WAF_STATUSES else "http_error"
    error = f"HTTP {p.status} for {p.url}" + (
        " (WAF block: slow down or retry later)" if outcome == "waf" else ""
    )
    doc_id = _touch_fetched(s, p)
    _log_page(s, run_id, p, outcome, error, keep_body=True)
    return StoreResult(doc_id, None, outcome)


def _store_article(s: Session, run_id: int | None, p: _Page) -> StoreResult:
    decoded = parsers.decode_html(p.body, p.headers.get("content-type"))
    page = parsers.extract_page(decoded.text, p.url)
    if page.page_type == "article":
        title = page.title or p.list_title
        return _append_version(
            s,
            run_id,
            p,
            content_hash=page.stable_hash,
            title=title,
            text=page.stable_text(),
            encoding=decoded.encoding,
            decode_reason=decoded.reason,
            page_type=page.page_type,
        )
    doc_id = _touch_fetched(s, p)
    if page.page_type == "portal_shell":
        error = f"{p.url} answered with the portal shell, not an article (delisted or moved?)"
        _log_page(s, run_id, p, "portal_shell", error, keep_body=True)
        return StoreResult(doc_id, None, "portal_shell")
    if page.page_type == "waf":
        error = f"{p.url} answered HTTP {p.status} with a WAF/challenge page; retry later"
        _log_page(s, run_id, p, "waf", error, keep_body=True)
        return StoreResult(doc_id, None, "waf")
    notes = "; ".join(page.warnings) or "no article markers found"
    error = f"{p.url} is a {page.page_type} page, not an article ({notes}); not stored"
    log.warning("%s", error)
    _log_page(s, run_id, p, "error", error, keep_body=True)
    return StoreResult(doc_id, None, "error")


def _store_annex(s: Session, run_id: int | None, p: _Page) -> StoreResult:
    if not p.body:
        error = f"annex {p.url} arrived empty (HTTP {p.status}); not stored"
        log.warning("%s", error)
        _log_page(s, run_id, p, "error", error, keep_body=False)
        return StoreResult(_touch_fetched(s, p), None, "error")
    name = p.url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or None
    return _append_version(
        s,
        run_id,
        p,
        content_hash=hashlib.sha256(p.body).hexdigest(),
        title=p.list_title or name,
        text=None,
        encoding=None,
        decode_reason=None,
        page_type=None,
    )


def _store(s: Session, run_id: int | None, p: _Page) -> StoreResult:
    if p.status >= 400:
        return _store_http_error(s, run_id, p)
    if p.kind == "annex":
        return _store_annex(s, run_id, p)
    return _store_article(s, run_id, p)


def _record_failure(s: Session, run_id: int | None, page: object, error: str) -> None:
    """Best effort: one ``error`` row for a page that could not be stored."""
    body = getattr(page, "body", None)
    try:
        with s.begin_nested():
            _add_log(
                s,
                run_id,
                source=_str_attr(page, "source"),
                url=_str_attr(page, "url"),
                kind=_str_attr(page, "kind"),
                status=_int_or_none(getattr(page, "status", None)),
                outcome="error",
                error=error,
                body=bytes(body) if isinstance(body, bytes | bytearray | memoryview) else None,
                size=None,
                elapsed_ms=_int_or_none(getattr(page, "elapsed_ms", None)),
                fetched_at=_when(page),
            )
    except Exception as exc:
        log.warning("could not even log the failed page: %s: %s", type(exc).__name__, exc)


def store_page(s: Session, run_id: int | None, page: FetchedPageLike) -> StoreResult:
    """Store one fetched article or annex.

    Articles are decoded and extracted with ``parsers``; only ``article`` pages become versions.
    Annexes are hashed as bytes. A version is appended only when the content hash differs from
    the document's current version. One ``fetch_log`` row records the outcome.

    Args:
        s: Open session (the caller commits).
        run_id: The current crawl run, or None outside a run.
        page: A ``crawlers.items.FetchedPage`` or any object with its attributes.

    Returns:
        The outcome; ``StoreResult(None, None, "error")`` for input that cannot be stored.
    """
    try:
        p = _validate(page)
    except BadInput as exc:
        error = f"cannot store page from {_str_attr(page, 'url')}: {exc}"
        log.warning("%s (fix the crawler item)", error)
        _record_failure(s, run_id, page, error)
        return StoreResult(None, None, "error")
    try:
        with s.begin_nested():
            return _store(s, run_id, p)
    except Exception as exc:
        error = f"storing {p.url} failed: {type(exc).__name__}: {exc}"
        log.warning("%s; the page will be fetched again next run", error)
        _record_failure(s, run_id, page, error)
        return StoreResult(None, None, "error")
