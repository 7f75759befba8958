"""store_page / record_fetch against real SQLite files, with hand-written MOFCOM pages."""

from __future__ import annotations

import hashlib
import logging

import pytest
from sqlalchemy import func, select

import db
from db.schema import FETCH_BODY_CAP, CrawlRun, Document, DocumentVersion, FetchLog, SourceRun
from db.types import decompress
from tests.db import pages as P


def _versions(s: db.Session, doc_id: int) -> list[DocumentVersion]:
    stmt = select(DocumentVersion).where(DocumentVersion.document_id == doc_id)
    return list(s.scalars(stmt.order_by(DocumentVersion.seq)))


def _log(s: db.Session) -> list[FetchLog]:
    return list(s.scalars(select(FetchLog).order_by(FetchLog.id)))


def test_new_then_unchanged_then_edited(session: db.Session, run_id: int) -> None:
    first = db.store_page(session, run_id, P.article(P.article_html(), fetched_at=P.at(10)))
    assert first.outcome == "new_document"
    assert first.document_id is not None and first.version_id is not None

    rerendered = P.article_html(make_time="2025-10-10 08:00:00", views=5321)
    again = db.store_page(session, run_id, P.article(rerendered, fetched_at=P.at(11)))
    assert again == db.StoreResult(first.document_id, first.version_id, "unchanged")

    edited = P.article_html(body=P.EDITED_BODY, views=5400)
    third = db.store_page(session, run_id, P.article(edited, fetched_at=P.at(12)))
    assert third.outcome == "new_version"
    assert third.document_id == first.document_id
    session.commit()

    versions = _versions(session, first.document_id)
    assert [v.seq for v in versions] == [1, 2]
    assert versions[1].id == third.version_id
    assert "本公告自发布之日起正式实施" in (versions[1].text or "")
    assert versions[0].content_hash != versions[1].content_hash
    doc = session.get(Document, first.document_id)
    assert doc is not None
    assert doc.current_version_id == third.version_id
    assert doc.title == P.TITLE
    assert doc.first_seen_at == P.at(10) and doc.last_fetched_at == P.at(12)
    assert str(doc.list_date) == "2025-10-09"
    assert [r.outcome for r in _log(session)] == ["new_document", "unchanged", "new_version"]


def test_version_keeps_raw_bytes_and_metadata(session: db.Session, run_id: int) -> None:
    html = P.article_html()
    result = db.store_page(session, run_id, P.article(html))
    v = session.get(DocumentVersion, result.version_id)
    assert v is not None
    raw = html.encode("utf-8")
    assert decompress(v.raw_body) == raw
    assert v.raw_sha256 == hashlib.sha256(raw).hexdigest()
    assert v.raw_size == len(raw)
    assert (v.encoding, v.page_type, v.http_status, v.run_id) == ("utf-8", "article", 200, run_id)
    assert v.headers == {"content-type": "text/html; charset=UTF-8"}
    assert v.text is not None and v.text.startswith(P.TITLE)
    stored = db.load_version(session, v.id)
    assert stored is not None and stored.body == raw and stored.kind == "article"


def test_portal_shell_is_logged_not_versioned(session: db.Session, run_id: int) -> None:
    first = db.store_page(session, run_id, P.article(P.article_html(), fetched_at=P.at(10)))
    shell = db.store_page(session, run_id, P.article(P.PORTAL_SHELL, fetched_at=P.at(14)))
    session.commit()
    assert shell == db.StoreResult(first.document_id, None, "portal_shell")
    assert len(_versions(session, first.document_id or 0)) == 1
    row = _log(session)[-1]
    assert row.outcome == "portal_shell" and "portal shell" in (row.error or "")
    assert decompress(row.body) == P.PORTAL_SHELL.encode()
    doc = session.get(Document, first.document_id)
    assert doc is not None
    assert doc.status == "active"  # delisting is decided elsewhere
    assert doc.last_fetched_at == P.at(14) and doc.last_seen_at == P.at(10)


def test_portal_shell_for_unknown_url_creates_nothing(session: db.Session, run_id: int) -> None:
    result = db.store_page(session, run_id, P.article(P.PORTAL_SHELL))
    assert result == db.StoreResult(None, None, "portal_shell")
    assert session.scalar(select(func.count()).select_from(Document)) == 0


def test_waf_412_page_is_recorded_with_body(session: db.Session, run_id: int) -> None:
    page = P.article(P.WAF_412, status=412)
    result = db.store_page(session, run_id, page)
    assert result == db.StoreResult(None, None, "waf")
    row = _log(session)[-1]
    assert (row.status, row.outcome, row.kind) == (412, "waf", "article")
    assert decompress(row.body) == P.WAF_412.encode()
    assert row.size == len(P.WAF_412.encode())
    assert session.scalar(select(func.count()).select_from(DocumentVersion)) == 0


