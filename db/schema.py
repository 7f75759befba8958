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
- Diff layer: an ``instrument`` is one legal document (an announcement keyed on its number, or a
  single un-numbered page) with one or more ``instrument_locations`` (URLs on one or several
  official sites). ``instrument_snapshots`` are append-only: a new one is added only when the
  instrument's facts hash differs from its latest snapshot, so editing and editing back gives
  two snapshots. ``change_events`` are append-only and unique on ``dedupe_key``, which makes
  every processing step safe to replay. ``control_items`` and ``listed_entities`` are derived
  from each instrument's latest snapshot and rebuilt with it.
- Alerting: ``subscriptions`` carry a high-water mark over ``change_events.id``;
  ``alert_deliveries`` is the outbox (unique ``dedupe_key``, finished payload, state machine
  pending → sending → sent | pending (retry) | failed); ``health_incidents`` open and close
  once per incident. The ``alerts`` package owns the logic; ``db`` never imports it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
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
INSTRUMENT_STATUSES = ("active", "delisted")
#: What a change event is about (issue 4). ``cause`` says why it was detected.
CHANGE_KINDS = (
    "document_added",
    "document_changed",
    "document_delisted",
    "document_restored",
    "item_added",
    "item_removed",
    "item_changed",
    "threshold_changed",
    "measure_effective",
    "measure_suspended",
    "measure_resumed",
    "measure_repealed",
    "entity_listed",
    "entity_delisted",
)
#: content: the page changed; parser: only the parser changed (never alerted); time: a date
#: in the stored facts was reached; site: the page left or came back to the site.
CHANGE_CAUSES = ("content", "parser", "time", "site")
#: Alerting (issue 5): where a subscription delivers, how often, and an outbox row's states.
SUBSCRIPTION_CHANNELS = ("email", "webhook", "feed")
SUBSCRIPTION_MODES = ("immediate", "daily", "weekly")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed")
HEALTH_KINDS = ("failing", "empty", "parse_failures")


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


class Instrument(Base):
    """One legal document, wherever it is published (keyed on its number when it has one).

    ``key`` is ``<series>/<type>/<year>/<seq>`` for numbered documents (series: the issuing
    body whose numbering it follows, e.g. ``商务部/公告/2025/58`` for a joint MOFCOM–GAC
    announcement) and ``doc/<document id>`` for un-numbered pages (news, remarks).
    """

    __tablename__ = "instruments"
    __table_args__ = (CheckConstraint(_one_of("status", INSTRUMENT_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(128), unique=True)
    number_text: Mapped[str | None] = mapped_column(Text)
    issuers: Mapped[list[str] | None] = mapped_column(JSON)
    doc_type: Mapped[str | None] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(Integer)
    seq: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str | None] = mapped_column(Text)
    publish_date: Mapped[date | None] = mapped_column(Date)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="active")
    current_snapshot_id: Mapped[int | None] = mapped_column(
        ForeignKey("instrument_snapshots.id", use_alter=True)
    )
    #: The current snapshot's dates and relations only (``db.status.timeline_of``): what status
    #: questions need, without the items.
    timeline: Mapped[dict[str, Any] | None]


class InstrumentLocation(Base):
    """Where an instrument is published: one stored document (URL) belongs to one instrument."""

    __tablename__ = "instrument_locations"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), index=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The parsed record of this document last taken into account (version, parser, hash).
    processed_version_id: Mapped[int | None] = mapped_column(Integer)
    processed_parser: Mapped[str | None] = mapped_column(String(32))
    processed_record_hash: Mapped[str | None] = mapped_column(String(64))


