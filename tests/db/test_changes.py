"""process_changes against a real SQLite file: events, replays, parser changes, locations,
delistings, measure transitions and a kill -9 in the middle of a pass."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

import db
from db import queries
from db.changes import process_changes
from db.schema import ChangeEvent, Document, Instrument, InstrumentLocation, InstrumentSnapshot
from tests.db import pages as P
from tests.db import records as R

URL_A = P.ARTICLE_URL
URL_B = (
    "https://aqygzj.mofcom.gov.cn/flzc/gzjgfxwj/art/2025/art_5b1e0c7d9a3f4e62b8d1c0a9f7e6d5c4.html"
)
PARSER = "p1"


class World:
    """Stores pages and their records the way crawl + parse would, then runs the stage."""

    def __init__(self, engine: Engine) -> None:
        self.sessions = db.session_factory(engine)
        self.hour = 8
        self.records: dict[int, dict] = {}  # version id → record returned by ``reparse``

    def run(self, status: str = "ok") -> int:
        with self.sessions() as s:
            rid = db.begin_run(s, "run", ["gov_mofcom_zcfb"])
            db.begin_source_run(s, rid, "gov_mofcom_zcfb")
            db.finish_source_run(s, rid, "gov_mofcom_zcfb", status, {}, None)
            s.commit()
        return rid

    def store(
        self, record: dict, *, url: str = URL_A, body: str | None = None, parser: str = PARSER
    ) -> int:
        """Store a page (its body decides the version) and its parsed record; the version id."""
        self.hour += 1
        html = P.article_html(body=body or record["text"])
        with self.sessions() as s:
            res = db.store_page(
                s,
                None,
                P.article(html, url=url, fetched_at=P.at(self.hour % 24, day=9 + self.hour // 24)),
            )
            assert res.version_id is not None
            queries.save_parsed(s, res.version_id, parser, record)
            s.commit()
        self.records[res.version_id] = record
        return res.version_id

    def reparse_as(self, version_id: int, record: dict, parser: str) -> None:
        with self.sessions() as s:
            queries.save_parsed(s, version_id, parser, record)
            s.commit()
        self.records[version_id] = record

    def process(
        self, *, parser: str = PARSER, today: date = date(2025, 11, 6), run_id: int | None = None
    ):
        return process_changes(
            self.sessions,
            parser_version=parser,
            reparse=lambda _s, vid: self.records.get(vid),
            run_id=run_id,
            now=datetime.now(UTC),
            today=today,
        )

    def events(self) -> list[tuple[str, str | None, str]]:
        with self.sessions() as s:
            rows = s.execute(
                select(ChangeEvent.kind, ChangeEvent.subject, ChangeEvent.cause).order_by(
                    ChangeEvent.id
                )
            )
            return [tuple(r) for r in rows]

    def count(self, model) -> int:
        with self.sessions() as s:
            return s.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def world(engine: Engine) -> World:
    return World(engine)


def test_new_announcement_then_replay_creates_nothing_more(world: World) -> None:
    world.store(R.record(58, items=R.battery_items()))
    stats = world.process()
    assert world.events() == [
        ("document_added", "公告", "content"),
        ("item_added", "3A001", "content"),
        ("item_added", "3B901.a.1", "content"),
    ]
    assert stats.total() == 3
    again = world.process()
    assert again.total() == 0 and again.documents == 0
    assert world.count(ChangeEvent) == 3 and world.count(InstrumentSnapshot) == 1


def test_edit_and_edit_back_are_two_changes(world: World) -> None:
    original = R.record(58, items=R.battery_items(), text="第一稿")
    world.store(original)
    world.process()
    items = R.battery_items()
    items[0]["thresholds"] = [R.threshold(">=", 250, "Wh/kg")]
    world.store(R.edited(original, items=items, text="第二稿"))
    world.process()
    world.store(original)  # the site reverts the edit
    world.process()
    changes = [e for e in world.events() if e[0] in ("document_changed", "threshold_changed")]
    assert changes == [
        ("document_changed", "公告", "content"),
        ("threshold_changed", "3A001", "content"),
        ("document_changed", "公告", "content"),
        ("threshold_changed", "3A001", "content"),
    ]
    assert world.count(InstrumentSnapshot) == 3
    with world.sessions() as s:
        diff = s.scalar(select(ChangeEvent.details).where(ChangeEvent.kind == "document_changed"))
    assert "-第一稿" in diff["text_diff"] and "+第二稿" in diff["text_diff"]


def test_a_new_parser_on_the_same_version_is_a_parser_change(world: World) -> None:
    rec = R.record(58, items=R.battery_items()[:1])
    vid = world.store(rec)
    world.process()
    world.reparse_as(vid, R.edited(rec, items=R.battery_items()), "p2")
    world.process(parser="p2")
    assert world.events()[-1] == ("item_added", "3B901.a.1", "parser")


def test_new_version_under_a_new_parser_separates_the_two_causes(world: World) -> None:
    rec = R.record(58, items=R.battery_items()[:1], text="第一稿")
    old_vid = world.store(rec)
    world.process()
    # the new parser finds 3B901.a.1 in the old text too; the new text adds 3B901.a.2
    world.records[old_vid] = R.edited(rec, items=R.battery_items())
    new_items = [*R.battery_items(), R.item("3B901.a.2", "叠片机")]
    world.store(R.edited(rec, items=new_items, text="第二稿"), parser="p2")
    world.process(parser="p2")
    added = [e for e in world.events() if e[0] == "item_added"][1:]
    assert added == [("item_added", "3B901.a.1", "parser"), ("item_added", "3B901.a.2", "content")]


def test_one_announcement_on_two_sites_is_one_instrument(world: World) -> None:
    world.store(R.record(70))
    world.store(R.record(70), url=URL_B)
    world.process()
    assert world.count(Instrument) == 1 and world.count(InstrumentLocation) == 2
    assert [e[0] for e in world.events()] == ["document_added"]


def test_news_without_a_number_is_its_own_instrument(world: World) -> None:
    world.store(R.record(None, kind="news", title="新闻"))
    world.process()
    with world.sessions() as s:
        assert s.scalar(select(Instrument.key)).startswith("doc/")


def _portal_shell(world: World, run_id: int, url: str = URL_A) -> None:
    with world.sessions() as s:
        page = P.article(P.PORTAL_SHELL, url=url, fetched_at=P.at(23, day=20))
        assert db.store_page(s, run_id, page).outcome == "portal_shell"
        s.commit()


def test_delisting_needs_a_complete_run_and_restoring_is_an_event(world: World) -> None:
    world.store(R.record(58))
    world.process()
    failed_run = world.run(status="failed")
    _portal_shell(world, failed_run)
    world.process(run_id=failed_run)
    assert "document_delisted" not in [e[0] for e in world.events()]
    ok_run = world.run()
    _portal_shell(world, ok_run)
    world.process(run_id=ok_run)
    world.process(run_id=ok_run)
    assert [e[0] for e in world.events()][-1] == "document_delisted"
    with world.sessions() as s:
        assert s.scalar(select(Document.status)) == "delisted"
        assert s.scalar(select(Instrument.status)) == "delisted"
    world.store(R.record(58))  # the page is back (same content)
    world.process()
    assert [e[0] for e in world.events()][-2:] == ["document_delisted", "document_restored"]
    assert Counter(e[0] for e in world.events())["document_delisted"] == 1


def test_suspension_and_its_end_are_measure_events_with_their_causes(world: World) -> None:
    world.store(R.record(55, items=[R.item("2C902.a", "人造金刚石微粉")]))
    world.process(today=date(2025, 11, 6))
    world.store(R.suspension_of([55]), url=URL_B)
    world.process(today=date(2025, 11, 7))
    world.process(today=date(2025, 11, 20))
    world.process(today=date(2026, 11, 11))
    world.process(today=date(2026, 11, 11))
    measures = [e for e in world.events() if e[0].startswith("measure_")]
    assert measures == [("measure_suspended", "all", "content"), ("measure_resumed", "all", "time")]
    with world.sessions() as s:
        resumed = s.scalar(select(ChangeEvent).where(ChangeEvent.kind == "measure_resumed"))
        assert resumed.effective_on == date(2026, 11, 11)
        assert "2026-11-11" in resumed.summary_en and "恢复实施" in resumed.summary_zh


def test_entering_into_force_is_a_time_event(world: World) -> None:
    world.store(R.record(58))
    world.process(today=date(2025, 11, 6))
    world.process(today=date(2025, 11, 8))
    assert world.events()[-1] == ("measure_effective", "all", "time")


CRASHING_PASS = """
import os, signal, sys
from datetime import date
import db
from db import changes

