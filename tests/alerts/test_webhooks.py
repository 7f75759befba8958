"""Webhooks against a real HTTP server on loopback: signed JSON per event group, retried like
email, never sent unsigned."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import db
from alerts import AlertConfig, notify
from tests.alerts import factory
from tests.alerts.helpers import NOW, add_subscription, deliveries

SECRET = "webhook-signing-key"


@dataclass
class Hook:
    url: str
    posts: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    fail_next: int = 0


@pytest.fixture
def hook() -> Iterator[Hook]:
    state = Hook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state.fail_next:
                state.fail_next -= 1
                self.send_response(503)
                self.end_headers()
                return
            state.posts.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/regwatch"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _seed(sessions: db.SessionFactory, hook: Hook, **filters: list[str]) -> None:
    add_subscription(sessions, "hook", webhook=hook.url, **filters)
    with sessions() as s:
        run_id = factory.run(s)
        a58, _ = factory.announcement_58(s, run_id)
        factory.announcement_70(s, run_id, suspended=a58)
        s.commit()


def test_one_signed_post_per_event_group(sessions: db.SessionFactory, hook: Hook) -> None:
    _seed(sessions, hook, event_kinds=["measure_suspended", "document_added"])
    report = notify(sessions, AlertConfig(webhook_secret=SECRET), now=NOW)
    assert len(report.delivery.sent) == 1
    [(headers, body)] = hook.posts
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-regwatch-signature"] == expected
    assert headers["content-type"].startswith("application/json")
    data = json.loads(body)
    assert data["subscription"] == "hook"
    assert headers["x-regwatch-delivery"] == data["delivery"]
    kinds = [e["kind"] for e in data["events"]]
    assert kinds == ["document_added", "document_added", "measure_suspended"]
    suspended = data["events"][2]
    assert suspended["details"]["window"] == {"from": "2025-11-07", "until": "2026-11-10"}
    assert suspended["instrument"]["number"] == "商务部 海关总署公告2025年第58号"
    assert data["events"][1]["url"].endswith("art_887a1d088e41d4896aeb67e0ba0f8a14.html")
    [row] = deliveries(sessions)
    assert row.transport == "http" and row.status == "sent"


def test_refused_webhook_is_retried_with_the_same_body(
    sessions: db.SessionFactory, hook: Hook
) -> None:
    _seed(sessions, hook)
    hook.fail_next = 1
    config = AlertConfig(webhook_secret=SECRET)
    notify(sessions, config, now=NOW)
    [row] = deliveries(sessions)
    assert row.status == "pending" and "HTTP 503" in (row.last_error or "")
    notify(sessions, config, now=NOW + timedelta(hours=1))
    notify(sessions, config, now=NOW + timedelta(hours=2))
    [(_, body)] = hook.posts
    assert body == row.payload
    assert deliveries(sessions)[0].status == "sent"


def test_no_secret_no_post(sessions: db.SessionFactory, hook: Hook) -> None:
    _seed(sessions, hook)
    notify(sessions, AlertConfig(), now=NOW)
    [row] = deliveries(sessions)
    assert row.status == "pending" and "webhook_secret is not set" in (row.last_error or "")
    assert hook.posts == []


def test_outbox_mode_writes_the_webhook_body_as_json(
    sessions: db.SessionFactory, hook: Hook, tmp_path
) -> None:
    _seed(sessions, hook)
    notify(sessions, AlertConfig(mail_dir=tmp_path / "outbox"), now=NOW)
    [path] = (tmp_path / "outbox").glob("*.json")
    [row] = deliveries(sessions)
    assert (
        path.read_bytes() == row.payload and json.loads(path.read_bytes())["subscription"] == "hook"
    )
    assert hook.posts == []
