"""The crawl's database: reads in this process, every write in one storage process.

All crawlers of a run share one Twisted thread and one ``SharedStore``. Writes — pages, fetch
events, crawl state — go to a single storage process (``db.writer``, run by ``StorageProcess``)
that extracts and stores them in batches on a core of its own and acknowledges each page and
event once it is committed. This process only reads (known URLs, crawl state, the robots.txt
cache), each time in a short transaction of its own: it never holds a lock the writer would
wait for, nor an old snapshot. During a crawl SQLite sees a single writer, as before.

Invariants:
- Every page or event sent is answered exactly once, in order: with its outcome once committed,
  or with None when it was lost (a failed commit, a storage process that died).
- Writes queued faster than the storage process stores them pause the crawl's engines at
  PAUSE_BYTES waiting and resume them below RESUME_BYTES.
- The last ``release`` closes the session and the storage process's input; the storage process
  then writes what still waits and exits.
"""

from __future__ import annotations

import logging
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from scrapy.settings import BaseSettings
from twisted.internet import protocol
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

import db
from db.writer import FrameReader, frame

log = logging.getLogger(__name__)

PAUSE_BYTES = 64 * 1024 * 1024
RESUME_BYTES = 16 * 1024 * 1024
DEFAULT_BATCH_SIZE = 200
DEFAULT_BATCH_SECONDS = 1.0

#: what a page or event is answered with: its outcome, or None when it was lost
Answer = Callable[[str | None], None]


