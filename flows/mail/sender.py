"""Delivering the managers' messages once each: SMTP with retries, the period's sent-log, the dry-run outbox."""

from __future__ import annotations

import errno
import logging
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from email import policy
from pathlib import Path
from typing import Literal

from scorecards.flows.mail.messages import OutgoingMessage, as_email
from scorecards.flows.mail.smtp import SmtpSettings
from scorecards.flows.shared.counting import counted
from scorecards.flows.shared.errors import UsageError
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.sent_log import address_key, read_sent_log, record_delivery

logger = logging.getLogger(__name__)

Status = Literal["sent", "already sent", "written to outbox", "failed"]


@dataclass(frozen=True)
class RetryPolicy:
    """How often a transient failure is retried: one more attempt after each delay (seconds)."""

    delays: tuple[float, ...] = (2.0, 4.0)

    @property
    def attempts(self) -> int:
        return len(self.delays) + 1


@dataclass(frozen=True)
class Delivery:
    """What happened to one manager's message."""

    recipient: str
    teams: tuple[str, ...]
    status: Status
    reason: str | None = None
    #: The version of the period a correction message replaces (SPEC §9); None for a regular message.
    corrects: int | None = None
    #: Why nothing went out, when that is not obvious (`no change for these teams since version 1`).
    note: str | None = None

    @property
    def outcome(self) -> str:
        """`sent`, `already sent`, `written to outbox` or `failed: <reason>`."""
        return f"failed: {self.reason}" if self.status == "failed" else self.status

    @property
    def described(self) -> str:
        """The outcome as the report shows it: a correction says so, a note follows in parentheses."""
        kind = f" (correction of version {self.corrects})" if self.corrects is not None else ""
        note = f" ({self.note})" if self.note else ""
        return f"{self.outcome}{kind}{note}"


@dataclass(frozen=True)
class DeliveryReport:
    """The outcome of every message of a `send`."""

    deliveries: tuple[Delivery, ...]

    @property
    def ok(self) -> bool:
        """True when no message failed."""
        return all(d.status != "failed" for d in self.deliveries)

    def count(self, status: Status) -> int:
        """How many messages ended with this status."""
        return sum(d.status == status for d in self.deliveries)


class _Failure(Exception):
    """A send attempt failed; the reason never holds the password."""

    def __init__(self, reason: str, *, transient: bool, stops_all: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.stops_all = stops_all


def deliver(
    messages: Iterable[OutgoingMessage],
    period_dir: Path,
    smtp: SmtpSettings | None,
    *,
    dry_run: bool,
    resend: bool,
    sleep: Callable[[float], None] = time.sleep,
    retry: RetryPolicy = RetryPolicy(),
) -> DeliveryReport:
    """Send each message not yet delivered (all with `resend`), or write them to OUT/P/outbox with `dry_run`."""
    if smtp is None and not dry_run:
        raise UsageError("SMTP settings are needed to send (see SCORECARDS_SMTP_HOST and the other SCORECARDS_SMTP_*)")
    delivered = set() if resend else read_sent_log(period_dir)
    folder = PeriodFolder(period_dir)
    if dry_run:
        _empty_outbox(folder.outbox)
    deliveries: list[Delivery] = []
    stopped: str | None = None  # set by a failure that every later message would meet too (login, TLS)
    for message in sorted(messages, key=lambda m: m.recipient):
        reason = None
        if (address_key(message.recipient), message.sha256) in delivered:
            logger.info("%s: already sent (same content), skipped", message.recipient)
            status: Status = "already sent"
        elif stopped is not None:
            status, reason = "failed", f"not attempted after {stopped}"
        elif dry_run:
            _write_eml(folder, message, smtp)
            status = "written to outbox"
        else:
            assert smtp is not None  # checked above
            failure = _send(message, period_dir, smtp, retry, sleep, fresh_id=resend)
            status, reason = ("sent", None) if failure is None else ("failed", failure.reason)
            if failure is not None and failure.stops_all:
                stopped = failure.reason
        deliveries.append(Delivery(message.recipient, message.teams, status, reason, corrects=message.corrects))
    return DeliveryReport(tuple(deliveries))


def format_delivery_report(report: DeliveryReport, problems: Sequence[str] = ()) -> str:
    """The outcome of each message, the problems that kept messages from being built, and the counts."""
    lines = [f"{d.recipient:<36} {d.described}  [{', '.join(d.teams)}]" for d in report.deliveries]
    lines += problems
    counts = []
    for status in ("sent", "already sent", "written to outbox", "failed"):
        if report.count(status):
            # Corrections are counted with the outcome they had: "2 sent (1 correction), 3 already sent".
            corrections = sum(d.status == status and d.corrects is not None for d in report.deliveries)
            of_which = f" ({counted(corrections, 'correction')})" if corrections else ""
            counts.append(f"{report.count(status)} {status}{of_which}")
    if problems:
        counts.append(f"{len(problems)} not built")
    lines.append(f"{len(report.deliveries) + len(problems)} messages: {', '.join(counts) or 'nothing to send'}")
    return "\n".join(lines)


def _empty_outbox(outbox: Path) -> None:
    outbox.mkdir(exist_ok=True)
    for old in outbox.glob("*.eml"):
        old.unlink()


def _write_eml(folder: PeriodFolder, message: OutgoingMessage, smtp: SmtpSettings | None) -> None:
    path = folder.outbox_message(message.recipient)
    path.write_bytes(_wire_bytes(message, smtp))
    logger.info("%s: written to %s", message.recipient, path)


def _wire_bytes(message: OutgoingMessage, smtp: SmtpSettings | None, *, fresh_id: bool = False) -> bytes:
    return as_email(message, smtp.sender if smtp else None, fresh_id=fresh_id).as_bytes(policy=policy.SMTP)


def _send(
    message: OutgoingMessage,
    period_dir: Path,
    smtp: SmtpSettings,
    retry: RetryPolicy,
    sleep: Callable[[float], None],
    *,
    fresh_id: bool,
) -> _Failure | None:
    """Send one message and record it in the sent-log; the failure when it could not be delivered."""
    try:
        _send_with_retries(message, smtp, retry, sleep, fresh_id=fresh_id)
    except _Failure as failure:
        logger.error("%s: not delivered: %s", message.recipient, failure.reason)
        return failure
    record_delivery(period_dir, message.recipient, message.sha256)
    logger.info("%s: sent (%s)", message.recipient, ", ".join(message.teams))
    return None


def _send_with_retries(
    message: OutgoingMessage, smtp: SmtpSettings, retry: RetryPolicy, sleep: Callable[[float], None], *, fresh_id: bool
) -> None:
    data = _wire_bytes(message, smtp, fresh_id=fresh_id)  # the same bytes (Date, Message-ID) on every attempt
    for attempt in range(1, retry.attempts + 1):
        try:
            _send_once(data, message.recipient, smtp)
            return
        except (smtplib.SMTPException, OSError) as exc:
            failure = _classify(exc, smtp)
        if not failure.transient or attempt == retry.attempts:
            raise failure
        delay = retry.delays[attempt - 1]
        logger.warning(
            "%s: attempt %d of %d failed (%s); retrying in %g s",
            message.recipient,
            attempt,
            retry.attempts,
            failure.reason,
            delay,
        )
        sleep(delay)


def _send_once(data: bytes, recipient: str, smtp: SmtpSettings) -> None:
    """One connection: secure it, log in, hand the message over for exactly one recipient."""
    context = ssl.create_default_context()
    if smtp.tls == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout_seconds, context=context)
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout_seconds)
    try:
        if smtp.tls == "starttls":
            client.starttls(context=context)
        if smtp.user and smtp.password is not None:
            client.login(smtp.user, smtp.password.get_secret_value())
        # The envelope names the one checked recipient; nothing is taken from the headers.
        client.sendmail(smtp.sender_address, [recipient], data)
    finally:
        _close_quietly(client)


