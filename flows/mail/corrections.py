"""The correction e-mail (SPEC §9): after a restatement, what changed for a manager's reps and their restated cards.

The orchestration decides who gets one and hands over what changed as plain
frames; this module only words it, in the team's language, as safely as the
regular message (data text on one line, HTML autoescaped).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import polars as pl

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
from scorecards.flows.shared.display import format_month
from scorecards.flows.shared.i18n import translations
from scorecards.flows.shared.inert_text import one_line


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for extraction only"
    """Mark a message for the catalogue without translating it here."""
    return message


#: How a rep's status reads (transforms.restatement.rep_status).
STATUS = {"added": N_("added"), "gone": N_("gone"), "changed": N_("changed")}
K = TypeVar("K")
#: Shown for a missing value (a null, or a side where the row does not exist).
NOTHING = "–"


@dataclass(frozen=True)
class ChangeLabels:
    """Catalogue ids (msgids) changes are shown with, as the cards label them; what has none shows its own name."""

    #: Scorecards column → label.
    columns: Mapping[str, str] = field(default_factory=dict)
    #: Evidence section → the word for one of its rows (`opportunity`).
    sections: Mapping[str, str] = field(default_factory=dict)
    #: (evidence section, column) → label.
    evidence_columns: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: A grade column → its dimension's label, and the msgid that names a grade from it (`%(dimension)s grade`).
    grades: Mapping[str, str] = field(default_factory=dict)
    grade_label: str = "%(dimension)s grade"
    #: An evidence column → the words of its values (a deal's stage: `open`, `won`, `lost`).
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Changes:
    """What changed for one manager's reps from the version they were sent to the latest (values as exact text)."""

    old_version: int
    new_version: int
    #: rep_id, rep_name, status (added, gone, changed): the manager's reps that changed.
    reps: pl.DataFrame
    #: rep_id, column, old, new: their changed scorecards columns.
    numbers: pl.DataFrame
    #: rep_id, section, key, change (appeared, disappeared, changed), column, old, new: their evidence rows.
    evidence: pl.DataFrame
    #: The manager's teams these reps are in, in either version: the rollups to attach.
    teams: tuple[str, ...]


@dataclass(frozen=True)
class RepCorrection:
    """One changed rep in the body: a title, each changed number (label, old, new) and each evidence line."""

    title: str
    numbers: list[tuple[str, str, str]]
    evidence: list[str]


@dataclass(frozen=True)
class CorrectionBody:
    """Everything the correction templates show, as finished text."""

    lang: str
    subject: str
    greeting: str
    intro: str
    attached: str
    reps: list[RepCorrection]
    number_headings: tuple[str, str, str]
    evidence_title: str
    attachments_title: str
    attachment_names: list[str]
    footer: str


def correction_message(mailing: Mailing, manager: Manager, changes: Changes, labels: ChangeLabels) -> OutgoingMessage:
    """The manager's correction: per changed rep old → new and the evidence rows; their restated cards attached.

    Attached are the rollups of the teams that changed and the current cards
    of the changed reps now in the manager's teams (a rep that left them, or is
    gone, has no card of theirs to send). MessageNotBuilt if a file is missing.
    """
    publication = mailing.publication
    assert publication is not None  # a mailing without reps has no managers
    locale = manager.locale
    _ = translations(locale).gettext
    month = format_month(publication.period.start, locale)
    changed_ids = changes.reps["rep_id"].implode()
    names = UniqueNames()
    attachments: list[Attachment] = []
    with files_of(publication, manager):
        for team in (t for t in manager.teams if t in changes.teams):
            current = publication.scorecards.filter((pl.col("team") == team) & pl.col("rep_id").is_in(changed_ids))
            attachments.append(rollup_attachment(publication, team, names))
            attachments += [
                card_attachment(publication, team, rep, names)
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
        intro=_(
            "The sales scorecards for %(month)s were corrected after you received version %(old)d. "
            "This is what changed for your teams in version %(new)d."
        )
        % {"month": month, "old": changes.old_version, "new": changes.new_version},
        attached=_("Attached are the corrected scorecards of these reps and the team rollup as Excel files."),
        reps=[_rep(rep, changes, labels, locale) for rep in _in_order(changes.reps, manager, mailing)],
        number_headings=(_("Changed"), _("Before"), _("Now")),
        evidence_title=_("Evidence"),
        attachments_title=_("Attachments"),
        attachment_names=[a.filename for a in attachments],
        footer=_("Sent automatically by Scorecards from the publication of %(period)s.")
        % {"period": str(publication.period)},
    )
    return rendered_message(manager, subject, "correction_email", body, attachments, corrects=changes.old_version)


