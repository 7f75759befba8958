"""Run orchestration: fetch → store raw version → parse.

``run`` is the cron entry point's body. It holds the run lock, migrates the database, records a
crawl run, lets the crawlers fetch and store (``crawlers.runner``), then parses every stored
version that has no record for the current parser version (an article's record includes its
annexes' text; when an annex changes, its article's record is rebuilt in place), then turns new
records, delistings and the passing of time into change events (``db.changes``). Each stage only
reads what earlier stages wrote, so re-running ``process_pending`` after a crash finishes the job without
duplicating anything (``parsed_records`` is unique per version and parser version).
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import db
import parsers
from db import queries, store
from db.changes import ChangeStats, process_changes
from regwatch import compiled
from regwatch.alerting import notify_step
from regwatch.config import Settings
from regwatch.convert import convert_legacy
from regwatch.lock import run_lock

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_SOURCE_FAILED = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_LOCKED = 75  # EX_TEMPFAIL: another run is in progress; cron may simply try again later
LEGACY_FORMATS = ("doc", "wps", "xls")
#: Versions parsed per transaction (a crash loses at most one batch; it is parsed again).
PARSE_BATCH = 50


@dataclass
class ProcessStats:
    """What one pass of the parse stage did."""

    parsed: int = 0
    failed: int = 0
    kinds: Counter[str] = field(default_factory=Counter)


@dataclass
class RunReport:
    """The outcome of one ``regwatch run``/``crawl``."""

    run_id: int
    status: str
    sources: dict[str, Any]
    processed: ProcessStats | None
    changes: ChangeStats | None = None

    @property
    def exit_code(self) -> int:
        if self.status == "ok":
            return EXIT_OK
        if self.status == "partial":
            return EXIT_PARTIAL
        return EXIT_SOURCE_FAILED


def open_db(settings: Settings) -> db.SessionFactory:
    """Connect, migrate to head and return a session factory."""
    engine = db.connect(settings.db_url)
    db.upgrade(engine)
    return db.session_factory(engine)


def process_pending(sessions: db.SessionFactory, limit: int | None = None) -> ProcessStats:
    """Parse every stored version that has no record for the current parser version (an article's record includes its
    annexes' text; when an annex changes, its article's record is rebuilt in place).

        One bad version is logged and counted, never fatal; it is retried on the next pass.
    """
    stats = ProcessStats()
    with sessions() as s:
        pending = queries.versions_to_parse(s, parsers.PARSER_VERSION)
    pending = pending[:limit] if limit else pending
    if pending:
        log.info("parsing %d stored version(s); parsers: %s", len(pending), compiled.describe())
        if compiled.is_stale():
            log.warning("parsers: %s", compiled.describe())
    for first in range(0, len(pending), PARSE_BATCH):
        with sessions() as s:
            for version_id in pending[first : first + PARSE_BATCH]:
                _parse_one(s, version_id, stats)
            s.commit()
    return stats


def _parse_one(s: db.Session, version_id: int, stats: ProcessStats) -> None:
    """Parse and save one version inside a SAVEPOINT; a failure is logged, counted, retried."""
    try:
        with s.begin_nested():
            raw = queries.load_version(s, version_id)
            record = parse_version(s, version_id, raw) if raw is not None else None
            if raw is None or record is None:
                return
            queries.save_parsed(s, version_id, parsers.PARSER_VERSION, record, known_new=True)
            if raw.kind == "annex":
                _refresh_parent(s, raw.document_id)
        stats.parsed += 1
        stats.kinds[record["kind"]] += 1
    except Exception as exc:  # one bad version must not stop the rest
        stats.failed += 1
        log.warning(
            "could not parse stored version %s: %s: %s", version_id, type(exc).__name__, exc
        )


def detect_changes(
    sessions: db.SessionFactory, settings: Settings, run_id: int | None = None
) -> ChangeStats:
    """The change-event stage: new records, delistings seen by ``run_id`` and the clock.

    Statuses are computed for ``settings.today`` (the real date unless configured).
    """
    return process_changes(
        sessions,
        parser_version=parsers.PARSER_VERSION,
        reparse=parse_version,
        run_id=run_id,
        today=settings.today,
    )


def parse_version(
    s: db.Session, version_id: int, raw: queries.StoredVersion | None = None
) -> dict[str, Any] | None:
    """Turn one stored version back into a contract record.

    An article's record includes the text of its annexes' current versions (items listed in a
    DOCX/XLSX/PDF annex merge into the announcement); an annex gets a record of its own too.
    ``raw`` is the version when the caller has loaded it already.
    """
    raw = raw or queries.load_version(s, version_id)
    if raw is None:
        return None
    if raw.kind == "annex":
        name = raw.url.rsplit("/", 1)[-1]
        annex = _annex_text(raw.body, name)
        record = parsers.parse_text(annex.text, raw.url).to_dict()
        record["warnings"] = [*annex.warnings, *record["warnings"]]
        return record
    decoded = parsers.decode_html(raw.body, raw.headers.get("content-type"))
    page = parsers.extract_page(decoded.text, raw.url)
    labels = {a.url: a.label for a in page.annexes}
    texts: list[tuple[str, str]] = []
    warnings: list[str] = []
    annex_versions = queries.annex_versions(s, raw.document_id) if page.annexes else []
    for annex_version in annex_versions:
        name = annex_version.url.rsplit("/", 1)[-1]
        annex = _annex_text(annex_version.body, name)
        warnings += annex.warnings
        if annex.ok:
            texts.append((labels.get(annex_version.url) or name, annex.text))
    record = parsers.parse_page(page, raw.url, annexes=texts).to_dict()
    record["warnings"] = [*record["warnings"], *warnings]
    return record


def _annex_text(body: bytes, name: str) -> parsers.AnnexText:
    """Annex bytes → text; legacy .doc/.wps/.xls go through LibreOffice when it is installed."""
    annex = parsers.annex_text(body, name)
    if not annex.ok and annex.format in LEGACY_FORMATS:
        converted = convert_legacy(body, name)
        if converted is not None:
            annex = parsers.annex_text(*converted)
    for warning in annex.warnings:
        log.warning("annex %s: %s", name, warning)
    return annex


def _refresh_parent(s: db.Session, annex_document_id: int) -> None:
    """After an annex version is parsed, rebuild its article's record so the items merge in."""
    parent = queries.parent_current_version(s, annex_document_id)
    if parent is not None:
        record = parse_version(s, parent)
        if record is not None:
            queries.replace_parsed(s, parent, parsers.PARSER_VERSION, record)