def _close_quietly(client: smtplib.SMTP) -> None:
    # The message is either handed over or not by now: a failing QUIT must not make it look undelivered.
    try:
        client.quit()
    except (smtplib.SMTPException, OSError):
        client.close()


def _classify(exc: smtplib.SMTPException | OSError, smtp: SmtpSettings) -> _Failure:
    """Transient (4xx replies, lost or refused connections, timeouts) or permanent (5xx, TLS), with a safe reason."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # The server's reply may echo what it was sent: keep only its code.
        return _Failure(f"login as {smtp.user!r} refused (SMTP {exc.smtp_code})", transient=False, stops_all=True)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return _failure_for_reply(code, text, "recipient refused", smtp)
    if isinstance(exc, smtplib.SMTPSenderRefused):  # refused for this sender, so for every message
        return _failure_for_reply(exc.smtp_code, exc.smtp_error, "sender address refused", smtp, stops_all=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _failure_for_reply(exc.smtp_code, exc.smtp_error, "server refused", smtp)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return _Failure("the server closed the connection", transient=True)
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        hint = ""
        if smtp.tls == "starttls" and "STARTTLS" in str(exc).upper():  # the default: a local relay often has no TLS
            hint = " (SCORECARDS_SMTP_TLS is starttls by default: none for a relay without TLS, ssl for port 465)"
        return _Failure(_redact(f"the server does not support it: {exc}{hint}", smtp), transient=False, stops_all=True)
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError | ssl.SSLSyscallError):
        return _Failure(f"the TLS connection to {smtp.host} was cut", transient=True)
    if isinstance(exc, ssl.SSLError):  # a certificate or protocol mismatch: retrying cannot help
        return _Failure(_redact(f"TLS with {smtp.host} failed: {exc}", smtp), transient=False, stops_all=True)
    if isinstance(exc, smtplib.SMTPException):
        return _Failure(_redact(f"SMTP error: {exc}", smtp), transient=False)
    reason = exc.strerror or str(exc) or type(exc).__name__
    # Retried; a server still unreachable after the last attempt is so for the next message too: stop, and let
    # the next `send` deliver the rest (each of five managers had waited out the same three refused
    # connections). A connection lost later (reset while a message was sent) may be that message's alone.
    unreachable = isinstance(exc, TimeoutError | socket.gaierror) or exc.errno in _UNREACHABLE
    failure = (
        f"cannot reach {smtp.host}:{smtp.port}: {reason}"
        if unreachable
        else f"connection to {smtp.host} lost: {reason}"
    )
    return _Failure(_redact(failure, smtp), transient=True, stops_all=unreachable)


#: Connection errors that say the server cannot be reached at all (not that one message's connection broke).
_UNREACHABLE = frozenset({errno.ECONNREFUSED, errno.EHOSTUNREACH, errno.ENETUNREACH, errno.ETIMEDOUT})


def _failure_for_reply(
    code: int, text: bytes | str, what: str, smtp: SmtpSettings, *, stops_all: bool = False
) -> _Failure:
    reply = " ".join((text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)).split())
    transient = 400 <= code < 500
    reason = _redact(f"{what}: {code} {reply}", smtp)
    return _Failure(reason, transient=transient, stops_all=stops_all and not transient)


def _redact(text: str, smtp: SmtpSettings) -> str:
    password = smtp.password.get_secret_value() if smtp.password is not None else ""
    return text.replace(password, "**********") if password else text
