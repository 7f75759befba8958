"""Change events: how they are named, summarised in Chinese and English, and stored.

``emit`` is the only writer of ``change_events``; it skips a ``dedupe_key`` already stored, so
every caller may replay its work safely.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

import parsers
from db.facts import OWN_SERIES, Draft, series_of
from db.schema import CHANGE_EVENTS, ChangeEvent, Instrument
from db.status import ALL

LIST_ZH = {
    "unreliable_entity": "不可靠实体清单",
    "control_list": "出口管制管控名单",
    "watch_list": "关注名单",
    "other": "清单",
}
LIST_EN = {
    "unreliable_entity": "Unreliable Entity List",
    "control_list": "export control list",
    "watch_list": "watch list",
    "other": "list",
}


@dataclass
class ChangeStats:
    """What one pass created."""

    documents: int = 0
    snapshots: int = 0
    events: Counter[str] = field(default_factory=Counter)
    failed: int = 0

    def total(self) -> int:
        return sum(self.events.values())


# --- labels -------------------------------------------------------------------------------


def label_zh(inst: Instrument) -> str:
    """How a reader names the instrument in Chinese: its number in the official form (the
    number as printed may lack 号 or carry stray spaces), else its title."""
    if inst.seq is None or inst.year is None:
        return inst.number_text or inst.title or inst.key
    issuers = inst.issuers or []
    doc_type = inst.doc_type if inst.doc_type in ("公告", "令") else "公告"
    if series_of(issuers) in OWN_SERIES:
        return f"{series_of(issuers)}{doc_type}〔{inst.year}〕{inst.seq}号"
    return f"{' '.join(issuers)}{doc_type}{inst.year}年第{inst.seq}号"


def label_en(inst: Instrument) -> str:
    """``MOFCOM/GAC Announcement No. 58 of 2025``, else the title."""
    if inst.seq is not None:
        return parsers.number_en(inst.issuers, inst.doc_type, inst.year, inst.seq)
    return inst.title or inst.key


def _item_label(item: dict[str, Any] | None) -> str:
    if not item:
        return "?"
    return " ".join(x for x in (item.get("code"), item.get("name")) if x)


def _item_label_en(item: dict[str, Any] | None) -> str:
    if not item:
        return "?"
    from parsers import glossary  # the glossary file is read once, on first use

    name = glossary.phrase_en(item.get("name") or "") or item.get("name") or ""
    return " ".join(x for x in (item.get("code"), name) if x)


def _thresholds_text(values: list[dict[str, Any]] | None) -> str:
    parts = []
    for t in values or []:
        value = t.get("value")
        if t.get("op") == "between":
            parts.append(f"{value}–{t.get('value_max')} {t.get('unit') or ''}".strip())
        else:
            parts.append(f"{t.get('op')} {value} {t.get('unit') or ''}".strip())
    return "; ".join(parts) or "—"


def summaries(kind: str, inst: Instrument, draft: Draft, extra: dict[str, Any]) -> tuple[str, str]:
    """The Chinese and English one-line summaries of an event."""
    zh, en = label_zh(inst), label_en(inst)
    subject = draft.subject or ""
    if kind == "document_added":
        return f"新增文件：{zh}", f"New: {extra.get('summary_en') or en}"
    if kind == "document_changed":
        fields = ", ".join((draft.details or {}).get("fields", []))
        return f"文件内容变更：{zh}（{fields}）", f"Changed: {en} ({fields})"
    if kind == "document_delisted":
        return f"已从官方网站撤下：{zh}", f"Removed from the official site: {en}"
    if kind == "document_restored":
        return f"重新在官方网站发布：{zh}", f"Back on the official site: {en}"
    if kind == "item_added":
        return (
            f"新增管制物项 {_item_label(draft.after)}（{zh}）",
            f"Item added: {_item_label_en(draft.after)} ({en})",
        )
    if kind == "item_removed":
        return (
            f"删除管制物项 {_item_label(draft.before)}（{zh}）",
            f"Item removed: {_item_label_en(draft.before)} ({en})",
        )
    if kind == "item_changed":
        fields = ", ".join((draft.details or {}).get("fields", []))
        return (
            f"管制物项变更 {_item_label(draft.after)}（{fields}；{zh}）",
            f"Item changed: {_item_label_en(draft.after)} ({fields}; {en})",
        )
    if kind == "threshold_changed":
        before, after = _thresholds_text(draft.before), _thresholds_text(draft.after)
        return (
            f"技术指标变更 {subject}：{before} → {after}（{zh}）",
            f"Threshold changed for {subject}: {before} → {after} ({en})",
        )
    if kind in ("entity_listed", "entity_delisted"):
        entity = draft.after or draft.before or {}
        name_zh = entity.get("name_zh") or entity.get("name_en") or subject
        name_en = entity.get("name_en") or entity.get("name_zh") or subject
        lst = entity.get("list") or "other"
        if kind == "entity_listed":
            return (
                f"{name_zh} 列入{LIST_ZH[lst]}（{zh}）",
                f"{name_en} added to the {LIST_EN[lst]} ({en})",
            )
        return (
            f"{name_zh} 移出{LIST_ZH[lst]}（{zh}）",
            f"{name_en} removed from the {LIST_EN[lst]} ({en})",
        )
    by_zh, by_en, when = extra.get("by_zh", ""), extra.get("by_en", ""), extra.get("on", "")
    scope = extra.get("scope", ALL)
    part_zh = "" if scope == ALL else f"第{scope}项"
    part_en = "" if scope == ALL else f" (clauses {scope})"
    if kind == "measure_effective":
        return f"{zh}{part_zh}自{when}起施行", f"{en}{part_en} in force from {when}"
    if kind == "measure_suspended":
        until = extra.get("until") or "另行通知"
        return (
            f"{zh}{part_zh}暂停实施（{when}至{until}），依据{by_zh}",
            f"{en}{part_en} suspended from {when} until {extra.get('until') or 'further notice'} by {by_en}",
        )
    if kind == "measure_resumed":
        return f"{zh}{part_zh}自{when}起恢复实施", f"{en}{part_en} applies again from {when}"
    return (
        f"{zh}{part_zh}自{when}起不再实施，依据{by_zh}",
        f"{en}{part_en} ended from {when} by {by_en}",
    )


# --- events -------------------------------------------------------------------------------


def event_row(
    *,
    dedupe_key: str,
    kind: str,
    cause: str,
    inst: Instrument,
    draft: Draft,
    run_id: int | None,
    now: datetime,
    document_id: int | None = None,
    version_id: int | None = None,
    caused_by_id: int | None = None,
    effective_on: date | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The ``change_events`` row for a draft, summaries included."""
    zh, en = summaries(kind, inst, draft, extra or {})
    return {
        "dedupe_key": dedupe_key[:255],
        "kind": kind,
        "cause": cause,
        "instrument_id": inst.id,
        "document_id": document_id,
        "version_id": version_id,
        "caused_by_id": caused_by_id,
        "run_id": run_id,
        "detected_at": now,
        "effective_on": effective_on,
        "subject": draft.subject,
        "before": draft.before,
        "after": draft.after,
        "details": draft.details or None,
        "summary_zh": zh,
        "summary_en": en,
    }


def store_events(
    s: Session, stats: ChangeStats, rows: list[dict[str, Any]], *, known_new: bool = False
) -> None:
    """Insert event rows in one statement, skipping dedupe keys already stored.

    ``known_new``: the caller guarantees the keys are new (events of a snapshot created in this
    transaction, whose keys carry its sequence number); the unique index still guards.
    """
    if not rows:
        return
    if not known_new:
        keys = [r["dedupe_key"] for r in rows]
        seen = set(
            s.scalars(select(ChangeEvent.dedupe_key).where(ChangeEvent.dedupe_key.in_(keys)))
        )
        rows = [r for r in rows if r["dedupe_key"] not in seen]
        if not rows:
            return
    s.connection().execute(insert(CHANGE_EVENTS), rows)
    for r in rows:
        stats.events[r["kind"]] += 1


def emit(s: Session, stats: ChangeStats, **fields: Any) -> None:
    """Store one event unless its ``dedupe_key`` is known (see ``event_row`` for the fields)."""
    store_events(s, stats, [event_row(**fields)])
