"""Read side (plus the small crawl-state and parsed-record writes).

Functions take an open ``Session`` and return plain frozen dataclasses, never ORM objects, so
results stay usable after the session closes. ``save_parsed`` and ``set_state`` write; the caller
commits.

Invariants: ``save_parsed`` is idempotent — a (version, parser version) pair is stored once and
never overwritten (parsed records are derived data; a new parser version adds rows).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from db.errors import DBError
from db.schema import (
    CrawlRun,
    CrawlState,
    Document,
    DocumentVersion,
    FetchLog,
    ParsedRecord,
    Source,
    SourceRun,
)
from db.types import decompress, utcnow

LIST_KINDS = ("column", "list")
ERROR_OUTCOMES = ("error", "http_error", "waf", "network_error", "api_error")
STORED_OUTCOMES = ("new_document", "new_version", "unchanged")


@dataclass(frozen=True)
class DocumentRow:
    """One document for list output; ``record`` is its current version's latest parse."""

    id: int
    source: str
    canonical_url: str
    title: str | None
    kind: str
    list_date: date | None
    first_seen_at: datetime
    last_seen_at: datetime
    version_count: int
    status: str
    record: dict[str, Any] | None


@dataclass(frozen=True)
class VersionRow:
    id: int
    seq: int
    fetched_at: datetime
    content_hash: str
    raw_size: int
    http_status: int
    run_id: int | None
    text_length: int
    url: str


@dataclass(frozen=True)
class DocumentDetail(DocumentRow):
    """A document with its versions (oldest first), parent and annexes."""

    last_fetched_at: datetime | None = None
    delisted_at: datetime | None = None
    parent_id: int | None = None
    current_version_id: int | None = None
    versions: tuple[VersionRow, ...] = ()
    annex_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class StoredVersion:
    """One version's raw material, decompressed, ready for a parser."""

    id: int
    document_id: int
    seq: int
    kind: str
    source: str
    url: str
    canonical_url: str
    body: bytes
    headers: dict[str, str]
    encoding: str | None
    http_status: int
    fetched_at: datetime
    content_hash: str


@dataclass(frozen=True)
class RunRow:
    id: int
    command: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    pid: int | None
    stats: dict[str, Any] | None


@dataclass(frozen=True)
class SourceSummary:
    """What one source did in one run, counted from ``fetch_log``."""

    source: str
    status: str | None
    error: str | None
    list_pages: int
    articles_fetched: int
    annexes_fetched: int
    new_documents: int
    new_versions: int
    unchanged: int
    portal_shells: int
    errors: int


# --- crawl state ----------------------------------------------------------------------------


def get_state(s: Session, source: str, key: str) -> Any | None:
    """The JSON value stored under (source, key), or None."""
    row = s.get(CrawlState, (source, key))
    return row.value if row is not None else None


def set_state(s: Session, source: str, key: str, value: Any) -> None:
    """Store a JSON-serialisable value under (source, key), replacing any previous value."""
    row = s.get(CrawlState, (source, key))
    if row is None:
        s.add(CrawlState(source=source, key=key, value=value, updated_at=utcnow()))
    else:
        row.value, row.updated_at = value, utcnow()
    s.flush()


# --- crawler helpers ------------------------------------------------------------------------


def known_urls(s: Session, source: str) -> set[str]:
    """Canonical URLs of every document (articles and annexes) stored for ``source``."""
    stmt = select(Document.canonical_url).join(Source).where(Source.name == source)
    return set(s.scalars(stmt))


def due_for_revisit(
    s: Session, source: str, older_than: datetime | None, limit: int | None
) -> list[str]:
    """Active article URLs of ``source`` to fetch again, least recently fetched first.

    Args:
        s: Open session.
        source: Source name.
        older_than: Only documents last fetched before this instant (None: all).
        limit: At most this many URLs (None: no limit).
    """
    last = func.coalesce(Document.last_fetched_at, Document.first_seen_at)
    stmt = (
        select(Document.canonical_url)
        .join(Source)
        .where(Source.name == source, Document.kind == "article", Document.status == "active")
        .order_by(last.asc(), Document.id.asc())
    )
    if older_than is not None:
        stmt = stmt.where(last < older_than)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(s.scalars(stmt))


