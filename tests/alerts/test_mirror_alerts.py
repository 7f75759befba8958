"""Alerts end to end: the mirror changes, `regwatch run` detects it and mails the subscribers.

Every crawl is a subprocess (as cron runs it) with ``--today`` set to the mirror's day; the mail
goes to a real SMTP server on loopback (aiosmtpd, STARTTLS and AUTH required).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.alerts.conftest import SmtpServer

pytestmark = pytest.mark.slow


def test_announcement_70_is_mailed_once_to_the_subscribers_it_concerns(
    cli, mirror, smtp: SmtpServer, tmp_path: Path
) -> None:
    config = str(smtp.config_file(tmp_path / "regwatch.toml"))

    def regwatch(*args: str):
        result = cli("--config", config, "--today", mirror.day, *args)
        assert result.returncode == 0, result.stderr
        return result

    regwatch("run", "--no-progress")
    regwatch("subscribe", "batteries", "--email", "batteries@example.com", "--code", "3A")
    regwatch("subscribe", "suspensions", "--email", "legal@example.com", "--keyword", "暫停")
    regwatch("subscribe", "entities", "--email", "sanctions@example.com", "--kind", "entity_listed")
    assert smtp.inbox.messages == []  # subscriptions start at the newest event

    mirror.set_state(2)
    regwatch("run", "--no-progress")
    batteries, legal = smtp.inbox.to("batteries@example.com"), smtp.inbox.to("legal@example.com")
    assert len(batteries) == 1 and len(legal) == 1
    assert smtp.inbox.to("sanctions@example.com") == []
    message = batteries[0]
    assert message.authenticated and message.tls
    text = message.part("plain")
    assert "58" in str(message.message["Subject"])
    assert "2026-11-10" in text and "商务部 海关总署公告2025年第70号" in text
    assert "https://www.mofcom.gov.cn/" in text
    assert "暂停" in legal[0].part("plain")

    regwatch("run", "--no-progress")  # nothing changed: nothing more is sent
    assert len(smtp.inbox.messages) == 2
