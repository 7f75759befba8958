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

import logging
import os
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.batch import Batch, FetchedPageLike, FetchEventLike, StoreResult
from db.batch import source_id as _source_id
from db.errors import DBError
from db.schema import RUN_STATUSES, SOURCE_RUN_STATUSES, CrawlRun, SourceRun
from db.types import utcnow

log = logging.getLogger(__name__)

STORE_OUTCOMES = (
    "new_document",
    "new_version",
    "unchanged",
    "portal_shell",
    "waf",
    "http_error",
    "error",
)


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


# --- fetch log and pages (both through db.batch) --------------------------------------------


def record_fetch(s: Session, run_id: int | None, event: FetchEventLike) -> None:
    """Append one ``fetch_log`` row for a crawler event (list page, failure, robots …).

    Never raises on a malformed event: missing fields are recorded as ``?`` with a warning.
    """
    batch = Batch(run_id)
    batch.add_event(event)
    batch.write(s)


def store_page(s: Session, run_id: int | None, page: FetchedPageLike) -> StoreResult:
    """Store one fetched article or annex (a ``db.batch.Batch`` of one).

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
    batch = Batch(run_id)
    batch.add_page(page)
    result = batch.write(s)[0]
    assert result is not None  # a page always has a result
    return result
