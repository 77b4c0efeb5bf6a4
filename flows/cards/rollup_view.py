"""What a team's rollup shows, as finished, localised values: totals, every rep by rank, grade distribution,
movers and training topics, and any restatement notice.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from scorecards.config import DIMENSIONS, Settings
from scorecards.config.dimensions import N_
from scorecards.flows.cards.page_parts import (
    Cell,
    Line,
    Link,
    Restated,
    Table,
    Wording,
    caveat_lines,
    change_cell,
    index_link,
    restated_title,
)
from scorecards.flows.shared.columns import team_totals
from scorecards.flows.shared.display import format_month
from scorecards.flows.shared.i18n import listed
from scorecards.flows.shared.inert_text import one_line
from scorecards.flows.shared.layout import (
    card_link_from_rollup,
    fairness_file_names,
    fairness_link_from_rollup,
    index_link_from_card_or_rollup,
    language_part,
)
from scorecards.schemas.fields import GRADES
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport
from scorecards.transforms.restatement import Publication


@dataclass(frozen=True)
class RollupRep:
    rep_id: str
    name: str
    cells: list[Cell]

    @property
    def href(self) -> str:
        """The rep's card, from the rollup's page."""
        return card_link_from_rollup(self.rep_id)


@dataclass(frozen=True)
class TeamRollup:
    """A team's page for its manager."""

    team: str
    locale: str
    labels: dict[str, str]
    title: str
    subtitle: str
    totals: list[Line]
    headings: list[str]
    reps: list[RollupRep]
    distribution: Table
    movers: Table
    topics: Table
    #: Back to the period index, from the rollup's page (the workbook does not show it).
    index: Link
    #: After a restatement: which of the team's reps changed since the version sent.
    restated: Restated | None = None
    #: The period's fairness page (SPEC §10), from the rollup's page.
    fairness: Link | None = None
    #: What the month's data may not say (a month not over, nothing dated in it): `caveat_lines`.
    caveats: list[str] = field(default_factory=list)


def build_team_rollups(
    report: PeriodReport, period: Period, settings: Settings, publication: Publication | None = None
) -> list[TeamRollup]:
    """One rollup per team, in the team's locale (config default when its reps are split evenly).

    After a restatement (`publication.restates`), each says which of its reps changed.
    """
    cards = report.scorecards.join(report.changes.select("rep_id", "composite_score_change"), on="rep_id", how="left")
    rollups = []
    for team in report.teams.iter_rows(named=True):
        t = Wording(team["locale"] or settings.defaults.locale, settings.display.reporting)
        ours = pl.col("team") == team["team"]
        rollup = _rollup(
            team,
            cards.filter(ours),
            report.grade_distribution.filter(ours),
            report.movers.filter(ours),
            report.topics.filter(ours),
            period,
            t,
            language_part(t.locale, settings.defaults.locale),
        )
        if publication is not None and publication.restates:
            rollup = dataclasses.replace(rollup, restated=_team_restated(cards.filter(ours), publication, t))
        if publication is not None:
            rollup = dataclasses.replace(rollup, caveats=caveat_lines(publication.caveats, t))
        rollups.append(rollup)
    return rollups


def _team_restated(cards: pl.DataFrame, publication: Publication, t: Wording) -> Restated:
    """The rollup's notice: the version, and the names of the team's reps whose card changed."""
    _ = t.gettext
    changed = set(publication.changes["rep_id"]) if publication.changes is not None else set()
    names = [one_line(name) for rep_id, name in cards.select("rep_id", "rep_name").iter_rows() if rep_id in changed]
    return Restated(
        restated_title(publication, publication.restates_for(cards["rep_id"].to_list()), t),
        [_("Changed since then: %(reps)s") % {"reps": listed(names, t.locale)}]
        if names
        else [_("No rep of this team changed.")],
    )


