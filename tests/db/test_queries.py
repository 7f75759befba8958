"""Read-side queries, crawl state and parsed records."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

import db
from db.schema import Document, ParsedRecord
from tests.db import pages as P

ZCFB = "gov_mofcom_zcfb"
GG = "gov_mofcom_gg"


def _url(n: int, column: str = "zwgk/zcfb") -> str:
    return f"https://www.mofcom.gov.cn/{column}/art/2025/art_{n:032x}.html"


def _store(s: db.Session, run_id: int | None, n: int, hour: int, source: str = ZCFB) -> int:
    html = P.article_html(title=f"商务部公告2025年第{n}号", body=f"{P.BODY}（第{n}号）")
    page = P.article(
        html, url=_url(n), fetched_at=P.at(hour), source=source, list_date=f"2025-10-{n:02d}"
    )
    result = db.store_page(s, run_id, page)
    assert result.document_id is not None
    return result.document_id


def test_known_urls_per_source(session: db.Session, run_id: int) -> None:
    _store(session, run_id, 1, 10)
    _store(session, run_id, 2, 10)
    _store(session, run_id, 3, 10, source=GG)
    db.store_page(session, run_id, P.annex(b"%PDF-1.4 x", parent=_url(1)))
    assert db.known_urls(session, ZCFB) == {_url(1), _url(2), P.ANNEX_URL}
    assert db.known_urls(session, GG) == {_url(3)}
    assert db.known_urls(session, "gov_mofcom_aqygzj") == set()


def test_due_for_revisit_ordering_and_limit(session: db.Session, run_id: int) -> None:
    ids = {n: _store(session, run_id, n, hour) for n, hour in [(1, 15), (2, 9), (3, 12), (4, 11)]}
    _store(session, run_id, 5, 1, source=GG)  # other source
    db.store_page(session, run_id, P.annex(b"%PDF-1.4 x"))  # annexes are not revisited
    session.execute(update(Document).where(Document.id == ids[4]).values(status="delisted"))

    assert db.due_for_revisit(session, ZCFB, None, None) == [_url(2), _url(3), _url(1)]
    assert db.due_for_revisit(session, ZCFB, None, 2) == [_url(2), _url(3)]
    assert db.due_for_revisit(session, ZCFB, P.at(12), None) == [_url(2)]
    assert db.due_for_revisit(session, ZCFB, P.at(12) + timedelta(seconds=1), 5) == [
        _url(2),
        _url(3),
    ]
    # a fetch moves a document to the back of the queue, even when nothing changed
    _store(session, run_id, 2, 20)
    assert db.due_for_revisit(session, ZCFB, None, None) == [_url(3), _url(1), _url(2)]


def test_save_parsed_is_idempotent(session: db.Session, run_id: int) -> None:
    doc_id = _store(session, run_id, 1, 10)
    (vid,) = db.versions_to_parse(session, "0.1.0")
    record = {"kind": "announcement", "title": "商务部公告2025年第1号"}
    db.save_parsed(session, vid, "0.1.0", record)
    db.save_parsed(session, vid, "0.1.0", {"kind": "changed", "title": "ignored"})
    session.commit()
    assert db.versions_to_parse(session, "0.1.0") == []
    assert db.versions_to_parse(session, "0.2.0") == [vid]
    rows = session.query(ParsedRecord).all()
    assert len(rows) == 1 and rows[0].record == record
    assert len(rows[0].record_hash) == 64
    detail = db.document_detail(session, doc_id)
    assert detail is not None and detail.record == record
    # the unique constraint itself holds, not only the check in save_parsed
    session.add(ParsedRecord(version_id=vid, parser_version="0.1.0", record={}, record_hash="x"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_save_parsed_unknown_version(session: db.Session) -> None:
    with pytest.raises(db.DBError, match="version 999 does not exist"):
        db.save_parsed(session, 999, "0.1.0", {})


def test_new_parser_version_adds_a_row_and_wins(session: db.Session, run_id: int) -> None:
    doc_id = _store(session, run_id, 1, 10)
    (vid,) = db.versions_to_parse(session, "0.1.0")
    db.save_parsed(session, vid, "0.1.0", {"kind": "old"})
    db.save_parsed(session, vid, "0.2.0", {"kind": "new"})
    (row,) = db.latest_documents(session)
    assert row.id == doc_id and row.record == {"kind": "new"}


def test_latest_documents(session: db.Session, run_id: int) -> None:
    a = _store(session, run_id, 3, 10)
    b = _store(session, run_id, 7, 10, source=GG)
    c = _store(session, run_id, 5, 10)
    html = P.article_html(title="商务部公告2025年第5号", body="改过的正文" * 10)
    page = P.article(html, url=_url(5), fetched_at=P.at(13), list_date="2025-10-05")
    db.store_page(session, run_id, page)
    db.store_page(session, run_id, P.annex(b"%PDF-1.4 x", parent=_url(3)))
    session.commit()

    rows = db.latest_documents(session, kind="article")
    assert [r.id for r in rows] == [b, c, a]  # newest list date first
    assert [r.version_count for r in rows] == [1, 2, 1]
    assert rows[1].title == "商务部公告2025年第5号" and rows[1].record is None
    assert rows[0].source == GG and rows[0].first_seen_at == P.at(10)
    assert [r.id for r in db.latest_documents(session, limit=1, kind="article")] == [b]
    assert [r.id for r in db.latest_documents(session, source=GG)] == [b]
    assert {r.kind for r in db.latest_documents(session, limit=None)} == {"article", "annex"}

    later = db.begin_run(session, "crawl", [ZCFB])
    new = _store(session, later, 9, 20)
    _store(session, later, 3, 21)  # unchanged: not first seen in this run
    assert db.latest_run_id(session) == later
    assert [r.id for r in db.latest_documents(session, first_seen_run=later)] == [new]


def test_document_detail(session: db.Session, run_id: int) -> None:
    doc_id = _store(session, run_id, 1, 10)
    page = P.article(P.article_html(), url=_url(1), fetched_at=P.at(11), list_date=None)
    db.store_page(session, run_id, page)
    detail = db.document_detail(session, doc_id)
    assert detail is not None
    assert [v.seq for v in detail.versions] == [1, 2]
    assert detail.version_count == 2 and detail.current_version_id == detail.versions[1].id
    assert detail.versions[1].text_length > 50
    assert all(v.run_id == run_id and v.http_status == 200 for v in detail.versions)
    assert db.document_detail(session, 12345) is None
    as_json = json.loads(json.dumps(db.queries.as_dict(detail)))
    assert as_json["versions"][0]["fetched_at"] == "2025-10-09T10:00:00+00:00"
    assert as_json["list_date"] == "2025-10-01"


def test_run_summary_and_fetch_counts(session: db.Session, run_id: int) -> None:
    for kind in ("column", "list", "list"):
        db.record_fetch(session, run_id, P.Event(ZCFB, _url(0), kind, 200, "ok", None, P.at(9)))
    db.record_fetch(session, run_id, P.Event(ZCFB, _url(0), "list", 412, "waf", "blocked", P.at(9)))
    _store(session, run_id, 1, 10)
    _store(session, run_id, 1, 11)
    _store(session, run_id, 2, 10)
    db.store_page(session, run_id, P.article(P.PORTAL_SHELL, url=_url(3)))
    db.store_page(session, run_id, P.annex(b"%PDF-1.4 x", parent=_url(1)))
    _store(session, run_id, 4, 10, source=GG)
    db.finish_source_run(session, run_id, GG, "ok", {}, None)
    other = db.begin_run(session, "crawl", [ZCFB])
    _store(session, other, 9, 10)

    gg, zcfb = db.run_summary(session, run_id)  # sorted by source name
    assert zcfb == db.SourceSummary(
        source=ZCFB,
        status=None,
        error=None,
        list_pages=3,
        articles_fetched=4,
        annexes_fetched=1,
        new_documents=3,
        new_versions=0,
        unchanged=1,
        portal_shells=1,
        errors=1,
    )
    assert (gg.source, gg.status, gg.new_documents, gg.articles_fetched) == (GG, "ok", 1, 1)
    assert db.fetch_counts(session, run_id) == {
        ZCFB: {"ok": 3, "waf": 1, "new_document": 3, "unchanged": 1, "portal_shell": 1},
        GG: {"new_document": 1},
    }


def test_recent_runs(session: db.Session) -> None:
    ids = [db.begin_run(session, cmd, []) for cmd in ("run", "crawl", "backfill")]
    db.finish_run(session, ids[0], "ok", {"sources": {}})
    runs = db.recent_runs(session, 2)
    assert [r.id for r in runs] == [ids[2], ids[1]]
    assert runs[0].command == "backfill" and runs[0].status == "running"
    assert db.recent_runs(session, 5)[-1].stats == {"sources_requested": [], "sources": {}}


def test_crawl_state_round_trip(session: db.Session) -> None:
    assert db.get_state(session, ZCFB, "page_id") is None
    db.set_state(session, ZCFB, "page_id", "fc8bdff48fa345a48b651c1285b70b8f")
    db.set_state(session, ZCFB, "cursor", {"page": 3, "seen": ["a", "b"]})
    db.set_state(session, ZCFB, "cursor", {"page": 4})
    session.commit()
    assert db.get_state(session, ZCFB, "page_id") == "fc8bdff48fa345a48b651c1285b70b8f"
    assert db.get_state(session, ZCFB, "cursor") == {"page": 4}
    assert db.get_state(session, GG, "cursor") is None
