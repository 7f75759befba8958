"""db.batch: many pages and events per write, with the outcomes of one-at-a-time storing."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

import db
from db import batch as batch_mod
from db.batch import Batch
from db.schema import Document, DocumentVersion
from tests.db import pages as P

TABLES = ("sources", "documents", "document_versions", "fetch_log")


def _url(i: int) -> str:
    return P.ARTICLE_URL.replace("art_3f0c", f"art_{i:04d}")


def _event(**changes: Any) -> P.Event:
    fields: dict[str, Any] = {
        "source": "gov_mofcom_zcfb",
        "url": "https://www.mofcom.gov.cn/zwgk/zcfb/index.html",
        "kind": "list",
        "status": 200,
        "outcome": "ok",
        "error": None,
        "fetched_at": P.at(9),
    }
    return P.Event(**{**fields, **changes})


def mixed_items() -> list[tuple[str, Any]]:
    """A crawl's worth of cases, in an order that makes a batch meet each of them mid-way."""
    listing = "".join(
        f'<li><a href="/zwgk/zcfb/art/2025/art_{i:032x}.html" title="t{i}">t{i}</a>'
        f"<span>[2025-10-0{i}]</span></li>"
        for i in range(1, 8)
    )
    bad = P.article(P.article_html(), url=_url(7))
    bad.kind = "video"
    items: list[tuple[str, Any]] = [
        ("event", _event()),
        ("page", P.annex(b"%PDF annex first", parent=_url(1))),  # its parent comes later
        *(
            ("page", P.article(P.article_html(body=P.BODY + str(i)), url=_url(i), fetched_at=P.at(10)))
            for i in range(1, 5)
        ),
        ("page", P.annex(b"%PDF-1.7 x", parent=_url(2))),  # same annex, now its parent exists
        ("page", P.article(P.article_html(body=P.BODY + "1", views=99), url=_url(1), fetched_at=P.at(11))),
        ("page", P.article(P.article_html(body=P.EDITED_BODY), url=_url(2), fetched_at=P.at(12))),
        ("page", P.article(P.article_html(body=P.BODY + "2"), url=_url(2), fetched_at=P.at(13), list_date=None)),
        ("page", P.article(P.PORTAL_SHELL, url=_url(3), fetched_at=P.at(14))),
        ("page", P.article(P.PORTAL_SHELL, url=_url(9), fetched_at=P.at(14))),
        ("page", P.article(P.WAF_412, url=_url(4), status=412, fetched_at=P.at(15))),
        ("page", P.article(b"<h1>404</h1>", url=_url(5), status=404, fetched_at=P.at(15))),
        ("page", P.annex(b"", parent=_url(1))),
        ("page", bad),
        ("page", P.article(f'<ul class="txtList_01">{listing}</ul>', url=_url(11))),
        ("event", _event(kind="article", status=412, outcome="waf", error="blocked", body=b"x")),
        ("page", P.article(P.article_html(body=P.BODY + "1"), url=_url(1), fetched_at=P.at(9))),
        ("page", P.article(P.article_html(body=P.BODY + "12"), url=_url(12), source="gov_mofcom_gg")),
    ]  # fmt: skip
    return items


def _fresh(tmp_path: Path, name: str) -> tuple[Engine, Path]:
    path = tmp_path / f"{name}.db"
    engine = db.connect(f"sqlite:///{path}")
    db.upgrade(engine)
    return engine, path