def _rollup(
    team: dict[str, Any],
    cards: pl.DataFrame,
    distribution: pl.DataFrame,
    movers: pl.DataFrame,
    topics: pl.DataFrame,
    period: Period,
    t: Wording,
    part: str,
) -> TeamRollup:
    _ = t.gettext
    headings = [
        _("Rep"),
        _("Rank"),
        _("Overall grade"),
        _("Composite score"),
        _("Change"),
        *(_(dimension.heading) for dimension in DIMENSIONS),
        _("Won amount"),
        _("Target"),
    ]
    mine = cards.sort("rank_in_team")
    reps = [
        RollupRep(
            rep_id=r["rep_id"],
            name=r["rep_name"],
            cells=[
                t.cell(r["rank_in_team"], "count"),
                t.cell(r["overall_grade"], None),
                t.cell(r["composite_score"], "score"),
                change_cell(r["composite_score_change"], "score", t),
                *(t.cell(r[dimension.grade_column], None) for dimension in DIMENSIONS),
                t.cell(r["won_amount"], "money"),
                t.cell(r["target_amount"], "money"),
            ],
        )
        for r in mine.iter_rows(named=True)
    ]
    return TeamRollup(
        team=team["team"],
        locale=t.locale,
        labels=_rollup_labels(t, period, part),
        title=team["team"],
        subtitle=f"{team['manager_name']} · {format_month(period.start, t.locale)}",
        totals=[
            Line(_("Manager"), t.cell(team["manager_name"], None)),
            *(Line(_(label), t.cell(team[column], kind)) for label, column, kind in team_totals(team)),
        ],
        headings=headings,
        reps=reps,
        distribution=_distribution(distribution, t),
        movers=_movers(movers, dict(mine.select("rep_id", "rep_name").iter_rows()), t),
        topics=_topics(topics, t),
        index=index_link(t.gettext, index_link_from_card_or_rollup(part)),
        fairness=Link(
            _("Fairness of the evaluation: how grades and targets are spread"), fairness_link_from_rollup(part)
        ),
    )


def _rollup_labels(t: Wording, period: Period, part: str) -> dict[str, str]:
    _ = t.gettext
    page, workbook = fairness_file_names(part)
    return {
        "reps": _("Reps"),
        "team": _("Team"),
        "sheet_team": _("Team"),
        # Under the workbook's link to the fairness page, which leads nowhere from a mailed copy.
        "fairness_where": _("In the folder of period %(period)s: %(page)s, and its tables in %(workbook)s.")
        % {"period": period, "page": page, "workbook": workbook},
    }


def _distribution(distribution: pl.DataFrame, t: Wording) -> Table:
    _ = t.gettext
    labels = {**{d.name: d.label for d in DIMENSIONS}, "overall": N_("Overall grade")}
    rows = [
        [t.cell(_(labels[dimension]), None), *(t.cell(count, "count") for count in counts)]
        for dimension, *counts in distribution.select("dimension", *GRADES, "na").iter_rows()
    ]
    return Table(_("Grade distribution"), [_("Dimension"), *GRADES, t.na], rows, _("None this month."))


def _movers(movers: pl.DataFrame, names: dict[str, str], t: Wording) -> Table:
    _ = t.gettext
    rows = [
        [
            t.cell(names[rep_id], None),
            t.cell(previous, "score"),
            t.cell(current, "score"),
            change_cell(change, "score", t),
        ]
        for rep_id, previous, current, change in movers.select(
            "rep_id", "composite_score_previous", "composite_score", "composite_score_change"
        ).iter_rows()
    ]
    headings = [_("Rep"), _("Last month"), _("This month"), _("Change from last month")]
    title = _("Biggest changes in composite score since last month")
    return Table(title, headings, rows, _("No change since last month."))


def _topics(topics: pl.DataFrame, t: Wording) -> Table:
    _ = t.gettext
    rows = [
        [t.cell(_(topic), None), t.cell(reps, "count")] for topic, reps in topics.select("topic", "reps").iter_rows()
    ]
    return Table(
        _("Training topics"), [_("Training topic"), _("Reps who need it")], rows, _("No training need this month.")
    )
