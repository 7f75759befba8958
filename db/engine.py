"""Engines and sessions.

SQLite is the default backend. Every SQLite connection gets WAL journaling (readers never block
the writer), enforced foreign keys, a 10 s busy timeout and ``synchronous=NORMAL``. SQLAlchemy
emits ``BEGIN`` itself instead of the sqlite3 module's legacy implicit transactions, so
SAVEPOINTs (``Session.begin_nested``) and transactional DDL behave as on other databases.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from db.errors import ConnectError

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    "PRAGMA synchronous=NORMAL",
)
#: sqlite3 waits this long (seconds) for a lock before the PRAGMA above is even applied.
SQLITE_CONNECT_TIMEOUT = 10

SessionFactory = sessionmaker[Session]


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable: {value!r}")


def json_dumps(value: Any) -> str:
    """JSON for JSON columns: Chinese kept readable (not \\u escapes), datetimes as ISO 8601."""
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _sqlite_file(url: URL) -> Path | None:
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN (see module docstring)
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def connect(url: str) -> Engine:
    """Create an engine for ``url``; for SQLite, create the file's directory and set pragmas.

    Args:
        url: A SQLAlchemy URL, e.g. ``sqlite:///var/regwatch.db``.

    Returns:
        The engine (no connection is opened yet).

    Raises:
        ConnectError: the URL cannot be parsed or names an unknown driver.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ConnectError(f"cannot parse database URL {url!r}: {exc}") from exc
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(parsed, pool_pre_ping=True, json_serializer=json_dumps)
        except (ArgumentError, NoSuchModuleError, ImportError) as exc:
            raise ConnectError(f"cannot use database URL {url!r}: {exc}") from exc
    path = _sqlite_file(parsed)
    if path is not None:
        try:
            path.expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConnectError(f"cannot create the directory for {path}: {exc}") from exc
    engine = create_engine(
        parsed, connect_args={"timeout": SQLITE_CONNECT_TIMEOUT}, json_serializer=json_dumps
    )
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def session_factory(engine: Engine) -> SessionFactory:
    """A ``sessionmaker`` bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
