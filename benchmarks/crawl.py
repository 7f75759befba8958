"""``make bench`` (crawl part): throughput of a full crawl and the cost of an idle incremental run.

1. Start the mirror with >= 2,000 generated articles in the 政策发布 column.
2. Full crawl (``regwatch crawl gov_mofcom_zcfb --backfill``) into a fresh SQLite file: pages/s.
3. The same pages (every list page and article the full crawl requested, read from the mirror's
   request log) downloaded by a bare Scrapy spider with the same concurrency: the ratio of the
   two wall times (goal: regwatch within 1.5x). Then once more with the bare spider given
   regwatch's CONCURRENT_ITEMS (crawlers/settings.py), a setting that changes the engine's own
   cost per response: the ratio of the two shows regwatch's overhead with that saving taken
   out of the comparison.
4. An incremental ``regwatch run`` right after, nothing changed: requests made, against the goal
   of exactly one list page (page 1) per column.
Each crawl runs in its own process, as cron runs it; times include process start-up for both.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from crawlers.settings import CONCURRENT_ITEMS
from mirror import MirrorServer

API_PATH = "/api-gateway/jpaas-publish-server/front/page/build/unit"
CONCURRENCY = 8  # what crawlers.runner uses against the mirror


def _timed(cmd: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 3):
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}")
    return elapsed, proc.returncode


def _is_list(entry: dict) -> bool:
    path = entry["path"]
    return path == API_PATH or path.endswith("/index.html") or path in ("/", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2000)
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory() as tmp,
        MirrorServer(state=1, synthetic=args.articles) as mirror,
    ):
        data = Path(tmp) / "data"
        base = [sys.executable, "-m", "regwatch", "--data-dir", str(data), "--mirror", mirror.url]

        mirror.log(clear=True)
        full_s, _ = _timed([*base, "crawl", "gov_mofcom_zcfb", "--backfill", "--no-progress"])
        served = [e for e in mirror.log(clear=True) if e["path"] != "/robots.txt"]
        pages = len(served)

        urls = [
            f"{mirror.url}/_/{e['host']}{e['path']}{'?' + e['query'] if e['query'] else ''}"
            for e in served
        ]
        url_file = Path(tmp) / "urls.txt"
        url_file.write_text("\n".join(urls))
        bare = [sys.executable, "-m", "benchmarks.bare_spider", str(url_file), str(CONCURRENCY)]
        bare_s, _ = _timed(bare)
        bare_items_s, _ = _timed([*bare, str(CONCURRENT_ITEMS)])
        mirror.log(clear=True)

        parse_s, _ = _timed([*base, "process"])

        _timed([*base, "run", "--no-progress"])  # first run of the other sources: fills the DB
        mirror.log(clear=True)
        _timed([*base, "run", "--no-progress"])  # nothing changed since
        idle = mirror.log(clear=True)
        kinds = Counter(
            "robots.txt" if e["path"] == "/robots.txt" else "list" if _is_list(e) else "other"
            for e in idle
        )

    print(f"mirror articles (generated + bundled): {args.articles}+")
    print(
        f"full crawl (gov_mofcom_zcfb, backfill): {pages} pages in {full_s:.1f} s = {pages / full_s:.0f} pages/s"
    )
    print(
        f"bare Scrapy, same {pages} pages, concurrency {CONCURRENCY}: {bare_s:.1f} s = {pages / bare_s:.0f} pages/s"
    )
    print(f"ratio regwatch / bare Scrapy: {full_s / bare_s:.2f}x (goal <= 1.5x)")
    print(
        f"bare Scrapy with regwatch's CONCURRENT_ITEMS={CONCURRENT_ITEMS}: {bare_items_s:.1f} s; "
        f"ratio {full_s / bare_items_s:.2f}x"
    )
    print(f"parse stage over the stored versions: {parse_s:.1f} s")
    print(
        f"idle incremental run: {sum(kinds.values())} requests "
        f"(list pages {kinds['list']}, robots.txt {kinds['robots.txt']}, other {kinds['other']}); "
        "goal: list pages only, one per column"
    )
    for e in idle:
        print(f"    {e['host']}{e['path']}{'?' + e['query'][:60] if e['query'] else ''}")


if __name__ == "__main__":
    main()
