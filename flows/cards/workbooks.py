"""Excel scorecards and team rollups: real numbers with formats, a trend chart, an evidence sheet."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl.chart import LineChart, Reference, Series
from openpyxl.styles import Alignment, PatternFill

from scorecards.flows.cards.card_view import Card
from scorecards.flows.cards.excel import save_deterministic
from scorecards.flows.cards.rollup_view import TeamRollup
from scorecards.flows.cards.sheet_writer import BOLD, HEADING_FILL, TITLE, SheetWriter, open_workbook

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

#: Column of the first trend month in the grades table (after dimension, value, grade, bands).
_TREND_COLUMN = 5
_GRADE_FILLS = {
    g: PatternFill("solid", fgColor=c) for g, c in {"A": "D3F9D8", "B": "E3F2FD", "C": "FFF3BF", "D": "FFE3E3"}.items()
}
_CENTRED = Alignment(horizontal="center")


def write_card_workbook(card: Card, path: Path, currency: str) -> None:
    """A rep's scorecard: the 'Scorecard' sheet with a native trend chart, and the 'Evidence' sheet."""
    workbook, out = open_workbook(
        card.labels["scorecard"], card.locale, currency, card.title, card.subtitle, card.restated, card.caveats
    )
    sheet = out.sheet
    out.line(card.labels["overall_grade"], card.overall_grade, font=BOLD)
    for line in card.header:
        out.line(line.label, line.cell)
    out.spilling(card.labels["composite"])
    out.blank()

    out.title(card.labels["grades"])
    headings = [card.labels["dimension"], card.labels["value"], card.labels["grade"], card.labels["bands"]]
    out.line(*headings, *card.trend_months, card.labels["change"], card.labels["why_na"], font=BOLD, fill=HEADING_FILL)
    first_trend_row = out.row
    for block in card.dimensions:
        # An N/A month is an empty cell here, so that the chart leaves a gap instead of plotting 0.
        trend = [p.cell if p.cell.value is not None else "" for p in block.trend]
        row = out.line(block.label, block.cell, "", block.bands, *trend, block.change, block.na_reason or "")
        row[2] = out.value(3, block.grade, fill=_GRADE_FILLS.get(block.grade_class, PatternFill()), alignment=_CENTRED)
    out.blank()

    # Each month's grade, as the page shows it under each month's value.
    out.title(card.labels["grades_by_month"])
    out.line(card.labels["dimension"], *card.trend_months, font=BOLD, fill=HEADING_FILL)
    for block in card.dimensions:
        row = out.line(block.label, *(point.grade for point in block.trend))
        for column, point in enumerate(block.trend, start=2):
            fill = _GRADE_FILLS.get(point.grade, PatternFill())
            row[column - 1] = out.value(column, point.grade, fill=fill, alignment=_CENTRED)
    out.blank()

    out.title(card.labels["figures"])
    for line in card.figures:
        out.line(line.label, line.cell)
    out.blank()
    out.title(card.labels["feedback"])
    for note in card.notes:  # a message and its topic are whole in their cells, however narrow the columns
        out.wrapped_line(note.kind_label, note.message, note.topic or "", wrap=(2, 3))
    if not card.notes:
        out.line(card.labels["no_feedback"])
    for note in card.manager_notes:
        out.wrapped_line(card.labels["manager_note"], note, wrap=(2,))
    links = {}
    if card.question:
        out.blank()
        links[(out.row, 1)] = card.question.href
        out.spilling(card.question.text)
    _trend_chart(sheet, card, first_trend_row, out.row + 1)
    out.finish(freeze="A3", orientation="landscape", min_widths={2: 16}, links=links)  # the grades table is wide

    evidence = SheetWriter(workbook.create_sheet(card.labels["sheet_evidence"][:31]), card.locale, currency)
    evidence.line(card.labels["evidence"], font=TITLE)
    evidence.blank()
    for table in card.evidence:
        evidence.table(table)
    # Thousands of rows: written as XML in one pass, openpyxl's cell-by-cell writer being the slow part.
    rows = evidence.finish_bulk(freeze="A2")
    save_deterministic(
        workbook, path, {f"xl/worksheets/sheet{workbook.worksheets.index(evidence.sheet) + 1}.xml": rows}
    )


def _trend_chart(sheet: WriteOnlyWorksheet, card: Card, first_row: int, anchor_row: int) -> None:
    """A native line chart of the percent dimensions over the trend months, below the card: straight segments
    between the months, a marker on each."""
    chart = LineChart()
    chart.title = card.labels["trend"]
    chart.height, chart.width = 7, 16
    chart.y_axis.numFmt = "0%"
    chart.display_blanks = "gap"
    first_month, last_month = _TREND_COLUMN, _TREND_COLUMN + len(card.trend_months) - 1
    for offset, block in enumerate(card.dimensions):
        if block.cell.kind == "percent":
            row = first_row + offset
            values = Reference(sheet, min_col=first_month, max_col=last_month, min_row=row, max_row=row)
            series = Series(values, title=block.label)
            # Without an explicit `smooth` a reader may draw a spline (LibreOffice does), which overshoots the months.
            series.smooth = False
            series.marker.symbol, series.marker.size = "circle", 5
            chart.series.append(series)
    chart.set_categories(Reference(sheet, min_col=first_month, max_col=last_month, min_row=first_row - 1))
    sheet.add_chart(chart, f"A{anchor_row}")


def write_rollup_workbook(rollup: TeamRollup, path: Path, currency: str) -> None:
    """A team's rollup: totals, every rep by rank, grade distribution, movers, training topics."""
    workbook, out = open_workbook(
        rollup.labels["sheet_team"],
        rollup.locale,
        currency,
        rollup.title,
        rollup.subtitle,
        rollup.restated,
        rollup.caveats,
    )
    for line in rollup.totals:
        out.line(line.label, line.cell)
    out.blank()
    out.title(rollup.labels["reps"])
    header_row = out.row
    out.line(*rollup.headings, font=BOLD, fill=HEADING_FILL)
    for rep in rollup.reps:
        out.line(rep.name, *rep.cells)
    out.blank()
    for table in (rollup.distribution, rollup.movers, rollup.topics):
        out.table(table)
    links: dict[tuple[int, int], str] = {}
    if rollup.fairness:
        links[(out.row, 1)] = rollup.fairness.href
        out.line(rollup.fairness.text)
        out.line(rollup.labels["fairness_where"])
    out.finish(freeze=f"B{header_row + 1}", links=links)
    save_deterministic(workbook, path)
