"""What a rep's scorecard shows, as finished, localised values (SPEC §6, §9): grades and their trend, supporting
figures, feedback, the evidence rows and any restatement notice.

Business facts (changes, N/A reasons, feedback) come finished from transforms/ in the PeriodReport; here they are
only selected, localised and formatted.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import polars as pl

from scorecards.config import DIMENSIONS, Dimension, Settings
from scorecards.config.dimensions import N_
from scorecards.flows.cards.page_parts import (
    Cell,
    Line,
    Link,
    Restated,
    Table,
    Value,
    Wording,
    caveat_lines,
    change_cell,
    evidence_cell,
    grade_class,
    index_link,
    restated_title,
)
from scorecards.flows.shared.changes import evidence_change, number_change, number_line
from scorecards.flows.shared.columns import CONVERTED_COLUMNS, EVIDENCE, FIGURES, SHARED_COLUMNS
from scorecards.flows.shared.display import Kind, format_month, format_months_in_a_row, format_value, months_with_year
from scorecards.flows.shared.i18n import colon, listed, remark
from scorecards.flows.shared.inert_text import one_line
from scorecards.flows.shared.layout import index_link_from_card_or_rollup, language_part, person_link_from_card
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport
from scorecards.transforms.restatement import Publication
from scorecards.transforms.trend import MONTHS_BEFORE

#: What each reason of transforms.grading.na_reasons reads as on a card.
NA_REASONS: dict[str, str] = {
    "no_target": N_("no target for this month"),
    "target_set_aside": N_("a target row was set aside by validation (see quarantine/targets.csv)"),
    "zero_target": N_("the target is 0"),
    "no_closed_leads": N_("no lead was closed this month"),
    "no_survey_responses": N_("no survey answers this month"),
    "not_rated": N_("not rated this month"),
    "no_targets_table": N_("the input has no targets"),
    "no_leads_table": N_("the input has no leads"),
    "no_surveys_table": N_("the input has no survey answers"),
    "no_skill_ratings_table": N_("the input has no skill ratings"),
}
#: The size of a row of the evidence tables that have one, and the key that breaks its ties: the HTML shows
#: the largest rows first (and, past the config's `cards.evidence_rows`, only those); the others keep their order.
#: A deal's size is its amount in the reporting currency, so deals in other currencies rank among the rest.
EVIDENCE_SIZES: dict[str, tuple[str, str]] = {
    "won_deals": ("amount_reporting", "opportunity_id"),
    "new_customers": ("amount_reporting", "account_id"),
}


@dataclass(frozen=True)
class TrendPoint:
    month: str
    cell: Cell
    grade: str


@dataclass(frozen=True)
class Sparkline:
    """An inline-SVG line of a metric over the trend months (coordinates already computed)."""

    width: int
    height: int
    #: One polyline's points per run of months with a value: a month without one leaves a gap, not a bridge.
    lines: list[str]
    dots: list[tuple[float, float]]
    guide_y: float | None
    #: Each month column's share of the trend table's width (%), a heading with its year wider: every dot stands
    #: over the middle of its month's column.
    columns: list[float]


@dataclass(frozen=True)
class DimensionBlock:
    """One graded dimension: value, grade, bands, why N/A, and its trend over P and the months before it."""

    label: str
    cell: Cell
    grade: str
    grade_class: str
    bands: str
    na_reason: str | None
    trend: list[TrendPoint]
    change: Cell
    sparkline: Sparkline


@dataclass(frozen=True)
class Note:
    kind: str
    kind_label: str
    message: str
    topic: str | None
    #: The topic as the page writes it after the message: ` (Training topic: …)`.
    topic_note: str | None


@dataclass(frozen=True)
class Card:
    """Everything one rep's scorecard shows, ready to render."""

    rep_id: str
    locale: str
    labels: dict[str, str]
    title: str
    subtitle: str
    overall_grade: str
    overall_class: str
    header: list[Line]
    dimensions: list[DimensionBlock]
    trend_months: list[str]
    figures: list[Line]
    notes: list[Note]
    manager_notes: list[str]
    evidence: list[Table]
    #: Back to the period index, and on to the rep's page of every month, from the card's page (the workbook shows
    #: neither).
    index: Link
    person: Link
    #: The "question a number" link (SPEC §9), and what a restatement changed for this rep.
    question: Link | None = None
    restated: Restated | None = None
    #: What the month's data may not say (a month not over, nothing dated in it): `caveat_lines`.
    caveats: list[str] = field(default_factory=list)


