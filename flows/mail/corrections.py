"""The correction e-mail (SPEC §9): after a restatement, what changed for a manager's reps and their restated cards.

The orchestration decides who gets one and hands over what changed as plain
frames; this module only words it, in the team's language, as safely as the
regular message (data text on one line, HTML autoescaped).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from scorecards.config.dimensions import N_
from scorecards.flows.mail.messages import (
    Attachment,
    Mailing,
    Manager,
    OutgoingMessage,
    UniqueNames,
    card_attachment,
    files_of,
    rendered_message,
    rollup_attachment,
)
from scorecards.flows.shared.changes import evidence_change, number_change, number_line, total_change
from scorecards.flows.shared.columns import team_totals
from scorecards.flows.shared.display import format_month
from scorecards.flows.shared.i18n import colon, translations
from scorecards.flows.shared.inert_text import one_line

#: How a rep's status reads (transforms.restatement.rep_status; joined and left: Restatement.for_teams, with the
#: other team).
STATUS = {
    "added": N_("added"),
    "gone": N_("gone"),
    "changed": N_("changed"),
    "joined": N_("moved here from %(team)s"),
    "left": N_("moved to %(team)s"),
}


@dataclass(frozen=True)
class Changes:
    """What changed for one manager's reps from the version they were sent to the latest (values as exact text)."""

    old_version: int
    new_version: int
    #: rep_id, rep_name, status (added, gone, changed, joined, left) and other_team (the team a rep who joined
    #: came from, or a rep who left went to): the manager's reps that changed.
    reps: pl.DataFrame
    #: rep_id, column, old, new: their changed scorecards columns.
    numbers: pl.DataFrame
    #: rep_id, section, key, change (appeared, disappeared, changed), column, old, new: their evidence rows.
    evidence: pl.DataFrame
    #: The manager's teams these reps are in, in either version: the rollups to attach.
    teams: tuple[str, ...]
    #: The team summary (transforms.teams.team_summary) of the version the manager was sent, for its totals.
    old_totals: pl.DataFrame


@dataclass(frozen=True)
class RepCorrection:
    """One changed rep in the body: a title, each changed number (label, old, new; and as a line of text) and
    each evidence line."""

    title: str
    numbers: list[tuple[str, str, str]]
    number_lines: list[str]
    evidence: list[str]


@dataclass(frozen=True)
class TeamCorrection:
    """One of the manager's teams that changed: its heading, its totals that changed (label, old, new; and as
    lines of text) and its changed reps."""

    title: str
    numbers: list[tuple[str, str, str]]
    number_lines: list[str]
    reps: list[RepCorrection]


@dataclass(frozen=True)
class CorrectionBody:
    """Everything the correction templates show, as finished text."""

    lang: str
    subject: str
    greeting: str
    intro: str
    attached: str
    #: The manager's teams that changed, in the regular message's order, each with its changed reps.
    teams: list[TeamCorrection]
    number_headings: tuple[str, str, str]
    evidence_title: str
    attachments_title: str
    attachment_names: list[str]
    footer: str
    #: What stands between a label and its value in the text part (`: `, `：`).
    colon: str


def correction_message(mailing: Mailing, manager: Manager, changes: Changes) -> OutgoingMessage:
    """The manager's correction: per changed rep old → new and the evidence rows; their restated cards attached.

    Attached are the rollups of the teams that changed and the current cards
    of the changed reps now in the manager's teams (a rep that left them, or is
    gone, has no card of theirs to send). MessageNotBuilt if a file is missing.
    """
    published = mailing.published
    assert published is not None  # a mailing without reps has no managers
    locale = manager.locale
    _, ngettext = translations(locale).gettext, translations(locale).ngettext
    month = format_month(published.period.start, locale)
    changed_ids = changes.reps["rep_id"].implode()
    names = UniqueNames()
    attachments: list[Attachment] = []
    rollups = sum(team in changes.teams for team in manager.teams)
    with files_of(published, manager):
        for team in (t for t in manager.teams if t in changes.teams):
            current = published.scorecards.filter((pl.col("team") == team) & pl.col("rep_id").is_in(changed_ids))
            attachments.append(rollup_attachment(published, team, names, changes.new_version))
            attachments += [
                card_attachment(published, team, rep, names, changes.new_version)
                for rep in current.sort("rank_in_team").iter_rows(named=True)
            ]
    subject = _("Corrected: scorecards for %(month)s (version %(version)d)") % {
        "month": month,
        "version": changes.new_version,
    }
    body = CorrectionBody(
        lang=locale,
        subject=subject,
        greeting=_("Dear %(manager)s,") % {"manager": manager.name},
        intro=ngettext(
            "The sales scorecards for %(month)s were corrected after you received version %(old)d. "
            "This is what changed for your team in version %(new)d.",
            "The sales scorecards for %(month)s were corrected after you received version %(old)d. "
            "This is what changed for your teams in version %(new)d.",
            rollups,  # the teams that changed, as the attachments sentence counts them
        )
        % {"month": month, "old": changes.old_version, "new": changes.new_version},
        attached=ngettext(
            "Attached are the corrected scorecards of these reps and the team rollup as Excel files.",
            "Attached are the corrected scorecards of these reps and the team rollups as Excel files.",
            rollups,
        ),
        teams=_teams(changes, manager, mailing),
        number_headings=(_("Changed"), _("Before"), _("Now")),
        evidence_title=_("Evidence"),
        attachments_title=_("Attachments"),
        attachment_names=[a.filename for a in attachments],
        footer=_("Sent automatically by Scorecards from the scorecards published for %(month)s.") % {"month": month},
        colon=colon(locale),
    )
    return rendered_message(manager, subject, "correction_email", body, attachments, corrects=changes.old_version)


