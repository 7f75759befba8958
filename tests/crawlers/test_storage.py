"""crawlers.storage: the crawl's side of the storage process.

The protocol is driven by hand (a fake pipe, frames fed in odd pieces); the end-to-end test kills
a real storage process in the middle of a real crawl.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from twisted.internet.error import ProcessDone, ProcessTerminated
from twisted.python.failure import Failure

from crawlers import storage
from crawlers.storage import StorageProcess
from db.writer import FrameReader, frame
from tests.crawlers.test_crawl_mirror import rows, stored_articles

COMMITTED_RE = re.compile(r"committed (\d+) items \((\d+) pages\)")
STARTED_RE = re.compile(r"storage process (\d+) started")


class FakePipe:
    def __init__(self) -> None:
        self.written = FrameReader()
        self.stdin_closed = False

    def write(self, data: bytes) -> None:
        self.written.feed(data)

    def closeStdin(self) -> None:  # Twisted's name
        self.stdin_closed = True

    def sent(self) -> list[tuple[Any, ...]]:
        out = []
        while (message := self.written.next()) is not None:
            out.append(message)
        return out


@pytest.fixture
def proc() -> StorageProcess:
    p = StorageProcess("sqlite:///unused.db", 1, 10, 2.0)
    p.pipe = FakePipe()
    return p


def answers_of(p: StorageProcess, n: int) -> list[list[str | None]]:
    got: list[list[str | None]] = [[] for _ in range(n)]
    for i in range(n):
        p.send("page", {"n": i}, got[i].append)
    return got


def feed_in_pieces(p: StorageProcess, *messages: tuple[Any, ...]) -> None:
    data = b"".join(frame(m) for m in messages)
    for i in range(0, len(data), 7):
        p.outReceived(data[i : i + 7])


def test_answers_arrive_in_order_and_only_once(proc: StorageProcess) -> None:
    got = answers_of(proc, 3)
    assert [m[0] for m in proc.pipe.sent()] == ["page", "page", "page"]
    feed_in_pieces(proc, ("stored", ["new_document", "unchanged"]))
    assert got == [["new_document"], ["unchanged"], []]
    feed_in_pieces(proc, ("failed", 1, "OSError: disk full"))
    assert got == [["new_document"], ["unchanged"], [None]]
    assert proc.waiting_bytes == 0


def test_a_flush_fires_after_everything_sent_before_it(proc: StorageProcess) -> None:
    got = answers_of(proc, 1)
    done: list[object] = []
    proc.flush().addCallback(done.append)
    assert proc.pipe.sent()[-1] == ("flush",)
    feed_in_pieces(proc, ("stored", ["new_document"]))
    assert done == []
    feed_in_pieces(proc, ("flushed",))
    assert got == [["new_document"]] and done == [None]


def test_a_storage_process_that_dies_answers_none_and_fails_the_crawl(proc: StorageProcess) -> None:
    got = answers_of(proc, 2)
    failures: list[str] = []
    proc.failure_listeners.append(failures.append)
    flushed: list[object] = []
    proc.flush().addCallback(flushed.append)
    proc.processEnded(Failure(ProcessTerminated(exitCode=None, signal=9)))
    assert got == [[None], [None]] and flushed == [None]
    assert failures and "ended unexpectedly" in failures[0]
    late: list[str | None] = []
    proc.send("event", {}, late.append)  # nothing more goes to a dead process
    assert late == [None]


def test_a_normal_exit_after_close_is_not_a_failure(proc: StorageProcess) -> None:
    failures: list[str] = []
    proc.failure_listeners.append(failures.append)
    proc.close()
    assert proc.pipe.stdin_closed
    proc.processEnded(Failure(ProcessDone(0)))
    assert failures == [] and proc.failure is None


def test_a_backlog_pauses_the_crawl_until_it_shrinks(
    proc: StorageProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    size = len(frame(("page", {"body": b"x" * 60, "n": 0})))
    monkeypatch.setattr(storage, "PAUSE_BYTES", size * 5 // 2)
    monkeypatch.setattr(storage, "RESUME_BYTES", size * 3 // 2)
    states: list[bool] = []
    proc.feed_listeners.append(states.append)
    for i in range(4):
        proc.send("page", {"body": b"x" * 60, "n": i}, lambda _: None)
        assert states == ([True] if i >= 2 else [])
    feed_in_pieces(proc, ("stored", ["unchanged"]))
    assert states == [True]  # still above RESUME_BYTES
    feed_in_pieces(proc, ("stored", ["unchanged", "unchanged"]))
    assert states == [True, False]


def test_log_messages_are_logged_here(proc: StorageProcess, caplog) -> None:
    feed_in_pieces(proc, ("log", 30, "db.store", "list page, not an article"))
    assert ("db.store", 30, "list page, not an article") in caplog.record_tuples


@pytest.mark.slow
def test_killing_the_storage_process_fails_the_crawl_and_keeps_what_it_committed(
    tmp_path: Path,
) -> None:
    from mirror import MirrorServer

    db_path = tmp_path / "rw.db"
    # 160 slowed articles: several seconds of crawl left after the 8th acknowledgement, so the
    # kill always lands while the crawl still has pages to store, even on a loaded machine
    with MirrorServer(state=1, synthetic=160) as site:
        site.set_fault("slow", "/zwgk/zcfb/art/", host="www.mofcom.gov.cn", seconds=0.3)
        cmd = [
            sys.executable, "-m", "crawlers.runner", "--db", f"sqlite:///{db_path}",
            "--mirror", site.url, "--log-level", "DEBUG", "--backfill",
            "--store-batch-size", "4", "--store-batch-seconds", "3600", "gov_mofcom_zcfb",
        ]  # fmt: skip
        with subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as p:
            assert p.stderr is not None and p.stdout is not None
            writer_pid, acknowledged, errors = None, 0, []
            for line in p.stderr:
                if m := STARTED_RE.search(line):
                    writer_pid = int(m[1])
                if m := COMMITTED_RE.search(line):
                    acknowledged += int(m[2])
                    if acknowledged >= 8 and writer_pid is not None:
                        os.kill(writer_pid, signal.SIGKILL)
                        writer_pid = None
                if "ERROR" in line:
                    errors.append(line)
            out = p.stdout.read()
            assert p.wait(timeout=120) == 1, out
    assert '"status": "failed"' in out and "store_failed" in out
    assert any("ended unexpectedly" in e for e in errors)
    assert len(stored_articles(db_path)) >= acknowledged >= 8
    unversioned = "select count(*) from documents where current_version_id is null"
    assert rows(db_path, unversioned) == [(0,)]
