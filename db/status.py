"""The legal status of a measure on a date, computed from parsed facts only (pure).

Given every instrument's facts (publish date, effective statements, suspensions, references),
``Regime.status(key, on, clause)`` answers what applies to a clause of an instrument on a day:

- ``repealed``  — a later instrument repeals it (废止/撤销) and that one is in effect;
- ``lifted``    — a later instrument supersedes it (取代/代替/以…为准) and is in effect;
- ``suspended`` — a suspension window of another published instrument covers the day
  (``暂停实施…至2026年11月10日``: suspended through 10 November, in force again on the 11th);
- ``pending``   — published, but the clause's effective date has not come;
- ``in_force``  — otherwise (from the clause's effective date on).

The first rule that holds wins. Every status names the instrument that caused it (``by``).
A clause's effective date is the effective statement naming its clause (``一(一),一(二)``),
else the statement for the whole document, else the publish date. Suspensions apply to the
clause they name, or to everything.
Invariant: pure; facts are the dicts of ``db.facts.facts_of`` (dates as ISO strings).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from db.facts import number_key, series_of

ALL = "all"
STATUSES = ("pending", "in_force", "suspended", "lifted", "repealed")


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _covers(scope: str, clause: str | None) -> bool:
    """True when a scope (``all`` or ``一(一),一(二)``) applies to ``clause``."""
    if scope == ALL or not scope:
        return True
    if not clause:
        return False
    return any(clause.startswith(part) for part in scope.split(","))


TIMELINE_KEYS = ("numbers", "publish_date", "effective", "suspensions", "references")


def timeline_of(facts: dict[str, Any]) -> dict[str, Any]:
    """The part of a snapshot's facts that status questions read (no items, no text)."""
    out = {k: facts.get(k) for k in TIMELINE_KEYS}
    out["numbers"] = (facts.get("numbers") or [])[:1]
    return out


@dataclass(frozen=True)
class Status:
    """What applies on a day, and why."""

    status: str
    by: str
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class Window:
    """A suspension of (part of) ``target`` by ``by``."""

    by: str
    scope: str
    start: date | None
    until: date | None


@dataclass
class InstrumentFacts:
    """What the status computation needs of one instrument."""

    key: str
    published: date | None
    effective: list[tuple[date | None, str]] = field(default_factory=list)
    windows: list[tuple[str, Window]] = field(default_factory=list)  # (target key, window)
    relations: list[tuple[str, str]] = field(default_factory=list)  # (target key, relation)

    @classmethod
    def from_facts(cls, key: str, facts: dict[str, Any], acts: bool = True) -> InstrumentFacts:
        """Read the dates and relations out of a snapshot's facts.

        ``acts=False`` (news, remarks): the document's suspensions and repeals are reports of
        another document's acts, not acts of its own, and are left out.
        """
        own = (facts.get("numbers") or [{}])[0]
        series = series_of(own.get("issuers"))
        published = _day(facts.get("publish_date"))
        effective = [
            (_day(e.get("date")) or published, e.get("applies_to") or ALL)
            for e in facts.get("effective") or []
        ]
        windows = []
        for s in facts.get("suspensions") or [] if acts else []:
            target = number_key(s.get("target") or {}, series)
            if target:
                start = _day(s.get("from")) or published
                windows.append(
                    (target, Window(key, s.get("applies_to") or ALL, start, _day(s.get("until"))))
                )
        relations = []
        for r in facts.get("references") or [] if acts else []:
            target = number_key(r.get("target") or {}, series)
            if target and r.get("relation") in ("repeals", "supersedes"):
                relations.append((target, r["relation"]))
        return cls(key, published, effective, windows, relations)

    def effective_date(self, clause: str | None = None) -> date | None:
        """When ``clause`` (None: the document as a whole) takes effect."""
        named = [d for d, scope in self.effective if scope != ALL and _covers(scope, clause)]
        whole = [d for d, scope in self.effective if scope == ALL]
        for candidates in (named, whole):
            found = [d for d in candidates if d is not None]
            if found:
                return min(found)
        if self.effective and clause is None:
            found = [d for d, _ in self.effective if d is not None]
            if found:
                return min(found)
        return self.published

    def scopes(self) -> list[str]:
        """The scopes with their own effective statement (``all`` first), at least ``all``."""
        out = [ALL]
        for _, scope in self.effective:
            if scope not in out:
                out.append(scope)
        return out


class Regime:
    """Every known instrument, indexed for status questions."""

    def __init__(self, instruments: Iterable[InstrumentFacts]) -> None:
        self.by_key: dict[str, InstrumentFacts] = {i.key: i for i in instruments}
        self.windows: dict[str, list[Window]] = defaultdict(list)
        self.ended_by: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for inst in self.by_key.values():
            for target, window in inst.windows:
                self.windows[target].append(window)
            for target, relation in inst.relations:
                self.ended_by[target].append((relation, inst.key))

    def _in_effect(self, key: str, on: date) -> date | None:
        """The date instrument ``key`` took effect if that is on or before ``on``."""
        inst = self.by_key.get(key)
        if inst is None:
            return None
        when = inst.effective_date() or inst.published
        return when if when is not None and when <= on else None

    def status(self, key: str, on: date, clause: str | None = None) -> Status | None:
        """The status of ``clause`` of instrument ``key`` on ``on``; None before publication."""
        inst = self.by_key.get(key)
        if inst is None or (inst.published is not None and inst.published > on):
            return None
        for relation, by in sorted(self.ended_by.get(key, []), key=lambda r: r[1]):
            since = self._in_effect(by, on)
            if since is not None:
                return Status("repealed" if relation == "repeals" else "lifted", by, since)
        for w in self.windows.get(key, []):
            suspender = self.by_key.get(w.by)
            if suspender is None or (suspender.published is not None and suspender.published > on):
                continue
            start = w.start or suspender.published
            if (
                start is not None
                and start <= on
                and (w.until is None or on <= w.until)
                and _covers(w.scope, clause)
            ):
                return Status("suspended", w.by, start, w.until)
        effective = inst.effective_date(clause)
        if effective is not None and on < effective:
            return Status("pending", key, inst.published, effective)
        resumed = [
            w.until + timedelta(days=1)
            for w in self.windows.get(key, [])
            if w.until is not None and w.until < on and _covers(w.scope, clause)
        ]
        since = max([d for d in (effective, *resumed) if d is not None], default=None)
        return Status("in_force", key, since)
