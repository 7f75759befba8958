"""robots.txt: obeyed, and asked for at most once per host per process and per day.

Unit tests cover what an answer means and when a cached one is fresh (crawlers/robots.py);
the crawls run ``python -m crawlers.runner`` in a subprocess against the mirror, or against a
tiny loopback server standing in for it where the mirror cannot say what the test needs (it
always answers robots.txt with its 404 page).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import db
from crawlers.robots import (
    ROBOTS_MAX_BYTES,
    STATE_SOURCE,
    RobotsEntry,
    cacheable,
    is_fresh,
    load_entry,
    rules_text,
    save_entry,
)
from tests.crawlers.test_crawl_mirror import crawl, rows

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)
RULES = "User-agent: *\nDisallow: /zcfb/blgg/gg/2025/\n"
WWW = "www.mofcom.gov.cn"


def entry(age: timedelta, status: int = 200, body: str = RULES) -> RobotsEntry:
    return RobotsEntry(status, body, NOW - age)


# -- freshness and meaning ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "fresh"),
    [
        (timedelta(0), True),
        (timedelta(hours=3), True),
        (DAY - timedelta(seconds=1), True),
        (DAY, False),
        (timedelta(hours=25), False),
        (timedelta(minutes=-5), False),  # dated in the future: the clock went back
    ],
)
def test_an_answer_is_reused_while_younger_than_the_max_age(age: timedelta, fresh: bool) -> None:
    assert is_fresh(entry(age), NOW, DAY) is fresh


def test_a_404_is_reused_but_an_error_answer_never_is() -> None:
    assert is_fresh(entry(timedelta(hours=1), status=404, body=""), NOW, DAY)
    assert not is_fresh(entry(timedelta(hours=1), status=503, body=""), NOW, DAY)
    assert not is_fresh(entry(timedelta(hours=1), status=412, body=""), NOW, DAY)


def test_a_zero_max_age_disables_reuse() -> None:
    assert not is_fresh(entry(timedelta(0)), NOW, timedelta(0))


@pytest.mark.parametrize(
    ("status", "is_cacheable", "rules"),
    [
        (200, True, RULES),
        (404, True, ""),  # mofcom's HTML 404 page: no rules, remembered for a day
        (410, True, ""),
        (403, False, ""),  # WAF answers say nothing lasting about the rules
        (412, False, ""),
        (429, False, ""),
        (500, False, ""),
        (503, False, ""),
    ],
)
def test_what_an_answer_means(status: int, is_cacheable: bool, rules: str) -> None:
    body = RULES.encode() if status == 200 else b"<html><body>" + b"x" * 30_000 + b"</body></html>"
    assert cacheable(status) is is_cacheable
    assert rules_text(status, body) == rules


def test_rules_text_drops_a_bom_and_caps_the_body() -> None:
    assert rules_text(200, b"\xef\xbb\xbf" + RULES.encode()) == RULES
    huge = b"#" * (ROBOTS_MAX_BYTES + 10)
    assert len(rules_text(200, huge)) == ROBOTS_MAX_BYTES


def test_state_round_trip_and_malformed_values() -> None:
    original = entry(timedelta(hours=2))
    state = original.to_state()
    assert state == {"status": 200, "body": RULES, "fetched_at": "2026-11-25T10:00:00+00:00"}
    assert RobotsEntry.from_state(json.loads(json.dumps(state))) == original
    for bad in (
        None,
        "User-agent: *",
        {"status": 200, "body": RULES},
        {**state, "fetched_at": "yesterday"},
        {**state, "fetched_at": "2026-11-25T10:00:00"},  # naive
        {**state, "status": "200"},
        {**state, "body": None},
    ):
        assert RobotsEntry.from_state(bad) is None, bad


def test_cache_rows_in_crawl_state(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    engine = db.connect(f"sqlite:///{tmp_path / 'r.db'}")
    db.upgrade(engine)
    sessions = db.session_factory(engine)
    with sessions() as s:
        assert load_entry(s, WWW) is None
        save_entry(s, WWW, entry(timedelta(hours=30)))
        save_entry(s, WWW, entry(timedelta(hours=1), status=404, body=""))  # replaces
        s.commit()
    with sessions() as s:
        assert load_entry(s, WWW) == entry(timedelta(hours=1), status=404, body="")
        db.set_state(s, STATE_SOURCE, "aqygzj.mofcom.gov.cn", {"body": 1})
        with caplog.at_level(logging.WARNING, logger="crawlers.robots"):
            assert load_entry(s, "aqygzj.mofcom.gov.cn") is None
        assert "malformed robots.txt cache entry for aqygzj.mofcom.gov.cn" in caplog.text
    engine.dispose()


# -- crawls ---------------------------------------------------------------------------------


def robots_fetches(site: object) -> list[dict]:
    return [e for e in site.log(clear=True) if e["path"] == "/robots.txt"]  # type: ignore[attr-defined]


def cached_hosts(db_path: Path) -> dict[str, dict]:
    found = rows(db_path, "select key, value from crawl_state where source = ?", STATE_SOURCE)
    return {key: json.loads(value) for key, value in found}


@pytest.fixture
def site() -> Iterator[object]:
    from mirror import MirrorServer

    with MirrorServer(state=1) as server:
        yield server


@pytest.mark.slow
def test_each_host_is_asked_once_per_process_and_not_again_the_next_run(
    site, tmp_path: Path
) -> None:
    db_path = tmp_path / "r.db"
    site.log(clear=True)
    code, first = crawl(db_path, site.url)
    assert code == 0, first
    # five spiders start together; four share www: still one request per host
    assert sorted(e["host"] for e in robots_fetches(site)) == ["aqygzj.mofcom.gov.cn", WWW]
    cached = cached_hosts(db_path)
    assert set(cached) == {WWW, "aqygzj.mofcom.gov.cn"}
    assert {(c["status"], c["body"]) for c in cached.values()} == {(404, "")}
    logged = rows(db_path, "select url, status, outcome from fetch_log where kind = 'robots'")
    assert sorted(logged) == [
        ("https://aqygzj.mofcom.gov.cn/robots.txt", 404, "ok"),
        (f"https://{WWW}/robots.txt", 404, "ok"),
    ]

    code, second = crawl(db_path, site.url)
    assert code == 0, second
    assert robots_fetches(site) == []
    assert len(rows(db_path, "select 1 from fetch_log where kind = 'robots'")) == 2


@dataclass
class FakeMirror:
    """A loopback stand-in for the mirror (``/_/HOST/path``) with a chosen robots.txt answer."""

    robots_status: int
    robots_body: bytes = b""
    served: list[str] = field(default_factory=list)
    url: str = ""

    def log(self, clear: bool = False) -> list[dict]:
        entries = [{"host": p.split("/")[2], "path": "/" + p.split("/", 3)[3]} for p in self.served]
        if clear:
            self.served.clear()
        return entries


@pytest.fixture
def fake_mirror() -> Iterator[FakeMirror]:
    fake = FakeMirror(robots_status=200, robots_body=RULES.encode())

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.served.append(self.path)
            if self.path.endswith("/robots.txt"):
                status, body, ctype = fake.robots_status, fake.robots_body, "text/plain"
            elif self.path.endswith("/index.html"):
                status, body, ctype = 200, b"<html><body><ul></ul></body></html>", "text/html"
            else:
                status, body, ctype = 404, b"<html>not here</html>", "text/html"
            self.send_response(status)
            self.send_header("Content-Type", f"{ctype}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def gg_paths(fake: FakeMirror) -> list[str]:
    return sorted(e["path"] for e in fake.log(clear=True))


@pytest.mark.slow
def test_a_disallow_blocks_fetched_and_cached(fake_mirror: FakeMirror, tmp_path: Path) -> None:
    db_path = tmp_path / "r.db"
    allowed, blocked = "/zcfb/blgg/gg/2024/index.html", "/zcfb/blgg/gg/2025/index.html"
    for run in ("fetched", "cached"):
        code, result = crawl(db_path, fake_mirror.url, "--years", "2025,2024", "gov_mofcom_gg")
        outcome = result["sources"]["gov_mofcom_gg"]
        assert (code, outcome["status"]) == (3, "partial"), (run, result)
        expected = ["/robots.txt", allowed] if run == "fetched" else [allowed]
        assert gg_paths(fake_mirror) == expected, run  # the blocked year never went out
    refused = rows(
        db_path, "select outcome, error from fetch_log where url = ?", f"https://{WWW}{blocked}"
    )
    assert len(refused) == 2
    assert all(o == "http_error" and "robots.txt" in e for o, e in refused)
    assert cached_hosts(db_path)[WWW]["body"] == RULES


@pytest.mark.slow
def test_a_server_error_means_no_rules_and_is_asked_again(
    fake_mirror: FakeMirror, tmp_path: Path
) -> None:
    fake_mirror.robots_status, fake_mirror.robots_body = 500, b"Disallow: /"
    db_path = tmp_path / "r.db"
    for _ in range(2):
        code, result = crawl(db_path, fake_mirror.url, "--years", "2025", "gov_mofcom_gg")
        assert code == 0, result
        paths = gg_paths(fake_mirror)
        assert "/zcfb/blgg/gg/2025/index.html" in paths  # a 500 body is no rules
        assert "/robots.txt" in paths  # …and is not cached: asked again next run
    assert cached_hosts(db_path) == {}
    logged = rows(db_path, "select status, outcome from fetch_log where kind = 'robots'")
    assert logged and set(logged) == {(500, "http_error")}
