"""Change events: from parsed records to instruments, snapshots and what changed.

``process_changes`` is the stage after parsing. It reads only what earlier stages wrote
(documents, versions, parsed records, the fetch log) and writes instruments, snapshots, events,
measure states and the derived item and entity rows. Documents are taken in batches, one
transaction per batch and a SAVEPOINT per document, so a crash loses at most the batch in flight
(its documents are still pending and the next run redoes them) and one bad document never
stops the rest.

Invariants:
- Replaying is harmless. A document is processed again only when its (version, parser,
  record hash) differs from the one its location last took into account; a snapshot is added
  only when the facts hash differs from the instrument's latest snapshot; every event carries a
  unique ``dedupe_key``. Running twice creates nothing new.
- Edit and edit back are two snapshots and two ``document_changed`` events.
- Parser changes are told apart from content changes: a new parser on an unchanged version, or
  the part of a content change that the new parser alone explains (the previous version is
  re-parsed first), gives events with cause ``parser``, which are never alerted.
- One announcement on several URLs or sites is one instrument (keyed on its number) with several
  locations; its facts come from its primary location (the earliest one still online).
- Only a source run that finished ``ok`` may conclude that a page disappeared (portal shell).
- ``measure_*`` events are status transitions (``db.status``) of an instrument's scopes as of
  ``today``; a status first computed for a new instrument is recorded without an event (its
  ``document_added`` says it all).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

import parsers
from db import textdiff
from db.events import ChangeStats, emit, event_row, store_events
from db.facts import (
    Draft,
    diff_facts,
    facts_hash,
    facts_of,
    instrument_key,
    keyed_entities,
    keyed_items,
)
from db.measures import update_measures
from db.schema import (
    CONTROL_ITEMS,
    LISTED_ENTITIES,
    ChangeEvent,
    Document,
    DocumentVersion,
    FetchLog,
    Instrument,
    InstrumentLocation,
    InstrumentSnapshot,
    ParsedRecord,
    SourceRun,
)
from db.status import InstrumentFacts, timeline_of
from db.types import utcnow

log = logging.getLogger(__name__)

#: Documents per transaction: a crash loses at most one batch, which the next run redoes.
BATCH = 100
#: Re-parse one stored version with the current parsers (annexes merged); None when impossible.
Reparse = Callable[[Session, int], dict[str, Any] | None]


# --- instruments and snapshots -------------------------------------------------------------


@dataclass(frozen=True)
class _Pending:
    document_id: int
    version_id: int
    record_id: int
    record_hash: str


def _pending(s: Session, parser_version: str) -> list[_Pending]:
    """Articles whose current parsed record has not been taken into account yet."""
    loc = InstrumentLocation
    rows = s.execute(
        select(Document.id, Document.current_version_id, ParsedRecord.id, ParsedRecord.record_hash)
        .join(
            ParsedRecord,
            and_(
                ParsedRecord.version_id == Document.current_version_id,
                ParsedRecord.parser_version == parser_version,
            ),
        )
        .outerjoin(loc, loc.document_id == Document.id)
        .where(
            Document.kind == "article",
            or_(
                loc.document_id.is_(None),
                loc.processed_version_id.is_(None),
                loc.processed_version_id != Document.current_version_id,
                loc.processed_parser != parser_version,
                loc.processed_record_hash != ParsedRecord.record_hash,
            ),
        )
        .order_by(Document.first_seen_at, Document.id)
    )
    return [_Pending(d, v, r, h) for d, v, r, h in rows if v is not None]


class _Batch:
    """What one batch of documents needs, loaded with a handful of queries, kept up to date as
    the batch creates instruments, locations and snapshots."""

    def __init__(self, s: Session, pending: list[_Pending]) -> None:
        doc_ids = [p.document_id for p in pending]
        self.records: dict[int, dict[str, Any]] = {
            rid: rec
            for rid, rec in s.execute(
                select(ParsedRecord.id, ParsedRecord.record).where(
                    ParsedRecord.id.in_([p.record_id for p in pending])
                )
            )
        }
        self.docs = {d.id: d for d in s.scalars(select(Document).where(Document.id.in_(doc_ids)))}
        self.locations = {
            loc.document_id: loc
            for loc in s.scalars(
                select(InstrumentLocation).where(InstrumentLocation.document_id.in_(doc_ids))
            )
        }
        keys = {self.key(p.document_id, self.records.get(p.record_id) or {}) for p in pending}
        self.instruments = {
            i.key: i for i in s.scalars(select(Instrument).where(Instrument.key.in_(keys)))
        }
        self.snapshots = {
            snap.id: snap
            for snap in s.scalars(
                select(InstrumentSnapshot).where(
                    InstrumentSnapshot.id.in_(
                        [i.current_snapshot_id for i in self.instruments.values()]
                    )
                )
            )
        }
        self.members: dict[int, list[tuple[int, str]]] = {}
        for instrument_id, doc_id, status in s.execute(
            select(InstrumentLocation.instrument_id, Document.id, Document.status)
            .join(Document, Document.id == InstrumentLocation.document_id)
            .where(InstrumentLocation.instrument_id.in_([i.id for i in self.instruments.values()]))
            .order_by(Document.id)
        ):
            self.members.setdefault(instrument_id, []).append((doc_id, status))

    @staticmethod
    def key(document_id: int, record: dict[str, Any]) -> str:
        return instrument_key(record) or f"doc/{document_id}"

    def instrument(self, s: Session, key: str, record: dict[str, Any], doc: Document) -> Instrument:
        inst = self.instruments.get(key)
        if inst is None:
            inst = Instrument(key=key, first_seen_at=doc.first_seen_at, status="active")
            s.add(inst)
            self.instruments[key] = inst
        numbers = record.get("numbers") or []
        if numbers and not key.startswith("doc/"):
            n = numbers[0]
            inst.number_text, inst.issuers = n.get("text"), n.get("issuers")
            inst.doc_type, inst.year, inst.seq = n.get("type"), n.get("year"), n.get("seq")
        inst.kind, inst.title = record.get("kind"), record.get("title") or inst.title
        published = record.get("publish_date")
        inst.publish_date = date.fromisoformat(published) if published else inst.publish_date
        if doc.first_seen_at < inst.first_seen_at:
            inst.first_seen_at = doc.first_seen_at
        if inst.id is None:
            s.flush()
        return inst

    def locate(self, s: Session, inst: Instrument, doc: Document) -> InstrumentLocation:
        loc = self.locations.get(doc.id)
        if loc is None:
            loc = InstrumentLocation(document_id=doc.id, instrument_id=inst.id, added_at=utcnow())
            s.add(loc)
            self.locations[doc.id] = loc
        elif loc.instrument_id != inst.id:
            log.warning(
                "document %s now carries the number of %s (was instrument %s); moved",
                doc.id,
                inst.key,
                loc.instrument_id,
            )
            members = self.members.get(loc.instrument_id, [])
            self.members[loc.instrument_id] = [m for m in members if m[0] != doc.id]
            loc.instrument_id = inst.id
        members = self.members.setdefault(inst.id, [])
        if all(d != doc.id for d, _ in members):
            members.append((doc.id, doc.status))
            members.sort()
        return loc

    def primary(self, instrument_id: int) -> int | None:
        """The earliest location still online (else the earliest of all)."""
        members = self.members.get(instrument_id, [])
        active = [d for d, status in members if status == "active"]
        candidates = active or [d for d, _ in members]
        return candidates[0] if candidates else None

    def latest(self, s: Session, inst: Instrument) -> InstrumentSnapshot | None:
        if inst.current_snapshot_id is None:
            return None
        snap = self.snapshots.get(inst.current_snapshot_id)
        if snap is None:
            snap = s.get(InstrumentSnapshot, inst.current_snapshot_id)
        return snap


def _snapshot(
    s: Session,
    inst: Instrument,
    latest: InstrumentSnapshot | None,
    *,
    doc_id: int,
    version_id: int,
    parser_version: str,
    facts: dict[str, Any],
    cause: str,
    run_id: int | None,
    now: datetime,
) -> InstrumentSnapshot:
    first = latest is None
    snap = InstrumentSnapshot(
        instrument_id=inst.id,
        seq=1 if latest is None else latest.seq + 1,
        document_id=doc_id,
        version_id=version_id,
        parser_version=parser_version,
        facts_hash=facts_hash(facts),
        facts=facts,
        cause=cause,
        run_id=run_id,
        created_at=now,
    )
    s.add(snap)
    s.flush()
    inst.current_snapshot_id = snap.id
    inst.timeline = timeline_of(facts)
    _rebuild_derived(s, inst.id, facts, first=first)
    return snap


def _rebuild_derived(
    s: Session, instrument_id: int, facts: dict[str, Any], *, first: bool = False
) -> None:
    # Core statements on the session's connection: no ORM bookkeeping for derived rows
    conn = s.connection()
    if not first:
        items_table, entities_table = CONTROL_ITEMS, LISTED_ENTITIES
        conn.execute(delete(items_table).where(items_table.c.instrument_id == instrument_id))
        conn.execute(delete(entities_table).where(entities_table.c.instrument_id == instrument_id))
    items = [
        {
            "instrument_id": instrument_id,
            "ordinal": i,
            "key": key,
            "code": item.get("code"),
            "name": item.get("name") or "",
            "hs_codes": item.get("hs_codes") or [],
            "thresholds": item.get("thresholds") or [],
            "clause": item.get("clause"),
            "parent_code": item.get("parent_code"),
        }
        for i, (key, item) in enumerate(keyed_items(facts.get("items") or []).items())
    ]
    if items:
        conn.execute(insert(CONTROL_ITEMS), items)
    entities = [
        {
            "instrument_id": instrument_id,
            "ordinal": i,
            "key": key,
            "name_zh": e.get("name_zh"),
            "name_en": e.get("name_en"),
            "country": e.get("country"),
            "list": e.get("list") or "other",
            "action": e.get("action") or "add",
        }
        for i, (key, e) in enumerate(keyed_entities(facts.get("entities") or []).items())
    ]
    if entities:
        conn.execute(insert(LISTED_ENTITIES), entities)


def _version_texts(s: Session, *version_ids: int) -> list[str]:
    found = dict(
        s.execute(
            select(DocumentVersion.id, DocumentVersion.text).where(
                DocumentVersion.id.in_(version_ids)
            )
        ).all()
    )
    return [found.get(v) or "" for v in version_ids]


def _snapshot_events(
    s: Session,
    stats: ChangeStats,
    inst: Instrument,
    old: InstrumentSnapshot | None,
    new: InstrumentSnapshot,
    *,
    run_id: int | None,
    now: datetime,
    summary_en: str | None,
) -> None:
    drafts = diff_facts(old.facts if old else None, new.facts)
    first_effective = InstrumentFacts.from_facts(inst.key, new.facts).effective_date()
    rows = []
    for i, draft in enumerate(drafts):
        if (
            draft.kind == "document_changed"
            and old is not None
            and old.version_id != new.version_id
        ):
            diff = textdiff.unified(
                *_version_texts(s, old.version_id, new.version_id),
                old_label=f"version {old.version_id}",
                new_label=f"version {new.version_id}",
            )
            draft = Draft(
                draft.kind,
                draft.subject,
                draft.before,
                draft.after,
                {**draft.details, "text_diff": diff},
            )
        rows.append(
            event_row(
                dedupe_key=f"snap|{inst.key}|{new.seq}|{i}|{draft.kind}",
                kind=draft.kind,
                cause=new.cause,
                inst=inst,
                draft=draft,
                run_id=run_id,
                now=now,
                document_id=new.document_id,
                version_id=new.version_id,
                effective_on=first_effective if draft.kind != "document_changed" else None,
                extra={"summary_en": summary_en},
            )
        )
    store_events(s, stats, rows, known_new=True)


def apply_record(
    s: Session,
    stats: ChangeStats,
    *,
    document_id: int,
    version_id: int,
    parser_version: str,
    record: dict[str, Any],
    record_hash: str,
    reparse: Reparse | None,
    run_id: int | None,
    now: datetime,
    batch: _Batch,
) -> None:
    """Take one document's current parsed record into account (the caller commits);
    ``batch`` holds what its batch preloaded."""
    doc = batch.docs.get(document_id)
    if doc is None:
        return
    key = batch.key(document_id, record)
    inst = batch.instrument(s, key, record, doc)
    loc = batch.locate(s, inst, doc)
    loc.processed_version_id, loc.processed_parser, loc.processed_record_hash = (
        version_id,
        parser_version,
        record_hash,
    )
    stats.documents += 1
    if batch.primary(inst.id) != document_id:
        return  # a copy on another URL: the primary location speaks for the instrument
    facts = facts_of(record)
    latest = batch.latest(s, inst)
    if latest is not None and latest.facts_hash == facts_hash(facts):
        return
    cause = "content"
    if (
        latest is not None
        and latest.version_id == version_id
        and latest.parser_version != parser_version
    ):
        cause = "parser"
    elif latest is not None and latest.parser_version != parser_version and reparse is not None:
        # separate what the new parser alone changes from what the new version changes
        old_record = reparse(s, latest.version_id)
        if old_record is not None:
            old_facts = facts_of(old_record)
            if facts_hash(old_facts) != latest.facts_hash:
                bridge = _snapshot(
                    s,
                    inst,
                    latest,
                    doc_id=latest.document_id,
                    version_id=latest.version_id,
                    parser_version=parser_version,
                    facts=old_facts,
                    cause="parser",
                    run_id=run_id,
                    now=now,
                )
                _snapshot_events(
                    s, stats, inst, latest, bridge, run_id=run_id, now=now, summary_en=None
                )
                stats.snapshots += 1
                latest = bridge
                if latest.facts_hash == facts_hash(facts):
                    return
    snap = _snapshot(
        s,
        inst,
        latest,
        doc_id=document_id,
        version_id=version_id,
        parser_version=parser_version,
        facts=facts,
        cause=cause,
        run_id=run_id,
        now=now,
    )
    stats.snapshots += 1
    _snapshot_events(
        s, stats, inst, latest, snap, run_id=run_id, now=now, summary_en=record.get("summary_en")
    )


# --- delisting and restoring ------------------------------------------------------------------


def _delistings(s: Session, stats: ChangeStats, run_id: int, now: datetime) -> None:
    """Documents that answered with the portal shell in a source run that finished ok."""
    ok_sources = set(
        s.scalars(
            select(SourceRun.source).where(SourceRun.run_id == run_id, SourceRun.status == "ok")
        )
    )
    if not ok_sources:
        return
    shells = s.execute(
        select(FetchLog.url, FetchLog.source, FetchLog.fetched_at).where(
            FetchLog.run_id == run_id,
            FetchLog.outcome == "portal_shell",
            FetchLog.kind == "article",
        )
    ).all()
    for url, source, fetched_at in shells:
        if source not in ok_sources:
            continue
        doc = s.scalar(select(Document).where(Document.canonical_url == parsers.canonical_url(url)))
        if doc is None or doc.status == "delisted":
            continue
        doc.status, doc.delisted_at = "delisted", fetched_at
        _site_event(s, stats, doc, "document_delisted", run_id, now, when=fetched_at)


def _restorations(s: Session, stats: ChangeStats, run_id: int | None, now: datetime) -> None:
    """Documents whose last site event is a delisting but that serve content again."""
    last_site_event = (
        select(ChangeEvent.document_id, func.max(ChangeEvent.id).label("last_id"))
        .where(ChangeEvent.kind.in_(("document_delisted", "document_restored")))
        .group_by(ChangeEvent.document_id)
        .subquery()
    )
    rows = s.execute(
        select(Document, ChangeEvent.kind)
        .join(last_site_event, last_site_event.c.document_id == Document.id)
        .join(ChangeEvent, ChangeEvent.id == last_site_event.c.last_id)
        .where(Document.status == "active")
    ).all()
    for doc, kind in rows:
        if kind == "document_delisted":
            _site_event(
                s, stats, doc, "document_restored", run_id, now, when=doc.last_fetched_at or now
            )


def _site_event(
    s: Session,
    stats: ChangeStats,
    doc: Document,
    kind: str,
    run_id: int | None,
    now: datetime,
    when: datetime,
) -> None:
    loc = s.get(InstrumentLocation, doc.id)
    if loc is None:
        return  # never parsed into an instrument (e.g. an annex): nothing to tell
    inst = s.get(Instrument, loc.instrument_id)
    assert inst is not None
    online = [
        d
        for d in s.scalars(
            select(Document.status)
            .join(InstrumentLocation, InstrumentLocation.document_id == Document.id)
            .where(InstrumentLocation.instrument_id == inst.id)
        )
        if d == "active"
    ]
    inst.status = "active" if online else "delisted"
    draft = Draft(
        kind, inst.title, None, None, {"url": doc.canonical_url, "locations_online": len(online)}
    )
    emit(
        s,
        stats,
        dedupe_key=f"site|{doc.id}|{kind}|{when.isoformat()}",
        kind=kind,
        cause="site",
        inst=inst,
        draft=draft,
        run_id=run_id,
        now=now,
        document_id=doc.id,
        version_id=doc.current_version_id,
    )


# --- the stage ------------------------------------------------------------------------------


def _apply_batch(
    s: Session,
    stats: ChangeStats,
    pending: list[_Pending],
    parser_version: str,
    reparse: Reparse | None,
    run_id: int | None,
    now: datetime,
) -> None:
    """A batch of documents, each in its own SAVEPOINT: a failure is logged (the document stays
    pending and is retried next run) and the batch's cache is reloaded for the rest."""
    batch = _Batch(s, pending)
    for n, p in enumerate(pending):
        try:
            with s.begin_nested():
                record = batch.records.get(p.record_id)
                if record is not None:
                    apply_record(
                        s,
                        stats,
                        document_id=p.document_id,
                        version_id=p.version_id,
                        parser_version=parser_version,
                        record=record,
                        record_hash=p.record_hash,
                        reparse=reparse,
                        run_id=run_id,
                        now=now,
                        batch=batch,
                    )
        except Exception as exc:  # one bad document must not stop the rest
            stats.failed += 1
            log.warning(
                "change detection failed for document %s: %s: %s",
                p.document_id,
                type(exc).__name__,
                exc,
            )
            if n + 1 < len(pending):
                batch = _Batch(s, pending[n + 1 :])


