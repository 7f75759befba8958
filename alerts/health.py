"""Source health: like a spider monitor, judge each source from its recent runs.

A source is unwell when (``kind``):
- ``failing``: its last N runs (``health_failed_runs``) all failed (no list could be read);
- ``empty``: its last N runs read their lists but saw no rows at all (a changed list layout);
- ``parse_failures``: in its latest run with at least ``MIN_PAGES`` fetched pages, the share of
  pages that could not be stored as articles rose by ``health_parse_jump`` or more above its
  average over the earlier runs (a changed article layout).

Invariant: one incident per (source, kind) from the run that opens it to the run that sees the
source well again, and one notice to the administrator for each opening and each recovery,
however many runs the incident lasts. Runs that cannot tell (a source that fetched no page, a
failure streak not yet N long) leave incidents as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.config import AlertConfig
from alerts.outbox import add_delivery
from alerts.render import one_line, render
from db.engine import SessionFactory
from db.schema import CrawlRun, HealthIncident, SourceRun

#: How many of a source's recent runs are looked at.
WINDOW = 10
#: A parse-failure share is judged only on runs that fetched at least this many pages.
MIN_PAGES = 3


@dataclass(frozen=True)
class RunStats:
    """One finished source run, as health reads it."""

    run_id: int
    status: str
    error: str | None
    stats: dict[str, Any]

    @property
    def pages(self) -> int:
        return int(self.stats.get("pages_fetched") or 0)

    @property
    def parse_failures(self) -> int:
        return int(self.stats.get("store_errors") or 0)


@dataclass(frozen=True)
class Verdict:
    """``unwell``: True (open), False (healthy: resolve), None (cannot tell: leave as is)."""

    kind: str
    unwell: bool | None
    summary: str = ""
    details: dict[str, Any] | None = None


def _streak(runs: list[RunStats], test: Any) -> int:
    n = 0
    for run in runs:
        if not test(run):
            break
        n += 1
    return n


def judge_failing(runs: list[RunStats], n: int) -> Verdict:
    if not runs or runs[0].status != "failed":
        return Verdict("failing", False if runs else None)
    streak = _streak(runs, lambda r: r.status == "failed")
    if streak < n:
        return Verdict("failing", None)
    return Verdict(
        "failing",
        True,
        f"failed {streak} runs in a row: {runs[0].error or 'no reason recorded'}",
        {"runs": [r.run_id for r in runs[:streak]], "error": runs[0].error},
    )


def _empty(run: RunStats) -> bool:
    return run.status != "failed" and run.stats.get("list_rows") == 0


def judge_empty(runs: list[RunStats], n: int) -> Verdict:
    if not runs or runs[0].status == "failed" or "list_rows" not in runs[0].stats:
        return Verdict("empty", None)
    if not _empty(runs[0]):
        return Verdict("empty", False)
    streak = _streak(runs, _empty)
    if streak < n:
        return Verdict("empty", None)
    return Verdict(
        "empty",
        True,
        f"read its lists but saw no rows {streak} runs in a row (list layout changed?)",
        {"runs": [r.run_id for r in runs[:streak]]},
    )


def judge_parse(runs: list[RunStats], jump: float, open_baseline: float | None) -> Verdict:
    if not runs or runs[0].pages < MIN_PAGES:
        return Verdict("parse_failures", None)
    latest = runs[0]
    rate = latest.parse_failures / latest.pages
    if open_baseline is not None:  # an open incident is measured against its own baseline
        healed = rate - open_baseline < jump / 2
        return Verdict("parse_failures", False if healed else None)
    earlier = [r for r in runs[1:] if r.pages]
    pages = sum(r.pages for r in earlier)
    baseline = sum(r.parse_failures for r in earlier) / pages if pages else 0.0
    if rate - baseline < jump:
        return Verdict("parse_failures", False)
    return Verdict(
        "parse_failures",
        True,
        f"{latest.parse_failures} of {latest.pages} fetched pages could not be read as articles "
        f"({rate:.0%}, usually {baseline:.0%}): article layout changed?",
        {"run": latest.run_id, "rate": rate, "baseline": baseline},
    )


def recent_runs(s: Session, source: str, limit: int = WINDOW) -> list[RunStats]:
    """The source's finished runs, newest first."""
    rows = s.execute(
        select(SourceRun.run_id, SourceRun.status, SourceRun.error, SourceRun.stats)
        .where(SourceRun.source == source, SourceRun.status != "running")
        .order_by(SourceRun.run_id.desc())
        .limit(limit)
    ).all()
    return [RunStats(r.run_id, r.status, r.error, r.stats or {}) for r in rows]


