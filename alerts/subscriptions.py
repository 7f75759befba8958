"""Subscriptions: create, change, end, list, and import them from a TOML file.

Invariants:
- A new subscription starts at the newest change event (``last_event_id``): it is not sent the
  history unless asked (``start_after=0``); its first digest is the next slot after creation.
- Updating a subscription keeps its high-water mark, so changing a filter never re-sends.
- Unsubscribing keeps the row (the outbox refers to it) but makes it inactive and cancels its
  pending deliveries; subscribing again under the same name starts afresh from the newest event.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.errors import SubscriptionError
from alerts.events import max_event_id
from alerts.filters import Filters
from alerts.schedule import WEEKDAYS, latest_slot, weekday_number, zone
from db.schema import SUBSCRIPTION_MODES, Delivery, Subscription

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: Keys of a subscription in a subscriptions file, besides the filter facets.
FILE_KEYS = ("email", "webhook", "mode", "hour", "weekday", "timezone")


@dataclass(frozen=True)
class SubscriptionSpec:
    """A validated subscription as the user describes it."""

    name: str
    channel: str  # email | webhook | feed
    target: str | None
    filters: Filters = field(default_factory=Filters)
    mode: str = "immediate"
    digest_hour: int = 8
    digest_weekday: int = 0
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        if not NAME_RE.match(self.name):
            raise SubscriptionError(
                f"subscription name {self.name!r}: use letters, digits, '.', '_' or '-' (≤ 64)"
            )
        if self.mode not in SUBSCRIPTION_MODES:
            raise SubscriptionError(
                f"mode must be one of {', '.join(SUBSCRIPTION_MODES)}, not {self.mode!r}"
            )
        if not 0 <= self.digest_hour <= 23:
            raise SubscriptionError(f"hour must be 0-23, not {self.digest_hour}")
        weekday_number(self.digest_weekday)
        zone(self.timezone)
        if self.channel == "email":
            check_address(self.target)
        elif self.channel == "webhook":
            check_webhook_url(self.target)
        elif self.channel != "feed" or self.target is not None:
            raise SubscriptionError("a subscription needs an email address or a webhook URL")


def check_address(value: str | None) -> str:
    """``value`` if it is one plain email address (no display name, no line breaks)."""
    if not value or any(c in value for c in '\r\n,;<>"') or value != value.strip():
        raise SubscriptionError(f"not a plain email address: {value!r}")
    try:
        address = Address(addr_spec=value)
    except (ValueError, IndexError) as exc:
        raise SubscriptionError(f"not a plain email address: {value!r}") from exc
    if not address.username or ("." not in address.domain and address.domain != "localhost"):
        raise SubscriptionError(f"not a plain email address: {value!r}")
    return value


def check_webhook_url(value: str | None) -> str:
    """``value`` if it is an http(s) URL with a host."""
    parts = urlsplit(value or "")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c in (value or "") for c in "\r\n ")
    ):
        raise SubscriptionError(f"a webhook needs an http(s) URL, not {value!r}")
    return value or ""


def spec_from_mapping(name: str, data: dict[str, Any]) -> SubscriptionSpec:
    """A spec from one ``[subscriptions.NAME]`` table of a subscriptions file."""
    if not isinstance(data, dict):
        raise SubscriptionError(f"subscription {name}: expected a table")
    facets = {k: v for k, v in data.items() if k not in FILE_KEYS}
    try:
        filters = Filters.from_dict(facets)
    except SubscriptionError as exc:
        raise SubscriptionError(f"subscription {name}: {exc}") from exc
    email, webhook = data.get("email"), data.get("webhook")
    if email and webhook:
        raise SubscriptionError(f"subscription {name}: give email or webhook, not both")
    channel = "email" if email else "webhook" if webhook else "feed"
    try:
        return SubscriptionSpec(
            name=name,
            channel=channel,
            target=email or webhook or None,
            filters=filters,
            mode=str(data.get("mode", "immediate")),
            digest_hour=int(data.get("hour", 8)),
            digest_weekday=weekday_number(data.get("weekday", 0)),
            timezone=str(data.get("timezone", "UTC")),
        )
    except SubscriptionError as exc:
        raise SubscriptionError(f"subscription {name}: {exc}") from exc


def get(s: Session, name: str) -> Subscription | None:
    return s.scalar(select(Subscription).where(Subscription.name == name))


def subscribe(
    s: Session, spec: SubscriptionSpec, *, now: datetime, start_after: int | None = None
) -> tuple[Subscription, bool]:
    """Create the subscription ``spec.name`` or update it in place; the caller commits.

    Args:
        s: Open session.
        spec: What the subscription should be.
        now: The current time (first digest slot).
        start_after: For a new (or re-activated) subscription, the change-event id after which
            it starts; default the newest event (no history).

    Returns:
        The row and whether it was created (or re-activated).
    """
    row = get(s, spec.name)
    fresh = row is None or not row.active
    if row is None:
        row = Subscription(name=spec.name, created_at=now)
        s.add(row)
    row.channel, row.target, row.filters = spec.channel, spec.target, spec.filters.to_dict()
    row.digest_hour, row.digest_weekday = spec.digest_hour, spec.digest_weekday
    row.timezone, row.updated_at = spec.timezone, now
    if fresh:
        row.active = True
        row.last_event_id = max_event_id(s) if start_after is None else start_after
    if fresh or row.mode != spec.mode or row.digest_slot is None:
        row.digest_slot = latest_slot(
            now, spec.mode, spec.digest_hour, spec.digest_weekday, spec.timezone
        )
    row.mode = spec.mode
    s.flush()
    return row, fresh


def unsubscribe(s: Session, name: str, *, now: datetime) -> bool:
    """End the subscription ``name`` and cancel its pending deliveries; False if unknown."""
    row = get(s, name)
    if row is None or not row.active:
        return False
    row.active, row.updated_at = False, now
    s.execute(
        update(Delivery)
        .where(Delivery.subscription_id == row.id, Delivery.status == "pending")
        .values(status="failed", last_error="cancelled: unsubscribed")
    )
    s.flush()
    return True


def active(s: Session) -> list[Subscription]:
    return list(
        s.scalars(select(Subscription).where(Subscription.active).order_by(Subscription.name))
    )


def listing(s: Session, include_inactive: bool = False) -> list[dict[str, Any]]:
    """Subscriptions as flat rows for the CLI."""
    query = select(Subscription).order_by(Subscription.name)
    if not include_inactive:
        query = query.where(Subscription.active)
    rows = []
    for sub in s.scalars(query):
        when = sub.mode
        if sub.mode != "immediate":
            day = "" if sub.mode == "daily" else f" {WEEKDAYS[sub.digest_weekday]}"
            when = f"{sub.mode}{day} {sub.digest_hour:02d}:00 {sub.timezone}"
        rows.append(
            {
                "name": sub.name,
                "channel": sub.channel,
                "target": sub.target,
                "mode": when,
                "filters": _describe(sub.filters),
                "active": sub.active,
                "last_event_id": sub.last_event_id,
            }
        )
    return rows


def _describe(filters: dict[str, Any]) -> str:
    try:
        return Filters.from_dict(filters).describe()
    except SubscriptionError as exc:  # stored by an older version: show it, do not crash
        return f"invalid ({exc})"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def read_file(path: Path) -> list[SubscriptionSpec]:
    """Every subscription of a TOML file (``[subscriptions.NAME]`` tables), validated."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SubscriptionError(f"cannot read subscriptions file {path}: {exc}") from exc
    table = data.get("subscriptions")
    if not isinstance(table, dict) or set(data) - {"subscriptions"}:
        raise SubscriptionError(f"{path}: expected only [subscriptions.NAME] tables")
    return [spec_from_mapping(name, entry) for name, entry in table.items()]


def import_file(s: Session, path: Path, *, now: datetime, prune: bool = False) -> ImportReport:
    """Create or update every subscription in ``path``; with ``prune`` end the others.

    The whole file is validated before anything changes; the caller commits.
    """
    specs = read_file(path)
    report = ImportReport()
    for spec in specs:
        _, created = subscribe(s, spec, now=now)
        (report.created if created else report.updated).append(spec.name)
    if prune:
        keep = {spec.name for spec in specs}
        for sub in active(s):
            if sub.name not in keep and unsubscribe(s, sub.name, now=now):
                report.removed.append(sub.name)
    return report