def build_cards(
    report: PeriodReport,
    period: Period,
    settings: Settings,
    only: Collection[str] | None = None,
    publication: Publication | None = None,
) -> list[Card]:
    """One card per rep of P's scorecards (or of the reps in `only`), in the rep's own locale.

    With a `publication`, each card has its question link and, after a restatement, its notice.
    """

    def mine(frame: pl.DataFrame) -> dict[tuple[Any, ...], pl.DataFrame]:
        kept = frame if only is None else frame.filter(pl.col("rep_id").is_in(list(only)))
        return kept.partition_by("rep_id", as_dict=True)

    scorecards = report.scorecards
    by_rep = {
        "history": mine(report.history),
        "changes": mine(report.changes),
        "na_reasons": mine(report.na_reasons),
        "notes": mine(report.notes.filter(pl.col("shown"))),
        "manager_notes": mine(report.manager_notes),
        **{name: mine(frame) for name, frame in report.evidence.items()},
    }
    team_sizes = dict(scorecards.group_by("team").len().iter_rows())
    months = period.back(MONTHS_BEFORE)
    rows = scorecards if only is None else scorecards.filter(pl.col("rep_id").is_in(list(only)))
    return [
        _card(
            row,
            {k: v.get((row["rep_id"],)) for k, v in by_rep.items()},
            team_sizes,
            scorecards.height,
            months,
            settings,
            publication,
        )
        for row in rows.iter_rows(named=True)
    ]


def _card(
    row: dict[str, Any],
    mine: dict[str, pl.DataFrame | None],
    team_sizes: dict[str, int],
    reps: int,
    months: list[Period],
    settings: Settings,
    publication: Publication | None = None,
) -> Card:
    t = Wording(row["locale"], settings.display.reporting)
    _ = t.gettext
    history = mine["history"]
    trend_rows = history.sort("period").to_dicts() if history is not None else []
    changes = mine["changes"].row(0, named=True) if mine["changes"] is not None else {}
    na_reasons = (
        dict(mine["na_reasons"].select("dimension", "reason").iter_rows()) if mine["na_reasons"] is not None else {}
    )
    dimensions = [
        _dimension(
            dimension,
            row,
            trend_rows,
            changes.get(f"{dimension.name}_change"),
            na_reasons.get(dimension.name),
            months,
            settings,
            t,
        )
        for dimension in DIMENSIONS
        if dimension.name != "skills_score" or any(r["skills_score"] is not None for r in trend_rows)
    ]
    header = [
        Line(_("Rep ID"), t.cell(row["rep_id"], None)),
        Line(_("Team"), t.cell(row["team"], None)),
        Line(_("Manager"), t.cell(row["manager_name"], None)),
        Line(_("Period"), t.cell(format_month(months[-1].start, t.locale), None)),
        Line(_("Composite score"), t.cell(row["composite_score"], "score")),
        Line(_("Rank in team"), _rank(row["rank_in_team"], team_sizes[row["team"]])),
        Line(_("Rank overall"), _rank(row["rank_overall"], reps)),
    ]
    figures = [Line(_(label), t.cell(row[column], kind)) for column, label, kind in FIGURES]
    notes = [
        Note(
            kind=kind,
            kind_label=_("To improve") if kind == "weakness" else _("Strength"),
            message=_(message),
            topic=_(topic) if topic else None,
            topic_note=remark(f"{_('Training topic')}{colon(t.locale)}{_(topic)}", t.locale) if topic else None,
        )
        for kind, message, topic in (
            mine["notes"].select("kind", "message", "topic").iter_rows() if mine["notes"] is not None else []
        )
    ]
    manager_notes = mine["manager_notes"]["note"].to_list() if mine["manager_notes"] is not None else []
    evidence = [
        _evidence_table(
            title,
            columns + _credit_columns(mine.get(name), t),
            mine.get(name),
            t,
            settings.cards.evidence_rows,
            EVIDENCE_SIZES.get(name),
        )
        for name, title, columns in EVIDENCE
    ]
    part = language_part(t.locale, settings.defaults.locale)
    return Card(
        rep_id=row["rep_id"],
        locale=t.locale,
        labels={**_card_labels(t), "composite": _composite_note(settings, t)},
        title=row["rep_name"],
        subtitle=f"{row['team']} · {format_month(months[-1].start, t.locale)}",
        overall_grade=row["overall_grade"] or t.na,
        overall_class=grade_class(row["overall_grade"]),
        header=header,
        dimensions=dimensions,
        trend_months=[format_month(m.start, t.locale, short=True) for m in months],
        figures=figures,
        notes=notes,
        manager_notes=manager_notes,
        evidence=evidence,
        index=index_link(t.gettext, index_link_from_card_or_rollup(part)),
        person=Link(_("Overall grade by period"), person_link_from_card(row["rep_id"], part)),
        question=_question(row, months[-1], publication, t) if publication else None,
        restated=_restated(row["rep_id"], publication, t) if publication and publication.restates else None,
        caveats=caveat_lines(publication.caveats if publication else None, t),
    )


