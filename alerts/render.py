"""Messages from event groups: emails (Jinja2, text + HTML) and webhook bodies (JSON).

Invariants:
- Everything that came from a crawled page reaches HTML only through Jinja2 autoescaping
  (``.html`` templates autoescape; ``.txt`` templates are plain text for a text/plain part).
- Header values built from data are folded onto one line (CR, LF and every other line or
  control character removed) before ``email.message.EmailMessage`` sees them, and the
  message itself refuses a header with a line break: no header injection.
- Rendering is deterministic: the same events, recipient and time give the same bytes, and
  the ``Message-ID`` depends only on the group key and the recipient.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from functools import cache
from typing import Any

from alerts.events import EventView, InstrumentView

#: Which event heads a group, most important first.
HEADLINE_ORDER = (
    "document_added",
    "measure_suspended",
    "measure_resumed",
    "measure_repealed",
    "measure_effective",
    "entity_listed",
    "entity_delisted",
    "item_added",
    "item_removed",
    "item_changed",
    "threshold_changed",
    "document_changed",
    "document_delisted",
    "document_restored",
)
OPS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "=", "==": "=", "range": "–"}
KEY_THRESHOLDS = 6
SUBJECT_LIMIT = 200
#: Line separators and control characters that must never reach a header.
UNSAFE_HEADER_RE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")


def one_line(text: str | None, limit: int = SUBJECT_LIMIT) -> str:
    """``text`` folded onto one line, safe for a header value, cut to ``limit`` characters."""
    flat = " ".join(UNSAFE_HEADER_RE.sub(" ", text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def message_id(key: str, recipient: str, sender: str) -> str:
    """A Message-ID that depends only on the group key and the recipient (and the sender's
    domain), so a message sent again after a crash carries the same one."""
    digest = hashlib.sha256(f"{key}\n{recipient}".encode()).hexdigest()[:32]
    domain = sender.rpartition("@")[2].strip(" >") or "regwatch.invalid"
    return f"<{digest}.regwatch@{one_line(domain, 100).replace(' ', '')}>"


@cache
def _env() -> Any:
    from jinja2 import ChainableUndefined, Environment, PackageLoader, select_autoescape

    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        # an item or entity missing an optional key renders as empty, never as a failed email
        undefined=ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["threshold"] = format_threshold
    return env


def render(template: str, **context: Any) -> str:
    """Render ``alerts/templates/<template>``."""
    return str(_env().get_template(template).render(**context))


def format_threshold(t: dict[str, Any]) -> str:
    """``重量能量密度 ≥ 300 Wh/kg`` from a threshold dict."""
    op = OPS.get(str(t.get("op")), str(t.get("op") or ""))
    value = t.get("value")
    if t.get("value_max") is not None:
        value = f"{value}–{t['value_max']}"
        op = "" if op == "–" else op
    parts = [
        str(t.get("parameter") or ""),
        op,
        f"{value}{' ' + t['unit'] if t.get('unit') else ''}",
    ]
    return " ".join(p for p in parts if p)


@dataclass
class Section:
    """What one email says about one document."""

    instrument: InstrumentView | None
    events: list[EventView]
    url: str | None
    facts: list[tuple[str, str]] = field(default_factory=list)
    items_added: list[dict[str, Any]] = field(default_factory=list)
    items_removed: list[dict[str, Any]] = field(default_factory=list)
    entities_listed: list[dict[str, Any]] = field(default_factory=list)
    entities_delisted: list[dict[str, Any]] = field(default_factory=list)
    diffs: list[list[str]] = field(default_factory=list)

    @property
    def headline(self) -> EventView:
        return min(self.events, key=_rank)

    @property
    def title(self) -> str:
        return (self.instrument.title if self.instrument else None) or self.headline.subject or ""


#: Documents that change the regime lead the email; reports on them come after.
DOCUMENT_ORDER = ("announcement", "entity_list", "notice", "qa", "news", "other")


def _rank(event: EventView) -> tuple[int, int, int]:
    """Lower is more important: the document's kind, then the event's kind, then its age."""
    doc_kind = event.instrument.kind if event.instrument else None
    doc = DOCUMENT_ORDER.index(doc_kind) if doc_kind in DOCUMENT_ORDER else len(DOCUMENT_ORDER)
    kind = HEADLINE_ORDER.index(event.kind) if event.kind in HEADLINE_ORDER else 99
    return doc, kind, event.id


def _fact_rows(inst: InstrumentView | None, events: list[EventView]) -> list[tuple[str, str]]:
    facts = inst.facts if inst else {}
    rows: list[tuple[str, str]] = []
    if inst and inst.number_text:
        rows.append(("Number 文号", inst.number_text))
    if inst and inst.issuers:
        rows.append(("Issuers 发布单位", "、".join(inst.issuers)))
    publish = (inst.publish_date.isoformat() if inst and inst.publish_date else None) or facts.get(
        "publish_date"
    )
    if publish:
        rows.append(("Published 发布日期", str(publish)))
    effective = [
        f"{e.get('date')}"
        + ("" if e.get("applies_to") in (None, "all") else f" ({e['applies_to']})")
        for e in facts.get("effective") or []
        if e.get("date")
    ]
    if effective:
        rows.append(("Effective 施行日期", "; ".join(effective)))
    windows = [_window(sus) for sus in facts.get("suspensions") or []]
    windows += [
        _window({"target": {}, **e.details["window"]})
        for e in events
        if isinstance(e.details.get("window"), dict) and e.caused_by
    ]
    if windows:
        rows.append(("Suspension 暂停实施", "; ".join(dict.fromkeys(windows))))
    rows.append(("Items 物项", str(len(facts.get("items") or []))))
    rows.append(("Entities 实体", str(len(facts.get("entities") or []))))
    key = [format_threshold(t) for t in facts.get("thresholds") or []]
    for item in facts.get("items") or []:
        key += [
            f"{format_threshold(t)} ({item.get('code') or item.get('name')})"
            for t in item.get("thresholds") or []
        ]
    if key:
        more = f" (+{len(key) - KEY_THRESHOLDS} more)" if len(key) > KEY_THRESHOLDS else ""
        rows.append(("Key thresholds 指标", "; ".join(key[:KEY_THRESHOLDS]) + more))
    return rows


def _window(sus: dict[str, Any]) -> str:
    target = sus.get("target") or {}
    label = (
        f"{target['year']}年第{target['seq']}号 "
        if target.get("year") and target.get("seq")
        else ""
    )
    return f"{label}{sus.get('from') or '?'} → {sus.get('until') or 'further notice'}"


def sections(events: Sequence[EventView]) -> list[Section]:
    """Events grouped per document, the most important document first (announcements and
    decisions before remarks and news; new documents and suspensions before other changes)."""
    by_doc: dict[Any, list[EventView]] = {}
    for e in events:
        by_doc.setdefault(e.instrument.id if e.instrument else ("event", e.id), []).append(e)
    out = []
    for group in by_doc.values():
        inst = group[0].instrument
        sec = Section(inst, group, next((e.url for e in group if e.url), None))
        sec.facts = _fact_rows(inst, group)
        for e in group:
            value = e.after if isinstance(e.after, dict) else e.before
            if e.kind == "item_added" and isinstance(value, dict):
                sec.items_added.append(value)
            elif e.kind == "item_removed" and isinstance(value, dict):
                sec.items_removed.append(value)
            elif e.kind == "entity_listed" and isinstance(value, dict):
                sec.entities_listed.append(value)
            elif e.kind == "entity_delisted" and isinstance(value, dict):
                sec.entities_delisted.append(value)
            elif e.kind == "document_changed" and e.details.get("text_diff"):
                sec.diffs.append(str(e.details["text_diff"]).splitlines())
        out.append(sec)
    return sorted(out, key=lambda sec: _rank(sec.headline))


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_group(events: Sequence[EventView], *, period: str | None = None) -> Rendered:
    """Subject, text and HTML for one event group (``period``: e.g. ``Daily digest 2025-11-08``)."""
    secs = sections(events)
    lead = min(secs, key=lambda sec: _rank(sec.headline))
    summary = lead.headline.summary_en
    if len(secs) > 1:
        summary += f" (+{len(secs) - 1} more document{'s' if len(secs) > 2 else ''})"
    if period:
        summary = f"{period}: {len(events)} change{'s' if len(events) > 1 else ''} — {summary}"
    subject = one_line(f"[regwatch] {summary} — {lead.title}")
    context = {"subject": subject, "summary": summary, "title": lead.title, "sections": secs}
    return Rendered(subject, render("group.txt", **context), render("group.html", **context))


def email_bytes(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    msg_id: str,
    date: datetime,
    extra_headers: dict[str, str] | None = None,
) -> bytes:
    """A multipart/alternative email (text first, then HTML) as bytes with CRLF line ends."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = one_line(sender)
    msg["To"] = one_line(to)
    msg["Subject"] = one_line(subject)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = msg_id
    for name, value in (extra_headers or {}).items():
        msg[name] = one_line(value)
    msg.set_content(text, cte="base64")
    msg.add_alternative(html, subtype="html", cte="base64")
    # A boundary from the Message-ID instead of a random one: the same message renders to the
    # same bytes. "_" is not in the base64 alphabet, so no body line can look like it.
    msg.set_boundary("=_regwatch_" + hashlib.sha256(msg_id.encode()).hexdigest()[:24])
    return msg.as_bytes()


def _event_json(e: EventView) -> dict[str, Any]:
    inst = e.instrument
    return {
        "id": e.id,
        "kind": e.kind,
        "cause": e.cause,
        "subject": e.subject,
        "summary_en": e.summary_en,
        "summary_zh": e.summary_zh,
        "effective_on": e.effective_on.isoformat() if e.effective_on else None,
        "detected_at": e.detected_at.isoformat(),
        "url": e.url,
        "instrument": None
        if inst is None
        else {
            "key": inst.key,
            "number": inst.number_text,
            "title": inst.title,
            "issuers": list(inst.issuers),
            "kind": inst.kind,
            "publish_date": inst.publish_date.isoformat() if inst.publish_date else None,
        },
        "before": e.before,
        "after": e.after,
        "details": e.details,
    }


def webhook_body(
    events: Sequence[EventView], *, delivery: str, subscription: str, subject: str
) -> bytes:
    """The JSON body of a webhook post for one event group (UTF-8, keys sorted)."""
    body = {
        "delivery": delivery,
        "subscription": subscription,
        "subject": subject,
        "events": [_event_json(e) for e in events],
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str).encode()
