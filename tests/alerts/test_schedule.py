"""Digest slots and retry back-off (pure time arithmetic)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from alerts.errors import SubscriptionError
from alerts.schedule import latest_slot, retry_at, weekday_number


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_daily_slot_in_a_time_zone() -> None:
    # 08:00 in Shanghai is 00:00 UTC
    assert latest_slot(at(2025, 11, 8, 0, 30), "daily", 8, 0, "Asia/Shanghai") == at(2025, 11, 8)
    assert latest_slot(at(2025, 11, 7, 23, 59), "daily", 8, 0, "Asia/Shanghai") == at(2025, 11, 7)
    assert latest_slot(at(2025, 11, 8, 9), "daily", 9, 0, "UTC") == at(2025, 11, 8, 9)


def test_weekly_slot() -> None:
    # Monday 10 Nov 2025 at 08:00 UTC; asked on Sunday 16th and on Monday 17th before/after 08:00
    assert latest_slot(at(2025, 11, 16, 12), "weekly", 8, 0, "UTC") == at(2025, 11, 10, 8)
    assert latest_slot(at(2025, 11, 17, 7), "weekly", 8, 0, "UTC") == at(2025, 11, 10, 8)
    assert latest_slot(at(2025, 11, 17, 8), "weekly", 8, 0, "UTC") == at(2025, 11, 17, 8)


def test_daylight_saving_keeps_the_local_hour() -> None:
    # Berlin switches to winter time on 26 Oct 2025: 08:00 local is 06:00 UTC before, 07:00 after
    assert latest_slot(at(2025, 10, 25, 12), "daily", 8, 0, "Europe/Berlin") == at(2025, 10, 25, 6)
    assert latest_slot(at(2025, 10, 27, 12), "daily", 8, 0, "Europe/Berlin") == at(2025, 10, 27, 7)


def test_immediate_has_no_slot_and_bad_zones_are_refused() -> None:
    assert latest_slot(at(2025, 1, 1), "immediate", 8, 0, "UTC") is None
    with pytest.raises(SubscriptionError, match="unknown time zone"):
        latest_slot(at(2025, 1, 1), "daily", 8, 0, "Mars/Olympus")


def test_back_off_doubles_up_to_a_cap() -> None:
    now = at(2025, 1, 1)
    delays = [retry_at(now, n, 5, 60) - now for n in (1, 2, 3, 4, 5)]
    assert delays == [timedelta(minutes=m) for m in (5, 10, 20, 40, 60)]


def test_weekday_names() -> None:
    assert [weekday_number(v) for v in ("mon", "Sunday", 3, "4")] == [0, 6, 3, 4]
    with pytest.raises(SubscriptionError):
        weekday_number("someday")
