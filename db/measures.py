"""``measure_*`` events: status transitions of each instrument's measures as of a day.

The status of every scope of every numbered instrument (``all`` or a clause list with its own
effective date) is computed with ``db.status`` for ``today`` and kept in ``measure_states``; a
change of status is an event (pending → in_force: ``measure_effective``; → suspended:
``measure_suspended``; suspended → in_force/pending: ``measure_resumed``; → repealed or lifted:
``measure_repealed``). The first status of a new instrument is recorded without an event.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.events import ChangeStats, emit, label_en, label_zh
from db.facts import Draft
from db.schema import Instrument, InstrumentSnapshot, MeasureState
from db.status import ALL, InstrumentFacts, Regime, Status

MEASURE_KINDS = ("announcement", "entity_list", "notice")
STATUS_EVENTS = {
    "in_force": "measure_effective",
    "suspended": "measure_suspended",
    "repealed": "measure_repealed",
    "lifted": "measure_repealed",
}


def regime(s: Session) -> tuple[Regime, dict[str, Instrument]]:
    """Every instrument with facts, ready for status questions (reads timelines, not items)."""
    instruments = list(s.scalars(select(Instrument).where(Instrument.timeline.is_not(None))))
    by_key = {inst.key: inst for inst in instruments}
    return (
        Regime(
            InstrumentFacts.from_facts(inst.key, inst.timeline or {}, acts=_is_legal_act(inst))
            for inst in instruments
        ),
        by_key,
    )


def _is_legal_act(inst: Instrument) -> bool:
    """Only a numbered announcement, decision or notice can suspend or end another one; news
    and remarks that report a suspension change nothing themselves."""
    return inst.seq is not None and inst.kind in MEASURE_KINDS


def _transition(old: MeasureState | None, new: Status) -> str | None:
    """The event kind for a change of status (None: no event)."""
    if old is None or (old.status, old.by_key, old.since, old.until) == (
        new.status,
        new.by,
        new.since,
        new.until,
    ):
        return None
    if new.status == "in_force":
        return "measure_resumed" if old.status == "suspended" else "measure_effective"
    if new.status == "pending":
        return "measure_resumed" if old.status == "suspended" else None
    if new.status == old.status and new.status != "suspended":
        return None
    return STATUS_EVENTS.get(new.status)


def _cause(s: Session, old: MeasureState, instruments: list[Instrument | None]) -> str:
    """``time`` unless an instrument that decides this status got a new snapshot since the
    status was last computed; then that snapshot's cause (content or parser)."""
    newest: InstrumentSnapshot | None = None
    for inst in instruments:
        snap = s.get(InstrumentSnapshot, inst.current_snapshot_id) if inst else None
        if (
            snap is not None
            and snap.created_at > old.evaluated_at
            and (newest is None or snap.created_at > newest.created_at)
        ):
            newest = snap
    return newest.cause if newest is not None else "time"


def update_measures(
    s: Session, stats: ChangeStats, run_id: int | None, now: datetime, today: date
) -> None:
    """Record each scope's status as of ``today``; a change of status is a ``measure_*`` event.

    Scopes of one instrument that change the same way in one pass (all of announcement 61's
    clauses suspended by 70) give one event. The cause is ``time`` when no instrument deciding
    the status has changed since it was last computed (the clock moved), else the cause of the
    newest snapshot that changed the facts.
    """
    reg, by_key = regime(s)
    # one query for every stored status: the loop's lookups then come from the identity map
    list(s.scalars(select(MeasureState)))
    for key, inst in by_key.items():
        if inst.kind not in MEASURE_KINDS or inst.seq is None:
            continue
        groups: dict[tuple[str, Status, str], list[str]] = {}
        for scope in reg.by_key[key].scopes():
            clause = None if scope == ALL else scope.split(",")[0]
            status = reg.status(key, today, clause)
            if status is None:
                continue
            old = s.get(MeasureState, (inst.id, scope))
            kind = _transition(old, status)
            if kind is not None and old is not None:
                deciders = [inst, by_key.get(status.by), by_key.get(old.by_key or "")]
                groups.setdefault((kind, status, _cause(s, old, deciders)), []).append(scope)
            if old is None:
                s.add(
                    MeasureState(
                        instrument_id=inst.id,
                        scope=scope,
                        status=status.status,
                        since=status.since,
                        until=status.until,
                        by_key=status.by,
                        evaluated_on=today,
                        evaluated_at=now,
                    )
                )
                continue
            old.evaluated_on, old.evaluated_at = today, now
            old.status, old.since, old.until, old.by_key = (
                status.status,
                status.since,
                status.until,
                status.by,
            )
        for (kind, status, cause), scopes in groups.items():
            _measure_event(
                s,
                stats,
                inst,
                by_key.get(status.by),
                kind,
                status,
                cause,
                scopes,
                run_id,
                now,
                today,
            )
        s.flush()


def _measure_event(
    s: Session,
    stats: ChangeStats,
    inst: Instrument,
    by: Instrument | None,
    kind: str,
    status: Status,
    cause: str,
    scopes: list[str],
    run_id: int | None,
    now: datetime,
    today: date,
) -> None:
    scope = ALL if ALL in scopes else ";".join(sorted(scopes))
    when = status.since or today
    until = status.until.isoformat() if status.until else None
    extra = {
        "by_zh": label_zh(by) if by else status.by,
        "by_en": label_en(by) if by else status.by,
        "on": when.isoformat(),
        "until": until,
        "scope": scope,
    }
    draft = Draft(
        kind,
        scope,
        None,
        {"status": status.status, "by": status.by, "since": extra["on"], "until": until},
        {"scopes": sorted(scopes), "by": status.by},
    )
    emit(
        s,
        stats,
        dedupe_key=f"measure|{inst.key}|{scope}|{status.status}|{status.by}|{when}|{until}",
        kind=kind,
        cause=cause,
        inst=inst,
        draft=draft,
        run_id=run_id,
        now=now,
        caused_by_id=by.id if by else None,
        effective_on=when,
        extra=extra,
    )
