"""Migrations build exactly the ORM schema; the engine sets the SQLite pragmas; types round-trip."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import StatementError

import db
from db.migrate import alembic_config
from db.schema import Base, CrawlRun, Source
from db.types import compress, decompress

TABLES = {
    "sources",
    "crawl_runs",
    "source_runs",
    "documents",
    "document_versions",
    "parsed_records",
    "fetch_log",
    "crawl_state",
    "instruments",
    "instrument_locations",
    "instrument_snapshots",
    "change_events",
    "measure_states",
    "control_items",
    "listed_entities",
    "subscriptions",
    "alert_deliveries",
    "health_incidents",
}


def _diff(engine: Engine) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, Base.metadata)


def _head(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_upgrade_empty_file_has_no_drift(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'dir' / 'r.db'}"
    engine = db.connect(url)
    db.upgrade(engine)
    assert (tmp_path / "nested" / "dir" / "r.db").exists()
    assert set(inspect(engine).get_table_names()) >= TABLES
    assert _diff(engine) == []
    assert _head(engine) == "0003"
    engine.dispose()


def test_upgrade_twice_is_a_noop_and_keeps_data(engine: Engine) -> None:
    with db.session_factory(engine)() as s:
        s.add(Source(name="gov_mofcom_gg", created_at=datetime.now(UTC)))
        s.commit()
    db.upgrade(engine)
    assert _head(engine) == "0003"
    with db.session_factory(engine)() as s:
        assert s.scalars(select(Source.name)).all() == ["gov_mofcom_gg"]


def test_upgrade_by_url_from_any_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    db.upgrade(url)
    engine = db.connect(url)
    assert _head(engine) == "0003"
    assert _diff(engine) == []
    engine.dispose()


def test_downgrade_to_base_then_upgrade_again(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert not TABLES & set(inspect(engine).get_table_names())
    db.upgrade(engine)
    assert _diff(engine) == []


def test_sqlite_pragmas_on_every_connection(engine: Engine) -> None:
    for _ in range(2):
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL


def test_foreign_keys_are_enforced(engine: Engine) -> None:
    with engine.connect() as conn, pytest.raises(Exception, match="FOREIGN KEY"):
        conn.execute(
            text(
                "INSERT INTO source_runs (run_id, source, started_at, status) "
                "VALUES (999, 'x', '2025-01-01 00:00:00', 'running')"
            )
        )


def test_bad_url_raises_connect_error() -> None:
    with pytest.raises(db.ConnectError, match="cannot parse"):
        db.connect("not a url at all")


def test_datetimes_round_trip_aware_utc(session: db.Session) -> None:
    cst = timezone(timedelta(hours=8))
    run = CrawlRun(
        command="crawl", status="running", started_at=datetime(2025, 10, 9, 20, 0, tzinfo=cst)
    )
    session.add(run)
    session.commit()
    session.expire_all()
    back = session.get(CrawlRun, run.id)
    assert back is not None
    assert back.started_at == datetime(2025, 10, 9, 12, 0, tzinfo=UTC)
    assert back.started_at.utcoffset() == timedelta(0)


def test_naive_datetimes_are_refused(session: db.Session) -> None:
    session.add(CrawlRun(command="crawl", status="running", started_at=datetime(2025, 10, 9)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.flush()


def test_compression_round_trip() -> None:
    raw = "商务部公告".encode() * 1000 + bytes(range(256))
    blob = compress(raw)
    assert blob != raw and len(blob) < len(raw)
    assert decompress(blob) == raw
    assert decompress(None) == b""


def test_json_columns_keep_chinese_readable_and_accept_datetimes(session: db.Session) -> None:
    rid = db.begin_run(session, "crawl", ["gov_mofcom_zcfb"])
    db.finish_run(session, rid, "ok", {"note": "商务部", "at": datetime(2025, 10, 9, tzinfo=UTC)})
    session.commit()
    raw = str(
        session.execute(text("SELECT stats FROM crawl_runs WHERE id = :i"), {"i": rid}).scalar()
    )
    assert '"note": "商务部"' in raw
    assert '"at": "2025-10-09T00:00:00+00:00"' in raw