def _composite_note(settings: Settings, t: Wording) -> str:
    """How the composite score is made, from the config: the grades' points and the weights of the dimensions
    that count (a dimension of weight 0, as the skills by default, is left out: it does not count)."""
    weights = {d.name: settings.composite.weights.get(d.name, Decimal(0)) for d in DIMENSIONS}
    total = sum(weights.values())
    counted = [
        f"{t.gettext(d.label)} {format_value(weights[d.name] / total, 'percent', t.locale, t.na)}"
        for d in DIMENSIONS
        if weights[d.name] > 0
    ]
    points = settings.composite.points
    return t.gettext(
        "Composite score: the mean of the grades' points (A %(A)d, B %(B)d, C %(C)d, D %(D)d), weighted %(weights)s; "
        "a dimension without a grade does not count."
    ) % {**points, "weights": listed(counted, t.locale)}


def _question(row: dict[str, Any], period: Period, publication: Publication, t: Wording) -> Link:
    """A mailto: link to the manager (or the config's address) whose subject names the period, rep and version."""
    _ = t.gettext
    subject = _("Question about my scorecard for %(month)s (%(rep)s, version %(version)d)") % {
        "month": format_month(period.start, t.locale),
        "rep": one_line(f"{row['rep_name']} {row['rep_id']}"),
        "version": publication.version,
    }
    address = publication.questions_to or row["manager_email"]
    return Link(_("Question a number? Write to %(address)s") % {"address": address}, mailto(address, subject))


def mailto(address: str, subject: str) -> str:
    """A mailto: address with its subject, every character outside the safe set percent-encoded."""
    return f"mailto:{quote(address, safe='@.+-_')}?subject={quote(subject, safe='')}"


#: The columns a rep's card can change in without a figure of its own changing.
RANKS = frozenset({"rank_in_team", "rank_overall"})