def _teams(changes: Changes, manager: Manager, mailing: Mailing) -> list[TeamCorrection]:
    """Each of the manager's teams with a change: its totals that changed and its changed reps (by rank; one that
    left the team, or is gone, last), as the regular message lists them."""
    published = mailing.published
    assert published is not None
    locale, currency = manager.locale, mailing.currency
    _ = translations(locale).gettext
    # A rep's rank counts only in the team it is listed under: one that left it has its rank in another team.
    places = published.scorecards.select("rep_id", "team", "rank_in_team")
    reps = (
        changes.reps.join(places, on=["rep_id", "team"], how="left")
        .sort("rank_in_team", "rep_id", nulls_last=True)
        .select("rep_id", "rep_name", "status", "other_team", "team")
        .to_dicts()
    )
    teams = []
    for team in manager.teams:
        changed = [_rep(rep, changes, locale, currency) for rep in reps if rep["team"] == team]
        numbers = _team_totals(team, changes.old_totals, published.summary, locale, currency)
        if changed or numbers:
            title = _("Team %(team)s") % {"team": one_line(team)}
            teams.append(TeamCorrection(title, numbers, [number_line(n, locale) for n in numbers], changed))
    return teams


def _team_totals(
    team: str, old: pl.DataFrame, new: pl.DataFrame, locale: str, currency: str
) -> list[tuple[str, str, str]]:
    """The team's totals that changed, (label, old, new) as its rollup and the regular message show them (none
    when the team is in one version only: its reps' lines say it)."""
    before, now = old.filter(pl.col("team") == team), new.filter(pl.col("team") == team)
    if before.is_empty() or now.is_empty():
        return []
    was, is_ = before.row(0, named=True), now.row(0, named=True)
    # Either version's lines: a total one of them has no line for (what reps without a target won) reads N/A.
    lines = {column: (label, kind) for label, column, kind in [*team_totals(was), *team_totals(is_)]}
    return [
        total_change(label, kind, was[column], is_[column], locale, currency)
        for column, (label, kind) in lines.items()
        if was[column] != is_[column]
    ]


def _rep(rep: dict[str, str], changes: Changes, locale: str, currency: str) -> RepCorrection:
    _ = translations(locale).gettext
    rep_id = rep["rep_id"]
    status = _(STATUS.get(rep["status"], rep["status"]))
    if rep["other_team"] is not None:
        status %= {"team": one_line(rep["other_team"])}
    title = _("%(rep)s (%(rep_id)s): %(status)s") % {
        "rep": one_line(rep["rep_name"] or ""),
        "rep_id": one_line(rep_id),
        "status": status,
    }
    numbers = []
    # An added or gone rep has every column on one side only: its evidence says more. One that left is another
    # team's now: `Changes` holds none of its numbers.
    if rep["status"] in ("changed", "joined"):
        numbers = [
            number_change(column, old, new, locale, currency)
            for column, old, new in changes.numbers.filter(pl.col("rep_id") == rep_id)
            .select("column", "old", "new")
            .iter_rows()
        ]
    evidence = [
        evidence_change(*row, locale, currency)
        for row in changes.evidence.filter(pl.col("rep_id") == rep_id)
        .select("section", "key", "change", "column", "old", "new", "old_currency", "new_currency")
        .iter_rows()
    ]
    return RepCorrection(title, numbers, [number_line(number, locale) for number in numbers], evidence)
