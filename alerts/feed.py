"""Atom feeds (RFC 4287) of change events, one per filter.

The feed is rebuilt from the tables on each call (newest events first, parser-caused events
left out), so a static export and a served feed are the same document. Text from crawled pages
goes into text constructs that lxml escapes; no markup from a page is ever passed through.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree
from sqlalchemy.orm import Session

from alerts.events import EventView, latest_events
from alerts.filters import Filters

ATOM = "http://www.w3.org/2005/Atom"
#: Events read per feed before filtering (a narrow filter may show fewer than ``limit``).
SCAN = 2000


def _add(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _entry(feed: etree._Element, e: EventView) -> None:
    entry = _add(feed, "entry")
    _add(entry, "id", f"urn:regwatch:event:{e.id}")
    _add(entry, "title", e.summary_en)
    _add(entry, "updated", _stamp(e.detected_at))
    if e.url:
        _add(entry, "link", href=e.url, rel="alternate")
    _add(entry, "category", term=e.kind)
    lines = [e.summary_zh]
    if e.instrument:
        lines += [e.instrument.title or "", e.instrument.number_text or ""]
    if e.effective_on:
        lines.append(f"effective {e.effective_on.isoformat()}")
    _add(entry, "summary", "\n".join(x for x in lines if x), type="text")


def feed_xml(
    s: Session,
    *,
    name: str,
    filters: Filters,
    limit: int = 50,
    self_url: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """The Atom document of the newest ``limit`` events matching ``filters``."""
    events = [e for e in latest_events(s, SCAN) if filters.matches(e)][:limit]
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _add(feed, "id", f"urn:regwatch:feed:{name}")
    _add(feed, "title", f"regwatch: {name}")
    _add(feed, "subtitle", f"MOFCOM export-control changes ({filters.describe()})")
    updated = events[0].detected_at if events else (now or datetime(1970, 1, 1, tzinfo=UTC))
    _add(feed, "updated", _stamp(updated))
    _add(_add(feed, "author"), "name", "regwatch")
    _add(feed, "generator", "regwatch")
    if self_url:
        _add(feed, "link", href=self_url, rel="self")
    for event in events:
        _entry(feed, event)
    return bytes(etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True))
