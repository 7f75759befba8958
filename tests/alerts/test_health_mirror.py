"""Source health end to end: `regwatch run` against the mirror while its list API fails.

The crawls run as cron runs them (a subprocess per run); the administrator's mail goes to the
real SMTP server of the test (STARTTLS + AUTH) on loopback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.alerts.conftest import SMTP_PASSWORD, SmtpServer

pytestmark = pytest.mark.slow

API = "/api-gateway/jpaas-publish-server/front/page/build/unit"
SOURCE = "gov_mofcom_zcfb"


def test_a_broken_list_endpoint_sends_one_health_email_then_a_recovery(
    cli, mirror, smtp: SmtpServer, tmp_path: Path
) -> None:
    config = smtp.config_file(
        tmp_path / "regwatch.toml", 'alert_admin = "ops@example.com"', "health_failed_runs = 2"
    )
    log_file = tmp_path / "regwatch.log"

    def run() -> object:
        return cli(
            "--config",
            str(config),
            "--log-file",
            str(log_file),
            "run",
            "--source",
            SOURCE,
            "--no-progress",
        )

    mirror.set_fault("apifail", path=API, host="www.mofcom.gov.cn")
    first = run()
    assert first.returncode == 1, first.stderr[-2000:]  # type: ignore[attr-defined]
    assert smtp.inbox.messages == []  # one failed run is not yet an incident
    for _ in range(2):
        assert run().returncode == 1  # type: ignore[attr-defined]
    [notice] = smtp.inbox.messages  # broken twice in a row: one email; a third run adds none
    assert notice.rcpt_tos == ["ops@example.com"] and notice.authenticated and notice.tls
    assert str(notice.message["Subject"]) == f"[regwatch] Source health: {SOURCE} failing"
    text = notice.part("plain")
    assert f"{SOURCE} failed 2 runs in a row: no list could be read" in text

    status = cli("status", "--json")
    assert f"health: {SOURCE} failed 3 runs in a row" not in status.stderr
    assert f"health: {SOURCE} failed 2 runs in a row" in status.stderr

    mirror.clear_faults()
    healed = run()
    assert healed.returncode == 0, healed.stderr[-2000:]  # type: ignore[attr-defined]
    assert len(smtp.inbox.messages) == 2
    assert str(smtp.inbox.messages[1].message["Subject"]).endswith("failing recovered")
    assert "health: every source well" in cli("status", "--json").stderr

    logs = log_file.read_text(encoding="utf-8") + "".join(
        r.stderr
        for r in (first, healed)  # type: ignore[attr-defined]
    )
    assert "notify:" in logs
    assert SMTP_PASSWORD not in logs
