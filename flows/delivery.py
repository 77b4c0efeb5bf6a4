"""`scorecards send`: e-mail each manager their teams' scorecards, exactly once. The API the CLI calls.

build_messages reads a published period (OUT/P) and composes one message per
manager address; deliver sends what the period's sent-log does not record yet,
or writes it to OUT/P/outbox for a dry run.
"""

from __future__ import annotations

from scorecards.flows.mail_messages import Attachment, OutgoingMessage, build_messages
from scorecards.flows.mail_sender import (
    Delivery,
    DeliveryReport,
    RetryPolicy,
    deliver,
    format_delivery_report,
    read_sent_log,
)
from scorecards.flows.smtp_settings import SmtpSettings, SmtpSettingsError, load_smtp_settings

__all__ = [
    "Attachment",
    "Delivery",
    "DeliveryReport",
    "OutgoingMessage",
    "RetryPolicy",
    "SmtpSettings",
    "SmtpSettingsError",
    "build_messages",
    "deliver",
    "format_delivery_report",
    "load_smtp_settings",
    "read_sent_log",
]