def crawl_and_process(
    settings: Settings,
    *,
    command: str,
    sources: list[str],
    backfill: bool = False,
    parse: bool = True,
    progress: bool = False,
) -> RunReport:
    """Crawl ``sources``, store what arrived, then parse; all under the run lock.

    Raises:
        LockHeld: another run is in progress.
    """
    from crawlers.runner import (  # Scrapy stays out of CLI start-up
        CrawlOptions,
        overall_status,
        run_crawl,
    )

    with run_lock(settings.lock_path):
        sessions = open_db(settings)
        with sessions() as s:
            store.interrupt_stale_runs(s)
            run_id = store.begin_run(s, command, sources)
            s.commit()
        status = "failed"
        outcomes: dict[str, Any] = {}
        processed: ProcessStats | None = None
        changes: ChangeStats | None = None
        try:
            outcomes = run_crawl(
                CrawlOptions(
                    db_url=settings.db_url,
                    run_id=run_id,
                    sources=sources,
                    mirror_url=settings.mirror_url,
                    backfill=backfill,
                    revisit=settings.revisit,
                    revisit_after_hours=settings.revisit_after_hours,
                    revisit_budget=settings.revisit_budget,
                    user_agent=settings.user_agent,
                    download_delay=settings.download_delay,
                    log_level=settings.log_level,
                    progress=progress,
                )
            )
            status = overall_status(outcomes)
            if parse:
                processed = process_pending(sessions)
                changes = detect_changes(sessions, settings, run_id)
        finally:
            with sessions() as s:
                stats = {
                    "sources": {
                        name: {"status": o.status, "error": o.error, **o.stats}
                        for name, o in outcomes.items()
                    },
                    "parsed": processed.parsed if processed else 0,
                    "parse_failed": processed.failed if processed else 0,
                    "events": dict(changes.events) if changes else {},
                }
                store.finish_run(s, run_id, status, stats)
                s.commit()
        if command == "run":  # crawl → process → notify (alerts, source health)
            notify_step(settings, sessions, run_id)
        return RunReport(
            run_id=run_id, status=status, sources=outcomes, processed=processed, changes=changes
        )