def _restated(rep_id: str, publication: Publication, t: Wording) -> Restated:
    """This rep's changes since the version that was sent: each number old → new, then the evidence rows."""
    _ = t.gettext
    sent = publication.restates_for([rep_id])
    title = restated_title(publication, sent, t)
    lines = []
    mine = publication.changes.filter(pl.col("rep_id") == rep_id) if publication.changes is not None else None
    if mine is not None and mine.filter((pl.col("column") == "rep_name") & pl.col("old").is_null()).height:
        # A rep the sent version did not have (a rep's name is never empty): every column is new, none "changed".
        lines.append(_("You had no card in version %(sent)d.") % {"sent": sent})
    elif mine is not None:
        for column, old, new in mine.select("column", "old", "new").iter_rows():
            lines.append(number_line(number_change(column, old, new, t.locale, t.currency), t.locale))
    evidence = []
    if publication.evidence is not None:
        evidence = [
            evidence_change(*row, t.locale, t.currency)
            for row in publication.evidence.filter(pl.col("rep_id") == rep_id)
            .select("section", "key", "change", "column", "old", "new", "old_currency", "new_currency")
            .iter_rows()
        ]
    if lines and not evidence and mine is not None and set(mine["column"]) <= RANKS:
        lines.append(_("Only the ranks moved, because other reps' figures changed; this card's own are the same."))
    return Restated(title, lines + evidence or [_("No change for you.")])


def _card_labels(t: Wording) -> dict[str, str]:
    _ = t.gettext
    return {
        "overall_grade": _("Overall grade"),
        "colon": colon(t.locale),
        "grades": _("Grades"),
        "charts": _("In each chart, the dashed line marks where grade B begins."),
        "grades_by_month": _("Grades by month"),
        "dimension": _("Dimension"),
        "value": _("Value"),
        "grade": _("Grade"),
        "bands": _("Bands"),
        "trend": _("Last %(n)d months") % {"n": MONTHS_BEFORE + 1},
        "change": _("Change from last month"),
        "why_na": _("Why N/A"),
        "figures": _("Supporting figures"),
        "feedback": _("Feedback"),
        "no_feedback": _("No feedback rule applies this month."),
        "manager_note": _("Manager's note"),
        "evidence": _("Evidence: the rows behind each grade"),
        "scorecard": _("Scorecard"),
        "sheet_evidence": _("Evidence"),
    }


def _dimension(
    dimension: Dimension,
    row: dict[str, Any],
    trend_rows: list[dict[str, Any]],
    change: Decimal | int | None,
    na_reason: str | None,
    months: list[Period],
    settings: Settings,
    t: Wording,
) -> DimensionBlock:
    _ = t.gettext
    name, kind = dimension.name, dimension.kind
    grade = row[dimension.grade_column]
    band = settings.bands[name]
    bands = " · ".join(
        f"{letter} ≥ {format_value(threshold, kind, t.locale, t.na, t.currency)}"
        for letter, threshold in (("A", band.A), ("B", band.B), ("C", band.C))
    )
    by_month = {r["period"]: r for r in trend_rows}
    headings = format_months_in_a_row([m.start for m in months], t.locale)
    trend = [
        TrendPoint(
            heading,
            t.cell(by_month.get(str(m), {}).get(name), kind),
            by_month.get(str(m), {}).get(dimension.grade_column) or t.na,
        )
        for heading, m in zip(headings, months, strict=True)
    ]
    values = [point.cell.value for point in trend]
    return DimensionBlock(
        label=_(dimension.label),
        cell=t.cell(row[name], kind),
        grade=grade or t.na,
        grade_class=grade_class(grade),
        bands=bands,
        na_reason=_na_reason(na_reason, row, settings, t) if na_reason is not None else None,
        trend=trend,
        change=change_cell(change, kind, t),
        sparkline=_sparkline(values, band.B, months_with_year([m.start for m in months])),  # type: ignore[arg-type]
    )


def _rank(rank: int, of: int) -> Cell:
    """A rank out of how many (`2 / 8`), a number in the workbook too."""
    return Cell(rank, "count", f"{rank} / {of}", unit=f" / {of}")


def _na_reason(reason: str, row: dict[str, Any], settings: Settings, t: Wording) -> str:
    if reason == "too_few_responses":
        answers = row["survey_responses"]
        return t.ngettext(
            "only %(answers)d survey answer, %(needed)d needed",
            "only %(answers)d survey answers, %(needed)d needed",
            answers,
        ) % {"answers": answers, "needed": settings.satisfaction.min_responses}
    return t.gettext(NA_REASONS[reason])