def _in_order(reps: pl.DataFrame, manager: Manager, mailing: Mailing) -> list[dict[str, str]]:
    """The changed reps as the regular message lists them (team, then rank); those no longer in a team last."""
    assert mailing.publication is not None
    team_order = pl.DataFrame({"team": list(manager.teams), "_team": list(range(len(manager.teams)))})
    places = mailing.publication.scorecards.select("rep_id", "team", "rank_in_team").join(team_order, on="team")
    return (
        reps.join(places, on="rep_id", how="left")
        .sort("_team", "rank_in_team", "rep_id", nulls_last=True)
        .select("rep_id", "rep_name", "status")
        .to_dicts()
    )


def _rep(rep: dict[str, str], changes: Changes, labels: ChangeLabels, locale: str) -> RepCorrection:
    _ = translations(locale).gettext
    rep_id = rep["rep_id"]
    title = _("%(rep)s (%(rep_id)s): %(status)s") % {
        "rep": one_line(rep["rep_name"] or ""),
        "rep_id": one_line(rep_id),
        "status": _(STATUS.get(rep["status"], rep["status"])),
    }
    numbers = []
    if rep["status"] == "changed":  # an added or gone rep has every column on one side only: its evidence says more
        numbers = [
            (_column_label(labels, c["column"], locale), _shown(c["old"]), _shown(c["new"]))
            for c in changes.numbers.filter(pl.col("rep_id") == rep_id).iter_rows(named=True)
        ]
    evidence = [
        _evidence_line(row, labels, locale)
        for row in changes.evidence.filter(pl.col("rep_id") == rep_id).iter_rows(named=True)
    ]
    return RepCorrection(title, numbers, evidence)


def _evidence_line(row: dict[str, str | None], labels: ChangeLabels, locale: str) -> str:
    """`opportunity O-1: Amount 10000.00 → 12000.00`, `won deal O-2: appeared`."""
    _ = translations(locale).gettext
    section = row["section"] or ""
    what = {"what": _label(labels.sections, section, locale), "key": _shown(row["key"])}
    if row["change"] == "appeared":
        return _("%(what)s %(key)s: appeared") % what
    if row["change"] == "disappeared":
        return _("%(what)s %(key)s: disappeared") % what
    column = row["column"] or ""
    words = {value: _(word) for value, word in labels.values.get(column, {}).items()}
    return _("%(what)s %(key)s: %(column)s %(old)s → %(new)s") % {
        **what,
        "column": _label(labels.evidence_columns, (section, column), locale, column),
        "old": words.get(row["old"] or "", _shown(row["old"])),
        "new": words.get(row["new"] or "", _shown(row["new"])),
    }


def _column_label(labels: ChangeLabels, column: str, locale: str) -> str:
    """How a changed scorecards column is named: its label, a grade by its dimension's, else its own name."""
    if column in labels.grades:
        _ = translations(locale).gettext
        return _(labels.grade_label) % {"dimension": _(labels.grades[column])}
    return _label(labels.columns, column, locale)


def _label(msgids: Mapping[K, str], key: K, locale: str, name: str | None = None) -> str:
    """The translated label of `key`, or its own name (never looked up: it is no catalogue id) when it has none."""
    if key in msgids:
        return translations(locale).gettext(msgids[key])
    return one_line(name if name is not None else str(key))


def _shown(value: str | None) -> str:
    return NOTHING if value is None else one_line(value)
