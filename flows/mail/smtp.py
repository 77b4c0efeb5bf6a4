"""Where and how `send` reaches the mail server: SCORECARDS_SMTP_* environment variables or a Prefect Secret block."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from typing import Literal

from pydantic import SecretStr

from scorecards.flows.shared.errors import UsageError

TlsMode = Literal["starttls", "ssl", "none"]

#: The usual port of each connection security mode.
DEFAULT_PORTS: dict[TlsMode, int] = {"starttls": 587, "ssl": 465, "none": 25}

_PREFIX = "SCORECARDS_SMTP_"
# A plain ASCII address: no display name, comment, quoting, space or control character.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
_HOST = re.compile(r"[A-Za-z0-9.:\[\]-]+")
_NAMED_ADDRESS = re.compile(r"(?P<name>[^<>\"\x00-\x1f\x7f]*)<(?P<address>[^<>]+)>")


class SmtpSettingsError(UsageError):
    """The SCORECARDS_SMTP_* settings are missing or invalid."""


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach and log in to the mail server; the password is a SecretStr, shown as '**********'."""

    host: str
    port: int
    tls: TlsMode
    sender_address: str
    sender_name: str = ""
    user: str | None = None
    password: SecretStr | None = None
    timeout_seconds: float = 30.0

    @property
    def sender(self) -> Address:
        """The From address."""
        return Address(display_name=self.sender_name, addr_spec=self.sender_address)


def load_smtp_settings(environ: Mapping[str, str] = os.environ) -> SmtpSettings:
    """The SMTP settings from SCORECARDS_SMTP_HOST, _PORT, _USER, _PASSWORD (or _PASSWORD_BLOCK), _FROM, _TLS."""

    def value(name: str) -> str | None:
        text = environ.get(_PREFIX + name, "").strip()
        return text or None

    host = value("HOST")
    if host is None:
        raise SmtpSettingsError(f"{_PREFIX}HOST is not set: name the mail server to send through")
    if not _HOST.fullmatch(host):
        raise SmtpSettingsError(f"{_PREFIX}HOST: {host!r} is not a host name or IP address")
    tls = _tls_mode(value("TLS"))
    port = _port(value("PORT"), tls)
    sender_name, sender_address = _sender(value("FROM"))
    user = value("USER")
    password = _password(environ, value("PASSWORD_BLOCK"))
    if user and password is None:
        raise SmtpSettingsError(
            f"{_PREFIX}USER is set but no password: set {_PREFIX}PASSWORD or {_PREFIX}PASSWORD_BLOCK"
        )
    if password is not None and not user:
        raise SmtpSettingsError(f"a password is set but {_PREFIX}USER is not: set the user name to log in with")
    if password is not None and tls == "none" and not _is_loopback(host):
        raise SmtpSettingsError(f"{_PREFIX}TLS=none would send the password unencrypted to {host}: use starttls or ssl")
    return SmtpSettings(
        host=host,
        port=port,
        tls=tls,
        sender_address=sender_address,
        sender_name=sender_name,
        user=user,
        password=password,
    )


def is_plain_address(text: str) -> bool:
    """Whether text is one bare ASCII address (`name@example.com`): nothing that could add a header or recipient."""
    return _PLAIN_ADDRESS.fullmatch(text) is not None


def _tls_mode(text: str | None) -> TlsMode:
    mode = (text or "starttls").lower()
    if mode not in DEFAULT_PORTS:
        raise SmtpSettingsError(f"{_PREFIX}TLS: {text!r} is not one of starttls, ssl, none")
    return mode  # type: ignore[return-value]


def _port(text: str | None, tls: TlsMode) -> int:
    if text is None:
        return DEFAULT_PORTS[tls]
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise SmtpSettingsError(f"{_PREFIX}PORT: {text!r} is not a port number (1-65535)")
    return int(text)


def _sender(text: str | None) -> tuple[str, str]:
    """Display name and address of `reports@example.com` or `Scorecards <reports@example.com>`."""
    if text is None:
        raise SmtpSettingsError(f"{_PREFIX}FROM is not set: give the address the scorecards are sent from")
    named = _NAMED_ADDRESS.fullmatch(text)
    name, address = (named["name"].strip(), named["address"]) if named else ("", text)
    if not is_plain_address(address):
        raise SmtpSettingsError(
            f"{_PREFIX}FROM: {text!r} is not an address like reports@example.com or Scorecards <reports@example.com>"
        )
    return name, address


def _password(environ: Mapping[str, str], block: str | None) -> SecretStr | None:
    # Not stripped: spaces may be part of a password.
    text = environ.get(_PREFIX + "PASSWORD", "")
    if text:
        return SecretStr(text)
    if block is None:
        return None
    try:
        secret = secret_from_block(block)
    except Exception as exc:  # Prefect's own errors (no such block, no API); they never hold the secret's value
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SmtpSettingsError(
            f"{_PREFIX}PASSWORD_BLOCK: cannot load Prefect Secret block {block!r}: {reason}"
        ) from None
    if not isinstance(secret, str) or not secret:
        raise SmtpSettingsError(
            f"{_PREFIX}PASSWORD_BLOCK: Prefect Secret block {block!r} does not hold a text password"
        )
    return SecretStr(secret)


def secret_from_block(name: str) -> object:
    """The value of the Prefect Secret block called `name`."""
    from prefect.blocks.system import Secret  # Prefect costs seconds to import: only when a block is named

    from scorecards.flows.shared.temporary_server import start_temporary_server

    start_temporary_server()
    return Secret.load(name).get()


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
