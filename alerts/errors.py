"""The alerts package's exception tree.

``AlertError`` is the base. ``DeliveryError`` is one failed attempt to hand a message over
(SMTP refused or unreachable, webhook answered non-2xx): the outbox row stays pending and is
retried later. Messages never contain a password or a signing key (``redact`` below).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable


class AlertError(Exception):
    """Base class of every error raised by ``alerts``."""


class SubscriptionError(AlertError):
    """A subscription or a subscriptions file is invalid (the message says what to fix)."""


class DeliveryError(AlertError):
    """One delivery attempt failed (refused, unreachable, misconfigured); it will be retried."""


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret, and the base64 forms SMTP AUTH would carry, replaced by ***."""
    for secret in secrets:
        if not secret:
            continue
        forms = {secret, base64.b64encode(secret.encode()).decode()}
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "***")
    return text
