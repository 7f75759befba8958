"""Email alerts through a real SMTP server on loopback (STARTTLS + AUTH), end to end from the
change-event tables: immediate groups, digests, filters, escaping, retries, crashes, secrets."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

import db
from alerts import notify
from alerts.outbox import Transports
from db.schema import Delivery, Subscription
from tests.alerts import factory
from tests.alerts.conftest import SMTP_PASSWORD, SmtpServer
from tests.alerts.helpers import NOW, add_subscription, deliveries


def team_and_58(sessions: db.SessionFactory) -> None:
    """A subscriber to everything, then run 1 finds announcement 58."""
    add_subscription(sessions, "team", email="team@example.com")
    with sessions() as s:
        factory.announcement_58(s, factory.run(s))
        s.commit()


def test_immediate_alert_for_announcement_70_groups_the_run(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    add_subscription(sessions, "team", email="team@example.com")
    with sessions() as s:
        first = factory.run(s)
        a58, _ = factory.announcement_58(s, first)
        s.commit()
    # the subscription existed before run 1: its events come in one email
    report = notify(sessions, smtp.config(), run_id=first, now=NOW)
    assert len(report.delivery.sent) == 1
    with sessions() as s:
        second = factory.run(s)
        factory.announcement_70(s, second, suspended=a58)
        s.commit()
    report = notify(sessions, smtp.config(), run_id=second, now=NOW + timedelta(minutes=30))
    assert len(report.delivery.sent) == 1

    assert len(smtp.inbox.messages) == 2
    got = smtp.inbox.messages[1]
    assert got.rcpt_tos == ["team@example.com"]
    assert got.mail_from == "regwatch@alerts.example.org"
    assert got.authenticated and got.tls
    msg = got.message
    assert msg.get_content_type() == "multipart/alternative"
    subject = str(msg["Subject"])
    assert subject.startswith("[regwatch] MOFCOM/GAC Announcement No. 70 of 2025 suspends")
    assert factory.TITLE_70 in subject
    text, html = got.part("plain"), got.part("html")
    assert text.splitlines()[0].startswith("MOFCOM/GAC Announcement No. 70 of 2025")
    assert text.splitlines()[1] == factory.TITLE_70
    for part in (text, html):
        assert "商务部 海关总署公告2025年第70号" in part
        assert "2025-11-07" in part
        assert "2026-11-10" in part  # the suspension window
        assert (
            "https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_887a1d088e41d4896aeb67e0ba0f8a14.html"
            in part
        )
        assert "Announcement No. 58 of 2025 suspended" in part  # the grouped second event
    assert '<a href="https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_887a1d' in html
    # the first email was about 58: its items and key threshold are in the fact table
    first_text = smtp.inbox.messages[0].part("plain")
    assert "3A001 可充放电锂离子电池" in first_text
    assert "重量能量密度 ≥ 300 Wh/kg (3A001)" in first_text

    # a replay of the same step sends nothing more
    again = notify(sessions, smtp.config(), run_id=second, now=NOW + timedelta(hours=1))
    assert again.queued == 0 and again.delivery.sent == []
    assert len(smtp.inbox.messages) == 2


def test_parser_caused_events_are_never_alerted(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    add_subscription(sessions, "team", email="team@example.com")
    with sessions() as s:
        inst = factory.instrument(s, key="商务部/公告/2025/61", title="商务部公告2025年第61号")
        factory.event(s, inst, "item_added", cause="parser", subject="1C902")
        s.commit()
    report = notify(sessions, smtp.config(), now=NOW)
    assert report.queued == 0 and smtp.inbox.messages == []
    with sessions() as s:  # the mark moved past it all the same
        assert s.query(Subscription).one().last_event_id > 0


def test_digest_groups_events_of_several_runs_at_the_chosen_hour(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    # created Friday 7 Nov 12:00 UTC = 20:00 in Shanghai; digest every day at 08:00 Shanghai
    add_subscription(
        sessions, "daily", email="daily@example.com", mode="daily", hour=8, timezone="Asia/Shanghai"
    )
    with sessions() as s:
        a58, _ = factory.announcement_58(s, factory.run(s))
        s.commit()
    config = smtp.config()
    assert notify(sessions, config, now=NOW + timedelta(hours=1)).queued == 0  # not due yet
    with sessions() as s:
        factory.announcement_70(s, factory.run(s), suspended=a58)
        s.commit()
    assert notify(sessions, config, now=NOW + timedelta(hours=11)).queued == 0  # 07:00 local
    due = datetime(2025, 11, 8, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    report = notify(sessions, config, now=due)
    assert report.queued == 1 and len(report.delivery.sent) == 1
    assert notify(sessions, config, now=due + timedelta(hours=2)).queued == 0
    [got] = smtp.inbox.messages
    subject = str(got.message["Subject"])
    assert subject.startswith("[regwatch] Daily digest 2025-11-08: 5 changes")
    text = got.part("plain")
    assert factory.TITLE_58 in text and factory.TITLE_70 in text
    assert text.count("== ") == 2  # one section per document
    with sessions() as s:
        row = s.query(Delivery).one()
        assert len(row.event_ids) == 5


def test_filters_include_and_exclude(sessions: db.SessionFactory, smtp: SmtpServer) -> None:
    add_subscription(sessions, "batteries", email="b@example.com", codes=["3a"])
    add_subscription(
        sessions, "suspensions", email="s@example.com", event_kinds=["measure_suspended"]
    )
    add_subscription(sessions, "rare-earth", email="r@example.com", keywords=["稀土"])
    add_subscription(sessions, "graphite-trad", email="g@example.com", keywords=["磷酸鐵鋰"])
    add_subscription(sessions, "uel", email="u@example.com", entity_lists=["unreliable_entity"])
    with sessions() as s:
        run_id = factory.run(s)
        a58, _ = factory.announcement_58(s, run_id)
        factory.announcement_70(s, run_id, suspended=a58)
        s.commit()
    notify(sessions, smtp.config(), run_id=run_id, now=NOW)
    inbox = smtp.inbox
    assert [len(inbox.to(a)) for a in ("b@example.com", "s@example.com", "g@example.com")] == [
        1,
        1,
        1,
    ]
    assert inbox.to("r@example.com") == [] and inbox.to("u@example.com") == []
    batteries = inbox.to("b@example.com")[0].part("plain")
    # 58's events match by item code; 70's suspension of 58 matches through 58's items too,
    # but 70's own document_added does not (70 lists no items)
    assert "No. 58 of 2025: export controls" in batteries
    assert "suspends the export controls" not in batteries
    suspensions = inbox.to("s@example.com")[0].part("plain")
    assert "suspended from 2025-11-07" in suspensions and "Item added" not in suspensions
    with sessions() as s:
        rows = s.query(Delivery).all()
        assert {r.target for r in rows} == {"b@example.com", "s@example.com", "g@example.com"}


HOSTILE_TITLE = '商务部公告<script>alert("x")</script>\r\nBcc: victim@example.com'
HOSTILE_ITEM = {
    "code": "9X999",
    "name": '<img src=x onerror="steal()">钬',
    "hs_codes": [],
    "thresholds": [],
    "clause": None,
    "parent_code": None,
}


def test_hostile_page_content_is_escaped_and_cannot_inject_headers(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    add_subscription(sessions, "team", email="team@example.com")
    with sessions() as s:
        inst = factory.instrument(s, key="doc/1", title=HOSTILE_TITLE, kind="news")
        factory.event(
            s,
            inst,
            "document_added",
            summary_en='New page "<b>bold</b>"\nX-Injected: yes',
            summary_zh=HOSTILE_TITLE,
        )
        factory.event(
            s,
            inst,
            "item_added",
            subject="9X999",
            after=HOSTILE_ITEM,
            summary_en="Item added",
            summary_zh="新增物项",
        )
        factory.event(
            s,
            inst,
            "document_changed",
            details={
                "fields": ["title"],
                "text_diff": "--- a\n+++ b\n-<i>old</i>\n+<script>new()</script>\n",
            },
        )
        s.commit()
    notify(sessions, smtp.config(), now=NOW)
    [got] = smtp.inbox.messages
    assert got.rcpt_tos == ["team@example.com"]  # no Bcc smuggled into the envelope
    msg = got.message
    assert msg["Bcc"] is None and msg["X-Injected"] is None
    assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])
    html = got.part("html")
    assert "<script" not in html and "<img" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;steal()&#34;&gt;钬" in html
    assert "+&lt;script&gt;new()&lt;/script&gt;" in html
    text = got.part("plain")  # the text part is plain text: shown as written, not escaped
    assert '<img src=x onerror="steal()">钬' in text
    assert "+<script>new()</script>" in text


def test_refused_once_then_accepted_is_sent_exactly_once(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    team_and_58(sessions)
    smtp.inbox.refuse_next = 1
    config = smtp.config()
    first = notify(sessions, config, now=NOW)
    assert first.delivery.retrying and not first.delivery.sent
    [row] = deliveries(sessions)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_error is not None and "451" in row.last_error
    assert row.next_attempt_at == NOW + timedelta(minutes=config.retry_base_minutes)
    # a run before the back-off has passed does not try again
    assert notify(sessions, config, now=NOW + timedelta(minutes=1)).delivery.sent == []
    assert smtp.inbox.refused == 1
    later = notify(sessions, config, now=NOW + timedelta(minutes=30))
    assert later.delivery.sent == [row.id]
    assert len(smtp.inbox.messages) == 1
    [row] = deliveries(sessions)
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None
    assert str(smtp.inbox.messages[0].message["Message-ID"]) == row.message_id
    assert notify(sessions, config, now=NOW + timedelta(hours=2)).delivery.sent == []
    assert len(smtp.inbox.messages) == 1


def test_server_down_keeps_rows_pending_then_fails_after_max_attempts(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    team_and_58(sessions)
    from tests.alerts.conftest import free_port

    down = smtp.config(max_attempts=2)
    down = down.__class__(
        **{
            **down.__dict__,
            "smtp": down.smtp.__class__(  # type: ignore[union-attr]
                **{**down.smtp.__dict__, "port": free_port()}
            ),
        }
    )  # type: ignore[union-attr]
    notify(sessions, down, now=NOW)
    [row] = deliveries(sessions)
    assert row.status == "pending" and "ConnectionRefusedError" in (row.last_error or "")
    notify(sessions, down, now=NOW + timedelta(days=1))
    [row] = deliveries(sessions)
    assert row.status == "failed" and row.attempts == 2
    assert smtp.inbox.messages == []


class SimulatedCrash(BaseException):
    """The process dies: nothing after this point runs (not even the commit)."""


class CrashAfterSend:
    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = "smtp"

    def send(self, delivery: Delivery) -> None:
        self.inner.send(delivery)  # type: ignore[attr-defined]
        raise SimulatedCrash

    def close(self) -> None:
        self.inner.close()  # type: ignore[attr-defined]


def test_crash_between_send_and_commit_resends_the_same_message_once(
    sessions: db.SessionFactory, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    team_and_58(sessions)
    config = smtp.config()
    real = Transports.from_config(config)
    crashing = Transports(email=CrashAfterSend(real.email), webhook=None)
    with pytest.raises(SimulatedCrash):
        notify(sessions, config, now=NOW, transports=crashing)
    [row] = deliveries(sessions)
    assert row.status == "sending"  # the evidence a crash leaves
    assert len(smtp.inbox.messages) == 1

    with caplog.at_level(logging.WARNING, logger="alerts"):
        restart = notify(sessions, config, now=NOW + timedelta(minutes=30))
    assert restart.queued == 0 and restart.delivery.sent == [row.id]
    assert "interrupted during a send" in caplog.text
    first, second = smtp.inbox.messages
    # the at-least-once window: the receiver got it twice, as the same message
    assert first.raw == second.raw
    assert first.message["Message-ID"] == second.message["Message-ID"] == row.message_id
    notify(sessions, config, now=NOW + timedelta(hours=3))
    assert len(smtp.inbox.messages) == 2
    [row] = deliveries(sessions)
    assert row.status == "sent" and row.attempts == 2


def test_crash_after_queueing_sends_once(sessions: db.SessionFactory, smtp: SmtpServer) -> None:
    team_and_58(sessions)

    class CrashBeforeSend:
        name = "smtp"

        def send(self, delivery: Delivery) -> None:
            raise SimulatedCrash

        def close(self) -> None:
            pass

    with pytest.raises(SimulatedCrash):
        notify(sessions, smtp.config(), now=NOW, transports=Transports(CrashBeforeSend(), None))
    assert smtp.inbox.messages == []
    notify(sessions, smtp.config(), now=NOW + timedelta(minutes=30))
    notify(sessions, smtp.config(), now=NOW + timedelta(minutes=60))
    assert len(smtp.inbox.messages) == 1


def test_secrets_never_reach_logs_or_errors(
    sessions: db.SessionFactory, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    team_and_58(sessions)
    wrong = "wr0ng-pa55word-also-secret"
    config = smtp.config(password=wrong, webhook_secret="hmac-key-secret")
    with caplog.at_level(logging.DEBUG):
        notify(sessions, config, now=NOW)
    [row] = deliveries(sessions)
    assert row.status == "pending" and "535" in (row.last_error or "")
    import base64

    for secret in (wrong, SMTP_PASSWORD, "hmac-key-secret"):
        for form in (secret, base64.b64encode(secret.encode()).decode()):
            assert form not in caplog.text
            assert form not in (row.last_error or "")
            assert form not in repr(config)
    with caplog.at_level(logging.DEBUG):
        notify(sessions, smtp.config(), now=NOW + timedelta(hours=1))
    assert SMTP_PASSWORD not in caplog.text
    assert len(smtp.inbox.messages) == 1


def test_implicit_tls(sessions: db.SessionFactory, smtps: SmtpServer) -> None:
    team_and_58(sessions)
    notify(sessions, smtps.config(), now=NOW)
    [got] = smtps.inbox.messages
    assert got.tls and got.authenticated


def test_outbox_mode_writes_eml_files(sessions: db.SessionFactory, tmp_path) -> None:
    from alerts import AlertConfig

    team_and_58(sessions)
    out = tmp_path / "outbox"
    report = notify(sessions, AlertConfig(mail_dir=out), now=NOW)
    [path] = sorted(out.glob("*.eml"))
    [row] = deliveries(sessions)
    assert report.delivery.sent == [row.id] and row.transport == "file"
    assert path.read_bytes() == row.payload
    import email
    import email.policy

    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["To"] == "team@example.com" and "No. 58" in str(msg["Subject"])


def test_no_relay_configured_keeps_rows_waiting(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    from alerts import AlertConfig

    team_and_58(sessions)
    report = notify(sessions, AlertConfig(), now=NOW)
    [row] = deliveries(sessions)
    assert report.delivery.waiting == [row.id] and row.status == "pending" and row.attempts == 0
    notify(sessions, smtp.config(), now=NOW + timedelta(minutes=5))
    assert len(smtp.inbox.messages) == 1


def test_new_subscription_does_not_get_history(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    with sessions() as s:
        factory.announcement_58(s, factory.run(s))
        s.commit()
    add_subscription(sessions, "late", email="late@example.com")
    assert notify(sessions, smtp.config(), now=NOW).queued == 0
    assert smtp.inbox.messages == []


def test_message_id_is_deterministic_per_group_and_recipient(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    add_subscription(sessions, "a", email="a@example.com")
    add_subscription(sessions, "b", email="b@example.com")
    with sessions() as s:
        factory.announcement_58(s, factory.run(s))
        s.commit()
    notify(sessions, smtp.config(), now=NOW)
    ids = {str(m.message["Message-ID"]) for m in smtp.inbox.messages}
    assert len(ids) == 2
    from alerts.render import message_id

    rows = deliveries(sessions)
    assert {message_id(r.dedupe_key, r.target, "regwatch@alerts.example.org") for r in rows} == ids
    assert all(i.endswith("@alerts.example.org>") for i in ids)
    _ = UTC


UEL = {
    "name_zh": "斯凯迪奥公司",
    "name_en": "Skydio, Inc.",
    "country": "US",
    "list": "unreliable_entity",
    "action": "add",
}


def test_entity_list_email_and_a_sparse_item(sessions: db.SessionFactory, smtp: SmtpServer) -> None:
    add_subscription(sessions, "uel", email="uel@example.com", entity_lists=["unreliable_entity"])
    with sessions() as s:
        inst = factory.instrument(
            s,
            key="不可靠实体清单工作机制/公告/2025/1",
            title="不可靠实体清单工作机制公告〔2025〕1号",
            kind="entity_list",
            record=factory.facts(kind="entity_list", entities=[UEL]),
        )
        factory.event(
            s,
            inst,
            "entity_listed",
            subject="斯凯迪奥公司（Skydio, Inc.）",
            after=UEL,
            details={"list": "unreliable_entity"},
            summary_en="Skydio, Inc. added to the unreliable entity list",
        )
        factory.event(
            s,
            inst,
            "entity_delisted",
            subject="某公司",
            before={"name_zh": "某公司", "list": "unreliable_entity"},
            details={"list": "unreliable_entity"},
        )
        factory.event(s, inst, "item_removed", subject="1C902", before={"code": "1C902"})
        s.commit()
    notify(sessions, smtp.config(), now=NOW)
    [got] = smtp.inbox.messages
    text = got.part("plain")
    assert (
        "Entities listed 列入实体:\n   + 斯凯迪奥公司 Skydio, Inc. [US] (unreliable_entity)" in text
    )
    assert "Entities removed 移出实体:\n   - 某公司" in text
    assert "Items removed 删除物项:\n   - 1C902" in text  # an item without a name still renders
    assert "Entities 实体" in text and "Skydio, Inc. added to the unreliable entity list" in str(
        got.message["Subject"]
    )


def test_one_broken_subscription_does_not_hold_up_the_others(
    sessions: db.SessionFactory, smtp: SmtpServer
) -> None:
    add_subscription(sessions, "broken", email="broken@example.com")
    team_and_58(sessions)
    with sessions() as s:  # a filter stored by an older version, no longer valid
        s.query(Subscription).filter_by(name="broken").one().filters = {"colour": ["red"]}
        s.commit()
    report = notify(sessions, smtp.config(), now=NOW)
    assert report.queued == 1 and [m.rcpt_tos for m in smtp.inbox.messages] == [
        ["team@example.com"]
    ]
    with sessions() as s:
        assert s.query(Subscription).filter_by(name="broken").one().last_event_id == 0
        from alerts.subscriptions import listing

        assert listing(s)[0]["filters"].startswith("invalid (unknown filter(s) colour")
