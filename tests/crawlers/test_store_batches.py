"""Batched storing seen from outside: real crawls of the mirror in a subprocess.

A crawl commits its pages in batches. What it counts is committed; a batch still waiting when
the spider closes is written then; a crash loses only what was never acknowledged, and the next
run fetches that again.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawlers.test_crawl_mirror import crawl, listed_articles, rows, stored_articles

pytestmark = pytest.mark.slow

SYNTHETIC = 40
ZCFB = "gov_mofcom_zcfb"
#: DEBUG line of crawlers.storage after each commit the storage process acknowledges
COMMITTED_RE = re.compile(r"committed (\d+) items \((\d+) pages\)")
STARTED_RE = re.compile(r"storage process (\d+) started")


@pytest.fixture
def site() -> Iterator[object]:
    from mirror import MirrorServer

    with MirrorServer(state=1, synthetic=SYNTHETIC) as server:
        yield server


def zcfb_articles(site) -> set[str]:
    return {u for u, s in listed_articles(site.url).items() if s == ZCFB}


def test_a_batch_larger_than_the_crawl_is_committed_when_the_spider_closes(site, tmp_path) -> None:
    db_path = tmp_path / "rw.db"
    code, result = crawl(
        db_path, site.url, ZCFB, "--store-batch-size", "100000", "--store-batch-seconds", "3600"
    )
    assert code == 0, result
    stats = result["sources"][ZCFB]["stats"]
    assert stored_articles(db_path) == zcfb_articles(site)
    pages = rows(db_path, "select count(*) from fetch_log where kind in ('article', 'annex')")[0][0]
    assert stats["pages_fetched"] == pages >= SYNTHETIC
    assert stats["new_documents"] == rows(db_path, "select count(*) from documents")[0][0]


def test_an_unchanged_recrawl_stores_no_new_version(site, tmp_path) -> None:
    db_path = tmp_path / "rw.db"
    assert crawl(db_path, site.url, ZCFB, "--store-batch-size", "7")[0] == 0
    versions = rows(db_path, "select count(*) from document_versions")[0][0]
    articles = len(stored_articles(db_path))
    code, result = crawl(db_path, site.url, ZCFB, "--revisit", "all", "--store-batch-size", "7")
    assert code == 0, result
    stats = result["sources"][ZCFB]["stats"]
    assert stats["unchanged"] == stats["article_pages"] == articles
    assert "new_versions" not in stats and "new_documents" not in stats
    assert rows(db_path, "select count(*) from document_versions")[0][0] == versions
    unchanged = "select count(*) from fetch_log where outcome = 'unchanged'"
    assert rows(db_path, unchanged)[0][0] == articles


def test_a_killed_crawl_keeps_what_it_acknowledged_and_the_next_run_fetches_the_rest(
    site, tmp_path: Path
) -> None:
    db_path = tmp_path / "rw.db"
    expected = zcfb_articles(site)
    site.set_fault("slow", "/zwgk/zcfb/art/", host="www.mofcom.gov.cn", seconds=0.3)
    cmd = [
        sys.executable, "-m", "crawlers.runner", "--db", f"sqlite:///{db_path}",
        "--mirror", site.url, "--log-level", "DEBUG", "--backfill",
        "--store-batch-size", "4", "--store-batch-seconds", "3600", ZCFB,
    ]  # fmt: skip
    acknowledged, writer_pid = 0, None
    with subprocess.Popen(
        cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    ) as proc:
        assert proc.stderr is not None
        for line in proc.stderr:
            if m := STARTED_RE.search(line):
                writer_pid = int(m[1])
            if m := COMMITTED_RE.search(line):
                acknowledged += int(m[2])
            if acknowledged >= 8:
                proc.send_signal(signal.SIGKILL)
                break
        proc.kill()
    assert proc.returncode == -signal.SIGKILL, "the crawl ended before it could be killed"
    assert writer_pid is not None
    wait_for_exit(writer_pid)  # it writes what it had received, then ends: its input is closed
    kept = stored_articles(db_path)
    assert len(kept) >= acknowledged >= 8
    assert len(kept) < len(expected)  # killed mid-way: the rest was never stored
    # what was kept is whole: each document has its version and its fetch_log row
    unversioned = "select count(*) from documents where current_version_id is null"
    assert rows(db_path, unversioned) == [(0,)]
    logged = {r[0] for r in rows(db_path, "select url from fetch_log where outcome='new_document'")}
    assert kept <= logged
    documents = rows(db_path, "select count(*) from documents")[0][0]

    site.clear_faults()
    code, result = crawl(db_path, site.url, ZCFB, "--backfill")
    assert code == 0, result
    assert stored_articles(db_path) == expected
    per_doc = rows(db_path, "select count(*) from document_versions group by document_id")
    assert {n for (n,) in per_doc} == {1}  # nothing stored twice
    new = rows(db_path, "select count(*) from documents")[0][0] - documents
    assert result["sources"][ZCFB]["stats"]["new_documents"] == new > 0


def wait_for_exit(pid: int, timeout: float = 60.0) -> None:
    """Wait until process ``pid`` (not our child: its parent was killed) has ended."""
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists():
        status = (
            Path(f"/proc/{pid}/stat").read_text(errors="replace")
            if Path(f"/proc/{pid}/stat").exists()
            else ""
        )
        if ") Z " in status:  # a zombie has finished
            return
        assert time.monotonic() < deadline, f"storage process {pid} still running"
        time.sleep(0.05)
