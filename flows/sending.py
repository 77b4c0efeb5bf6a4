"""Sending a published period: each manager's message, built and delivered under the period's lock.

One sequence for `scorecards send` and the monthly run, so both send the same
messages, skip what the sent-log records, and never race a re-publication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scorecards.config import Settings
from scorecards.flows.mail.messages import build_messages
from scorecards.flows.mail.sender import DeliveryReport, deliver, format_delivery_report
from scorecards.flows.mail.smtp import SmtpSettings
from scorecards.flows.publish.staging import period_lock


@dataclass(frozen=True)
class Sent:
    """What sending a period did: each message's delivery, and the messages that could not be built."""

    delivery: DeliveryReport
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.delivery.ok and not self.problems

    def describe(self) -> str:
        """The delivery report as printed and logged."""
        return format_delivery_report(self.delivery, self.problems)


def send_period(
    out_dir: Path,
    period: str,
    settings: Settings,
    smtp: SmtpSettings | None,
    *,
    dry_run: bool = False,
    resend: bool = False,
) -> Sent:
    """Send each manager their teams' scorecards of OUT/P (only what the sent-log lacks, unless `resend`)."""
    with period_lock(out_dir, period):
        folder = out_dir / period
        messages, problems = build_messages(folder, settings.defaults.locale, currency=settings.display.reporting)
        return Sent(deliver(messages, folder, smtp, dry_run=dry_run, resend=resend), problems)