# --- parsing --------------------------------------------------------------------------------


def versions_to_parse(s: Session, parser_version: str) -> list[int]:
    """Ids of versions without a parsed record for ``parser_version``, oldest first."""
    done = select(ParsedRecord.version_id).where(ParsedRecord.parser_version == parser_version)
    stmt = (
        select(DocumentVersion.id)
        .where(DocumentVersion.id.not_in(done))
        .order_by(DocumentVersion.id)
    )
    return list(s.scalars(stmt))


def record_hash(record: dict[str, Any]) -> str:
    """sha256 of the record's canonical JSON (sorted keys, no whitespace)."""
    blob = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def save_parsed(
    s: Session,
    version_id: int,
    parser_version: str,
    record: dict[str, Any],
    *,
    known_new: bool = False,
) -> None:
    """Store a parser's record for a version; a no-op if that pair is already stored.

    ``known_new``: the caller has just loaded the version and found it unparsed (as the parse
    stage does), so the two checks are skipped; the unique constraint still guards.

    Raises:
        DBError: the version does not exist.
    """
    if known_new:
        s.add(_parsed_row(version_id, parser_version, record))
        s.flush()
        return
    exists = s.scalar(
        select(ParsedRecord.id).where(
            ParsedRecord.version_id == version_id, ParsedRecord.parser_version == parser_version
        )
    )
    if exists is not None:
        return
    if s.scalar(select(DocumentVersion.id).where(DocumentVersion.id == version_id)) is None:
        raise DBError(f"cannot save a parsed record: version {version_id} does not exist")
    s.add(_parsed_row(version_id, parser_version, record))
    s.flush()


def _parsed_row(version_id: int, parser_version: str, record: dict[str, Any]) -> ParsedRecord:
    return ParsedRecord(
        version_id=version_id,
        parser_version=parser_version,
        record=record,
        record_hash=record_hash(record),
        created_at=utcnow(),
    )


def load_version(s: Session, version_id: int) -> StoredVersion | None:
    """A version's decompressed raw body and what is needed to parse it, or None."""
    row = s.execute(
        select(DocumentVersion, Document.kind, Document.canonical_url, Source.name)
        .join(Document, DocumentVersion.document_id == Document.id)
        .join(Source, Document.source_id == Source.id)
        .where(DocumentVersion.id == version_id)
    ).first()
    if row is None:
        return None
    v, kind, canonical_url, source = row
    return StoredVersion(
        id=v.id,
        document_id=v.document_id,
        seq=v.seq,
        kind=kind,
        source=source,
        url=v.url,
        canonical_url=canonical_url,
        body=decompress(v.raw_body),
        headers=dict(v.headers or {}),
        encoding=v.encoding,
        http_status=v.http_status,
        fetched_at=v.fetched_at,
        content_hash=v.content_hash,
    )


def replace_parsed(
    s: Session, version_id: int, parser_version: str, record: dict[str, Any]
) -> bool:
    """Store or overwrite the record of (version, parser version); True when it changed.

    Used when an annex of an article changes: the article's record is derived from its own
    version and its annexes' current versions, so it is rebuilt in place.
    """
    row = s.scalar(
        select(ParsedRecord).where(
            ParsedRecord.version_id == version_id, ParsedRecord.parser_version == parser_version
        )
    )
    if row is None:
        save_parsed(s, version_id, parser_version, record)
        return True
    digest = record_hash(record)
    if row.record_hash == digest:
        return False
    row.record, row.record_hash, row.created_at = record, digest, utcnow()
    s.flush()
    return True


def annex_versions(s: Session, document_id: int) -> list[StoredVersion]:
    """The current version of every annex of a document, in URL order."""
    ids = s.scalars(
        select(Document.current_version_id)
        .where(Document.parent_id == document_id, Document.current_version_id.is_not(None))
        .order_by(Document.canonical_url)
    )
    return [v for v in (load_version(s, i) for i in ids if i is not None) if v is not None]


