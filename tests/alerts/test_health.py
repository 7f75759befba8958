"""Source health from simulated ``source_runs``: one email when an incident opens, none while
it lasts, one when it heals; and the three kinds of trouble."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import db
from alerts import notify
from alerts.health import RunStats, judge_empty, judge_parse
from db import store
from db.schema import HealthIncident
from tests.alerts.conftest import SmtpServer
from tests.alerts.helpers import NOW

SOURCE = "gov_mofcom_zcfb"
OK = {"list_rows": 15, "pages_fetched": 10, "store_errors": 0}


def _run(
    sessions: db.SessionFactory, status: str, stats: dict[str, Any], error: str | None = None
) -> int:
    with sessions() as s:
        run_id = store.begin_run(s, "run", [SOURCE])
        store.finish_source_run(s, run_id, SOURCE, status, stats, error)
        store.finish_run(s, run_id, "ok" if status == "ok" else "failed", {})
        s.commit()
    return run_id


def _incidents(sessions: db.SessionFactory) -> list[HealthIncident]:
    with sessions() as s:
        return list(s.query(HealthIncident).order_by(HealthIncident.id))


def test_failing_source_gives_one_email_per_incident_and_one_on_recovery(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    config = smtp.config(admin="ops@example.com", health_failed_runs=2)
    error = "no list could be read (1 entry request(s) failed); see fetch_log"
    now = NOW
    for _ in range(2):
        notify(sessions, config, run_id=_run(sessions, "ok", OK), now=now)
        now += timedelta(minutes=30)
    assert smtp.inbox.messages == []
    first = _run(sessions, "failed", {}, error)
    assert notify(sessions, config, run_id=first, now=now).health.opened == []  # 1 < 2
    for _ in range(4):  # broken for five runs: still one email
        now += timedelta(minutes=30)
        notify(sessions, config, run_id=_run(sessions, "failed", {}, error), now=now)
    [opened] = smtp.inbox.messages
    assert opened.rcpt_tos == ["ops@example.com"]
    subject = str(opened.message["Subject"])
    assert subject == f"[regwatch] Source health: {SOURCE} failing"
    assert "failed 2 runs in a row: no list could be read" in opened.part("plain")
    [incident] = _incidents(sessions)
    assert incident.resolved_at is None and incident.opened_run_id == first + 1

    now += timedelta(minutes=30)
    healed = _run(sessions, "ok", OK)
    notify(sessions, config, run_id=healed, now=now)
    notify(sessions, config, run_id=healed, now=now + timedelta(minutes=5))  # replay
    assert len(smtp.inbox.messages) == 2
    recovered = smtp.inbox.messages[1]
    assert "failing recovered" in str(recovered.message["Subject"])
    assert "open since" in recovered.part("plain")
    [incident] = _incidents(sessions)
    assert incident.resolved_run_id == healed


def test_no_admin_records_incidents_without_email(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    config = smtp.config(health_failed_runs=1)
    notify(sessions, config, run_id=_run(sessions, "failed", {}, "boom"), now=NOW)
    assert len(_incidents(sessions)) == 1 and smtp.inbox.messages == []


def test_a_source_that_reads_empty_lists_is_unwell(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    config = smtp.config(admin="ops@example.com", health_failed_runs=2)
    empty = {"list_rows": 0, "pages_fetched": 0, "store_errors": 0, "list_pages": 1}
    for minutes in (0, 30, 60):
        notify(
            sessions,
            config,
            run_id=_run(sessions, "ok", empty),
            now=NOW + timedelta(minutes=minutes),
        )
    [incident] = _incidents(sessions)
    assert incident.kind == "empty" and "saw no rows 2 runs in a row" in incident.summary
    assert len(smtp.inbox.messages) == 1


def test_parse_failure_jump_opens_and_heals(sessions: db.SessionFactory, smtp: SmtpServer) -> None:
    config = smtp.config(admin="ops@example.com")
    usual = {"list_rows": 15, "pages_fetched": 10, "store_errors": 1}
    broken = {"list_rows": 15, "pages_fetched": 10, "store_errors": 8}
    idle = {"list_rows": 15, "pages_fetched": 0, "store_errors": 0}
    plan = [usual, usual, usual, broken, idle, broken, usual]
    for i, stats in enumerate(plan):
        notify(sessions, config, run_id=_run(sessions, "ok", stats), now=NOW + timedelta(hours=i))
    [incident] = _incidents(sessions)
    assert incident.kind == "parse_failures"
    assert (
        "8 of 10 fetched pages could not be read as articles (80%, usually 10%)" in incident.summary
    )
    assert incident.resolved_at is not None  # healed by the last run, not by the idle one
    assert [str(m.message["Subject"]).endswith("recovered") for m in smtp.inbox.messages] == [
        False,
        True,
    ]


def test_judges_cannot_tell_without_evidence() -> None:
    assert judge_empty([RunStats(1, "ok", None, {"pages_fetched": 3})], 1).unwell is None
    assert (
        judge_parse(
            [RunStats(1, "ok", None, {"pages_fetched": 2, "store_errors": 2})], 0.3, None
        ).unwell
        is None
    )
    first = judge_parse(
        [RunStats(1, "ok", None, {"pages_fetched": 4, "store_errors": 4})], 0.3, None
    )
    assert first.unwell is True  # no history: the baseline is zero
