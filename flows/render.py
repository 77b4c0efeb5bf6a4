"""The render stage: one Excel and one HTML scorecard per rep, from finished values.

Cards are built from a rep's scorecard row and notes only; templates receive
display-ready text and the workbook receives real numbers with number formats.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from gettext import NullTranslations
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from scorecards.flows.display import EXCEL_FORMATS, Kind, format_value
from scorecards.flows.excel import save_deterministic, set_text
from scorecards.flows.naming import safe_stem

_ = NullTranslations().gettext  # message catalogues arrive with the localisation work

#: (value column, label, kind, grade column) of each graded dimension, in card order.
DIMENSION_LINES: tuple[tuple[str, str, Kind, str], ...] = (
    ("attainment", "Sales-target attainment", "percent", "attainment_grade"),
    ("conversion_rate", "Lead conversion", "percent", "conversion_grade"),
    ("new_customers", "New customers", "count", "new_customers_grade"),
    ("satisfaction", "Customer satisfaction", "score", "satisfaction_grade"),
    ("skills_score", "Sales skills (manager rating)", "score", "skills_grade"),
)
#: (value column, label, kind) of the supporting figures.
FIGURE_LINES: tuple[tuple[str, str, Kind], ...] = (
    ("won_amount", "Won amount", "money"),
    ("target_amount", "Target", "money"),
    ("won_deals", "Won deals", "count"),
    ("leads_converted", "Leads converted", "count"),
    ("leads_closed", "Leads closed", "count"),
    ("survey_responses", "Survey responses", "count"),
    ("win_rate", "Win rate", "percent"),
    ("avg_deal_size", "Average deal size", "money"),
    ("avg_cycle_days", "Average sales cycle (days)", "days"),
    ("open_pipeline", "Open pipeline", "money"),
    ("first_contact_within_1d", "First contact within 1 day", "percent"),
)


@dataclass(frozen=True)
class Line:
    """One labelled value on a card: the exact value for Excel, its display text for HTML."""

    label: str
    value: Decimal | int | str | None
    kind: Kind | None
    text: str
    grade_text: str = ""


@dataclass(frozen=True)
class Card:
    """Everything one rep's scorecard shows, ready to render."""

    rep_id: str
    rep_name: str
    locale: str
    subtitle: str
    header: list[Line]
    dimensions: list[Line]
    figures: list[Line]
    notes: list[str]

    @property
    def file_stem(self) -> str:
        return safe_stem(self.rep_id)


def build_cards(scorecards: pl.DataFrame, notes: pl.DataFrame) -> list[Card]:
    """One card per scorecard row; notes are the manager_notes rows of the period."""
    notes_by_rep: dict[str, list[str]] = {}
    for rep_id, note in notes.select("rep_id", "note").iter_rows():
        notes_by_rep.setdefault(rep_id, []).append(note)
    team_sizes = dict(scorecards.group_by("team").len().iter_rows())
    return [
        _card(row, notes_by_rep.get(row["rep_id"], []), team_sizes, scorecards.height)
        for row in scorecards.iter_rows(named=True)
    ]


def _card(row: dict[str, Any], notes: list[str], team_sizes: dict[str, int], reps: int) -> Card:
    locale = row["locale"]
    na = _("N/A")

    def line(label: str, column: str, kind: Kind | None, grade_column: str | None = None) -> Line:
        value = row[column]
        text = format_value(value, kind, locale, na) if kind else (value or na)
        grade_text = (row[grade_column] or na) if grade_column else ""
        return Line(_(label), value, kind, text, grade_text)

    header = [
        Line(_("Rep ID"), row["rep_id"], None, row["rep_id"]),
        Line(_("Team"), row["team"], None, row["team"]),
        Line(_("Manager"), row["manager_name"], None, row["manager_name"]),
        Line(_("Period"), row["period"], None, row["period"]),
        line("Overall grade", "overall_grade", None),
        line("Composite score", "composite_score", "score"),
        Line(_("Rank in team"), row["rank_in_team"], "count", f"{row['rank_in_team']} / {team_sizes[row['team']]}"),
        Line(_("Rank overall"), row["rank_overall"], "count", f"{row['rank_overall']} / {reps}"),
    ]
    return Card(
        rep_id=row["rep_id"],
        rep_name=row["rep_name"],
        locale=locale,
        subtitle=f"{row['team']} · {row['period']}",
        header=header,
        dimensions=[line(label, col, kind, grade) for col, label, kind, grade in DIMENSION_LINES],
        figures=[line(label, col, kind) for col, label, kind in FIGURE_LINES],
        notes=notes,
    )


