"""SMTP settings for `scorecards send`: SCORECARDS_SMTP_* variables or a Prefect Secret block; the password stays secret."""

from __future__ import annotations

import pytest

from scorecards.flows.mail import smtp as smtp_module
from scorecards.flows.mail.smtp import SmtpSettings, SmtpSettingsError, load_smtp_settings
from scorecards.flows.shared.errors import UsageError

PASSWORD = "hunter2-Secret!"
BASE = {
    "SCORECARDS_SMTP_HOST": "smtp.example.com",
    "SCORECARDS_SMTP_FROM": "reports@example.com",
}


def settings(**variables: str) -> SmtpSettings:
    return load_smtp_settings({**BASE, **{f"SCORECARDS_SMTP_{k.upper()}": v for k, v in variables.items()}})


def test_minimal_settings_use_starttls_on_the_submission_port() -> None:
    smtp = settings()
    assert (smtp.host, smtp.port, smtp.tls, smtp.sender_address, smtp.sender_name) == (
        "smtp.example.com",
        587,
        "starttls",
        "reports@example.com",
        "",
    )
    assert smtp.user is None and smtp.password is None


@pytest.mark.parametrize(("tls", "port"), [("starttls", 587), ("ssl", 465), ("none", 25), ("SSL", 465)])
def test_each_tls_mode_has_its_usual_port(tls: str, port: int) -> None:
    assert settings(tls=tls).port == port
    assert settings(tls=tls, port="2525").port == 2525


def test_all_settings_and_a_named_sender() -> None:
    smtp = settings(
        port="465", tls="ssl", user="mailer", password=PASSWORD, **{"from": " Scorecards <reports@example.com> "}
    )
    assert (smtp.port, smtp.tls, smtp.user, smtp.sender_name, smtp.sender_address) == (
        465,
        "ssl",
        "mailer",
        "Scorecards",
        "reports@example.com",
    )
    assert smtp.password is not None and smtp.password.get_secret_value() == PASSWORD
    assert str(smtp.sender) == "Scorecards <reports@example.com>"
    assert PASSWORD not in repr(smtp) and PASSWORD not in str(smtp)


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"host": ""}, "SCORECARDS_SMTP_HOST is not set"),
        ({"host": "smtp.example.com\r\nX: y"}, "SCORECARDS_SMTP_HOST: 'smtp.example.com\\r\\nX: y' is not a host"),
        ({"from": ""}, "SCORECARDS_SMTP_FROM is not set"),
        ({"from": "reports@example.com\r\nBcc: evil@example.com"}, "SCORECARDS_SMTP_FROM: "),
        ({"from": "a@example.com, b@example.com"}, "SCORECARDS_SMTP_FROM: "),
        ({"from": 'Evil" <a@example.com>'}, "SCORECARDS_SMTP_FROM: "),
        ({"port": "smtp"}, "SCORECARDS_SMTP_PORT: 'smtp' is not a port number"),
        ({"port": "70000"}, "SCORECARDS_SMTP_PORT: '70000' is not a port number"),
        ({"tls": "tls"}, "SCORECARDS_SMTP_TLS: 'tls' is not one of starttls, ssl, none"),
        ({"user": "mailer"}, "SCORECARDS_SMTP_USER is set but no password"),
        ({"password": PASSWORD}, "a password is set but SCORECARDS_SMTP_USER is not"),
        ({"user": "mailer", "password": PASSWORD, "tls": "none"}, "would send the password unencrypted"),
    ],
)
def test_missing_or_invalid_settings_are_usage_errors_that_never_show_the_password(
    variables: dict[str, str], message: str
) -> None:
    with pytest.raises(SmtpSettingsError) as raised:
        settings(**variables)
    assert isinstance(raised.value, UsageError)  # the CLI exits 2
    assert message in str(raised.value)
    assert PASSWORD not in str(raised.value)


def test_no_tls_is_allowed_with_a_password_on_loopback_only() -> None:
    for host in ("127.0.0.1", "localhost", "::1"):
        assert settings(host=host, tls="none", user="mailer", password=PASSWORD).tls == "none"


def test_the_password_is_taken_as_given() -> None:
    password = settings(user="u", password=f" {PASSWORD} ").password
    assert password is not None and password.get_secret_value() == f" {PASSWORD} "


def test_the_password_can_come_from_a_prefect_secret_block(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(smtp_module, "secret_from_block", lambda name: asked.append(name) or PASSWORD)
    smtp = settings(user="mailer", password_block="smtp-password")
    assert asked == ["smtp-password"]
    assert smtp.password is not None and smtp.password.get_secret_value() == PASSWORD
    assert PASSWORD not in repr(smtp)
    # The variable wins over the block; the block is not even loaded.
    from_env = settings(user="mailer", password="from-env", password_block="smtp-password").password
    assert from_env is not None and from_env.get_secret_value() == "from-env"
    assert asked == ["smtp-password"]


def test_a_block_that_cannot_be_loaded_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> object:
        raise ValueError(f"Unable to find block document named {name} for block type secret")

    monkeypatch.setattr(smtp_module, "secret_from_block", missing)
    with pytest.raises(SmtpSettingsError, match="cannot load Prefect Secret block 'nope': Unable to find block"):
        settings(user="mailer", password_block="nope")
    monkeypatch.setattr(smtp_module, "secret_from_block", lambda name: {"password": PASSWORD})
    with pytest.raises(SmtpSettingsError, match="does not hold a text password") as raised:
        settings(user="mailer", password_block="json")
    assert PASSWORD not in str(raised.value)