calls = 0
original = changes._snapshot_events

def dying(*args, **kwargs):
    global calls
    calls += 1
    original(*args, **kwargs)
    if calls == 4:  # kill -9 in the middle of the 4th document, before its batch commits
        os.kill(os.getpid(), signal.SIGKILL)

changes._snapshot_events = dying
changes.BATCH = 3  # three documents per transaction: the kill falls inside the second batch
engine = db.connect(sys.argv[1])
changes.process_changes(db.session_factory(engine), parser_version="p1", today=date(2025, 11, 6))
"""


def test_kill_9_mid_pass_loses_nothing_and_duplicates_nothing(
    tmp_path: Path, db_url: str, engine: Engine
) -> None:
    world = World(engine)
    seqs = list(range(71, 79))
    for seq in seqs:
        url = f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{seq:032x}.html"
        world.store(
            R.record(seq, items=[R.item(f"3A{seq:03d}", f"物项{seq}")], text=f"正文{seq}"), url=url
        )
    script = tmp_path / "crash.py"
    script.write_text(textwrap.dedent(CRASHING_PASS), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), db_url], capture_output=True, text=True, check=False
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert world.count(InstrumentSnapshot) == 3  # the first batch committed before the kill
    world.process()
    world.process()
    events = world.events()
    assert Counter(e[0] for e in events) == {"document_added": 8, "item_added": 8}
    assert sorted(e[1] for e in events if e[0] == "item_added") == [f"3A{s:03d}" for s in seqs]
    assert world.count(InstrumentSnapshot) == 8


def test_news_reporting_a_suspension_suspends_nothing(world: World) -> None:
    world.store(R.record(55))
    world.process(today=date(2025, 11, 6))
    report = R.suspension_of([55])
    report.update(kind="news", numbers=[], title="媒体报道：暂停实施")
    world.store(report, url=URL_B)
    world.process(today=date(2025, 11, 7))
    assert not [e for e in world.events() if e[0].startswith("measure_")]


def test_one_bad_record_does_not_stop_the_others(world: World) -> None:
    broken = R.record(57)
    broken["items"] = 5  # not a list: the facts cannot be keyed
    world.store(broken)
    world.store(R.record(58), url=URL_B)
    stats = world.process()
    assert stats.failed == 1
    assert [e[0] for e in world.events()] == ["document_added"]
    with world.sessions() as s:
        assert s.scalar(select(Instrument.key)) == "商务部/公告/2025/58"


def test_a_repeal_ends_the_measure_when_it_takes_effect(world: World) -> None:
    world.store(R.record(58))
    world.process(today=date(2025, 11, 20))
    target = {"issuers": ["商务部", "海关总署"], "type": "公告", "year": 2025, "seq": 58}
    repeal = R.record(
        80,
        publish="2025-12-01",
        effective="2025-12-10",
        references=[{"target": target, "relation": "repeals", "span": [0, 1]}],
    )
    world.store(repeal, url=URL_B)
    world.process(today=date(2025, 12, 5))  # published, not yet in effect: nothing ends
    assert not [e for e in world.events() if e[0] == "measure_repealed"]
    before = len(world.events())
    world.process(today=date(2025, 12, 10))  # 80 enters into force, and 58 ends with it
    assert sorted(world.events()[before:]) == [
        ("measure_effective", "all", "time"),
        ("measure_repealed", "all", "time"),
    ]
    with world.sessions() as s:
        ended = s.scalar(select(ChangeEvent).where(ChangeEvent.kind == "measure_repealed"))
        assert ended.effective_on == date(2025, 12, 10)
        assert "第80号" in ended.summary_zh and "No. 80 of 2025" in ended.summary_en
