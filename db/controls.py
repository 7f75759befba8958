"""The consolidated, time-aware view: what was controlled (and who was listed) on a day.

Built from each instrument's latest snapshot (``control_items``, ``listed_entities``) and the
status rules of ``db.status``: every row carries its status on the day and the instrument that
caused that status. An instrument published after the day is not in the view. The view is the
regime *as known now*: an item that a later edit removed from an announcement is not shown for
earlier days either (its removal is a change event).

Entities: an entity is keyed on its list and name; its latest listing or delisting decision in
effect on the day decides (a delisting shows the entity as ``lifted`` by that decision).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Text, or_, select, type_coerce
from sqlalchemy.orm import Session

from db.events import label_zh
from db.facts import norm_name
from db.measures import regime
from db.schema import (
    ChangeEvent,
    ControlItem,
    Document,
    DocumentVersion,
    Instrument,
    InstrumentLocation,
    ListedEntity,
)
from db.status import Regime, Status


@dataclass(frozen=True)
class ControlRow:
    """One controlled item on a day."""

    code: str | None
    name: str
    hs_codes: list[str]
    thresholds: list[dict[str, Any]]
    clause: str | None
    parent_code: str | None
    status: str
    since: str | None
    until: str | None
    instrument: str
    instrument_key: str
    status_by: str
    url: str | None
    item_key: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class EntityRow:
    """One entity's standing on a list on a day."""

    name_zh: str | None
    name_en: str | None
    country: str | None
    list: str
    status: str
    since: str | None
    until: str | None
    instrument: str
    instrument_key: str
    status_by: str
    entity_key: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Difference:
    """How one row differs between two days (``added``, ``removed`` or ``changed``)."""

    change: str
    key: str
    label: str
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Labels:
    """Instrument names and primary URLs, looked up once per query."""

    def __init__(self, s: Session, instruments: dict[str, Instrument]) -> None:
        self.instruments = instruments
        self.urls: dict[int, str] = {}
        rows = s.execute(
            select(InstrumentLocation.instrument_id, Document.status, Document.canonical_url)
            .join(Document, Document.id == InstrumentLocation.document_id)
            .order_by(Document.id)
        )
        fallback: dict[int, str] = {}
        for instrument_id, status, url in rows:
            fallback.setdefault(instrument_id, url)
            if status == "active":
                self.urls.setdefault(instrument_id, url)
        for instrument_id, url in fallback.items():
            self.urls.setdefault(instrument_id, url)

    def name(self, key: str) -> str:
        inst = self.instruments.get(key)
        return label_zh(inst) if inst else key

    def url(self, inst: Instrument) -> str | None:
        return self.urls.get(inst.id)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _status_cached(
    reg: Regime,
    cache: dict[tuple[str, str | None], Status | None],
    key: str,
    on: date,
    clause: str | None,
) -> Status | None:
    if (key, clause) not in cache:
        cache[(key, clause)] = reg.status(key, on, clause)
    return cache[(key, clause)]


def controls_as_of(s: Session, on: date) -> list[ControlRow]:
    """Every controlled item of every instrument published by ``on``, with its status that day."""
    reg, instruments = regime(s)
    labels = _Labels(s, instruments)
    by_id = {inst.id: inst for inst in instruments.values()}
    # clause-level answers only matter for instruments with clause-level dates or suspensions
    clause_aware = {k for k, f in reg.by_key.items() if len(f.scopes()) > 1} | {
        k for k, ws in reg.windows.items() if any(w.scope != "all" for w in ws)
    }
    cache: dict[tuple[str, str | None], Status | None] = {}
    names: dict[str, str] = {}
    rows = []
    items = s.execute(
        select(
            ControlItem.instrument_id,
            ControlItem.key,
            ControlItem.code,
            ControlItem.name,
            type_coerce(ControlItem.hs_codes, Text),
            type_coerce(ControlItem.thresholds, Text),
            ControlItem.clause,
            ControlItem.parent_code,
        ).order_by(ControlItem.instrument_id, ControlItem.ordinal)
    ).all()
    # one JSON parse for every item's HS codes and thresholds (10,000 small parses cost more
    # than the rest of the query)
    lists = json.loads(
        "[" + ",".join(f"{hs or '[]'},{th or '[]'}" for *_, hs, th, _, _ in items) + "]"
    )
    for n, (instrument_id, key, code, name, _, _, clause, parent_code) in enumerate(items):
        hs_codes, thresholds = lists[2 * n], lists[2 * n + 1]
        inst = by_id.get(instrument_id)
        if inst is None:
            continue
        status = _status_cached(
            reg, cache, inst.key, on, clause if inst.key in clause_aware else None
        )
        if status is None:
            continue
        if inst.key not in names:
            names[inst.key] = labels.name(inst.key)
        if status.by not in names:
            names[status.by] = labels.name(status.by)
        rows.append(
            ControlRow(
                code=code,
                name=name,
                hs_codes=hs_codes or [],
                thresholds=thresholds or [],
                clause=clause,
                parent_code=parent_code,
                status=status.status,
                since=_iso(status.since),
                until=_iso(status.until),
                instrument=names[inst.key],
                instrument_key=inst.key,
                status_by=names[status.by],
                url=labels.url(inst),
                item_key=f"{inst.key}|{key}",
            )
        )
    rows.sort(key=lambda r: (r.code or "~", r.instrument_key, r.item_key))
    return rows


