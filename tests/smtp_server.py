"""A real SMTP server on loopback (aiosmtpd) for the tests that send mail, and the settings that reach it."""

from __future__ import annotations

import email
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from scorecards.flows.mail.smtp import SmtpSettings, load_smtp_settings

USER = "scorecards"
PASSWORD = "Tr0ub4dor&3-s3cret"


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=policy.default)  # type: ignore[return-value]


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts; it can fail the first DATA commands or refuse recipients."""

    def __init__(self, fail_first: int = 0, refuse: tuple[str, ...] = ()) -> None:
        self.fail_first = fail_first
        self.refuse = refuse
        self.attempts = 0
        self.received: list[Received] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.attempts += 1
        if self.attempts <= self.fail_first:
            return "451 4.3.0 Busy, try again later"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Accepted"

    def by_recipient(self) -> dict[str, Received]:
        return {r.recipients[0]: r for r in self.received}


def free_port() -> int:
    # aiosmtpd's Controller cannot take port 0: ask the system for a free port first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:  # noqa: ANN001
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: the server sends the 535 itself


def smtp_environ(port: int, **overrides: str) -> dict[str, str]:
    return {
        "SCORECARDS_SMTP_HOST": "127.0.0.1",
        "SCORECARDS_SMTP_PORT": str(port),
        "SCORECARDS_SMTP_TLS": "none",
        "SCORECARDS_SMTP_FROM": "Scorecards <scorecards@example.com>",
        "SCORECARDS_SMTP_USER": USER,
        "SCORECARDS_SMTP_PASSWORD": PASSWORD,
        **{f"SCORECARDS_SMTP_{k.upper()}": v for k, v in overrides.items()},
    }


@pytest.fixture
def mail_server() -> Iterator[Callable[..., tuple[Mailbox, SmtpSettings]]]:
    """Start an SMTP server that requires a login; returns its mailbox and the settings that reach it."""
    controllers: list[Controller] = []

    def start(
        mailbox: Mailbox | None = None, server: dict[str, object] | None = None, **overrides: str
    ) -> tuple[Mailbox, SmtpSettings]:
        mailbox = mailbox or Mailbox()
        port = free_port()
        options = {"auth_required": True, "auth_require_tls": False, **(server or {})}
        controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=_authenticate, **options)
        controller.start()
        controllers.append(controller)
        return mailbox, load_smtp_settings(smtp_environ(port, **overrides))

    yield start
    for controller in controllers:
        controller.stop()


@pytest.fixture
def flows_mailbox(mail_server: Callable[..., tuple[Mailbox, SmtpSettings]], monkeypatch: pytest.MonkeyPatch) -> Mailbox:
    """A mailbox on a real SMTP server that flows run in this process send to (its SCORECARDS_SMTP_* environment)."""
    mailbox, smtp = mail_server()
    for key, value in smtp_environ(smtp.port).items():
        monkeypatch.setenv(key, value)
    return mailbox