def open_incidents(s: Session, source: str | None = None) -> list[HealthIncident]:
    query = select(HealthIncident).where(HealthIncident.resolved_at.is_(None))
    if source is not None:
        query = query.where(HealthIncident.source == source)
    return list(s.scalars(query.order_by(HealthIncident.id)))


def verdicts(
    runs: list[RunStats], config: AlertConfig, open_baseline: float | None
) -> list[Verdict]:
    return [
        judge_failing(runs, config.health_failed_runs),
        judge_empty(runs, config.health_failed_runs),
        judge_parse(runs, config.health_parse_jump, open_baseline),
    ]


@dataclass
class HealthReport:
    opened: list[HealthIncident]
    resolved: list[HealthIncident]


def check(
    sessions: SessionFactory, config: AlertConfig, *, run_id: int | None, now: datetime
) -> HealthReport:
    """Judge the sources of ``run_id`` (default: the latest run), open and resolve incidents,
    and queue one notice for the administrator about what changed; commits."""
    report = HealthReport([], [])
    with sessions() as s:
        if run_id is None:
            run_id = s.scalar(select(CrawlRun.id).order_by(CrawlRun.id.desc()).limit(1))
        if run_id is None:
            return report
        sources = s.scalars(select(SourceRun.source).where(SourceRun.run_id == run_id)).all()
        for source in sorted(set(sources)):
            current = {i.kind: i for i in open_incidents(s, source)}
            parse_open = current.get("parse_failures")
            baseline = (parse_open.details or {}).get("baseline") if parse_open else None
            for verdict in verdicts(recent_runs(s, source), config, baseline):
                incident = current.get(verdict.kind)
                if verdict.unwell and incident is None:
                    incident = HealthIncident(
                        source=source,
                        kind=verdict.kind,
                        summary=f"{source} {verdict.summary}",
                        details=verdict.details,
                        opened_at=now,
                        opened_run_id=run_id,
                    )
                    s.add(incident)
                    report.opened.append(incident)
                elif verdict.unwell is False and incident is not None:
                    incident.resolved_at, incident.resolved_run_id = now, run_id
                    report.resolved.append(incident)
        s.flush()
        if (report.opened or report.resolved) and config.admin:
            _queue_notice(s, config, report, run_id=run_id, now=now)
        s.commit()
    return report


def _queue_notice(
    s: Session, config: AlertConfig, report: HealthReport, *, run_id: int, now: datetime
) -> None:
    assert config.admin is not None
    parts = [f"{i.source} {i.kind}" for i in report.opened]
    parts += [f"{i.source} {i.kind} recovered" for i in report.resolved]
    subject = one_line(f"[regwatch] Source health: {'; '.join(parts)}")
    context = {
        "subject": subject,
        "opened": report.opened,
        "resolved": report.resolved,
        "run_id": run_id,
    }
    ids = ",".join([f"{i.id}o" for i in report.opened] + [f"{i.id}r" for i in report.resolved])
    add_delivery(
        s,
        config,
        key=f"health:{run_id}:{ids}"[:255],
        channel="email",
        target=config.admin,
        subject=subject,
        text=render("health.txt", **context),
        html=render("health.html", **context),
        now=now,
    )