def entities_as_of(s: Session, on: date, list_name: str | None = None) -> list[EntityRow]:
    """Each entity's standing on its list on ``on`` (latest decision in effect wins)."""
    reg, instruments = regime(s)
    labels = _Labels(s, instruments)
    by_id = {inst.id: inst for inst in instruments.values()}
    latest: dict[str, tuple[date, int, ListedEntity, Instrument, Status]] = {}
    query = select(ListedEntity).order_by(ListedEntity.instrument_id, ListedEntity.ordinal)
    if list_name:
        query = query.where(ListedEntity.list == list_name)
    for e in s.scalars(query):
        inst = by_id.get(e.instrument_id)
        status = reg.status(inst.key, on) if inst else None
        if inst is None or status is None:
            continue
        key = f"{e.list}:{norm_name(e.name_en) or norm_name(e.name_zh)}"
        decided = reg.by_key[inst.key].effective_date() or inst.publish_date or date.min
        if status.status == "pending" and key in latest:
            continue  # a decision not yet in effect does not replace one that is
        rank = (decided, inst.id)
        if key not in latest or rank >= latest[key][:2]:
            latest[key] = (decided, inst.id, e, inst, status)
    rows = []
    for key, (_, _, e, inst, status) in latest.items():
        standing = status.status
        if e.action == "remove" and standing in ("in_force", "suspended"):
            standing = "lifted"  # taken off the list by this decision
        rows.append(
            EntityRow(
                name_zh=e.name_zh,
                name_en=e.name_en,
                country=e.country,
                list=e.list,
                status=standing,
                since=_iso(status.since),
                until=_iso(status.until),
                instrument=labels.name(inst.key),
                instrument_key=inst.key,
                status_by=labels.name(status.by),
                entity_key=key,
            )
        )
    rows.sort(key=lambda r: (r.list, r.name_en or r.name_zh or ""))
    return rows


def _compare(
    before: dict[str, tuple[str, str]], after: dict[str, tuple[str, str]]
) -> list[Difference]:
    out = []
    for key, (label, status) in after.items():
        if key not in before:
            out.append(Difference("added", key, label, None, status))
        elif before[key][1] != status:
            out.append(Difference("changed", key, label, before[key][1], status))
    for key, (label, status) in before.items():
        if key not in after:
            out.append(Difference("removed", key, label, status, None))
    return sorted(out, key=lambda d: (d.change, d.key))


def _status_label(status: str, by: str, until: str | None) -> str:
    return f"{status} ({by}{', until ' + until if until else ''})"


def compare_controls(s: Session, first: date, second: date) -> list[Difference]:
    """Items added, removed or whose status changed between two days."""

    def view(on: date) -> dict[str, tuple[str, str]]:
        return {
            r.item_key: (
                f"{r.code or ''} {r.name}".strip(),
                _status_label(r.status, r.status_by, r.until),
            )
            for r in controls_as_of(s, on)
        }

    return _compare(view(first), view(second))


def compare_entities(
    s: Session, first: date, second: date, list_name: str | None = None
) -> list[Difference]:
    """Entities added, removed or whose standing changed between two days."""

    def view(on: date) -> dict[str, tuple[str, str]]:
        return {
            r.entity_key: (
                r.name_zh or r.name_en or "?",
                _status_label(r.status, r.status_by, r.until),
            )
            for r in entities_as_of(s, on, list_name)
        }

    return _compare(view(first), view(second))


# --- change events and version texts (read side) ----------------------------------------------


def change_events(
    s: Session,
    *,
    since: date | None = None,
    kinds: list[str] | None = None,
    causes: list[str] | None = None,
    instrument_key: str | None = None,
    run_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Change events, oldest first, as flat dicts (with the instrument's number and key)."""
    query = (
        select(ChangeEvent, Instrument.key)
        .outerjoin(Instrument, Instrument.id == ChangeEvent.instrument_id)
        .order_by(ChangeEvent.id)
    )
    if since is not None:
        start = datetime.combine(since, time.min, tzinfo=UTC)
        query = query.where(
            or_(ChangeEvent.detected_at >= start, ChangeEvent.effective_on >= since)
        )
    if kinds:
        query = query.where(ChangeEvent.kind.in_(kinds))
    if causes:
        query = query.where(ChangeEvent.cause.in_(causes))
    if instrument_key:
        query = query.where(Instrument.key == instrument_key)
    if run_id is not None:
        query = query.where(ChangeEvent.run_id == run_id)
    rows = s.execute(query).all()
    if limit is not None:
        rows = rows[-limit:]
    return [
        {
            "id": e.id,
            "detected_at": e.detected_at,
            "run_id": e.run_id,
            "kind": e.kind,
            "cause": e.cause,
            "effective_on": e.effective_on,
            "instrument": key,
            "document_id": e.document_id,
            "subject": e.subject,
            "summary_zh": e.summary_zh,
            "summary_en": e.summary_en,
            "before": e.before,
            "after": e.after,
            "details": e.details,
        }
        for e, key in rows
    ]


@dataclass(frozen=True)
class VersionText:
    """One stored version's extracted text."""

    seq: int
    version_id: int
    fetched_at: datetime
    text: str


def version_texts(s: Session, document_id: int) -> list[VersionText]:
    """Every version of a document with its extracted text, oldest first."""
    rows = s.execute(
        select(
            DocumentVersion.seq,
            DocumentVersion.id,
            DocumentVersion.fetched_at,
            DocumentVersion.text,
        )
        .where(DocumentVersion.document_id == document_id)
        .order_by(DocumentVersion.seq)
    ).all()
    return [VersionText(seq, vid, when, text or "") for seq, vid, when, text in rows]
