"""Time arithmetic for digests and retries (pure; ``now`` is always passed in).

A digest is due when a slot (the chosen hour, every day or on the chosen weekday, in the
subscription's time zone) has passed since the last digest: ``latest_slot(now) > digest_slot``.
No process sleeps until a slot: each run compares its own ``now`` with the stored slot, so a run
that comes late (or after a crash) sends the digest then, once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from alerts.errors import SubscriptionError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (IANA name such as ``Asia/Shanghai``)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SubscriptionError(f"unknown time zone {name!r} (use an IANA name)") from exc


def latest_slot(now: datetime, mode: str, hour: int, weekday: int, tz: str) -> datetime | None:
    """The most recent digest time at or before ``now`` (aware UTC); None for ``immediate``."""
    if mode == "immediate":
        return None
    local = now.astimezone(zone(tz))
    slot = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if mode == "daily":
        if slot > local:
            slot -= timedelta(days=1)
    else:  # weekly
        slot -= timedelta(days=(local.weekday() - weekday) % 7)
        if slot > local:
            slot -= timedelta(days=7)
    # Rebuild from the wall time so a DST change between the two dates keeps the chosen hour.
    slot = slot.replace(tzinfo=None).replace(tzinfo=zone(tz))
    return slot.astimezone(UTC)


def retry_at(now: datetime, attempts: int, base_minutes: float, max_minutes: float) -> datetime:
    """When attempt ``attempts + 1`` may run: base, 2×base, 4×base … capped at ``max_minutes``."""
    delay = min(base_minutes * 2 ** max(attempts - 1, 0), max_minutes)
    return now + timedelta(minutes=delay)


def weekday_number(value: str | int) -> int:
    """0 (Monday) … 6 (Sunday) from a number or a name such as ``mon`` / ``Monday``."""
    if isinstance(value, int) or str(value).isdigit():
        number = int(value)
        if 0 <= number <= 6:
            return number
    else:
        key = str(value).strip().lower()[:3]
        if key in WEEKDAYS:
            return WEEKDAYS.index(key)
    raise SubscriptionError(f"weekday must be 0-6 or mon … sun, not {value!r}")