class StorageProcess(protocol.ProcessProtocol):
    """The ``db.writer`` child: frames out on its stdin, acknowledgements back on its stdout."""

    def __init__(self, db_url: str, run_id: int, batch_size: int, batch_seconds: float) -> None:
        self.args = [db_url, str(run_id), str(batch_size), str(batch_seconds)]
        self.reader = FrameReader()
        self.waiting: deque[tuple[Answer, int]] = deque()  # per page/event sent: answer, bytes
        self.waiting_bytes = 0
        self.failure: str | None = None
        self.closing = False
        #: called with (paused: bool) when the backlog crosses PAUSE_BYTES / RESUME_BYTES
        self.feed_listeners: list[Callable[[bool], None]] = []
        #: called with a reason when the storage process is gone for good
        self.failure_listeners: list[Callable[[str], None]] = []
        self.paused = False
        self.flushes: deque[Deferred[None]] = deque()  # flushes sent, not answered yet
        self.pipe: Any = None  # the process transport, once started (zope interfaces confuse mypy)

    def start(self) -> None:
        from twisted.internet import reactor

        spawn: Any = reactor.spawnProcess  # type: ignore[attr-defined]
        args = [sys.executable, "-m", "db.writer", *self.args]
        self.pipe = spawn(
            self, sys.executable, args, dict(os.environ), childFDs={0: "w", 1: "r", 2: "r"}
        )

    def connectionMade(self) -> None:
        transport: Any = self.transport
        log.debug("storage process %s started", transport.pid)

    # -- sending ---------------------------------------------------------------------------

    def send(self, kind: str, fields: dict[str, Any], answer: Answer) -> None:
        """Queue a page or an event; ``answer`` is called once it is committed or lost."""
        if self.failure is not None or self.pipe is None:
            answer(None)
            return
        data = frame((kind, fields))
        self.waiting.append((answer, len(data)))
        self.waiting_bytes += len(data)
        self.pipe.write(data)
        if not self.paused and self.waiting_bytes > PAUSE_BYTES:
            self._set_paused(True)

    def send_state(self, source: str, key: str, value: Any) -> None:
        if self.failure is None and self.pipe is not None:
            self.pipe.write(frame(("state", source, key, value)))
        else:
            log.warning("state %s/%s not saved: %s", source, key, self.failure or "not started")

    def flush(self) -> Deferred[None]:
        """Have what waits written now; fires once everything sent before is committed or lost."""
        done: Deferred[None] = Deferred()
        if self.failure is None and self.pipe is not None:
            self.flushes.append(done)
            self.pipe.write(frame(("flush",)))
        else:
            done.callback(None)
        return done

    def close(self) -> None:
        """End the input: the storage process writes what waits and exits."""
        self.closing = True
        if self.pipe is not None:
            self.pipe.closeStdin()

    # -- receiving -------------------------------------------------------------------------

    def outReceived(self, data: bytes) -> None:
        self.reader.feed(data)
        while (message := self.reader.next()) is not None:
            self._dispatch(message)

    def errReceived(self, data: bytes) -> None:
        text = data.decode("utf-8", "replace").rstrip()
        if text:
            log.error("storage process: %s", text)

    def processEnded(self, reason: Failure) -> None:
        code = getattr(reason.value, "exitCode", None)
        if self.closing and code == 0:
            self._lose_waiting("the storage process exited before answering")
            return
        self.failure = f"the storage process ended unexpectedly (exit code {code})"
        log.error("%s; what it had not acknowledged is not stored", self.failure)
        self._lose_waiting(self.failure)
        for listener in self.failure_listeners:
            listener(self.failure)

    def _dispatch(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "stored":
            outcomes = message[1]
            pages = sum(o not in ("logged", "dropped") for o in outcomes)
            log.debug("committed %d items (%d pages)", len(outcomes), pages)
            for outcome in outcomes:
                self._answer(outcome)
        elif kind == "failed":
            _, count, error = message
            log.error(
                "a write of %d items failed (%s); their pages are fetched next run", count, error
            )
            for _ in range(count):
                self._answer(None)
        elif kind == "flushed":
            if self.flushes:
                self.flushes.popleft().callback(None)
        elif kind == "log":
            _, level, name, text = message
            logging.getLogger(name).log(level, "%s", text)

    def _answer(self, outcome: str | None) -> None:
        if not self.waiting:
            log.error("the storage process answered more items than it was sent")
            return
        answer, size = self.waiting.popleft()
        self.waiting_bytes -= size
        if self.paused and self.waiting_bytes < RESUME_BYTES:
            self._set_paused(False)
        answer(outcome)

    def _lose_waiting(self, why: str) -> None:
        if self.waiting:
            log.error("%d items were not stored: %s", len(self.waiting), why)
        while self.waiting:
            self._answer(None)
        while self.flushes:
            self.flushes.popleft().callback(None)

    def _set_paused(self, paused: bool) -> None:
        self.paused = paused
        log.info(
            "%s the crawl: %.0f MiB wait for the storage process",
            "pausing" if paused else "resuming",
            self.waiting_bytes / 2**20,
        )
        for listener in self.feed_listeners:
            listener(paused)


class SharedStore:
    """A reference-counted read session and storage process for one database URL."""

    _open: ClassVar[dict[str, SharedStore]] = {}

    def __init__(self, db_url: str, writer: StorageProcess) -> None:
        self.db_url = db_url
        self.engine = db.connect(db_url)
        self.session = db.session_factory(self.engine)()
        self.writer = writer
        self.users = 0

    @classmethod
    def acquire(cls, settings: BaseSettings) -> SharedStore | None:
        """The crawl's store (started on first use), or None when REGWATCH_DB_URL is unset."""
        db_url = settings.get("REGWATCH_DB_URL") or ""
        if not db_url:
            return None
        store = cls._open.get(db_url)
        if store is None:
            writer = StorageProcess(
                db_url,
                settings.getint("REGWATCH_RUN_ID"),
                settings.getint("REGWATCH_STORE_BATCH_SIZE", DEFAULT_BATCH_SIZE),
                settings.getfloat("REGWATCH_STORE_BATCH_SECONDS", DEFAULT_BATCH_SECONDS),
            )
            store = cls._open[db_url] = cls(db_url, writer)
            writer.start()
        store.users += 1
        return store

    @contextmanager
    def reading(self) -> Iterator[db.Session]:
        """The session for a few reads, in a transaction that ends with them."""
        try:
            yield self.session
        finally:
            self.session.rollback()

    def set_state(self, source: str, key: str, value: Any) -> None:
        """Save crawl state (through the storage process; committed with its next write)."""
        self.writer.send_state(source, key, value)

    def release(self) -> None:
        self.users -= 1
        if self.users > 0:
            return
        try:
            self.session.close()
            self.engine.dispose()
        finally:
            self._open.pop(self.db_url, None)
            self.writer.close()
