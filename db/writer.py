"""The storage process: a crawl's one writer, fed over a pipe.

``python -m db.writer DB_URL RUN_ID BATCH_SIZE BATCH_SECONDS`` reads messages on stdin, stores
them with ``db.batch`` and answers on stdout. ``crawlers.storage`` starts one per crawl. The
crawl process downloads and only reads the database; this process decodes, extracts and
writes, on a core of its own, and SQLite sees a single writer.

Messages both ways are frames: a 4-byte big-endian length, then a pickle of a tuple.

In (stdin):
    ("page", fields)               a ``crawlers.items.FetchedPage`` as a dict
    ("event", fields)              a ``crawlers.items.FetchEvent`` as a dict
    ("state", source, key, value)  ``db.queries.set_state``
    ("flush",)                     write and commit what waits now, then say so
    end of input                   write and commit what waits, then exit 0
Out (stdout):
    ("stored", outcomes)           after each commit, one entry per page or event written, in
                                   the order received: a page's ``StoreResult.outcome``,
                                   ``logged`` for an event, ``dropped`` for an event too
                                   malformed to record
    ("failed", count, message)     the commit failed and was rolled back: ``count`` pages and
                                   events are lost (their pages are fetched again next run)
    ("flushed",)                   the answer to a flush: everything received before it has
                                   been committed (or reported failed)
    ("log", level, name, message)  a warning of the write side, for the crawl's own log

Invariants:
- A page or event is acknowledged only after the transaction that stored it has committed, and
  each is acknowledged exactly once, in order. State writes are not acknowledged one by one;
  they commit with the next write, which every ``flush`` forces and answers.
- What waits is written when BATCH_SIZE pages and events wait, BATCH_SECONDS after the first of
  them (or a state write) arrived, on ``flush`` and at the end of input. The input ends when the
  crawl closes it or dies: either way nothing received is left unwritten.
- SIGINT is ignored: Ctrl-C reaches the crawl, which shuts down gracefully and closes the input.
"""

from __future__ import annotations

import logging
import os
import pickle
import select
import signal
import sys
import time
from types import SimpleNamespace
from typing import Any, BinaryIO

from db import queries
from db.batch import Batch
from db.engine import connect, session_factory

log = logging.getLogger(__name__)

HEADER_BYTES = 4
#: The writer yields the CPU to the crawl (and to whatever else runs): it only has to keep up on
#: average, the crawl is the one waiting on sockets and timers.
NICENESS = 10
READ_CHUNK = 1 << 20
#: what ``read`` returns when its timeout expired before a whole frame arrived
TIMEOUT = object()


def frame(message: tuple[Any, ...]) -> bytes:
    """One message as a frame: length, then pickle."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(payload).to_bytes(HEADER_BYTES, "big") + payload


class FrameReader:
    """Frames out of a byte stream that arrives in arbitrary pieces."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._pos = 0

    def feed(self, data: bytes) -> None:
        if self._pos > len(self._buf) // 2:
            del self._buf[: self._pos]
            self._pos = 0
        self._buf += data

    def next(self) -> tuple[Any, ...] | None:
        """The next whole message, or None until more bytes arrive."""
        start = self._pos + HEADER_BYTES
        if len(self._buf) < start:
            return None
        size = int.from_bytes(self._buf[self._pos : start], "big")
        if len(self._buf) < start + size:
            return None
        message: tuple[Any, ...] = pickle.loads(self._buf[start : start + size])
        self._pos = start + size
        return message


class _Input:
    """Messages from a file descriptor, waiting at most a given time for the next one."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.frames = FrameReader()
        self.ended = False

    def read(self, timeout: float | None) -> tuple[Any, ...] | object | None:
        """The next message; None at end of input; TIMEOUT when ``timeout`` s passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            message = self.frames.next()
            if message is not None:
                return message
            if self.ended:
                return None
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self.fd], [], [], wait)
            if not ready:
                return TIMEOUT
            chunk = os.read(self.fd, READ_CHUNK)
            if chunk:
                self.frames.feed(chunk)
            else:
                self.ended = True


class _Output(logging.Handler):
    """Frames to stdout; also the handler that forwards warnings to the crawl."""

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(logging.WARNING)
        self.stream = stream
        self.gone = False  # the crawl closed its end: keep writing, stop answering

    def send(self, message: tuple[Any, ...]) -> None:
        if self.gone:
            return
        try:
            self.stream.write(frame(message))
            self.stream.flush()
        except BrokenPipeError:
            self.gone = True

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.send(("log", record.levelno, record.name, record.getMessage()))
        except Exception:
            self.handleError(record)


class Writer:
    """Batches what arrives and commits it; ``out`` receives the acknowledgements."""

    def __init__(self, db_url: str, run_id: int | None, batch_size: int, out: _Output) -> None:
        self.engine = connect(db_url)
        self.session = session_factory(self.engine)()
        self.batch = Batch(run_id)
        self.batch_size = max(1, batch_size)
        self.out = out
        self.kept: list[bool] = []  # per page/event waiting: False if it could not be recorded
        self.since: float | None = None  # when the first thing now waiting arrived

    def take(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "page":
            self.batch.add_page(SimpleNamespace(**message[1]))
            self.kept.append(True)
        elif kind == "event":
            self.kept.append(self.batch.add_event(SimpleNamespace(**message[1])))
        elif kind == "state":
            self._set_state(*message[1:])
        elif kind == "flush":
            self.write()
            self.out.send(("flushed",))
            return
        else:
            log.warning("storage process: unknown message %r ignored", kind)
            return
        if self.since is None:
            self.since = time.monotonic()
        if len(self.kept) >= self.batch_size:
            self.write()

    def _set_state(self, source: str, key: str, value: Any) -> None:
        try:
            with self.session.begin_nested():
                queries.set_state(self.session, source, key, value)
        except Exception as exc:
            log.warning("could not save state %s/%s: %s: %s", source, key, type(exc).__name__, exc)

    def write(self) -> None:
        """Write and commit what waits (pages, events, state), then acknowledge the items."""
        kept, self.kept, self.since = self.kept, [], None
        try:
            results = iter(self.batch.write(self.session))
            self.session.commit()
        except Exception as exc:
            self.session.rollback()
            log.error("storage process: commit failed: %s: %s", type(exc).__name__, exc)
            self.out.send(("failed", len(kept), f"{type(exc).__name__}: {exc}"))
            return
        outcomes = []
        for ok in kept:
            result = next(results) if ok else None
            outcomes.append(result.outcome if result is not None else "logged" if ok else "dropped")
        if outcomes:
            self.out.send(("stored", outcomes))

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()


def serve(db_url: str, run_id: int | None, batch_size: int, batch_seconds: float) -> int:
    """Run the storage process on stdin/stdout until the input ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(NICENESS)
    out = _Output(sys.stdout.buffer)
    logging.basicConfig(level=logging.WARNING, handlers=[out])
    writer = Writer(db_url, run_id, batch_size, out)
    source = _Input(sys.stdin.fileno())
    try:
        while True:
            timeout = None
            if writer.since is not None:
                timeout = max(0.0, writer.since + batch_seconds - time.monotonic())
            message = source.read(timeout)
            if message is TIMEOUT:
                writer.write()
            elif message is None:
                break
            else:
                writer.take(message)  # type: ignore[arg-type]
        writer.write()
    finally:
        writer.close()
    return 0


def main(argv: list[str]) -> int:
    db_url, run_id, batch_size, batch_seconds = argv
    return serve(db_url, int(run_id) if run_id else None, int(batch_size), float(batch_seconds))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
