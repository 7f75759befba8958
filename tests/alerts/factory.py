"""Test factory: instruments, snapshots, change events and runs written straight to the tables.

The real producer (``db/changes.py``) fills these tables after each crawl; alerting only reads
them, so its tests build rows directly, shaped like the producer's.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from db import store
from db.schema import (
    ChangeEvent,
    Document,
    DocumentVersion,
    Instrument,
    InstrumentLocation,
    InstrumentSnapshot,
    Source,
)

T0 = datetime(2025, 11, 7, 10, 0, tzinfo=UTC)
_seq = itertools.count(1)

ITEM_3A001 = {
    "code": "3A001",
    "name": "可充放电锂离子电池",
    "hs_codes": ["85076000"],
    "thresholds": [
        {"parameter": "重量能量密度", "op": ">=", "value": 300, "value_max": None, "unit": "Wh/kg"}
    ],
    "clause": "一(一)",
    "parent_code": None,
}
ITEM_3C901 = {
    "code": "3C901.a.1",
    "name": "磷酸铁锂正极材料",
    "hs_codes": ["28429040"],
    "thresholds": [],
    "clause": "二(一)",
    "parent_code": None,
}


def facts(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "kind": "announcement",
        "language": "zh-Hans",
        "title": "",
        "numbers": [],
        "publish_date": None,
        "effective": [],
        "suspensions": [],
        "references": [],
        "items": [],
        "thresholds": [],
        "elements": [],
        "entities": [],
        "legal_basis": [],
        "text_sha256": "0" * 64,
    }
    base.update(overrides)
    return base


def run(s: Session, status: str = "ok") -> int:
    run_id = store.begin_run(s, "run", ["gov_mofcom_zcfb"])
    store.finish_run(s, run_id, status, {})
    s.flush()
    return run_id


def _source(s: Session, name: str) -> int:
    found = s.query(Source).filter_by(name=name).one_or_none()
    if found is None:
        found = Source(name=name, created_at=T0)
        s.add(found)
        s.flush()
    return found.id


def instrument(
    s: Session,
    *,
    key: str,
    title: str,
    number_text: str | None = None,
    issuers: list[str] | None = None,
    kind: str = "announcement",
    publish_date: date | None = None,
    url: str | None = None,
    record: dict[str, Any] | None = None,
) -> Instrument:
    """An instrument with one stored document (its official URL), one version and a snapshot."""
    n = next(_seq)
    url = url or f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{n:04d}.html"
    doc = Document(
        source_id=_source(s, "gov_mofcom_zcfb"),
        canonical_url=url,
        kind="article",
        title=title,
        first_seen_at=T0,
        last_seen_at=T0,
    )
    s.add(doc)
    s.flush()
    version = DocumentVersion(
        document_id=doc.id,
        seq=1,
        content_hash=hashlib.sha256(url.encode()).hexdigest(),
        raw_sha256="0" * 64,
        raw_body=b"",
        raw_size=0,
        title=title,
        url=url,
        http_status=200,
        headers={},
        fetched_at=T0,
    )
    s.add(version)
    s.flush()
    doc.current_version_id = version.id
    inst = Instrument(
        key=key,
        number_text=number_text,
        issuers=issuers,
        kind=kind,
        title=title,
        publish_date=publish_date,
        first_seen_at=T0,
    )
    s.add(inst)
    s.flush()
    s.add(InstrumentLocation(document_id=doc.id, instrument_id=inst.id, added_at=T0))
    snapshot = InstrumentSnapshot(
        instrument_id=inst.id,
        seq=1,
        document_id=doc.id,
        version_id=version.id,
        parser_version="test",
        facts_hash="0" * 64,
        facts=record or facts(title=title, kind=kind),
        cause="content",
        created_at=T0,
    )
    s.add(snapshot)
    s.flush()
    inst.current_snapshot_id = snapshot.id
    s.flush()
    return inst


def event(
    s: Session,
    inst: Instrument | None,
    kind: str,
    *,
    run_id: int | None = None,
    cause: str = "content",
    subject: str | None = None,
    before: Any = None,
    after: Any = None,
    details: dict[str, Any] | None = None,
    summary_en: str | None = None,
    summary_zh: str | None = None,
    effective_on: date | None = None,
    caused_by: Instrument | None = None,
) -> ChangeEvent:
    n = next(_seq)
    row = ChangeEvent(
        dedupe_key=f"test:{n}",
        kind=kind,
        cause=cause,
        instrument_id=inst.id if inst else None,
        caused_by_id=caused_by.id if caused_by else None,
        run_id=run_id,
        detected_at=T0,
        effective_on=effective_on,
        subject=subject if subject is not None else (inst.title if inst else None),
        before=before,
        after=after,
        details=details or {},
        summary_en=summary_en
        or f"{kind.replace('_', ' ')}: {subject or (inst.key if inst else '')}",
        summary_zh=summary_zh or f"{kind}：{subject or (inst.title if inst else '')}",
    )
    s.add(row)
    s.flush()
    return row


TITLE_70 = "商务部 海关总署公告2025年第70号 关于暂停实施2025年10月9日公布的相关出口管制措施的公告"
TITLE_58 = (
    "商务部 海关总署公告2025年第58号 公布对锂电池和人造石墨负极材料相关物项实施出口管制的决定"
)


def announcement_58(s: Session, run_id: int | None = None) -> tuple[Instrument, list[ChangeEvent]]:
    """Announcement 58 (lithium batteries) as first seen: added, with two items."""
    inst = instrument(
        s,
        key="商务部/公告/2025/58",
        title=TITLE_58,
        number_text="商务部 海关总署公告2025年第58号",
        issuers=["商务部", "海关总署"],
        publish_date=date(2025, 10, 9),
        record=facts(
            title=TITLE_58,
            publish_date="2025-10-09",
            effective=[{"date": "2025-11-08", "applies_to": "all", "basis": "fixed"}],
            items=[ITEM_3A001, ITEM_3C901],
            legal_basis=["中华人民共和国出口管制法"],
        ),
    )
    events = [
        event(
            s,
            inst,
            "document_added",
            run_id=run_id,
            summary_en="MOFCOM/GAC Announcement No. 58 of 2025: export controls on lithium batteries",
            summary_zh="新公告：商务部 海关总署公告2025年第58号",
        ),
        event(
            s,
            inst,
            "item_added",
            run_id=run_id,
            subject="3A001",
            after=ITEM_3A001,
            summary_en="Item added: 3A001 rechargeable lithium-ion batteries",
            summary_zh="新增物项：3A001 可充放电锂离子电池",
        ),
        event(
            s,
            inst,
            "item_added",
            run_id=run_id,
            subject="3C901.a.1",
            after=ITEM_3C901,
            summary_en="Item added: 3C901.a.1 LFP cathode material",
            summary_zh="新增物项：3C901.a.1 磷酸铁锂正极材料",
        ),
    ]
    return inst, events


def announcement_70(
    s: Session, run_id: int | None = None, suspended: Instrument | None = None
) -> tuple[Instrument, list[ChangeEvent]]:
    """Announcement 70 appears and suspends 58 (and others) until 2026-11-10."""
    window = {"from": "2025-11-07", "until": "2026-11-10"}
    inst = instrument(
        s,
        key="商务部/公告/2025/70",
        title=TITLE_70,
        number_text="商务部 海关总署公告2025年第70号",
        issuers=["商务部", "海关总署"],
        publish_date=date(2025, 11, 7),
        url="https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_887a1d088e41d4896aeb67e0ba0f8a14.html",
        record=facts(
            title=TITLE_70,
            publish_date="2025-11-07",
            effective=[{"date": "2025-11-07", "applies_to": "all", "basis": "on_publication"}],
            suspensions=[
                {
                    "target": {
                        "issuers": ["商务部", "海关总署"],
                        "type": "公告",
                        "year": 2025,
                        "seq": seq,
                    },
                    "applies_to": "all",
                    **window,
                }
                for seq in (55, 56, 57, 58)
            ],
        ),
    )
    events = [
        event(
            s,
            inst,
            "document_added",
            run_id=run_id,
            summary_en="MOFCOM/GAC Announcement No. 70 of 2025 suspends the export controls of 9 October 2025",
            summary_zh="新公告：商务部 海关总署公告2025年第70号（暂停实施）",
        )
    ]
    if suspended is not None:
        events.append(
            event(
                s,
                suspended,
                "measure_suspended",
                run_id=run_id,
                caused_by=inst,
                effective_on=date(2025, 11, 7),
                details={"window": window},
                summary_en="Announcement No. 58 of 2025 suspended from 2025-11-07 until 2026-11-10",
                summary_zh="2025年第58号公告暂停实施（2025-11-07至2026-11-10）",
            )
        )
    return inst, events