#: (column, heading, kind) of the per-rep columns of a team rollup, after the rep's name.
ROLLUP_COLUMNS: tuple[tuple[str, str, Kind | None], ...] = (
    ("rank_in_team", "Rank", "count"),
    ("overall_grade", "Overall", None),
    ("composite_score", "Composite", "score"),
    ("attainment_grade", "Attainment", None),
    ("conversion_grade", "Conversion", None),
    ("new_customers_grade", "New customers", None),
    ("satisfaction_grade", "Satisfaction", None),
    ("skills_grade", "Skills", None),
    ("won_amount", "Won amount", "money"),
    ("target_amount", "Target", "money"),
)


@dataclass(frozen=True)
class RollupRep:
    """One rep's row in a team rollup: display cells for HTML, values for Excel."""

    rep_id: str
    name: str
    values: list[Decimal | int | str | None]
    cells: list[str]

    @property
    def file_stem(self) -> str:
        return safe_stem(self.rep_id)


@dataclass(frozen=True)
class TeamRollup:
    """A team's page for its manager: totals, then every rep of the team by rank."""

    team: str
    locale: str
    subtitle: str
    totals: list[Line]
    headings: list[str]
    kinds: list[Kind | None]
    reps: list[RollupRep]

    @property
    def file_stem(self) -> str:
        return safe_stem(self.team)


def build_team_rollups(scorecards: pl.DataFrame, summary: pl.DataFrame, locale: str) -> list[TeamRollup]:
    """One rollup per team from the scorecards (ordered by rank) and the team summary."""
    na = _("N/A")
    rollups = []
    for team in summary.iter_rows(named=True):
        rows = scorecards.filter(pl.col("team") == team["team"]).sort("rank_in_team")
        reps = [
            RollupRep(
                rep_id=row["rep_id"],
                name=row["rep_name"],
                values=[row[column] for column, _label, _kind in ROLLUP_COLUMNS],
                cells=[
                    format_value(row[column], kind, locale, na) if kind else (row[column] or na)
                    for column, _label, kind in ROLLUP_COLUMNS
                ],
            )
            for row in rows.iter_rows(named=True)
        ]
        totals = [
            Line(_("Manager"), team["manager_name"], None, team["manager_name"]),
            Line(_("Reps"), team["reps"], "count", format_value(team["reps"], "count", locale, na)),
            Line(_("Won amount"), team["won_amount"], "money", format_value(team["won_amount"], "money", locale, na)),
            Line(_("Target"), team["target_amount"], "money", format_value(team["target_amount"], "money", locale, na)),
            Line(
                _("Sales-target attainment"),
                team["attainment"],
                "percent",
                format_value(team["attainment"], "percent", locale, na),
            ),
        ]
        rollups.append(
            TeamRollup(
                team=team["team"],
                locale=locale,
                subtitle=f"{team['manager_name']} · {scorecards['period'][0]}",
                totals=totals,
                headings=[_("Rep"), *(_(label) for _column, label, _kind in ROLLUP_COLUMNS)],
                kinds=[None, *(kind for _column, _label, kind in ROLLUP_COLUMNS)],
                reps=reps,
            )
        )
    return rollups


