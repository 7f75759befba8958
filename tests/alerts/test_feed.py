"""Atom feeds: well-formed, valid against the Atom rules we rely on, filtered, escaped."""

from __future__ import annotations

from lxml import etree

import db
from alerts import Filters
from alerts.feed import ATOM, feed_xml
from tests.alerts import factory

NS = {"a": ATOM}


def _feed(sessions: db.SessionFactory, filters: Filters) -> etree._Element:
    with sessions() as s:
        data = feed_xml(s, name="test", filters=filters, self_url="http://127.0.0.1/feeds/test.xml")
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    return etree.fromstring(data)


def test_feed_lists_matching_events_newest_first(sessions: db.SessionFactory) -> None:
    with sessions() as s:
        run_id = factory.run(s)
        a58, _ = factory.announcement_58(s, run_id)
        factory.announcement_70(s, run_id, suspended=a58)
        factory.event(s, a58, "item_removed", cause="parser", subject="3A001")
        s.commit()
    root = _feed(sessions, Filters())
    assert root.tag == f"{{{ATOM}}}feed"
    for tag in ("id", "title", "updated", "author/a:name"):
        assert root.find(f"a:{tag}", NS) is not None, tag
    entries = root.findall("a:entry", NS)
    assert len(entries) == 5  # the parser-caused event is left out
    ids = [e.findtext("a:id", namespaces=NS) for e in entries]
    assert ids == sorted(ids, key=lambda i: int(i.rsplit(":", 1)[1]), reverse=True)
    for entry in entries:
        assert entry.findtext("a:title", namespaces=NS)
        assert entry.findtext("a:updated", namespaces=NS) == "2025-11-07T10:00:00Z"
        link = entry.find("a:link", NS)
        assert link is not None and link.get("href", "").startswith("https://www.mofcom.gov.cn/")
    suspended = _feed(sessions, Filters.from_dict({"event_kinds": ["measure_suspended"]}))
    [entry] = suspended.findall("a:entry", NS)
    summary = entry.findtext("a:summary", namespaces=NS) or ""
    assert "2025年第58号公告暂停实施" in summary and factory.TITLE_58 in summary


def test_hostile_titles_stay_text(sessions: db.SessionFactory) -> None:
    with sessions() as s:
        inst = factory.instrument(s, key="doc/9", title="<script>x()</script>&", kind="news")
        factory.event(s, inst, "document_added", summary_en="<b>hi</b>")
        s.commit()
    root = _feed(sessions, Filters())
    [entry] = root.findall("a:entry", NS)
    assert entry.findtext("a:title", namespaces=NS) == "<b>hi</b>"
    assert entry.find("a:title/*", NS) is None  # text, not elements
    assert "<script>x()</script>&" in (entry.findtext("a:summary", namespaces=NS) or "")
