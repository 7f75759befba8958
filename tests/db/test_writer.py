"""db.writer: the storage process's protocol, against a real child process and SQLite file."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import db
from db import queries, writer
from db.schema import Document, FetchLog
from tests.db import pages as P


def _url(i: int) -> str:
    return P.ARTICLE_URL.replace("art_3f0c", f"art_{i:04d}")


def _page(i: int, **changes: Any) -> tuple[str, dict[str, Any]]:
    page = P.article(P.article_html(body=P.BODY + str(i)), url=_url(i), **changes)
    return ("page", dataclasses.asdict(page))


def _event() -> tuple[str, dict[str, Any]]:
    event = P.Event("gov_mofcom_zcfb", _url(0), "list", 200, "ok", None, P.at(9))
    return ("event", dataclasses.asdict(event))


class Child:
    """``python -m db.writer`` on a migrated database, spoken to frame by frame."""

    def __init__(self, db_url: str, run_id: int, batch_size: int) -> None:
        cmd = [sys.executable, "-m", "db.writer", db_url, str(run_id), str(batch_size), "3600"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.frames = writer.FrameReader()

    def send(self, *messages: tuple[Any, ...]) -> None:
        assert self.proc.stdin is not None
        for message in messages:
            self.proc.stdin.write(writer.frame(message))
        self.proc.stdin.flush()

    def reply(self) -> tuple[Any, ...]:
        """The next message from the child (blocks until one arrives; fails at its exit)."""
        assert self.proc.stdout is not None
        while (message := self.frames.next()) is None:
            chunk = self.proc.stdout.read1(65536)
            assert chunk, f"the storage process ended (exit {self.proc.wait(timeout=30)})"
            self.frames.feed(chunk)
        return message

    def finish(self) -> list[tuple[Any, ...]]:
        """Close its input; the replies it still sent; it must exit 0."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.close()
        self.frames.feed(self.proc.stdout.read())
        assert self.proc.wait(timeout=60) == 0
        rest = []
        while (message := self.frames.next()) is not None:
            rest.append(message)
        return rest


@pytest.fixture
def child(engine, db_url: str, run_id: int) -> Iterator[Child]:
    c = Child(db_url, run_id, batch_size=3)
    yield c
    if c.proc.poll() is None:
        c.proc.kill()
    c.proc.wait(timeout=30)
    for stream in (c.proc.stdin, c.proc.stdout):
        if stream is not None and not stream.closed:
            stream.close()


def test_frames_survive_any_split() -> None:
    data = writer.frame(("page", {"body": b"x" * 300})) + writer.frame(("flush",))
    reader = writer.FrameReader()
    got = []
    for i in range(len(data)):
        reader.feed(data[i : i + 1])
        while (message := reader.next()) is not None:
            got.append(message)
    assert got == [("page", {"body": b"x" * 300}), ("flush",)]


def test_items_are_acknowledged_in_order_after_their_commit(child: Child, engine) -> None:
    child.send(_page(1), _event(), _page(2), _page(1))  # the fourth is the first one again
    assert child.reply() == ("stored", ["new_document", "logged", "new_document"])
    with db.session_factory(engine)() as s:  # acknowledged: committed, visible elsewhere
        assert s.scalar(select(func.count()).select_from(Document)) == 2
    child.send(("state", "gov_mofcom_zcfb", "jpaas_params", {"a": 1}), ("flush",))
    assert child.reply() == ("stored", ["unchanged"])
    assert child.reply() == ("flushed",)
    with db.session_factory(engine)() as s:
        assert queries.get_state(s, "gov_mofcom_zcfb", "jpaas_params") == {"a": 1}
    assert child.finish() == []


def test_end_of_input_writes_what_waits(child: Child, engine) -> None:
    child.send(_page(1), _page(2, status=404))
    assert child.finish() == [("stored", ["new_document", "http_error"])]
    with db.session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(FetchLog)) == 2


def test_warnings_travel_as_log_messages(child: Child) -> None:
    bad = _page(1)
    bad[1]["kind"] = "video"
    child.send(bad, ("flush",))
    level, name, text = child.reply()[1:]
    assert (level, name) == (30, "db.store") and "kind must be article or annex" in text
    assert child.reply() == ("stored", ["error"])
    assert child.reply() == ("flushed",)
    child.finish()


class _Out:
    def __init__(self) -> None:
        self.sent: list[tuple[Any, ...]] = []

    def send(self, message: tuple[Any, ...]) -> None:
        self.sent.append(message)


def test_a_failed_commit_is_reported_with_the_number_lost(
    db_url: str, run_id: int, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    out = _Out()
    w = writer.Writer(db_url, run_id, 10, out)  # type: ignore[arg-type]
    try:
        w.take(_page(1))
        w.take(_event())

        def refuse() -> None:
            raise OSError("no space left on device")

        monkeypatch.setattr(w.session, "commit", refuse)
        w.take(("flush",))
        assert out.sent == [("failed", 2, "OSError: no space left on device"), ("flushed",)]
        monkeypatch.undo()
        with db.session_factory(db.connect(db_url))() as s:
            assert s.scalar(select(func.count()).select_from(FetchLog)) == 0  # rolled back
        w.take(_page(1))  # the session is usable again
        w.take(("flush",))
        assert out.sent[-2:] == [("stored", ["new_document"]), ("flushed",)]
    finally:
        w.close()


def test_module_runs_as_a_script(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "db.writer"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0 and "ValueError" in proc.stderr  # arguments are required