def parent_current_version(s: Session, document_id: int) -> int | None:
    """The current version id of a document's parent (an annex's article), if any."""
    parent = aliased(Document)
    return s.scalar(
        select(parent.current_version_id)
        .join(Document, Document.parent_id == parent.id)
        .where(Document.id == document_id)
    )


# --- documents ------------------------------------------------------------------------------


def _latest_records(s: Session, version_ids: list[int]) -> dict[int, dict[str, Any]]:
    """version id → its most recently saved parsed record."""
    if not version_ids:
        return {}
    newest = (
        select(func.max(ParsedRecord.id))
        .where(ParsedRecord.version_id.in_(version_ids))
        .group_by(ParsedRecord.version_id)
    )
    rows = s.execute(
        select(ParsedRecord.version_id, ParsedRecord.record).where(ParsedRecord.id.in_(newest))
    )
    return {version_id: record for version_id, record in rows}


def _version_counts() -> Any:
    return (
        select(DocumentVersion.document_id, func.count().label("n"))
        .group_by(DocumentVersion.document_id)
        .subquery()
    )


def _first_seen_in_run(run_id: int) -> Any:
    first = aliased(DocumentVersion)
    return select(first.document_id).where(first.seq == 1, first.run_id == run_id)


def latest_documents(
    s: Session,
    limit: int | None = 50,
    kind: str | None = None,
    source: str | None = None,
    first_seen_run: int | None = None,
) -> list[DocumentRow]:
    """Documents newest first (list date, then first seen), with version counts and records.

    Args:
        s: Open session.
        limit: At most this many rows (None: all).
        kind: ``article`` or ``annex`` (None: both).
        source: Only this source.
        first_seen_run: Only documents whose first version was stored by this run.
    """
    counts = _version_counts()
    stmt = (
        select(Document, Source.name, func.coalesce(counts.c.n, 0))
        .join(Source, Document.source_id == Source.id)
        .outerjoin(counts, counts.c.document_id == Document.id)
        .order_by(
            Document.list_date.desc().nulls_last(),
            Document.first_seen_at.desc(),
            Document.id.desc(),
        )
    )
    if kind is not None:
        stmt = stmt.where(Document.kind == kind)
    if source is not None:
        stmt = stmt.where(Source.name == source)
    if first_seen_run is not None:
        stmt = stmt.where(Document.id.in_(_first_seen_in_run(first_seen_run)))
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = s.execute(stmt).all()
    records = _latest_records(
        s, [d.current_version_id for d, _, _ in rows if d.current_version_id is not None]
    )
    return [_row(d, name, n, records.get(d.current_version_id or -1)) for d, name, n in rows]


def _row(d: Document, source: str, count: int, record: dict[str, Any] | None) -> DocumentRow:
    return DocumentRow(
        id=d.id,
        source=source,
        canonical_url=d.canonical_url,
        title=d.title,
        kind=d.kind,
        list_date=d.list_date,
        first_seen_at=d.first_seen_at,
        last_seen_at=d.last_seen_at,
        version_count=count,
        status=d.status,
        record=record,
    )


