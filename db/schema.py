"""The SQL schema (SQLAlchemy 2 declarative). Alembic migrations in ``db/migrations`` build it.

Invariants:
- ``document_versions`` rows are append-only: the storage API inserts them and never updates or
  deletes them. ``seq`` counts 1, 2, 3… per document; ``content_hash`` is the parser's stable
  hash (articles) or the sha256 of the bytes (annexes); ``raw_body`` is zlib-compressed and
  ``raw_sha256``/``raw_size`` describe the uncompressed bytes.
- ``fetch_log`` holds one row per HTTP outcome; ``body`` keeps at most ``FETCH_BODY_CAP`` bytes
  of what arrived (zlib-compressed), ``size`` the full length.
- ``parsed_records`` are derived data, unique per (version, parser version).
- Every timestamp is aware UTC (``UTCDateTime``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.errors import DBError
from db.types import UTCDateTime, utcnow

#: Deterministic constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
FETCH_BODY_CAP = 256 * 1024

RUN_STATUSES = ("running", "ok", "partial", "failed", "interrupted")
SOURCE_RUN_STATUSES = ("running", "ok", "partial", "failed")
DOCUMENT_KINDS = ("article", "annex")
DOCUMENT_STATUSES = ("active", "delisted")
FETCH_KINDS = ("column", "list", "article", "annex", "robots")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON}


class Source(Base):
    """A watched source (``gov_mofcom_zcfb`` …); created on first use."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlRun(Base):
    """One ``regwatch run``/``crawl`` invocation."""

    __tablename__ = "crawl_runs"
    __table_args__ = (CheckConstraint(_one_of("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    pid: Mapped[int | None] = mapped_column(Integer)
    stats: Mapped[dict[str, Any] | None]


class SourceRun(Base):
    """One source's part of a run."""

    __tablename__ = "source_runs"
    __table_args__ = (
        UniqueConstraint("run_id", "source"),
        CheckConstraint(_one_of("status", SOURCE_RUN_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_runs.id"))
    source: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    stats: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)


class Document(Base):
    """A page or attachment, keyed by its canonical URL; its content lives in versions."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(_one_of("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint(_one_of("status", DOCUMENT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"), index=True)
    canonical_url: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: For an annex: the article that links to it.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    #: Date shown in the list row (a hint; the parsed record has the real dates).
    list_date: Mapped[date | None] = mapped_column(Date)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_fetched_at: Mapped[datetime | None]
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("document_versions.id", use_alter=True)
    )
    status: Mapped[str] = mapped_column(String(16), default="active")
    delisted_at: Mapped[datetime | None]


class DocumentVersion(Base):
    """One distinct content of a document, with the raw bytes it was extracted from."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    seq: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    raw_sha256: Mapped[str] = mapped_column(String(64))
    raw_body: Mapped[bytes] = mapped_column(LargeBinary)
    raw_size: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str | None] = mapped_column(String(32))
    decode_reason: Mapped[str | None] = mapped_column(Text)
    page_type: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(Text)
    #: The extracted stable text (title, header lines, body) for articles; None for annexes.
    text: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str] = mapped_column(Text)
    http_status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]]
    fetched_at: Mapped[datetime]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"), index=True)


class ParsedRecord(Base):
    """A parser's output for one version (derived; re-creatable with ``reparse``)."""

    __tablename__ = "parsed_records"
    __table_args__ = (UniqueConstraint("version_id", "parser_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    parser_version: Mapped[str] = mapped_column(String(32))
    record: Mapped[dict[str, Any]]
    record_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FetchLog(Base):
    """One HTTP outcome (or storage outcome of a fetched page)."""

    __tablename__ = "fetch_log"
    __table_args__ = (
        Index("ix_fetch_log_run_id", "run_id"),
        Index("ix_fetch_log_source_url", "source", "url"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    source: Mapped[str] = mapped_column(String(64))
    url: Mapped[str] = mapped_column(Text)
    #: column | list | article | annex | robots
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[int | None] = mapped_column(Integer)
    #: ok | http_error | waf | network_error | api_error (crawler events);
    #: new_document | new_version | unchanged | portal_shell | error (stored pages)
    outcome: Mapped[str] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    size: Mapped[int | None] = mapped_column(Integer)
    elapsed_ms: Mapped[int | None] = mapped_column(Integer)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class CrawlState(Base):
    """Small per-source key/value state a spider keeps between runs."""

    __tablename__ = "crawl_state"

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


@event.listens_for(DocumentVersion, "before_update")
@event.listens_for(DocumentVersion, "before_delete")
def _versions_are_append_only(_mapper: Any, _connection: Any, target: DocumentVersion) -> None:
    """Refuse ORM updates/deletes of a stored version: history is never rewritten."""
    raise DBError(f"document_versions is append-only: version {target.id} cannot change")
