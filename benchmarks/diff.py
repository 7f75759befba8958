"""``make bench`` (diff part): processing 10,000 stored versions, and a point-in-time query.

1. Versions. 2,000 announcement pages (variants of the bundled mirror announcements, each with
   its own number) are stored in five rounds; every round edits every page (a threshold value,
   a line of text), so each round adds 2,000 new versions — 10,000 in all. After each round,
   ``regwatch process`` (parse every new version, then detect the changes) runs in its own
   process pinned to one CPU, as cron would run it. Reported: total processing time, the peak
   resident memory of those processes, versions and events.
2. Query. A database with 5,000 controlled items (200 announcements of 25 items, some
   suspended by a later one) answers ``controls_as_of`` for a day; reported is the median of
   several warm calls (the query and the status computation, not process start-up).
Goals (issue 4): under 60 s and under 1 GB for (1); under 200 ms for (2).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

import db
from benchmarks.parse import bundled_pages
from db import queries
from db.changes import process_changes
from db.schema import ChangeEvent

SEQ_RE = re.compile(r"(公告\s*20\d\d\s*年?\s*第\s*)(\d{1,3})(\s*号)")
BODY_RE = re.compile(r'(<div[^>]*ergodic="article"[^>]*>)')
VALUE_RE = re.compile(r"(大于等于|小于等于|大于|小于)(\d+)")
ONE_CPU = {0}


class Page:
    """What ``store_page`` reads."""

    def __init__(self, url: str, body: bytes, fetched_at: datetime) -> None:
        self.source, self.url, self.canonical_url = "gov_mofcom_zcfb", url, url
        self.kind, self.status = "article", 200
        self.headers = {"content-type": "text/html; charset=UTF-8"}
        self.body, self.fetched_at = body, fetched_at


def announcement_pages() -> list[str]:
    """The bundled pages that carry a 【发布文号】 (announcements and decisions)."""
    out = []
    for body in bundled_pages():
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if "发布文号" in text:
            out.append(text)
    return out


def page_version(base: str, i: int, round_no: int) -> bytes:
    """Document ``i`` in round ``round_no``: its own number, edited values, an extra line."""
    text = SEQ_RE.sub(lambda m: f"{m.group(1)}{1000 + i}{m.group(3)}", base)
    text = VALUE_RE.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + round_no}", text)
    extra = f"<p>（第{round_no + 1}次修订）本公告以商务部网站文本为准。</p>"
    return BODY_RE.sub(lambda m: m.group(1) + extra, text, count=1).encode("utf-8")


def _pin_one_cpu() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, ONE_CPU)


def versions_bench(documents: int, rounds: int) -> None:
    bases = announcement_pages()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        url = f"sqlite:///{data / 'regwatch.db'}"
        engine = db.connect(url)
        db.upgrade(engine)
        sessions = db.session_factory(engine)
        total, stored = 0.0, 0
        start_day = datetime(2025, 10, 9, tzinfo=UTC)
        for r in range(rounds):
            with sessions() as s:
                for i in range(documents):
                    page = Page(
                        f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{i:032x}.html",
                        page_version(bases[i % len(bases)], i, r),
                        start_day + timedelta(days=r, seconds=i),
                    )
                    stored += db.store_page(s, None, page).outcome in (
                        "new_document",
                        "new_version",
                    )
                s.commit()
            begin = time.perf_counter()
            proc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "regwatch",
                    "--data-dir",
                    str(data),
                    "--today",
                    "2025-11-20",
                    "process",
                ],
                capture_output=True,
                text=True,
                preexec_fn=_pin_one_cpu,
                check=False,
            )
            total += time.perf_counter() - begin
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr[-2000:])
                raise SystemExit("regwatch process failed")
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with sessions() as s:
            events = s.scalar(select(func.count()).select_from(ChangeEvent)) or 0
        engine.dispose()
    print(f"diff stage: {stored} stored versions of {documents} documents in {rounds} rounds")
    print(
        f"  regwatch process (parse + change detection), one CPU: {total:.1f} s in all "
        f"({stored / total:.0f} versions/s; goal < 60 s)"
    )
    print(f"  peak resident memory of a process run: {peak_mb:.0f} MB (goal < 1024 MB)")
    print(f"  change events recorded: {events}")


def query_bench(instruments: int, items_each: int) -> None:
    from db.controls import controls_as_of

    rng = random.Random(70)
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.connect(f"sqlite:///{Path(tmp) / 'q.db'}")
        db.upgrade(engine)
        sessions = db.session_factory(engine)
        with sessions() as s:
            for n in range(instruments + 1):
                record = _record(n, instruments, items_each, rng)
                page = Page(
                    f"https://www.mofcom.gov.cn/zwgk/zcfb/art/2025/art_{n:032x}.html",
                    f"<html><body><div class='art-title'>公告{n}</div></body></html>".encode(),
                    datetime(2025, 10, 9, tzinfo=UTC) + timedelta(minutes=n),
                )
                version = db.store_page(s, None, page).version_id
                assert version is not None
                queries.save_parsed(s, version, "bench", record)
            s.commit()
        process_changes(sessions, parser_version="bench", today=date(2025, 11, 20))
        timings = []
        with sessions() as s:
            for _ in range(7):
                begin = time.perf_counter()
                rows = controls_as_of(s, date(2025, 11, 20))
                timings.append(time.perf_counter() - begin)
        engine.dispose()
    suspended = sum(r.status == "suspended" for r in rows)
    print(
        f"controls --as-of over {len(rows)} items of {instruments} announcements "
        f"({suspended} suspended): median {statistics.median(timings) * 1000:.0f} ms "
        f"(min {min(timings) * 1000:.0f} ms; goal < 200 ms)"
    )


def _record(n: int, instruments: int, items_each: int, rng: random.Random) -> dict:
    """Announcement ``n`` of 2025 with ``items_each`` coded items; the last one suspends a
    third of the others until 2026-11-10."""
    number = {
        "text": f"商务部公告2025年第{n + 1}号",
        "issuers": ["商务部"],
        "type": "公告",
        "year": 2025,
        "seq": n + 1,
        "span": [0, 1],
    }
    items = (
        [
            {
                "code": f"{rng.randint(0, 9)}{rng.choice('ABCDE')}{rng.randint(0, 999):03d}.{chr(97 + k % 26)}",
                "name": f"物项{n}-{k}",
                "hs_codes": [f"{rng.randint(10000000, 99999999)}"],
                "thresholds": [
                    {
                        "parameter": "纯度",
                        "op": ">=",
                        "value": 99.9,
                        "value_max": None,
                        "unit": "%",
                        "span": [0, 1],
                    }
                ],
                "clause": f"一({k})",
                "parent_code": None,
                "span": [0, 1],
            }
            for k in range(items_each)
        ]
        if n < instruments
        else []
    )
    suspensions = []
    if n == instruments:
        suspensions = [
            {
                "target": {"issuers": ["商务部"], "type": "公告", "year": 2025, "seq": t + 1},
                "applies_to": "all",
                "from": "2025-11-07",
                "until": "2026-11-10",
                "span": [0, 1],
            }
            for t in range(0, instruments, 3)
        ]
    return {
        "schema_version": "1", "kind": "announcement", "language": "zh-Hans", "title": f"公告{n}",
        "numbers": [number], "publish_date": "2025-10-09",
        "effective": [{"date": "2025-11-08", "applies_to": "all", "basis": "fixed", "span": [0, 1]}],
        "suspensions": suspensions, "references": [], "items": items, "thresholds": [],
        "elements": [], "entities": [], "legal_basis": [], "text": f"公告{n}", "warnings": [],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--instruments", type=int, default=200)
    parser.add_argument("--items-each", type=int, default=25)
    args = parser.parse_args()
    versions_bench(args.documents, args.rounds)
    query_bench(args.instruments, args.items_each)


if __name__ == "__main__":
    main()
