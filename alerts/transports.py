"""How a finished message leaves: SMTP, an outbox directory, or an HTTP POST.

A transport's ``send`` either returns (the receiver accepted the message) or raises
``DeliveryError`` with a message that never contains a secret. SMTP conversations are never
logged (smtplib's debug output would show the AUTH exchange).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import smtplib
import ssl
import urllib.error
import urllib.request
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

from alerts.config import SmtpConfig
from alerts.errors import DeliveryError, redact
from db.schema import Delivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Regwatch-Signature"
DELIVERY_HEADER = "X-Regwatch-Delivery"
USER_AGENT = "regwatch-webhook/1"
WEBHOOK_TIMEOUT = 30.0


class Transport(Protocol):
    name: str

    def send(self, delivery: Delivery) -> None: ...

    def close(self) -> None: ...


class SmtpTransport:
    """One SMTP connection per notify pass, opened on first use and reopened after an error."""

    name = "smtp"

    def __init__(self, config: SmtpConfig, sender: str) -> None:
        self.config = config
        self.envelope_from = parseaddr(sender)[1] or sender
        self._conn: smtplib.SMTP | None = None

    def _tls_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if self.config.ca_file:
            ctx.load_verify_locations(cafile=str(self.config.ca_file))
        return ctx

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        conn: smtplib.SMTP
        if c.tls == "ssl":
            conn = smtplib.SMTP_SSL(
                c.host, c.effective_port, timeout=c.timeout, context=self._tls_context()
            )
        else:
            conn = smtplib.SMTP(c.host, c.effective_port, timeout=c.timeout)
        try:
            conn.ehlo()
            if c.tls == "starttls":
                conn.starttls(context=self._tls_context())
                conn.ehlo()
            if c.user:
                conn.login(c.user, c.password or "")
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, delivery: Delivery) -> None:
        where = f"SMTP {self.config.host}:{self.config.effective_port}"
        try:
            if self._conn is None:
                self._conn = self._connect()
            refused = self._conn.sendmail(self.envelope_from, [delivery.target], delivery.payload)
        except smtplib.SMTPRecipientsRefused as exc:
            self.close()
            answers = "; ".join(f"{code} {_text(msg)}" for code, msg in exc.recipients.values())
            raise self._error(f"{where} refused the recipient: {answers}") from None
        except smtplib.SMTPResponseException as exc:
            self.close()
            raise self._error(f"{where} answered {exc.smtp_code} {_text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise self._error(f"{where}: {type(exc).__name__}: {exc}") from None
        if refused:  # a single recipient: sendmail raises instead, but stay safe
            raise self._error(f"{where} refused {', '.join(refused)}")

    def _error(self, message: str) -> DeliveryError:
        c = self.config
        secrets = [c.password]
        if c.user and c.password:  # AUTH PLAIN carries base64("\0user\0password")
            secrets.append(f"\0{c.user}\0{c.password}")
        return DeliveryError(redact(message, secrets))

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            conn.close()


def _text(message: bytes | str) -> str:
    return message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)


class FileTransport:
    """Outbox mode: every message becomes a file (``.eml`` for email, ``.json`` for webhooks),
    named after its Message-ID so writing it again replaces it instead of adding a copy."""

    name = "file"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path_for(self, delivery: Delivery) -> Path:
        stem = re.sub(r"[^A-Za-z0-9]+", "-", delivery.message_id.split("@")[0]).strip("-")
        suffix = ".eml" if delivery.channel == "email" else ".json"
        return self.directory / f"{delivery.id:06d}-{stem}{suffix}"

    def send(self, delivery: Delivery) -> None:
        path = self.path_for(delivery)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".tmp")
            tmp.write_bytes(delivery.payload)
            os.replace(tmp, path)
        except OSError as exc:
            raise DeliveryError(f"cannot write {path}: {exc}") from None

    def close(self) -> None:
        pass


def signature(secret: str, body: bytes) -> str:
    """The value of ``X-Regwatch-Signature``: ``sha256=`` and the hex HMAC of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirected webhook is a failure to look at, not something to follow


class WebhookTransport:
    """JSON POST signed with HMAC-SHA256; any answer but 2xx is a failed attempt."""

    name = "http"

    def __init__(self, secret: str | None, timeout: float = WEBHOOK_TIMEOUT) -> None:
        self.secret = secret
        self.timeout = timeout
        self._opener = urllib.request.build_opener(_NoRedirect)

    def send(self, delivery: Delivery) -> None:
        if not self.secret:
            raise DeliveryError("webhook_secret is not set: webhooks are only sent signed")
        request = urllib.request.Request(
            delivery.target,
            data=delivery.payload,
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": USER_AGENT,
                DELIVERY_HEADER: delivery.message_id.strip("<>"),
                SIGNATURE_HEADER: signature(self.secret, delivery.payload),
            },
        )
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            exc.close()
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryError(
                redact(f"webhook {delivery.target}: {reason}", [self.secret])
            ) from None
        if not 200 <= status < 300:
            raise DeliveryError(f"webhook {delivery.target} answered HTTP {status}")

    def close(self) -> None:
        pass
