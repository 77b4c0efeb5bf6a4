"""Excel scorecards and team rollups: real numbers with formats, a trend chart, an evidence sheet."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, Series
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from scorecards.flows.cards.excel import save_deterministic, set_text
from scorecards.flows.cards.views import Card, Cell, Restated, Table, TeamRollup
from scorecards.flows.shared.display import excel_format

#: Column of the first trend month in the grades table (after dimension, value, grade, bands).
_TREND_COLUMN = 5
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEADING_FILL = PatternFill("solid", fgColor="F5F7FA")
_GRADE_FILLS = {
    g: PatternFill("solid", fgColor=c) for g, c in {"A": "D3F9D8", "B": "E3F2FD", "C": "FFF3BF", "D": "FFE3E3"}.items()
}


class _Sheet:
    """Writes rows top to bottom and remembers how wide each column must be."""

    def __init__(self, sheet: Worksheet, locale: str, currency: str) -> None:
        self.sheet, self.locale, self.currency = sheet, locale, currency
        self.row = 1
        self.widths: dict[int, int] = {}

    def put(self, column: int, cell: Cell | str, *, font: Font | None = None, fill: PatternFill | None = None) -> None:
        target = self.sheet.cell(row=self.row, column=column)
        if isinstance(cell, str) or cell.kind is None or cell.value is None:
            set_text(target, cell if isinstance(cell, str) else cell.text)
        else:
            target.value = cell.value
            target.number_format = excel_format(cell.kind, self.locale, cell.currency or self.currency)
        if font:
            target.font = font
        if fill:
            target.fill = fill
        text = cell if isinstance(cell, str) else cell.text
        self.widths[column] = max(self.widths.get(column, 0), _display_width(text))

    def line(self, *cells: Cell | str, font: Font | None = None, fill: PatternFill | None = None) -> None:
        for column, cell in enumerate(cells, start=1):
            self.put(column, cell, font=font, fill=fill)
        self.row += 1

    def title(self, text: str, font: Font = _BOLD) -> None:
        self.put(1, text, font=font)
        self.row += 1

    def table(self, table: Table) -> None:
        self.title(table.title)
        self.line(*table.headings, font=_BOLD, fill=_HEADING_FILL)
        for row in table.rows:
            self.line(*row)
        if not table.rows:
            self.line(table.empty_text)
        self.row += 1

    def finish(self, freeze: str, orientation: str = "portrait") -> None:
        for column, width in self.widths.items():
            self.sheet.column_dimensions[self.sheet.cell(row=1, column=column).column_letter].width = min(
                max(width + 2, 8), 60
            )
        self.sheet.freeze_panes = freeze
        setup = self.sheet.page_setup
        setup.paperSize = self.sheet.PAPERSIZE_A4
        setup.orientation = orientation
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _display_width(text: str) -> int:
    """Columns a text needs: CJK characters take two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _opening(
    sheet_name: str, locale: str, currency: str, title: str, subtitle: str, restated: Restated | None
) -> tuple[Workbook, _Sheet]:
    """A new workbook whose first sheet starts with the page's title, subtitle and any restatement notice."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name[:31]
    out = _Sheet(sheet, locale, currency)
    out.line(title, font=_TITLE)
    out.line(subtitle)
    if restated:
        out.line(restated.title, font=_BOLD)
        for line in restated.lines:
            out.line(line)
    return workbook, out


def write_card_workbook(card: Card, path: Path, currency: str) -> None:
    """A rep's scorecard: the 'Scorecard' sheet with a native trend chart, and the 'Evidence' sheet."""
    workbook, out = _opening(card.labels["scorecard"], card.locale, currency, card.title, card.subtitle, card.restated)
    sheet = out.sheet
    out.line(card.labels["overall_grade"], card.overall_grade, font=_BOLD)
    for line in card.header:
        out.line(line.label, line.cell)
    out.row += 1

    out.title(card.labels["grades"])
    headings = [card.labels["dimension"], card.labels["value"], card.labels["grade"], card.labels["bands"]]
    out.line(
        *headings, *card.trend_months, card.labels["change"], card.labels["why_na"], font=_BOLD, fill=_HEADING_FILL
    )
    first_trend_row = out.row
    for block in card.dimensions:
        # An N/A month is an empty cell here, so that the chart leaves a gap instead of plotting 0.
        trend = [p.cell if p.cell.value is not None else "" for p in block.trend]
        out.line(block.label, block.cell, block.grade, block.bands, *trend, block.change, block.na_reason or "")
        grade_cell = sheet.cell(row=out.row - 1, column=3)
        grade_cell.fill = _GRADE_FILLS.get(block.grade_class, PatternFill())
        grade_cell.alignment = Alignment(horizontal="center")
    out.row += 1

    out.title(card.labels["figures"])
    for line in card.figures:
        out.line(line.label, line.cell)
    out.row += 1
    out.title(card.labels["feedback"])
    for note in card.notes:
        out.line(note.kind_label, note.message, note.topic or "")
    if not card.notes:
        out.line(card.labels["no_feedback"])
    for note in card.manager_notes:
        out.line(card.labels["manager_note"], note)
    if card.question:
        out.row += 1
        out.line(card.question.text)
        sheet.cell(row=out.row - 1, column=1).hyperlink = card.question.href
    _trend_chart(sheet, card, first_trend_row, out.row + 1)
    out.finish(freeze="A3", orientation="landscape")  # the grades table with its six months is wide
    sheet.column_dimensions["B"].width = max(sheet.column_dimensions["B"].width or 0, 16)

    evidence = _Sheet(workbook.create_sheet(card.labels["sheet_evidence"][:31]), card.locale, currency)
    evidence.line(card.labels["evidence"], font=_TITLE)
    evidence.row += 1
    for table in card.evidence:
        evidence.table(table)
    evidence.finish(freeze="A2")
    save_deterministic(workbook, path)


def _trend_chart(sheet: Worksheet, card: Card, first_row: int, anchor_row: int) -> None:
    """A native line chart of the percent dimensions over the trend months, below the card."""
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
            chart.series.append(Series(values, title=block.label))
    chart.set_categories(Reference(sheet, min_col=first_month, max_col=last_month, min_row=first_row - 1))
    sheet.add_chart(chart, f"A{anchor_row}")


def write_rollup_workbook(rollup: TeamRollup, path: Path, currency: str) -> None:
    """A team's rollup: totals, every rep by rank, grade distribution, movers, training topics."""
    workbook, out = _opening(
        rollup.labels["sheet_team"], rollup.locale, currency, rollup.title, rollup.subtitle, rollup.restated
    )
    for line in rollup.totals:
        out.line(line.label, line.cell)
    out.row += 1
    out.title(rollup.labels["reps"])
    header_row = out.row
    out.line(*rollup.headings, font=_BOLD, fill=_HEADING_FILL)
    for rep in rollup.reps:
        out.line(rep.name, *rep.cells)
    out.row += 1
    for table in (rollup.distribution, rollup.movers, rollup.topics):
        out.table(table)
    if rollup.fairness:
        out.line(rollup.fairness.text)
        out.sheet.cell(row=out.row - 1, column=1).hyperlink = rollup.fairness.href
    out.finish(freeze=f"B{header_row + 1}")
    save_deterministic(workbook, path)
