"""The outbox: event groups become deliveries once, and each delivery is sent once.

Queueing (``enqueue``): for each active subscription that is due (immediate: every pass;
digest: when a slot has passed), the change events after its high-water mark are read by id,
filtered, grouped (immediate: one group per crawl run; digest: one group per slot), rendered,
and inserted as outbox rows in the same transaction that moves the high-water mark. A crash
before the commit leaves both unchanged; a replay after it finds nothing new. ``dedupe_key``
(unique) would refuse a second row for the same group even if the mark were lost.

Sending (``deliver``): a due row is claimed by setting it ``sending`` (committed), handed to a
transport, then set ``sent`` (committed at once) or back to ``pending`` with the error and a
later ``next_attempt_at`` (``failed`` after ``max_attempts``). A row still ``sending`` at the
start of a pass was interrupted: it is sent again with the same bytes and Message-ID. Run
``deliver`` only under the run lock (``regwatch run`` and ``regwatch notify`` hold it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from alerts.config import AlertConfig
from alerts.errors import DeliveryError, redact
from alerts.events import EventView, load_events, max_event_id
from alerts.filters import Filters
from alerts.render import email_bytes, message_id, render_group, webhook_body
from alerts.schedule import latest_slot, retry_at, zone
from alerts.subscriptions import active
from alerts.transports import FileTransport, SmtpTransport, Transport, WebhookTransport
from db.engine import SessionFactory
from db.schema import Delivery, Subscription

log = logging.getLogger(__name__)


@dataclass
class Transports:
    """The transport for each channel; None means "cannot send yet" (the row waits)."""

    email: Transport | None
    webhook: Transport | None

    @classmethod
    def from_config(cls, config: AlertConfig) -> Transports:
        if config.mail_dir is not None:
            files = FileTransport(config.mail_dir)
            return cls(email=files, webhook=files)
        smtp = SmtpTransport(config.smtp, config.sender) if config.smtp else None
        return cls(email=smtp, webhook=WebhookTransport(config.webhook_secret))

    def for_channel(self, channel: str) -> Transport | None:
        return self.email if channel == "email" else self.webhook

    def close(self) -> None:
        for transport in {id(t): t for t in (self.email, self.webhook) if t}.values():
            transport.close()


def add_delivery(
    s: Session,
    config: AlertConfig,
    *,
    key: str,
    channel: str,
    target: str,
    subject: str,
    text: str,
    html: str,
    now: datetime,
    subscription_id: int | None = None,
    event_ids: Sequence[int] = (),
    webhook: bytes | None = None,
) -> Delivery | None:
    """Insert one outbox row (None when ``key`` is already queued); the caller commits."""
    if s.scalar(select(Delivery.id).where(Delivery.dedupe_key == key)) is not None:
        return None
    msg_id = message_id(key, target, config.sender)
    if channel == "email":
        payload = email_bytes(
            sender=config.sender,
            to=target,
            subject=subject,
            text=text,
            html=html,
            msg_id=msg_id,
            date=now,
            extra_headers={"X-Regwatch-Group": key},
        )
    else:
        payload = webhook or b"{}"
    row = Delivery(
        dedupe_key=key,
        subscription_id=subscription_id,
        channel=channel,
        target=target,
        message_id=msg_id,
        subject=subject,
        event_ids=list(event_ids),
        payload=payload,
        status="pending",
        attempts=0,
        created_at=now,
        next_attempt_at=now,
    )
    s.add(row)
    s.flush()
    return row


def _groups(
    sub: Subscription, events: list[EventView], slot: datetime | None
) -> dict[str, list[EventView]]:
    if slot is not None:
        return {f"{sub.mode}:{slot.isoformat()}": events} if events else {}
    groups: dict[str, list[EventView]] = {}
    by_run: dict[int | None, list[EventView]] = {}
    for e in events:
        by_run.setdefault(e.run_id, []).append(e)
    for run_id, group in by_run.items():
        groups[f"run:{run_id if run_id is not None else '-'}:{group[0].id}"] = group
    return groups


def _period(sub: Subscription, slot: datetime | None) -> str | None:
    if slot is None:
        return None
    local = slot.astimezone(zone(sub.timezone)).date().isoformat()
    return f"Daily digest {local}" if sub.mode == "daily" else f"Weekly digest {local}"


def enqueue_subscription(
    s: Session, config: AlertConfig, sub: Subscription, *, upto_id: int, now: datetime
) -> list[Delivery]:
    """Queue what ``sub`` has due up to event ``upto_id`` and move its mark; caller commits."""
    slot = latest_slot(now, sub.mode, sub.digest_hour, sub.digest_weekday, sub.timezone)
    if slot is not None and sub.digest_slot is not None and slot <= sub.digest_slot:
        return []  # the next digest is not due yet: events keep accumulating
    filters = Filters.from_dict(sub.filters)
    matching = [e for e in load_events(s, sub.last_event_id, upto_id) if filters.matches(e)]
    queued = []
    for group_key, group in _groups(sub, matching, slot).items():
        rendered = render_group(group, period=_period(sub, slot))
        key = f"sub:{sub.id}:{group_key}"
        body = None
        if sub.channel == "webhook":
            delivery_id = message_id(key, sub.target or "", config.sender).strip("<>")
            body = webhook_body(
                group, delivery=delivery_id, subscription=sub.name, subject=rendered.subject
            )
        row = add_delivery(
            s,
            config,
            key=key,
            channel=sub.channel,
            target=sub.target or "",
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            now=now,
            subscription_id=sub.id,
            event_ids=[e.id for e in group],
            webhook=body,
        )
        if row is not None:
            queued.append(row)
    sub.last_event_id = max(sub.last_event_id, upto_id)
    if slot is not None:
        sub.digest_slot = slot
    s.flush()
    return queued


def enqueue(sessions: SessionFactory, config: AlertConfig, *, now: datetime) -> int:
    """Queue every due group of every active email/webhook subscription; one commit each."""
    with sessions() as s:
        upto_id = max_event_id(s)
        ids = [sub.id for sub in active(s) if sub.channel != "feed"]
    queued = 0
    for sub_id in ids:
        with sessions() as s:
            sub = s.get(Subscription, sub_id)
            if sub is None or not sub.active:
                continue
            try:
                queued += len(enqueue_subscription(s, config, sub, upto_id=upto_id, now=now))
                s.commit()
            except Exception as exc:  # one subscription's trouble never holds up the others
                s.rollback()
                log.error(
                    "subscription %s: could not queue its events (tried again next run): %s: %s",
                    sub_id,
                    type(exc).__name__,
                    exc,
                )
    return queued


@dataclass
class DeliverReport:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    waiting: list[int] = field(default_factory=list)  # no transport configured for the channel


def due(s: Session, now: datetime) -> list[int]:
    """Ids of the rows to attempt now, oldest first (interrupted ``sending`` rows included)."""
    return list(
        s.scalars(
            select(Delivery.id)
            .where(Delivery.status.in_(("pending", "sending")), Delivery.next_attempt_at <= now)
            .order_by(Delivery.id)
        )
    )


def deliver(
    sessions: SessionFactory,
    config: AlertConfig,
    *,
    now: datetime,
    transports: Transports | None = None,
) -> DeliverReport:
    """Attempt every due outbox row once (see the module docstring for the state machine)."""
    transports = transports or Transports.from_config(config)
    report = DeliverReport()
    try:
        with sessions() as s:
            ids = due(s, now)
        for delivery_id in ids:
            with sessions() as s:
                _attempt(s, config, transports, delivery_id, now, report)
    finally:
        transports.close()
    return report


def _attempt(
    s: Session,
    config: AlertConfig,
    transports: Transports,
    delivery_id: int,
    now: datetime,
    report: DeliverReport,
) -> None:
    row = s.get(Delivery, delivery_id)
    if row is None or row.status not in ("pending", "sending"):
        return
    transport = transports.for_channel(row.channel)
    if transport is None:
        row.last_error = "no SMTP relay configured (set smtp_host, or mail_dir for outbox files)"
        s.commit()
        report.waiting.append(row.id)
        return
    if row.status == "sending":
        log.warning(
            "delivery %s was interrupted during a send; sending it again as %s",
            row.id,
            row.message_id,
        )
    claimed = s.execute(
        update(Delivery)
        .where(Delivery.id == row.id, Delivery.status == row.status)
        .values(status="sending", attempts=Delivery.attempts + 1, last_attempt_at=now)
    )
    s.commit()  # evidence of the attempt is on disk before anything leaves
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return
    s.refresh(row)
    try:
        transport.send(row)
    except Exception as exc:  # any failure of one attempt is data on the row, never fatal
        text = str(exc) if isinstance(exc, DeliveryError) else f"{type(exc).__name__}: {exc}"
        error = redact(text, config.secrets)
        row.last_error = error
        if row.attempts >= config.max_attempts:
            row.status = "failed"
            report.failed.append(row.id)
            log.error("delivery %s to %s failed for good: %s", row.id, row.target, error)
        else:
            row.status = "pending"
            row.next_attempt_at = retry_at(
                now, row.attempts, config.retry_base_minutes, config.retry_max_minutes
            )
            report.retrying.append(row.id)
            log.warning(
                "delivery %s to %s failed (attempt %s), retrying after %s: %s",
                row.id,
                row.target,
                row.attempts,
                row.next_attempt_at.isoformat(timespec="minutes"),
                error,
            )
        s.commit()
        return
    row.status, row.sent_at, row.transport, row.last_error = "sent", now, transport.name, None
    s.commit()  # right after the receiver's acceptance: the at-least-once window is this gap
    report.sent.append(row.id)
