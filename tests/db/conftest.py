"""Fixtures for db tests: a migrated SQLite file in tmp_path and an open session per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

import db


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'data' / 'regwatch.db'}"


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = db.connect(db_url)
    db.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[db.Session]:
    with db.session_factory(engine)() as s:
        yield s


@pytest.fixture
def run_id(session: db.Session) -> int:
    rid = db.begin_run(session, "crawl", ["gov_mofcom_zcfb"])
    session.commit()
    return rid