def write_team_rollups(rollups: Iterable[TeamRollup], folder: Path) -> list[Path]:
    """Write each rollup as <stem>.html and <stem>.xlsx into folder; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    template = template_environment().get_template("team_rollup.html.j2")
    written: list[Path] = []
    for rollup in rollups:
        html = folder / f"{rollup.file_stem}.html"
        html.write_text(
            template.render(
                rollup=rollup,
                labels={"reps": _("Reps")},
                lang=rollup.locale,
                title=f"{rollup.team} · {rollup.subtitle}",
            ),
            encoding="utf-8",
        )
        xlsx = folder / f"{rollup.file_stem}.xlsx"
        _write_rollup_workbook(rollup, xlsx)
        written += [html, xlsx]
    return written


def template_environment() -> Environment:
    """The jinja2 environment of the card templates: autoescaped, strict about missing values."""
    return Environment(
        loader=PackageLoader("scorecards.templates", ""),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def write_cards(cards: Iterable[Card], folder: Path) -> list[Path]:
    """Write each card as <stem>.html and <stem>.xlsx into folder; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    template = template_environment().get_template("rep_card.html.j2")
    labels = {
        "grades": _("Grades"),
        "dimension": _("Dimension"),
        "value": _("Value"),
        "grade": _("Grade"),
        "figures": _("Supporting figures"),
        "manager_note": _("Manager's note"),
    }
    written: list[Path] = []
    for card in cards:
        html = folder / f"{card.file_stem}.html"
        html.write_text(
            template.render(card=card, labels=labels, lang=card.locale, title=f"{card.rep_name} · {card.subtitle}"),
            encoding="utf-8",
        )
        xlsx = folder / f"{card.file_stem}.xlsx"
        _write_card_workbook(card, labels, xlsx)
        written += [html, xlsx]
    return written


def _put(sheet: Worksheet, row: int, column: int, value: Decimal | int | str | None, kind: Kind | None = None) -> None:
    """Write a cell: text as inert text, numbers as numbers with the kind's number format."""
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, str):
        set_text(cell, value)
    else:
        cell.value = value
        if kind:
            cell.number_format = EXCEL_FORMATS[kind]


def _write_rollup_workbook(rollup: TeamRollup, path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Team"
    _put(sheet, 1, 1, rollup.team)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    _put(sheet, 2, 1, rollup.subtitle)
    row = 4
    for line in rollup.totals:
        _put(sheet, row, 1, line.label)
        _put(sheet, row, 2, line.value, line.kind)
        row += 1
    row += 1
    for column, heading in enumerate(rollup.headings, start=1):
        _put(sheet, row, column, heading)
        sheet.cell(row=row, column=column).font = Font(bold=True)
    for rep in rollup.reps:
        row += 1
        _put(sheet, row, 1, rep.name)
        for column, (value, kind) in enumerate(zip(rep.values, rollup.kinds[1:], strict=True), start=2):
            _put(sheet, row, column, value, kind)
    sheet.column_dimensions["A"].width = 28
    save_deterministic(workbook, path)


def _write_card_workbook(card: Card, labels: dict[str, str], path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Scorecard"
    bold = Font(bold=True)

    def put(row: int, column: int, value: Decimal | int | str | None, kind: Kind | None = None) -> None:
        _put(sheet, row, column, value, kind)

    put(1, 1, card.rep_name)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    put(2, 1, card.subtitle)
    row = 4
    for title, lines in ((None, card.header), (labels["grades"], card.dimensions), (labels["figures"], card.figures)):
        if title:
            put(row, 1, title)
            sheet.cell(row=row, column=1).font = bold
            row += 1
        for line in lines:
            put(row, 1, line.label)
            put(row, 2, line.value, line.kind)
            if line.grade_text:
                put(row, 3, line.grade_text)
            row += 1
        row += 1
    if card.notes:
        put(row, 1, labels["manager_note"])
        sheet.cell(row=row, column=1).font = bold
        for note in card.notes:
            row += 1
            put(row, 1, note)
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 8
    save_deterministic(workbook, path)