#: How much wider than another a trend column is whose heading carries the year (`2026年5月` against `6月`).
YEAR_COLUMN = 1.5


def _sparkline(
    values: list[Decimal | int | None], guide: Decimal, with_year: list[bool], width: int = 180, height: int = 44
) -> Sparkline:
    """Coordinates of a small line chart, one point over the middle of each month's column (`with_year`: whether
    each month's heading carries its year, which widens its column).

    The y axis starts at 0 and fits the values and the B threshold (the dashed guide).
    """
    weights = [YEAR_COLUMN if wide else 1.0 for wide in with_year]
    columns = [round(100 * weight / sum(weights), 3) for weight in weights]
    middles = [(sum(weights[:i]) + weight / 2) / sum(weights) * width for i, weight in enumerate(weights)]
    top = max([float(v) for v in values if v is not None] + [float(guide)]) * 1.1 or 1.0
    runs: list[list[tuple[float, float]]] = [[]]
    for middle, v in zip(middles, values, strict=True):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((round(middle, 1), round(height - 4 - float(v) / top * (height - 8), 1)))
    lines = [" ".join(f"{x},{y}" for x, y in run) for run in runs if len(run) > 1]
    guide_y = round(height - 4 - float(guide) / top * (height - 8), 1)
    return Sparkline(width, height, lines, [dot for run in runs for dot in run], guide_y, columns)


def _credit_columns(frame: pl.DataFrame | None, t: Wording) -> tuple[tuple[str, str, Kind | None], ...]:
    """The columns a deal section adds for this rep's converted or shared deals (none when it has neither)."""
    if frame is None or "is_split" not in frame.columns or frame.is_empty():
        return ()
    added: tuple[tuple[str, str, Kind | None], ...] = ()
    if (frame["currency"] != t.currency).any():
        added += CONVERTED_COLUMNS
    if frame["is_split"].any():
        added += SHARED_COLUMNS
    return added


def _evidence_table(
    title: str,
    columns: tuple[tuple[str, str, Kind | None], ...],
    frame: pl.DataFrame | None,
    t: Wording,
    html_rows: int,
    size: tuple[str, str] | None,
) -> Table:
    """Every row of a section, largest first when it has a size; the HTML's share of them and its note on the rest."""
    _ = t.gettext
    if frame is not None and size is not None:
        frame = frame.sort(list(size), descending=[True, False], nulls_last=True, maintain_order=True)
    shown = frame.head(html_rows) if frame is not None else None
    # A deal's own amount is in its own currency; every other amount is in the card's.
    currencies = shown["currency"].to_list() if shown is not None and "currency" in shown.columns else None
    cells = []
    for name, _h, kind in columns:
        values = [] if shown is None else shown[name].to_list()
        mine = currencies if currencies and name == "amount" else None
        # Equal values of a column read the same (one dtype, one scale): each is spelled out once.
        made: dict[tuple[Value, str | None], Cell] = {}
        column = []
        for i, value in enumerate(values):
            key = (value, mine[i] if mine else None)
            cell = made.get(key)
            if cell is None:
                cell = made[key] = evidence_cell(value, kind, t, key[1], name)
            column.append(cell)
        cells.append(column)
    rows = list(zip(*cells, strict=True))
    # Only the rows the HTML shows need their numbers spelled out for a reader (Babel is the slow part).
    left = frame.height - html_rows if frame is not None else 0
    more = t.ngettext("and %(rows)d more in the Excel card", "and %(rows)d more in the Excel card", left)
    return Table(
        title=_(title),
        headings=[_(heading) for _c, heading, _k in columns],
        rows=rows,
        empty_text=_("None this month."),
        more=more % {"rows": left} if left > 0 else None,
        stored=t.stored(frame.slice(html_rows), columns) if frame is not None and left > 0 else None,
    )
