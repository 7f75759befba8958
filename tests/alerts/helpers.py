"""Small helpers shared by the alerting tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import db
from alerts.filters import Filters
from alerts.subscriptions import SubscriptionSpec, subscribe
from db.schema import Delivery

NOW = datetime(2025, 11, 7, 12, 0, tzinfo=UTC)


def add_subscription(
    sessions: db.SessionFactory,
    name: str,
    *,
    email: str | None = None,
    webhook: str | None = None,
    mode: str = "immediate",
    hour: int = 8,
    weekday: int = 0,
    timezone: str = "UTC",
    now: datetime = NOW,
    **filters: Any,
) -> int:
    channel = "email" if email else "webhook" if webhook else "feed"
    spec = SubscriptionSpec(
        name=name,
        channel=channel,
        target=email or webhook,
        filters=Filters.from_dict(filters),
        mode=mode,
        digest_hour=hour,
        digest_weekday=weekday,
        timezone=timezone,
    )
    with sessions() as s:
        row, _ = subscribe(s, spec, now=now)
        s.commit()
        return row.id


def deliveries(sessions: db.SessionFactory) -> list[Delivery]:
    with sessions() as s:
        return list(s.query(Delivery).order_by(Delivery.id))