def test_waf_412_event_recorded_with_body(session: db.Session, run_id: int) -> None:
    event = P.Event(
        source="gov_mofcom_zcfb",
        url="https://www.mofcom.gov.cn/zwgk/zcfb/index.html",
        kind="column",
        status=412,
        outcome="waf",
        error="HTTP 412 from the WAF; retried 3 times",
        fetched_at=P.at(9),
        body=P.WAF_412.encode(),
        elapsed_ms=17,
    )
    db.record_fetch(session, run_id, event)
    session.commit()
    row = _log(session)[-1]
    assert (row.run_id, row.source, row.kind, row.status, row.outcome) == (
        run_id,
        "gov_mofcom_zcfb",
        "column",
        412,
        "waf",
    )
    assert row.error == "HTTP 412 from the WAF; retried 3 times"
    assert decompress(row.body) == P.WAF_412.encode()
    assert (row.elapsed_ms, row.fetched_at) == (17, P.at(9))


def test_network_error_event_without_status_or_body(session: db.Session, run_id: int) -> None:
    event = P.Event(
        "gov_mofcom_gg",
        "https://www.mofcom.gov.cn/x",
        "list",
        None,
        "network_error",
        "connection reset by peer",
        P.at(9),
    )
    db.record_fetch(session, run_id, event)
    row = _log(session)[-1]
    assert (row.status, row.body, row.size, row.outcome) == (None, None, None, "network_error")


def test_fetch_log_body_is_capped(session: db.Session, run_id: int) -> None:
    big = b"<html>" + b"x" * (FETCH_BODY_CAP + 5000)
    db.store_page(session, run_id, P.article(big, status=500))
    row = _log(session)[-1]
    assert row.outcome == "http_error"
    assert decompress(row.body) == big[:FETCH_BODY_CAP]
    assert row.size == len(big)


def test_http_error_on_known_document_is_not_a_version(session: db.Session, run_id: int) -> None:
    first = db.store_page(session, run_id, P.article(P.article_html()))
    gone = db.store_page(session, run_id, P.article(b"<h1>404</h1>", status=404))
    assert gone == db.StoreResult(first.document_id, None, "http_error")
    assert len(_versions(session, first.document_id or 0)) == 1


def test_gbk_page_without_charset_decodes(session: db.Session, run_id: int) -> None:
    body = P.article_html(charset=None).encode("gbk")
    result = db.store_page(session, run_id, P.article(body, content_type="text/html"))
    assert result.outcome == "new_document"
    v = session.get(DocumentVersion, result.version_id)
    assert v is not None
    assert v.encoding == "gb18030"
    assert v.title == P.TITLE
    assert P.BODY in (v.text or "")


def test_same_text_in_another_encoding_is_unchanged(session: db.Session, run_id: int) -> None:
    db.store_page(session, run_id, P.article(P.article_html(charset=None)))
    gbk = P.article_html(charset=None).encode("gbk")
    result = db.store_page(session, run_id, P.article(gbk, content_type=None))
    assert result.outcome == "unchanged"


def test_annex_storage(session: db.Session, run_id: int) -> None:
    parent = db.store_page(session, run_id, P.article(P.article_html()))
    pdf = b"%PDF-1.7\n" + "管制物项清单".encode() + b"\n%%EOF\n"
    first = db.store_page(session, run_id, P.annex(pdf))
    assert first.outcome == "new_document"
    doc = session.get(Document, first.document_id)
    assert doc is not None
    assert (doc.kind, doc.parent_id, doc.title) == (
        "annex",
        parent.document_id,
        "1.管制物项清单.pdf",
    )
    v = session.get(DocumentVersion, first.version_id)
    assert v is not None
    assert v.content_hash == hashlib.sha256(pdf).hexdigest() == v.raw_sha256
    assert (v.text, v.page_type, v.encoding) == (None, None, None)
    assert decompress(v.raw_body) == pdf

    assert db.store_page(session, run_id, P.annex(pdf)).outcome == "unchanged"
    changed = db.store_page(session, run_id, P.annex(pdf + b"%2\n"))
    assert changed.outcome == "new_version"
    assert [x.seq for x in _versions(session, doc.id)] == [1, 2]
    detail = db.document_detail(session, parent.document_id or 0)
    assert detail is not None and detail.annex_ids == (doc.id,)