def document_detail(s: Session, doc_id: int) -> DocumentDetail | None:
    """One document with every version (oldest first) and its annexes' ids, or None."""
    found = s.execute(
        select(Document, Source.name).join(Source).where(Document.id == doc_id)
    ).first()
    if found is None:
        return None
    d, source = found
    text_len = func.coalesce(func.length(DocumentVersion.text), 0)
    versions = tuple(
        VersionRow(
            id=v.id,
            seq=v.seq,
            fetched_at=v.fetched_at,
            content_hash=v.content_hash,
            raw_size=v.raw_size,
            http_status=v.http_status,
            run_id=v.run_id,
            text_length=int(n),
            url=v.url,
        )
        for v, n in s.execute(
            select(DocumentVersion, text_len)
            .where(DocumentVersion.document_id == doc_id)
            .order_by(DocumentVersion.seq)
        )
    )
    annex_ids = tuple(
        s.scalars(select(Document.id).where(Document.parent_id == doc_id).order_by(Document.id))
    )
    record = None
    if d.current_version_id is not None:
        record = _latest_records(s, [d.current_version_id]).get(d.current_version_id)
    base = _row(d, source, len(versions), record)
    return DocumentDetail(
        **{f.name: getattr(base, f.name) for f in dataclasses.fields(DocumentRow)},
        last_fetched_at=d.last_fetched_at,
        delisted_at=d.delisted_at,
        parent_id=d.parent_id,
        current_version_id=d.current_version_id,
        versions=versions,
        annex_ids=annex_ids,
    )


# --- runs -----------------------------------------------------------------------------------


def latest_run_id(s: Session) -> int | None:
    """The id of the most recently started run, or None."""
    return s.scalar(select(func.max(CrawlRun.id)))


def recent_runs(s: Session, limit: int = 20) -> list[RunRow]:
    """The last ``limit`` runs, newest first."""
    runs = s.scalars(select(CrawlRun).order_by(CrawlRun.id.desc()).limit(limit))
    return [
        RunRow(r.id, r.command, r.status, r.started_at, r.finished_at, r.pid, r.stats) for r in runs
    ]


def fetch_counts(s: Session, run_id: int) -> dict[str, dict[str, int]]:
    """source → outcome → number of ``fetch_log`` rows in run ``run_id``."""
    rows = s.execute(
        select(FetchLog.source, FetchLog.outcome, func.count())
        .where(FetchLog.run_id == run_id)
        .group_by(FetchLog.source, FetchLog.outcome)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for source, outcome, n in rows:
        counts[source][outcome] = n
    return dict(counts)


def run_summary(s: Session, run_id: int) -> list[SourceSummary]:
    """Per source (sorted by name): pages fetched and what storing them did in run ``run_id``.

    ``articles_fetched``/``annexes_fetched`` count responses below HTTP 400; ``errors`` counts
    every failed outcome (HTTP errors, WAF blocks, network and API failures, bad pages).
    """
    per: dict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = s.execute(
        select(FetchLog.source, FetchLog.kind, FetchLog.outcome, FetchLog.status, func.count())
        .where(FetchLog.run_id == run_id)
        .group_by(FetchLog.source, FetchLog.kind, FetchLog.outcome, FetchLog.status)
    )
    for source, kind, outcome, status, n in rows:
        c = per[source]
        answered = status is not None and status < 400
        if kind in LIST_KINDS and outcome == "ok":
            c["list_pages"] += n
        if kind == "article" and answered:
            c["articles_fetched"] += n
        if kind == "annex" and answered:
            c["annexes_fetched"] += n
        if outcome in ERROR_OUTCOMES:
            c["errors"] += n
        c[outcome] += n
    states = {r.source: r for r in s.scalars(select(SourceRun).where(SourceRun.run_id == run_id))}
    return [
        SourceSummary(
            source=name,
            status=states[name].status if name in states else None,
            error=states[name].error if name in states else None,
            list_pages=per[name]["list_pages"],
            articles_fetched=per[name]["articles_fetched"],
            annexes_fetched=per[name]["annexes_fetched"],
            new_documents=per[name]["new_document"],
            new_versions=per[name]["new_version"],
            unchanged=per[name]["unchanged"],
            portal_shells=per[name]["portal_shell"],
            errors=per[name]["errors"],
        )
        for name in sorted(set(per) | set(states))
    ]


# --- output ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def as_dict(row: Any) -> dict[str, Any]:
    """A result dataclass as a JSON-ready dict (datetimes and dates as ISO strings)."""
    if not dataclasses.is_dataclass(row) or isinstance(row, type):
        raise TypeError(f"as_dict expects a result dataclass, got {type(row).__name__}")
    out: dict[str, Any] = _jsonable(dataclasses.asdict(row))
    return out
