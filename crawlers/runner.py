"""Run a crawl: every requested source in ONE CrawlerProcess (a Twisted reactor runs once).

``run_crawl`` is called once per process by ``regwatch.pipeline``; tests call it through the
small CLI at the bottom (``python -m crawlers.runner``) in a subprocess.

How a source is judged (``SourceOutcome.status``):
* ``failed``: no entry list could be read (column page or API page 1, every yearly index, …)
  or the spider closed abnormally;
* ``partial``: the lists were read but something else failed for good (an article, an annex,
  a later list page, one of several entry lists);
* ``ok``: otherwise.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawlers import settings as default_settings
from crawlers.spiders import SOURCES

log = logging.getLogger(__name__)

MIRROR_CONCURRENCY = 8
STAT_PREFIX = "regwatch/"


@dataclass
class CrawlOptions:
    db_url: str
    run_id: int
    sources: list[str]
    mirror_url: str | None = None
    backfill: bool = False
    revisit: str = "due"
    revisit_after_hours: float = 24.0
    revisit_budget: int = 50
    user_agent: str | None = None
    download_delay: float | None = None
    log_level: str = "INFO"
    progress: bool = False
    years: list[int] | None = None
    store_batch_size: int | None = None  # None: crawlers.settings.REGWATCH_STORE_BATCH_SIZE
    store_batch_seconds: float | None = None


@dataclass
class SourceOutcome:
    status: str  # ok | partial | failed
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def crawl_settings(options: CrawlOptions) -> Settings:
    """Production defaults from ``crawlers.settings`` plus what ``options`` changes."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("REGWATCH_DB_URL", options.db_url, priority="cmdline")
    settings.set("REGWATCH_RUN_ID", options.run_id, priority="cmdline")
    settings.set("LOG_LEVEL", options.log_level, priority="cmdline")
    if options.user_agent:
        settings.set("USER_AGENT", options.user_agent, priority="cmdline")
    if options.mirror_url:
        settings.set("REGWATCH_MIRROR_URL", options.mirror_url.rstrip("/"), priority="cmdline")
        settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS", MIRROR_CONCURRENCY * 2, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", MIRROR_CONCURRENCY, priority="cmdline")
        settings.set("REGWATCH_BACKOFF_BASE_SECONDS", 0.1, priority="cmdline")
        settings.set("REGWATCH_BACKOFF_MAX_SECONDS", 2.0, priority="cmdline")
    if options.download_delay is not None:
        settings.set("DOWNLOAD_DELAY", options.download_delay, priority="cmdline")
    if options.store_batch_size is not None:
        settings.set("REGWATCH_STORE_BATCH_SIZE", options.store_batch_size, priority="cmdline")
    if options.store_batch_seconds is not None:
        settings.set(
            "REGWATCH_STORE_BATCH_SECONDS", options.store_batch_seconds, priority="cmdline"
        )
    return settings


def judge(stats: dict[str, Any]) -> tuple[str, str | None]:
    """The status of one source from its crawler stats, with the reason when not ok."""
    reason = stats.get("finish_reason")
    entry_ok = stats.get("regwatch/entry_ok", 0)
    entry_failed = stats.get("regwatch/entry_failed", 0)
    fetch_failed = stats.get("regwatch/fetch_failed", 0)
    if reason != "finished":
        return "failed", f"spider closed abnormally ({reason or 'never opened'})"
    if entry_ok == 0:
        return "failed", (
            f"no list could be read ({entry_failed} entry request(s) failed); see fetch_log"
        )
    if entry_failed or fetch_failed or stats.get("regwatch/store_errors", 0):
        return "partial", (
            f"{entry_failed} list(s) and {fetch_failed} other request(s) failed; see fetch_log"
        )
    return "ok", None


def overall_status(outcomes: dict[str, SourceOutcome]) -> str:
    """A run's status from its sources': failed if any failed, partial if any partial, else ok."""
    statuses = {o.status for o in outcomes.values()}
    return "failed" if "failed" in statuses else "partial" if "partial" in statuses else "ok"


def _plain_stats(stats: dict[str, Any]) -> dict[str, Any]:
    keep = {k[len(STAT_PREFIX) :]: v for k, v in stats.items() if k.startswith(STAT_PREFIX)}
    for key in ("downloader/request_count", "downloader/response_count", "item_scraped_count"):
        if key in stats:
            keep[key.replace("downloader/", "")] = stats[key]
    return keep


