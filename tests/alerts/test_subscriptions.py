"""Subscriptions: validation, TOML import (configuration as code), the high-water mark."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

import db
from alerts import SubscriptionSpec
from alerts.errors import SubscriptionError
from alerts.subscriptions import get, import_file, listing, subscribe, unsubscribe
from db.schema import Delivery
from tests.alerts import factory
from tests.alerts.helpers import NOW, add_subscription

FILE = """
[subscriptions.rare-earths]
email = "team@example.com"
mode = "weekly"
hour = 9
weekday = "fri"
timezone = "Asia/Shanghai"
keywords = ["稀土", "镓"]
elements = ["Ga"]

[subscriptions.uel-hook]
webhook = "https://hooks.example.com/regwatch"
entity_lists = ["unreliable_entity"]

[subscriptions.feed-3a]
codes = ["3A"]
"""


def test_import_creates_updates_and_prunes(sessions: db.SessionFactory, tmp_path: Path) -> None:
    add_subscription(sessions, "old", email="old@example.com")
    path = tmp_path / "subs.toml"
    path.write_text(FILE, encoding="utf-8")
    with sessions() as s:
        report = import_file(s, path, now=NOW)
        s.commit()
    assert sorted(report.created) == ["feed-3a", "rare-earths", "uel-hook"]
    with sessions() as s:
        rows = {r["name"]: r for r in listing(s)}
        assert rows["rare-earths"]["mode"] == "weekly fri 09:00 Asia/Shanghai"
        assert rows["rare-earths"]["filters"] == "elements=Ga; keywords=稀土,镓"
        assert rows["uel-hook"]["channel"] == "webhook" and rows["feed-3a"]["channel"] == "feed"
        assert "old" in rows
    path.write_text(FILE.replace("hour = 9", "hour = 7"), encoding="utf-8")
    with sessions() as s:
        report = import_file(s, path, now=NOW, prune=True)
        s.commit()
        assert report.created == [] and report.removed == ["old"]
        assert sorted(report.updated) == ["feed-3a", "rare-earths", "uel-hook"]
        sub = get(s, "rare-earths")
        assert sub is not None and sub.digest_hour == 7
        assert [r["name"] for r in listing(s)] == ["feed-3a", "rare-earths", "uel-hook"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[subscriptions.a]\nemail = "x@example.com"\nwebhook = "https://h.example.com"\n',
            "not both",
        ),
        (
            '[subscriptions.a]\nemail = "x@example.com\\r\\nBcc: y@example.com"\n',
            "not a plain email",
        ),
        ('[subscriptions.a]\nwebhook = "ftp://h.example.com"\n', "http(s) URL"),
        ('[subscriptions.a]\nmode = "hourly"\n', "mode must be one of"),
        ("[subscriptions.a]\nhour = 25\n", "hour must be 0-23"),
        ('[subscriptions.a]\ncolour = ["red"]\n', "unknown filter(s) colour"),
        ('[subscriptions."bad name"]\n', "use letters, digits"),
        ('email = "x@example.com"\n', "expected only [subscriptions.NAME] tables"),
    ],
)
def test_a_bad_file_changes_nothing(
    sessions: db.SessionFactory, tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "subs.toml"
    path.write_text(FILE + text if text.startswith("[") else text, encoding="utf-8")
    with sessions() as s, pytest.raises(SubscriptionError) as info:
        import_file(s, path, now=NOW)
    assert message in str(info.value)
    with sessions() as s:
        assert listing(s) == []


def test_updating_keeps_the_mark_and_unsubscribing_cancels_pending(
    sessions: db.SessionFactory,
) -> None:
    add_subscription(sessions, "team", email="team@example.com")
    with sessions() as s:
        factory.announcement_58(s, factory.run(s))
        s.commit()
    from alerts import AlertConfig, enqueue

    assert enqueue(sessions, AlertConfig(), now=NOW) == 1
    with sessions() as s:
        mark = get(s, "team").last_event_id  # type: ignore[union-attr]
        assert mark == 3
    add_subscription(sessions, "team", email="other@example.com", codes=["3A"])
    with sessions() as s:
        assert get(s, "team").last_event_id == mark  # type: ignore[union-attr]
        assert unsubscribe(s, "team", now=NOW) and not unsubscribe(s, "team", now=NOW)
        s.commit()
        [row] = s.query(Delivery).all()
        assert row.status == "failed" and row.last_error == "cancelled: unsubscribed"
    with sessions() as s:  # back again: starts afresh from the newest event
        factory.announcement_70(s, factory.run(s))
        s.commit()
        sub, fresh = subscribe(
            s, SubscriptionSpec("team", "email", "team@example.com"), now=NOW + timedelta(days=1)
        )
        assert fresh and sub.active and sub.last_event_id == 4
