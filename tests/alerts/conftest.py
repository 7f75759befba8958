"""Fixtures for alerting: a migrated database, a real SMTP server on loopback (aiosmtpd with
STARTTLS and AUTH, certificates made at test time), and an alert config pointing at it."""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

import db
from alerts import AlertConfig, SmtpConfig

SMTP_USER = "regwatch"
SMTP_PASSWORD = "pa55-w0rd-never-logged"


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[db.SessionFactory]:
    engine = db.connect(f"sqlite:///{tmp_path / 'data' / 'regwatch.db'}")
    db.upgrade(engine)
    yield db.session_factory(engine)
    engine.dispose()


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    authenticated: bool
    tls: bool

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        assert body is not None and body.get_content_subtype() == subtype
        return str(body.get_content()).replace("\r\n", "\n")


@dataclass
class Inbox:
    """What the SMTP server accepted; ``refuse_next`` answers that many DATA commands 451."""

    messages: list[Received] = field(default_factory=list)
    refuse_next: int = 0
    refused: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse_next:
            self.refuse_next -= 1
            self.refused += 1
            return "451 4.3.0 Mailbox busy, try again later"
        self.messages.append(
            Received(
                envelope.mail_from,
                list(envelope.rcpt_tos),
                envelope.original_content or envelope.content,
                bool(session.authenticated),
                server.transport.get_extra_info("ssl_object") is not None,
            )
        )
        return "250 2.0.0 OK"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 and the CA file that trusts it."""
    import trustme

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tmp_path_factory.mktemp("tls") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server_ctx, ca_file


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class SmtpServer:
    inbox: Inbox
    port: int
    ca_file: Path
    tls: str

    def config(self, **overrides: Any) -> AlertConfig:
        smtp = SmtpConfig(
            host="127.0.0.1",
            port=self.port,
            tls=self.tls,
            user=SMTP_USER,
            password=overrides.pop("password", SMTP_PASSWORD),
            ca_file=self.ca_file,
            timeout=10,
        )
        values: dict[str, Any] = {"sender": "regwatch@alerts.example.org", "smtp": smtp}
        values.update(overrides)
        return AlertConfig(**values)

    def config_file(self, path: Path, *extra: str) -> Path:
        """A regwatch TOML config at ``path`` that mails through this server, plus ``extra``
        lines (for the CLI, which reads its settings from a file)."""
        lines = [
            'smtp_host = "127.0.0.1"',
            f"smtp_port = {self.port}",
            f'smtp_tls = "{self.tls}"',
            f'smtp_user = "{SMTP_USER}"',
            f'smtp_password = "{SMTP_PASSWORD}"',
            f'smtp_ca_file = "{self.ca_file}"',
            'smtp_from = "regwatch <regwatch@alerts.example.org>"',
            *extra,
        ]
        path.write_text("\n".join(lines), encoding="utf-8")
        return path


def _serve(tls: tuple[ssl.SSLContext, Path], implicit: bool) -> Iterator[SmtpServer]:
    from aiosmtpd.controller import Controller

    server_ctx, ca_file = tls
    inbox = Inbox()
    port = free_port()
    kwargs: dict[str, Any] = {
        "authenticator": _authenticator,
        "auth_required": True,
        "auth_require_tls": True,
    }
    if implicit:
        # aiosmtpd counts only STARTTLS as TLS for auth_require_tls; here the whole connection
        # is TLS from the first byte, so nothing travels in clear either way.
        kwargs.update(ssl_context=server_ctx, auth_require_tls=False, auth_required=False)
    else:
        kwargs.update(tls_context=server_ctx, require_starttls=True)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield SmtpServer(inbox, port, ca_file, "ssl" if implicit else "starttls")
    finally:
        controller.stop()


@pytest.fixture
def smtp(tls: tuple[ssl.SSLContext, Path]) -> Iterator[SmtpServer]:
    """SMTP with STARTTLS required and AUTH (LOGIN/PLAIN) required after it."""
    yield from _serve(tls, implicit=False)


@pytest.fixture
def smtps(tls: tuple[ssl.SSLContext, Path]) -> Iterator[SmtpServer]:
    """SMTP over implicit TLS (port-465 style) with AUTH required."""
    yield from _serve(tls, implicit=True)
