"""One database session per process, shared by every spider and pipeline of a crawl.

All crawlers of a run share one Twisted thread. With SQLite, two connections that both want to
write would wait on each other's open transaction inside that single thread (busy_timeout, then
"database is locked"), so every reader and writer in the crawl uses the same session. Reference
counted: the last ``release`` commits and closes it.
"""

from __future__ import annotations

from typing import ClassVar

import db


class SharedStore:
    """A reference-counted session on one database URL."""

    _open: ClassVar[dict[str, SharedStore]] = {}

    def __init__(self, db_url: str) -> None:
        self.db_url = db_url
        self.engine = db.connect(db_url)
        self.session = db.session_factory(self.engine)()
        self.users = 0
        self.pending = 0

    @classmethod
    def acquire(cls, db_url: str) -> SharedStore:
        store = cls._open.get(db_url)
        if store is None:
            store = cls._open[db_url] = cls(db_url)
        store.users += 1
        return store

    def wrote(self, every: int = 50) -> None:
        """Note one write; commit once ``every`` writes have piled up."""
        self.pending += 1
        if self.pending >= every:
            self.commit()

    def commit(self) -> None:
        self.session.commit()
        self.pending = 0

    def release(self) -> None:
        self.users -= 1
        if self.users > 0:
            return
        try:
            self.commit()
        finally:
            self.session.close()
            self.engine.dispose()
            self._open.pop(self.db_url, None)
