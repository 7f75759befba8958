"""Column types shared by the schema: aware UTC datetimes and zlib-compressed bytes.

Invariants: every datetime read back from the database is timezone-aware UTC, whatever the
backend stores (SQLite keeps naive ISO strings); naive datetimes are refused on the way in,
because guessing their zone would silently shift timestamps.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

ZLIB_LEVEL = 6


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that round-trips aware UTC datetimes on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware UTC datetime")
        value = value.astimezone(UTC)
        # SQLite has no zone support: store the UTC wall time, re-attach UTC when reading.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        when: datetime = value
        if when.tzinfo is None:
            return when.replace(tzinfo=UTC)
        return when.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime:
    """``value`` converted to aware UTC; naive values are taken as UTC; None means now."""
    if value is None:
        return utcnow()
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def compress(data: bytes) -> bytes:
    """zlib-compress ``data`` (the storage format of raw bodies)."""
    return zlib.compress(bytes(data), ZLIB_LEVEL)


def decompress(blob: bytes | None) -> bytes:
    """Inverse of ``compress``; None → empty bytes."""
    return zlib.decompress(blob) if blob else b""
