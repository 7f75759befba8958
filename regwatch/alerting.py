"""The bridge from regwatch's Settings to the alerts package, and the notify step of a run."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from regwatch.config import Settings

if TYPE_CHECKING:  # alerts (Jinja2, SQLAlchemy) stays out of CLI start-up
    import db
    from alerts import AlertConfig, NotifyReport

log = logging.getLogger(__name__)


def alert_config(settings: Settings, *, dry_run: bool = False) -> AlertConfig:
    """The alerts configuration from the settings; ``dry_run`` writes files to
    ``<data dir>/outbox`` (unless ``mail_dir`` names another directory) instead of sending."""
    from alerts import AlertConfig, SmtpConfig

    smtp = None
    if settings.smtp_host:
        smtp = SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            tls=settings.smtp_tls,
            user=settings.smtp_user,
            password=settings.smtp_password,
            ca_file=settings.smtp_ca_file,
            timeout=settings.smtp_timeout,
        )
    mail_dir = settings.mail_dir or (settings.data_dir / "outbox" if dry_run else None)
    return AlertConfig(
        sender=settings.smtp_from,
        smtp=smtp,
        mail_dir=mail_dir,
        admin=settings.alert_admin,
        webhook_secret=settings.webhook_secret,
        health_failed_runs=settings.health_failed_runs,
        health_parse_jump=settings.health_parse_jump,
    )


def notify_step(
    settings: Settings, sessions: db.SessionFactory, run_id: int
) -> NotifyReport | None:
    """The notify step of ``regwatch run`` (after crawl and process, under the run lock).

    A failure here is logged and never changes the run's outcome: everything it did not finish
    is still in the outbox and goes out with the next run.
    """
    from alerts import notify

    try:
        return notify(sessions, alert_config(settings), run_id=run_id)
    except Exception as exc:
        log.error("notify step failed (retried next run): %s: %s", type(exc).__name__, exc)
        return None
