"""Sending a published period: each manager's message, built and delivered under the period's lock.

One sequence for `scorecards send` and the monthly run, so both send the same
messages, skip what the sent-log records, and never race a re-publication.

Which message a manager gets is decided here, from the version last delivered
to their address (SPEC §9): none yet, the regular message; the latest version,
nothing; an earlier version, one correction when their teams changed since it
(and nothing when they did not). `--resend` sends every regular message again.
A month published with a warning (not over yet, or nothing in the input dated in
it) is sent to nobody: its cards would grade what the data does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from scorecards.config import Settings
from scorecards.flows.mail.corrections import Changes, correction_message
from scorecards.flows.mail.messages import (
    Mailing,
    Manager,
    MessageNotBuilt,
    OutgoingMessage,
    read_mailing,
    require_published,
    team_message,
)
from scorecards.flows.mail.sender import (
    Delivery,
    DeliveryReport,
    deliver,
    format_delivery_report,
)
from scorecards.flows.mail.smtp import SmtpSettings
from scorecards.flows.publish.staging import period_lock
from scorecards.flows.publish.versions import version_numbers
from scorecards.flows.restatements import Restatement, compare
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.sent_log import address_key, read_last_sent_versions
from scorecards.transforms.teams import team_summary


@dataclass(frozen=True)
class Sent:
    """What sending a period did: each message's delivery, and the messages that could not be built."""

    delivery: DeliveryReport
    problems: list[str] = field(default_factory=list)
    #: The warnings the month was published with, for which nothing was sent.
    withheld: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.delivery.ok and not self.problems and not self.withheld

    def describe(self) -> str:
        """The delivery report as printed and logged (a correction says which version it replaces)."""
        if self.withheld:
            said = "".join(f"\n  - {warning}" for warning in self.withheld)
            return (
                f"nothing sent: the month was published with a warning, so its cards would grade what the data does"
                f" not hold:{said}\npublish it again from an input that holds the whole month, then send it"
            )
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
    """Send each manager what they lack of OUT/P: its scorecards, or a correction of the version they have."""
    require_published(out_dir / period)  # before the lock: an OUT that does not exist is not made
    with period_lock(out_dir, period):
        folder = out_dir / period
        warnings = PeriodFolder(folder).warnings()
        if warnings:
            return Sent(DeliveryReport(()), withheld=warnings)
        mailing = read_mailing(folder, settings.defaults.locale, currency=settings.display.reporting)
        plan = _Plan(out_dir, period, mailing, resend)
        messages, unsent, problems = [], [], list(mailing.problems)
        for manager in mailing.managers:
            try:
                outcome = plan.message_for(manager)
            except MessageNotBuilt as exc:
                problems.append(str(exc))
                continue
            (messages if isinstance(outcome, OutgoingMessage) else unsent).append(outcome)
        delivered = deliver(messages, folder, smtp, dry_run=dry_run, resend=resend)
        report = DeliveryReport(tuple(sorted((*delivered.deliveries, *unsent), key=lambda d: d.recipient)))
        return Sent(report, problems)


class _Plan:
    """Which message each manager of a period gets, from the sent-log and the version store."""

    def __init__(self, out_dir: Path, period: str, mailing: Mailing, resend: bool) -> None:
        self.out_dir, self.period, self.mailing = out_dir, period, mailing
        assert mailing.published is not None or not mailing.managers
        self.latest = mailing.published.folder.publication() if mailing.published else None
        # An unnumbered publication, or a log from before versions, falls back to the sent-log's content hashes.
        versioned = self.latest is not None and not resend
        self.last_sent = read_last_sent_versions(out_dir / period) if versioned else {}
        # A regular message says its version only when an earlier one was sent (to anyone): the cards that
        # replaced an unsent version are the first anyone reads, as their pages say (they restate nothing).
        earlier = self.latest is not None and read_last_sent_versions(out_dir / period, before=self.latest)
        self.later_version = self.latest if earlier else None
        self._restatements: dict[int, Restatement | None] = {}
        self._summaries: dict[int, pl.DataFrame] = {}

    def message_for(self, manager: Manager) -> OutgoingMessage | Delivery:
        """The message to deliver to `manager`, or why nothing goes out (as the report's line)."""
        sent = self.last_sent.get(address_key(manager.address))
        if sent is None:
            return team_message(self.mailing, manager, self.later_version)
        if sent == self.latest:
            return Delivery(manager.address, manager.shown_teams, "already sent", note=f"version {sent}")
        restatement = self._since(sent)
        if restatement is None:
            reason = f"it was sent version {sent}, which the version store no longer has; cannot say what changed"
            raise MessageNotBuilt(f"{manager.address}: failed: {reason}; not sent")
        mine = restatement.changed_reps().for_teams(manager.teams)
        if mine.unchanged:
            note = f"version {sent}; no change for these teams since"
            return Delivery(manager.address, manager.shown_teams, "already sent", note=note)
        changes = Changes(
            old_version=sent,
            new_version=restatement.new.number,
            reps=mine.reps,
            numbers=mine.changes,
            evidence=mine.evidence,
            teams=tuple(t for t in manager.teams if t in mine.teams),
            old_totals=self._old_totals(sent, restatement),
        )
        return correction_message(self.mailing, manager, changes)

    def _since(self, sent: int) -> Restatement | None:
        """What changed from version `sent` to the latest (None when that version is not kept); compared once."""
        if sent not in self._restatements:
            assert self.latest is not None
            known = version_numbers(self.out_dir, self.period)
            kept = sent in known and self.latest in known
            self._restatements[sent] = compare(self.out_dir, self.period, sent, self.latest) if kept else None
        return self._restatements[sent]

    def _old_totals(self, sent: int, restatement: Restatement) -> pl.DataFrame:
        """The team summary of version `sent`, which `restatement` compares from; built once."""
        if sent not in self._summaries:
            self._summaries[sent] = team_summary(restatement.old.scorecards)
        return self._summaries[sent]
