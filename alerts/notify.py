"""The notify step of a run: judge source health, queue what subscribers are due, deliver."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from alerts.config import AlertConfig
from alerts.health import HealthReport, check
from alerts.outbox import DeliverReport, Transports, deliver, enqueue
from db.engine import SessionFactory
from db.types import as_utc

log = logging.getLogger(__name__)


@dataclass
class NotifyReport:
    """What one notify step did."""

    health: HealthReport
    queued: int
    delivery: DeliverReport

    def line(self) -> str:
        d = self.delivery
        parts = [f"queued {self.queued}", f"sent {len(d.sent)}"]
        parts += [
            f"{name} {len(ids)}"
            for name, ids in (
                ("retrying", d.retrying),
                ("failed", d.failed),
                ("waiting", d.waiting),
            )
            if ids
        ]
        if self.health.opened or self.health.resolved:
            parts.append(
                f"health: {len(self.health.opened)} new problem(s), "
                f"{len(self.health.resolved)} recovered"
            )
        return ", ".join(parts)


def notify(
    sessions: SessionFactory,
    config: AlertConfig,
    *,
    run_id: int | None = None,
    now: datetime | None = None,
    transports: Transports | None = None,
) -> NotifyReport:
    """Run the whole notify step once; safe to repeat (nothing is queued or sent twice).

    Call it under the run lock, after the run's change events are stored.

    Args:
        sessions: Session factory of the regwatch database (migrated to head).
        config: Delivery and health settings.
        run_id: The crawl run just finished (its sources are judged); None: the latest run.
        now: The current time (digest slots, retry times); default the clock.
        transports: Override how messages leave (tests); default from ``config``.

    Returns:
        Counts of what was queued and sent, and the health incidents opened or resolved.
    """
    now = as_utc(now)
    health = check(sessions, config, run_id=run_id, now=now)
    queued = enqueue(sessions, config, now=now)
    delivery = deliver(sessions, config, now=now, transports=transports)
    report = NotifyReport(health, queued, delivery)
    log.info("notify: %s", report.line())
    return report