def run_crawl(options: CrawlOptions) -> dict[str, SourceOutcome]:
    """Crawl ``options.sources`` in one process; store everything; judge each source."""
    import db
    from db import store

    unknown = [s for s in options.sources if s not in SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s): {', '.join(unknown)}")
    engine = db.connect(options.db_url)
    sessions = db.session_factory(engine)
    with sessions() as s:
        for source in options.sources:
            store.begin_source_run(s, options.run_id, source)
        s.commit()

    settings = crawl_settings(options)
    # The regwatch CLI configures logging itself; only a bare run gets Scrapy's root handler.
    own_logging = not logging.getLogger().handlers
    settings.set("LOG_INSTALL_ROOT_HANDLER", own_logging, priority="cmdline")
    process = CrawlerProcess(settings)
    if not own_logging:
        # Scrapy's dictConfig set its loggers to DEBUG. Under the CLI its INFO chatter (stats
        # dumps, middleware lists) is noise next to our per-source summary: WARNING unless -v.
        root_level = logging.getLogger().level
        level = logging.DEBUG if root_level <= logging.DEBUG else max(root_level, logging.WARNING)
        for name in ("scrapy", "twisted", "py.warnings"):
            logging.getLogger(name).setLevel(level)
    crawlers = {}
    progress = (
        _Progress.create(options.sources) if options.progress and sys.stderr.isatty() else None
    )
    spider_args = {
        "backfill": options.backfill,
        "revisit": options.revisit,
        "revisit_after_hours": options.revisit_after_hours,
        "revisit_budget": options.revisit_budget,
        "years": options.years,
    }
    for source in options.sources:
        crawler = process.create_crawler(SOURCES[source])
        if progress is not None:
            progress.connect(source, crawler)
        crawlers[source] = crawler
        process.crawl(crawler, **spider_args)
    try:
        process.start()
    finally:
        if progress is not None:
            progress.stop()

    outcomes: dict[str, SourceOutcome] = {}
    with sessions() as s:
        for source, crawler in crawlers.items():
            stats = crawler.stats.get_stats() if crawler.stats else {}
            status, error = judge(stats)
            outcomes[source] = SourceOutcome(status, _plain_stats(stats), error)
            store.finish_source_run(
                s, options.run_id, source, status, outcomes[source].stats, error
            )
            log.info("%s: %s %s", source, status, error or "")
        s.commit()
    engine.dispose()
    return outcomes


class _Progress:
    """A rich progress display: pages fetched per source, fed by Scrapy signals."""

    def __init__(self, progress: Any, sources: list[str]) -> None:
        self.progress = progress
        self.tasks = {s: progress.add_task(s, total=None) for s in sources}
        progress.start()

    @classmethod
    def create(cls, sources: list[str]) -> _Progress:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        columns = (
            SpinnerColumn(),
            TextColumn("{task.description:<20}"),
            TextColumn("{task.completed} pages"),
            TimeElapsedColumn(),
        )
        return cls(Progress(*columns, transient=False), sources)

    def connect(self, source: str, crawler: Any) -> None:
        task = self.tasks[source]

        def on_response(**_: Any) -> None:
            self.progress.advance(task)

        def on_closed(**_: Any) -> None:
            self.progress.update(task, description=f"{source} ✓")

        crawler.signals.connect(on_response, signal=signals.response_received, weak=False)
        crawler.signals.connect(on_closed, signal=signals.spider_closed, weak=False)

    def stop(self) -> None:
        self.progress.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m crawlers.runner --db URL [--mirror URL] [--backfill] SOURCE…``.

    Migrates the database and opens a run when ``--run-id`` is not given; prints the outcomes
    as JSON on stdout. Exit status 0 ok, 3 partial, 1 failed.
    """
    parser = argparse.ArgumentParser(prog="python -m crawlers.runner", description="Crawl sources.")
    parser.add_argument("sources", nargs="*", help=f"default: all of {', '.join(SOURCES)}")
    parser.add_argument("--db", required=True, help="SQLAlchemy URL")
    parser.add_argument("--run-id", type=int)
    parser.add_argument("--mirror")
    parser.add_argument("--backfill", action="store_true")
    parser.add_argument("--revisit", default="due", choices=("none", "due", "all"))
    parser.add_argument("--revisit-after-hours", type=float, default=24.0)
    parser.add_argument("--revisit-budget", type=int, default=50)
    parser.add_argument("--years", help="comma-separated years for yearly indexes")
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--store-batch-size", type=int, help="items per database write")
    parser.add_argument("--store-batch-seconds", type=float, help="longest wait before a write")
    args = parser.parse_args(argv)
    sources = args.sources or list(SOURCES)
    run_id = args.run_id
    if run_id is None:
        import db
        from db import store

        engine = db.connect(args.db)
        db.upgrade(engine)
        with db.session_factory(engine)() as s:
            run_id = store.begin_run(s, "crawl", sources)
            s.commit()
        engine.dispose()
    outcomes = run_crawl(
        CrawlOptions(
            db_url=args.db,
            run_id=run_id,
            sources=sources,
            mirror_url=args.mirror,
            backfill=args.backfill,
            revisit=args.revisit,
            revisit_after_hours=args.revisit_after_hours,
            revisit_budget=args.revisit_budget,
            log_level=args.log_level,
            years=[int(y) for y in args.years.split(",")] if args.years else None,
            store_batch_size=args.store_batch_size,
            store_batch_seconds=args.store_batch_seconds,
        )
    )
    result = {
        "run_id": run_id,
        "sources": {
            n: {"status": o.status, "error": o.error, "stats": o.stats} for n, o in outcomes.items()
        },
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return {"ok": 0, "partial": 3, "failed": 1}[overall_status(outcomes)]


if __name__ == "__main__":
    sys.exit(main())
