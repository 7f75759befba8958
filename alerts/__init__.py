"""regwatch alerts: subscriptions, emails, webhooks, Atom feeds and source health.

Reads what earlier stages wrote (``change_events``, ``instruments``, ``source_runs``) and writes
only its own tables (``subscriptions``, ``alert_deliveries``, ``health_incidents``).

Invariants:
- Events are selected by id after each subscription's high-water mark, never by time; the mark
  moves in the transaction that queues the deliveries, so replays queue nothing twice.
- Events caused only by a parser change are never alerted.
- One outbox row per (event group, recipient), with the finished message and a deterministic
  Message-ID; a row is marked ``sending`` (committed) before a send and ``sent`` right after.
- Secrets never reach a log line, an error message or a repr.

``alerts`` imports ``db`` and ``parsers``; ``db`` never imports it.
"""

from alerts.config import AlertConfig, SmtpConfig
from alerts.errors import AlertError, DeliveryError, SubscriptionError
from alerts.filters import Filters
from alerts.notify import NotifyReport, notify
from alerts.outbox import Transports, deliver, enqueue
from alerts.subscriptions import SubscriptionSpec

__all__ = [
    "AlertConfig",
    "AlertError",
    "DeliveryError",
    "Filters",
    "NotifyReport",
    "SmtpConfig",
    "SubscriptionError",
    "SubscriptionSpec",
    "Transports",
    "deliver",
    "enqueue",
    "notify",
]
