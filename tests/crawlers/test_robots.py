"""robots.txt: obeyed, and asked for at most once per host and day (crawlers/robots.py)."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from crawlers.robots import STATE_SOURCE, cache_entry, fresh_body
from tests.crawlers.test_crawl_mirror import crawl, rows

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DAY = timedelta(hours=24)


def test_fresh_entry_is_reused_and_stale_or_broken_ones_are_not() -> None:
    entry = {
        "body": "User-agent: *\nDisallow: /x\n",
        "status": 200,
        "fetched_at": (NOW - timedelta(hours=3)).isoformat(),
    }
    assert fresh_body(entry, NOW, DAY) == b"User-agent: *\nDisallow: /x\n"
    assert (
        fresh_body({**entry, "fetched_at": (NOW - timedelta(hours=25)).isoformat()}, NOW, DAY)
        is None
    )
    assert fresh_body({**entry, "fetched_at": "yesterday"}, NOW, DAY) is None
    assert fresh_body({**entry, "fetched_at": "2026-11-25T11:00:00"}, NOW, DAY) is None  # naive
    assert fresh_body(None, NOW, DAY) is None


@pytest.mark.parametrize(
    ("status", "cached_body"), [(200, "Disallow: /a"), (404, ""), (403, ""), (503, None)]
)
def test_what_an_answer_leaves_in_the_cache(status: int, cached_body: str | None) -> None:
    body = b"Disallow: /a" if status == 200 else b"<html>not here</html>"
    response = HtmlResponse(
        "https://www.mofcom.gov.cn/robots.txt", status=status, body=body, encoding="utf-8"
    )
    entry = cache_entry(response, NOW)
    if cached_body is None:
        assert entry is None  # a server error is asked again next run
    else:
        assert entry is not None and entry["body"] == cached_body and entry["status"] == status


@pytest.fixture
def site():
    from mirror import MirrorServer

    with MirrorServer(state=1) as server:
        yield server


def _robots_requests(site) -> int:
    return sum(1 for e in site.log(clear=True) if e["path"] == "/robots.txt")


@pytest.mark.slow
def test_second_run_asks_no_robots_txt(site, tmp_path: Path) -> None:
    db_path = tmp_path / "r.db"
    crawl(db_path, site.url)
    assert _robots_requests(site) >= 2  # www and aqygzj, first time
    crawl(db_path, site.url)
    assert _robots_requests(site) == 0
    cached = dict(
        rows(db_path, "select key, value from crawl_state where source = ?", STATE_SOURCE)
    )
    assert set(cached) == {"www.mofcom.gov.cn", "aqygzj.mofcom.gov.cn"}


@pytest.mark.slow
def test_cached_disallow_is_obeyed(site, tmp_path: Path) -> None:
    db_path = tmp_path / "r.db"
    crawl(db_path, site.url, "gov_mofcom_aqygzj")  # creates the schema
    entry = {
        "body": "User-agent: *\nDisallow: /zwgk/\n",
        "status": 200,
        "fetched_at": datetime.now(UTC).isoformat(),
    }
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "insert or replace into crawl_state (source, key, value, updated_at) values (?, ?, ?, ?)",
            (STATE_SOURCE, "www.mofcom.gov.cn", json.dumps(entry), datetime.now(UTC).isoformat()),
        )
    site.log(clear=True)
    code, outcome = crawl(db_path, site.url, "gov_mofcom_zcfb")
    served = site.log(clear=True)
    assert not [e for e in served if e["path"].startswith("/zwgk/")], (
        "robots.txt Disallow was ignored"
    )
    assert not [e for e in served if e["path"] == "/robots.txt"]
    assert outcome["sources"]["gov_mofcom_zcfb"]["status"] == "failed"
    assert code != 0