def _dump(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        return {t: conn.execute(f"select * from {t} order by id").fetchall() for t in TABLES}


def _one_by_one(engine: Engine, items: list[tuple[str, Any]]) -> list[db.StoreResult | None]:
    results: list[db.StoreResult | None] = []
    with db.session_factory(engine)() as s:
        run_id = db.begin_run(s, "crawl", ["gov_mofcom_zcfb"])
        for kind, item in items:
            if kind == "page":
                results.append(db.store_page(s, run_id, item))
            else:
                db.record_fetch(s, run_id, item)
                results.append(None)
        s.commit()
    return results


def _batched(engine: Engine, items: list[tuple[str, Any]], size: int) -> list[Any]:
    results: list[db.StoreResult | None] = []
    with db.session_factory(engine)() as s:
        batch = Batch(db.begin_run(s, "crawl", ["gov_mofcom_zcfb"]))
        for kind, item in items:
            batch.add_page(item) if kind == "page" else batch.add_event(item)
            if len(batch) >= size:
                results += batch.write(s)
        results += batch.write(s)
        s.commit()
    return results


@pytest.mark.parametrize("size", [2, 5, 1000])
def test_a_batch_stores_exactly_what_one_at_a_time_stores(tmp_path: Path, size: int) -> None:
    items = mixed_items()
    engine, path = _fresh(tmp_path, "single")
    expected = _one_by_one(engine, items)
    engine_b, path_b = _fresh(tmp_path, "batched")
    assert _batched(engine_b, items, size) == expected
    # created_at of sources is the write time; everything else must be identical
    single, batched = _dump(path), _dump(path_b)
    assert [r[1] for r in single.pop("sources")] == [r[1] for r in batched.pop("sources")]
    assert single == batched
    outcomes = [r.outcome for r in expected if r is not None]
    assert outcomes.count("new_document") == 6 and outcomes.count("new_version") == 3
    assert {"unchanged", "portal_shell", "waf", "http_error", "error"} <= set(outcomes)


def test_same_document_twice_in_one_batch_gets_two_versions(
    session: db.Session, run_id: int
) -> None:
    batch = Batch(run_id)
    batch.add_page(P.article(P.article_html(), fetched_at=P.at(10)))
    batch.add_page(P.article(P.article_html(views=7), fetched_at=P.at(11)))  # chrome only
    batch.add_page(P.article(P.article_html(body=P.EDITED_BODY), fetched_at=P.at(12)))
    first, again, edited = batch.write(session)
    session.commit()
    assert first is not None and again is not None and edited is not None
    assert (first.outcome, again.outcome, edited.outcome) == (
        "new_document",
        "unchanged",
        "new_version",
    )
    assert again.version_id == first.version_id
    seqs = session.scalars(select(DocumentVersion.seq).order_by(DocumentVersion.seq))
    assert list(seqs) == [1, 2]
    doc = session.get(Document, first.document_id)
    assert doc is not None and doc.current_version_id == edited.version_id


def test_a_failing_item_is_recorded_and_the_rest_of_its_batch_stored(
    session: db.Session,
    run_id: int,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    poisoned = P.article(P.article_html(body=P.BODY + "毒"), url=_url(2)).body
    real = batch_mod.compress

    def compress(data: bytes) -> bytes:
        if data == poisoned:
            raise OSError("disk says no")
        return real(data)

    monkeypatch.setattr(batch_mod, "compress", compress)
    batch = Batch(run_id)
    batch.add_page(P.article(P.article_html(), url=_url(1)))
    batch.add_page(P.article(poisoned, url=_url(2)))
    batch.add_event(_event())
    batch.add_page(P.article(P.article_html(), url=_url(3)))
    with caplog.at_level(logging.WARNING, logger="db.store"):
        results = batch.write(session)
    session.commit()
    assert [r.outcome if r else None for r in results] == [
        "new_document",
        "error",
        None,
        "new_document",
    ]
    assert "writing them one at a time" in caplog.text
    assert "disk says no" in caplog.text
    stored = set(session.scalars(select(Document.canonical_url)))
    assert stored == {_url(1), _url(3)}  # the next run fetches _url(2) again
    log = session.execute(select(db.schema.FetchLog.url, db.schema.FetchLog.outcome)).all()
    assert sorted(log) == sorted(
        [
            (_url(1), "new_document"),
            (_url(2), "error"),
            (_event().url, "ok"),
            (_url(3), "new_document"),
        ]
    )


def test_documents_loaded_before_a_write_are_not_served_stale(
    session: db.Session, run_id: int
) -> None:
    first = db.store_page(session, run_id, P.article(P.article_html(), fetched_at=P.at(10)))
    doc = session.get(Document, first.document_id)
    assert doc is not None and doc.last_fetched_at == P.at(10)
    edited = db.store_page(
        session, run_id, P.article(P.article_html(body=P.EDITED_BODY), fetched_at=P.at(12))
    )
    assert doc.last_fetched_at == P.at(12)
    assert doc.current_version_id == edited.version_id


def test_nothing_added_writes_nothing(session: db.Session, run_id: int) -> None:
    assert Batch(run_id).write(session) == []
    assert session.scalar(select(db.schema.FetchLog.id)) is None


def test_a_rolled_back_source_is_created_again(session: db.Session, run_id: int) -> None:
    db.store_page(session, run_id, P.article(P.article_html(), source="gov_mofcom_gg"))
    session.rollback()  # the source row made for that page is gone, and so is its cached id
    again = db.store_page(session, run_id, P.article(P.article_html(), source="gov_mofcom_gg"))
    session.commit()
    assert again.outcome == "new_document"
    names = session.scalars(select(db.schema.Source.name).order_by(db.schema.Source.id))
    assert list(names) == ["gov_mofcom_gg"]