class InstrumentSnapshot(Base):
    """The facts of an instrument as parsed from one version by one parser (append-only)."""

    __tablename__ = "instrument_snapshots"
    __table_args__ = (UniqueConstraint("instrument_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    seq: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("document_versions.id"))
    parser_version: Mapped[str] = mapped_column(String(32))
    facts_hash: Mapped[str] = mapped_column(String(64))
    #: The parsed record without ``text``, ``url``, ``warnings`` and spans' text positions.
    facts: Mapped[dict[str, Any]]
    #: content: the document (or an annex) changed; parser: only the parser did.
    cause: Mapped[str] = mapped_column(String(16))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeEvent(Base):
    """One change detected in the watched regime (append-only; ``dedupe_key`` makes replays safe).

    ``before``/``after`` hold the values that changed (an item, a window, a threshold list);
    ``details`` holds what a reader needs besides (changed fields, a text diff, the causing
    instrument). ``effective_on`` is the date the change applies in law, when there is one.
    """

    __tablename__ = "change_events"
    __table_args__ = (
        CheckConstraint(_one_of("kind", CHANGE_KINDS), name="kind"),
        CheckConstraint(_one_of("cause", CHANGE_CAUSES), name="cause"),
        Index("ix_change_events_detected_at", "detected_at"),
        Index("ix_change_events_run_id", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(String(16))
    instrument_id: Mapped[int | None] = mapped_column(ForeignKey("instruments.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    version_id: Mapped[int | None] = mapped_column(ForeignKey("document_versions.id"))
    #: The instrument that caused it (the suspending announcement for ``measure_suspended``).
    caused_by_id: Mapped[int | None] = mapped_column(ForeignKey("instruments.id"))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    effective_on: Mapped[date | None] = mapped_column(Date)
    subject: Mapped[str | None] = mapped_column(Text)
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    details: Mapped[dict[str, Any] | None]
    summary_zh: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)


class MeasureState(Base):
    """The last computed status of one scope of an instrument's measures (``all`` or a clause
    list such as ``一(一),一(二)``); a change of status is a ``measure_*`` event."""

    __tablename__ = "measure_states"

    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), primary_key=True)
    scope: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    since: Mapped[date | None] = mapped_column(Date)
    until: Mapped[date | None] = mapped_column(Date)
    by_key: Mapped[str | None] = mapped_column(String(128))
    #: The day the status was last computed for (``today`` of that pass), and when.
    evaluated_on: Mapped[date] = mapped_column(Date)
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ControlItem(Base):
    """A controlled item of an instrument's latest snapshot (derived; rebuilt with it)."""

    __tablename__ = "control_items"
    __table_args__ = (
        UniqueConstraint("instrument_id", "ordinal"),
        Index("ix_control_items_code", "code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(Text)
    hs_codes: Mapped[list[str]] = mapped_column(JSON)
    thresholds: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    clause: Mapped[str | None] = mapped_column(String(64))
    parent_code: Mapped[str | None] = mapped_column(String(64))


class ListedEntity(Base):
    """An entity an instrument lists or delists (derived from its latest snapshot)."""

    __tablename__ = "listed_entities"
    __table_args__ = (UniqueConstraint("instrument_id", "ordinal"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instruments.id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    key: Mapped[str] = mapped_column(Text)
    name_zh: Mapped[str | None] = mapped_column(Text)
    name_en: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(8))
    list: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(16))


class Subscription(Base):
    """Who wants which change events, through which channel and how often (issue 5).

    ``last_event_id`` is the high-water mark: every change event with a smaller or equal id has
    been considered for this subscription (put in an outbox row or filtered out). It moves in
    the same transaction as the outbox rows it produced, so a replay never selects an event
    twice. ``digest_slot`` is the last digest time already handled (daily/weekly modes).
    """

    __tablename__ = "subscriptions"
    __table_args__ = (
        CheckConstraint(_one_of("channel", SUBSCRIPTION_CHANNELS), name="channel"),
        CheckConstraint(_one_of("mode", SUBSCRIPTION_MODES), name="mode"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    #: An email address (email), a URL (webhook), None (feed only).
    target: Mapped[str | None] = mapped_column(Text)
    filters: Mapped[dict[str, Any]]
    mode: Mapped[str] = mapped_column(String(16), default="immediate")
    digest_hour: Mapped[int] = mapped_column(Integer, default=8)
    #: 0 = Monday … 6 = Sunday (weekly digests).
    digest_weekday: Mapped[int] = mapped_column(Integer, default=0)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    digest_slot: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Delivery(Base):
    """The outbox: one message for one recipient (an event group and a subscription, or a
    health notice for the administrator).

    ``dedupe_key`` is unique, so a group is queued once; ``payload`` is the finished message
    (the whole RFC 5322 email or the webhook's JSON body), so a retry sends the same bytes with
    the same ``message_id``. ``sending`` is written and committed before each attempt: a row
    found in that state was interrupted mid-send and is sent again (see README, exactly once).
    """

    __tablename__ = "alert_deliveries"
    __table_args__ = (
        CheckConstraint(_one_of("status", DELIVERY_STATUSES), name="status"),
        Index("ix_alert_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(255), unique=True)
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("subscriptions.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(Text)
    event_ids: Mapped[list[int]] = mapped_column(JSON)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    #: How it left: smtp, file (outbox directory) or http.
    transport: Mapped[str | None] = mapped_column(String(16))


class HealthIncident(Base):
    """A source found unwell by the health monitor, from the run that opened it to the run
    that saw it well again. At most one open incident per (source, kind)."""

    __tablename__ = "health_incidents"
    __table_args__ = (
        CheckConstraint(_one_of("kind", HEALTH_KINDS), name="kind"),
        Index("ix_health_incidents_source_kind", "source", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None]
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    resolved_at: Mapped[datetime | None]
    resolved_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))


@event.listens_for(DocumentVersion, "before_update")
@event.listens_for(DocumentVersion, "before_delete")
@event.listens_for(InstrumentSnapshot, "before_update")
@event.listens_for(InstrumentSnapshot, "before_delete")
@event.listens_for(ChangeEvent, "before_update")
@event.listens_for(ChangeEvent, "before_delete")
def _history_is_append_only(_mapper: Any, _connection: Any, target: Any) -> None:
    """Refuse ORM updates/deletes of versions, snapshots and events: history is never rewritten."""
    raise DBError(f"{target.__tablename__} is append-only: row {target.id} cannot change")


#: Core tables of the derived and append-only rows, for bulk statements that bypass the ORM.
CONTROL_ITEMS = cast(Table, ControlItem.__table__)
LISTED_ENTITIES = cast(Table, ListedEntity.__table__)
CHANGE_EVENTS = cast(Table, ChangeEvent.__table__)
