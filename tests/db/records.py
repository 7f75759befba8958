"""Contract records built by hand for diff-layer tests (facts of real 2025 announcements).

Only the fields the diff layer reads are filled; texts are short invented stand-ins.
"""

from __future__ import annotations

import copy
from typing import Any

PACKAGE_DAY = "2025-10-09"


def number(seq: int, issuers: tuple[str, ...] = ("商务部", "海关总署"), year: int = 2025) -> dict:
    joined = " ".join(issuers)
    return {
        "text": f"{joined}公告{year}年第{seq}号",
        "issuers": list(issuers),
        "type": "公告",
        "year": year,
        "seq": seq,
        "span": [0, 10],
    }


def item(
    code: str,
    name: str,
    hs: list[str] | None = None,
    thresholds: list[dict] | None = None,
    clause: str = "一(一)",
) -> dict:
    return {
        "code": code,
        "name": name,
        "hs_codes": hs or [],
        "thresholds": thresholds or [],
        "clause": clause,
        "parent_code": None,
        "span": [0, 1],
    }


def threshold(op: str, value: float, unit: str, parameter: str | None = None) -> dict:
    return {
        "parameter": parameter,
        "op": op,
        "value": value,
        "value_max": None,
        "unit": unit,
        "span": [0, 1],
    }


def record(
    seq: int | None,
    *,
    title: str = "公告",
    kind: str = "announcement",
    publish: str | None = PACKAGE_DAY,
    effective: str | None = "2025-11-08",
    items: list[dict] | None = None,
    entities: list[dict] | None = None,
    suspensions: list[dict] | None = None,
    references: list[dict] | None = None,
    text: str = "正文",
    issuers: tuple[str, ...] = ("商务部", "海关总署"),
) -> dict[str, Any]:
    return {
        "schema_version": "1",
        "kind": kind,
        "language": "zh-Hans",
        "title": title,
        "url": None,
        "numbers": [number(seq, issuers)] if seq is not None else [],
        "publish_date": publish,
        "effective": (
            [{"date": effective, "applies_to": "all", "basis": "fixed", "span": [0, 1]}]
            if effective
            else []
        ),
        "suspensions": suspensions or [],
        "references": references or [],
        "items": items or [],
        "thresholds": [],
        "elements": [],
        "entities": entities or [],
        "legal_basis": [],
        "text": text,
        "summary_en": f"Announcement No. {seq}" if seq else "News",
        "warnings": [],
    }


def battery_items() -> list[dict]:
    """Two items of announcement 58 (3A001 with its threshold, 3B901.a.1)."""
    return [
        item(
            "3A001",
            "可充放电锂离子电池",
            ["85076000"],
            [threshold(">=", 300, "Wh/kg", "重量能量密度")],
        ),
        item("3B901.a.1", "卷绕机", ["84798999"]),
    ]


def suspension_of(seqs: list[int], start: str = "2025-11-07", until: str = "2026-11-10") -> dict:
    """A record like announcement 70: it suspends ``seqs`` from ``start`` until ``until``."""
    targets = [
        {"issuers": ["商务部", "海关总署"], "type": "公告", "year": 2025, "seq": s} for s in seqs
    ]
    return record(
        70,
        title="关于暂停实施相关出口管制措施的公告",
        publish=start,
        effective=start,
        suspensions=[
            {"target": t, "applies_to": "all", "from": start, "until": until, "span": [0, 1]}
            for t in targets
        ],
        references=[{"target": t, "relation": "suspends", "span": [0, 1]} for t in targets],
    )


def entity(
    zh: str,
    en: str,
    action: str = "add",
    lst: str = "unreliable_entity",
    country: str | None = "US",
) -> dict:
    return {
        "name_zh": zh,
        "name_en": en,
        "country": country,
        "list": lst,
        "action": action,
        "span": [0, 1],
    }


def edited(rec: dict, **changes: Any) -> dict:
    out = copy.deepcopy(rec)
    out.update(changes)
    return out
