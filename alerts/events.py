"""Change events as alerting reads them: each event with its instrument, facts and official URL.

Read-only. Events are selected by id (``after_id < id <= upto_id``), never by time, so the same
call returns the same events however late it runs. Events caused only by a parser change are
never returned (they are corrections of our reading, not changes in the regime).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.schema import (
    ChangeEvent,
    Document,
    Instrument,
    InstrumentLocation,
    InstrumentSnapshot,
)

#: Causes that are never alerted.
SILENT_CAUSES = ("parser",)


@dataclass(frozen=True)
class InstrumentView:
    """One legal document as an alert shows it (facts from its current snapshot)."""

    id: int
    key: str
    number_text: str | None
    issuers: tuple[str, ...]
    kind: str | None
    title: str | None
    publish_date: date | None
    facts: dict[str, Any]
    urls: tuple[str, ...]

    @property
    def url(self) -> str | None:
        return self.urls[0] if self.urls else None


@dataclass(frozen=True)
class EventView:
    """A change event with what filters and templates need besides its own columns."""

    id: int
    kind: str
    cause: str
    run_id: int | None
    detected_at: datetime
    effective_on: date | None
    subject: str | None
    before: Any
    after: Any
    details: dict[str, Any]
    summary_zh: str
    summary_en: str
    instrument: InstrumentView | None = None
    caused_by: InstrumentView | None = None
    url: str | None = None
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def title(self) -> str | None:
        """The Chinese title of the document the event is about."""
        return self.instrument.title if self.instrument else None


def max_event_id(s: Session) -> int:
    """The id of the newest change event (0 when there is none)."""
    return s.scalar(select(func.max(ChangeEvent.id))) or 0


def _http(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("https://", "http://")) else None


def _instruments(s: Session, ids: Iterable[int | None]) -> dict[int, InstrumentView]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = s.execute(
        select(Instrument, InstrumentSnapshot.facts)
        .outerjoin(InstrumentSnapshot, InstrumentSnapshot.id == Instrument.current_snapshot_id)
        .where(Instrument.id.in_(wanted))
    ).all()
    urls: dict[int, list[str]] = {}
    for instrument_id, url in s.execute(
        select(InstrumentLocation.instrument_id, Document.canonical_url)
        .join(Document, Document.id == InstrumentLocation.document_id)
        .where(InstrumentLocation.instrument_id.in_(wanted))
        .order_by(InstrumentLocation.added_at, InstrumentLocation.document_id)
    ):
        if _http(url):
            urls.setdefault(instrument_id, []).append(url)
    return {
        inst.id: InstrumentView(
            id=inst.id,
            key=inst.key,
            number_text=inst.number_text,
            issuers=tuple(inst.issuers or ()),
            kind=inst.kind or (facts or {}).get("kind"),
            title=inst.title or (facts or {}).get("title"),
            publish_date=inst.publish_date,
            facts=facts or {},
            urls=tuple(urls.get(inst.id, ())),
        )
        for inst, facts in rows
    }


def load_events(s: Session, after_id: int, upto_id: int) -> list[EventView]:
    """Alertable events with ``after_id < id <= upto_id``, oldest first, with their context."""
    events = list(
        s.scalars(
            select(ChangeEvent)
            .where(
                ChangeEvent.id > after_id,
                ChangeEvent.id <= upto_id,
                ChangeEvent.cause.not_in(SILENT_CAUSES),
            )
            .order_by(ChangeEvent.id)
        )
    )
    return _views(s, events)


def latest_events(s: Session, limit: int) -> list[EventView]:
    """The newest alertable events, newest first."""
    events = list(
        s.scalars(
            select(ChangeEvent)
            .where(ChangeEvent.cause.not_in(SILENT_CAUSES))
            .order_by(ChangeEvent.id.desc())
            .limit(limit)
        )
    )
    return _views(s, events)


def _views(s: Session, events: list[ChangeEvent]) -> list[EventView]:
    instruments = _instruments(
        s, [e.instrument_id for e in events] + [e.caused_by_id for e in events]
    )
    doc_urls = dict(
        s.execute(
            select(Document.id, Document.canonical_url).where(
                Document.id.in_({e.document_id for e in events if e.document_id})
            )
        ).all()
    )
    views = []
    for e in events:
        instrument = instruments.get(e.instrument_id) if e.instrument_id else None
        url = _http(doc_urls.get(e.document_id) if e.document_id else None) or (
            instrument.url if instrument else None
        )
        views.append(
            EventView(
                id=e.id,
                kind=e.kind,
                cause=e.cause,
                run_id=e.run_id,
                detected_at=e.detected_at,
                effective_on=e.effective_on,
                subject=e.subject,
                before=e.before,
                after=e.after,
                details=e.details or {},
                summary_zh=e.summary_zh,
                summary_en=e.summary_en,
                instrument=instrument,
                caused_by=instruments.get(e.caused_by_id) if e.caused_by_id else None,
                url=url,
            )
        )
    return views