def process_changes(
    sessions: Callable[[], Session],
    *,
    parser_version: str,
    reparse: Reparse | None = None,
    run_id: int | None = None,
    now: datetime | None = None,
    today: date | None = None,
) -> ChangeStats:
    """Turn new parsed records, delistings and the passing of time into change events.

    Args:
        sessions: Session factory; every unit of work commits on its own.
        parser_version: The parser version whose records count.
        reparse: Re-parses a stored version with the current parsers (to tell parser changes
            from content changes); without it a mixed change counts as content.
        run_id: The crawl run this pass belongs to (delistings are read from its fetch log).
        now: Detection time (default: the real clock).
        today: The day statuses are computed for (default: ``now``'s date, UTC).

    Returns:
        Counts of what was created.
    """
    now = now or utcnow()
    today = today or now.date()
    stats = ChangeStats()
    with sessions() as s:
        pending = _pending(s, parser_version)
    for first in range(0, len(pending), BATCH):
        with sessions() as s:
            _apply_batch(
                s, stats, pending[first : first + BATCH], parser_version, reparse, run_id, now
            )
            s.commit()
    with sessions() as s:
        if run_id is not None:
            _delistings(s, stats, run_id, now)
        _restorations(s, stats, run_id, now)
        s.commit()
    with sessions() as s:
        update_measures(s, stats, run_id, now, today)
        s.commit()
    return stats
