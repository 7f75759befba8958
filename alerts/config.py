"""What the alerts package needs to know, resolved: built by ``regwatch`` from its Settings.

Secrets (SMTP password, webhook key) are excluded from ``repr`` so that logging a config object
can never leak them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


@dataclass(frozen=True)
class SmtpConfig:
    """An SMTP relay. ``tls``: ``starttls`` (upgrade after EHLO), ``ssl`` (implicit TLS) or
    ``none`` (plain, for a relay on localhost); ``ca_file`` trusts a private CA."""

    host: str
    port: int | None = None
    tls: str = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: Path | None = None
    timeout: float = 30.0

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS[self.tls]


@dataclass(frozen=True)
class AlertConfig:
    """Delivery and health settings.

    Attributes:
        sender: The From address of every email.
        smtp: The relay; None sends nothing by SMTP (rows wait, unless ``mail_dir`` is set).
        mail_dir: Outbox mode: messages are written here as files instead of being sent.
        admin: Address of the administrator who receives source health notices.
        webhook_secret: HMAC-SHA256 key for webhook signatures.
        health_failed_runs: Failing (or empty) runs in a row that open an incident.
        health_parse_jump: Rise of the parse-failure share that opens an incident.
        max_attempts: Attempts before a delivery is marked failed.
        retry_base_minutes: First retry delay; it doubles per attempt up to ``retry_max_minutes``.
    """

    sender: str = "regwatch@localhost"
    smtp: SmtpConfig | None = None
    mail_dir: Path | None = None
    admin: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    health_failed_runs: int = 3
    health_parse_jump: float = 0.3
    max_attempts: int = 10
    retry_base_minutes: float = 5.0
    retry_max_minutes: float = 360.0

    @property
    def secrets(self) -> tuple[str | None, ...]:
        """Values that must never reach a log line or an error message."""
        return (self.smtp.password if self.smtp else None, self.webhook_secret)