def test_empty_annex_is_an_error(session: db.Session, run_id: int) -> None:
    assert db.store_page(session, run_id, P.annex(b"")).outcome == "error"
    assert session.scalar(select(func.count()).select_from(Document)) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body", None, "body must be bytes"),
        ("kind", "video", "kind must be article or annex"),
        ("status", "200", "status must be an int"),
        ("url", "", "url must be a non-empty string"),
    ],
)
def test_bad_input_never_raises(
    session: db.Session,
    run_id: int,
    caplog: pytest.LogCaptureFixture,
    field: str,
    value: object,
    message: str,
) -> None:
    page = P.article(P.article_html())
    setattr(page, field, value)
    with caplog.at_level(logging.WARNING, logger="db.store"):
        result = db.store_page(session, run_id, page)
    assert result == db.StoreResult(None, None, "error")
    assert message in caplog.text
    row = _log(session)[-1]
    assert row.outcome == "error" and message in (row.error or "")
    # the session is still usable: the next good page is stored
    assert db.store_page(session, run_id, P.article(P.article_html())).outcome == "new_document"
    session.commit()


def test_unusable_page_type_is_an_error(
    session: db.Session, run_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    rows = "".join(
        f'<li><a href="/zwgk/zcfb/art/2025/art_{i:032x}.html" title="t{i}">t{i}</a>'
        f"<span>[2025-10-0{i}]</span></li>"
        for i in range(1, 8)
    )
    listing = f'<html><body><ul class="txtList_01">{rows}</ul></body></html>'
    with caplog.at_level(logging.WARNING, logger="db.store"):
        result = db.store_page(session, run_id, P.article(listing))
    assert result.outcome == "error"
    assert "list page, not an article" in caplog.text
    assert session.scalar(select(func.count()).select_from(DocumentVersion)) == 0


def test_naive_fetched_at_is_taken_as_utc_with_warning(
    session: db.Session, run_id: int, caplog: pytest.LogCaptureFixture
) -> None:
    page = P.article(P.article_html())
    page.fetched_at = P.at(12).replace(tzinfo=None)
    with caplog.at_level(logging.WARNING, logger="db.store"):
        result = db.store_page(session, run_id, page)
    assert result.outcome == "new_document"
    assert "naive fetched_at" in caplog.text
    v = session.get(DocumentVersion, result.version_id)
    assert v is not None and v.fetched_at == P.at(12)


def test_run_lifecycle(session: db.Session) -> None:
    rid = db.begin_run(session, "run", ["gov_mofcom_zcfb", "gov_mofcom_gg"])
    db.begin_source_run(session, rid, "gov_mofcom_zcfb")
    db.finish_source_run(session, rid, "gov_mofcom_zcfb", "ok", {"articles": 3}, None)
    db.finish_source_run(session, rid, "gov_mofcom_gg", "failed", {}, "HTTP 412 on the index")
    db.finish_run(session, rid, "partial", {"parsed": 3})
    session.commit()
    run = session.get(CrawlRun, rid)
    assert run is not None and run.finished_at is not None
    assert run.status == "partial"
    assert run.stats == {"sources_requested": ["gov_mofcom_zcfb", "gov_mofcom_gg"], "parsed": 3}
    states = {r.source: (r.status, r.error) for r in session.scalars(select(SourceRun))}
    assert states == {
        "gov_mofcom_zcfb": ("ok", None),
        "gov_mofcom_gg": ("failed", "HTTP 412 on the index"),
    }
    with pytest.raises(db.DBError, match="run status"):
        db.finish_run(session, rid, "great", {})


def test_interrupt_stale_runs(session: db.Session) -> None:
    stale = db.begin_run(session, "run", ["gov_mofcom_zcfb"])
    db.begin_source_run(session, stale, "gov_mofcom_zcfb")
    done = db.begin_run(session, "run", [])
    db.finish_run(session, done, "ok", {})
    assert db.interrupt_stale_runs(session) == [stale]
    session.commit()
    session.expire_all()
    assert session.get(CrawlRun, stale).status == "interrupted"  # type: ignore[union-attr]
    assert session.get(CrawlRun, done).status == "ok"  # type: ignore[union-attr]
    assert session.scalar(select(SourceRun.status)) == "failed"
    assert db.interrupt_stale_runs(session) == []


def test_versions_cannot_be_updated_or_deleted(session: db.Session, run_id: int) -> None:
    result = db.store_page(session, run_id, P.article(P.article_html()))
    session.commit()
    v = session.get(DocumentVersion, result.version_id)
    assert v is not None
    v.text = "rewritten history"
    with pytest.raises(db.DBError, match="append-only"):
        session.flush()
    session.rollback()
    session.delete(v)
    with pytest.raises(db.DBError, match="append-only"):
        session.flush()
    session.rollback()
    assert session.get(DocumentVersion, result.version_id) is not None
