"""The fairness page as a workbook: the same tables as numbers, with a native stacked bar chart and a scatter chart."""

from __future__ import annotations

from pathlib import Path

from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.utils import get_column_letter

from scorecards.flows.cards.excel import save_deterministic
from scorecards.flows.cards.fairness_view import DOT_COLOURS, SEGMENT_COLOURS, SEGMENTS, FairnessPage, Section
from scorecards.flows.cards.page_parts import Table
from scorecards.flows.cards.sheet_writer import BOLD, HEADING_FILL, SheetWriter, open_workbook


def write_fairness_workbook(page: FairnessPage, path: Path, currency: str) -> None:
    """fairness.xlsx (or fairness.zh-CN.xlsx …, in the page's language): the 'Fairness' sheet (grades, spread,
    coverage, outliers) and the 'Targets' sheet."""
    workbook, out = open_workbook(
        page.labels["sheet_fairness"], page.locale, currency, page.title, page.subtitle, None, page.caveats
    )
    for line in page.intro:
        out.line(line)
    out.blank()
    out.title(page.labels["summary"])
    for line in page.summary:
        out.line(line.label, line.cell)
    out.blank()
    _section(out, page.grades)
    first, last = _table(out, page.grades_chart_table)
    _grades_chart(out, page.labels["grades_chart"], first, last, len(page.grades_chart_table.headings))
    for section in (page.spread, page.coverage, page.outliers):
        _section(out, section)
    out.finish(freeze="A3")

    targets = SheetWriter(workbook.create_sheet(page.labels["sheet_targets"][:31]), page.locale, currency)
    targets.line(page.targets.title, font=BOLD)
    for line in page.targets.explanation:
        targets.line(line)
    targets.blank()
    first, last = _table(targets, page.compared)
    if last > first:
        _targets_chart(targets, page.labels, first, last)
    for table in page.targets.tables:  # the page's tables: the targets marked, the reps not compared
        targets.table(table)
    targets.finish(freeze="A2")
    save_deterministic(workbook, path)


def _section(out: SheetWriter, section: Section) -> None:
    out.line(section.title, font=BOLD)
    for line in section.explanation:
        out.line(line)
    out.blank()
    for table in section.tables:
        out.table(table)


def _table(out: SheetWriter, table: Table) -> tuple[int, int]:
    """Write a table; return the rows of its headings and of its last data row (equal when it has none)."""
    out.title(table.title)
    first = out.row
    out.line(*table.headings, font=BOLD, fill=HEADING_FILL)
    for row in table.rows:
        out.line(*row)
    last = out.row - 1
    if not table.rows:
        out.line(table.empty_text)
    out.blank()
    return first, last


def _grades_chart(out: SheetWriter, title: str, first: int, last: int, columns: int) -> None:
    """A native 100 % stacked bar chart of the overall grade per team, from the table just written, each grade in
    the page's colour."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "percentStacked"
    chart.overlap = 100
    chart.title = title
    # 0.8 cm a bar: with less, LibreOffice leaves out every other team's label so that they do not touch.
    chart.height, chart.width = max(5, 3.5 + 0.8 * (last - first)), 16
    chart.y_axis.numFmt = "0%"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.x_axis.scaling.orientation = "maxMin"  # the company first, at the top, as in the table
    chart.add_data(Reference(out.sheet, min_col=2, max_col=columns, min_row=first, max_row=last), titles_from_data=True)
    for series, segment in zip(chart.series, SEGMENTS, strict=True):  # A..D, N/A: the columns' order
        series.graphicalProperties.solidFill = series.graphicalProperties.line.solidFill = SEGMENT_COLOURS[segment]
    chart.set_categories(Reference(out.sheet, min_col=1, min_row=first + 1, max_row=last))
    out.sheet.add_chart(chart, f"{get_column_letter(columns + 2)}{first}")


def _targets_chart(out: SheetWriter, labels: dict[str, str], first: int, last: int) -> None:
    """A native scatter chart of target (up) against run rate (across), one marker per rep compared (no lines),
    in the page's dot colour."""
    chart = ScatterChart(scatterStyle="lineMarker")  # as Excel writes a markers-only scatter: its line is hidden
    chart.title = labels["targets_chart"]
    chart.style = 13
    chart.height, chart.width = 10, 14
    chart.x_axis.title, chart.y_axis.title = labels["run_rate"], labels["target"]
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend = None
    run_rate = Reference(out.sheet, min_col=3, min_row=first + 1, max_row=last)
    target = Reference(out.sheet, min_col=4, min_row=first, max_row=last)
    series = Series(target, run_rate, title_from_data=True)
    series.marker.symbol, series.marker.size = "circle", 6
    # A marker without a colour of its own is drawn as a white dash by LibreOffice: it gets the page's dot colour.
    series.marker.graphicalProperties.solidFill = series.marker.graphicalProperties.line.solidFill = DOT_COLOURS["dot"]
    series.graphicalProperties.line.noFill = True
    series.smooth = False
    chart.series.append(series)
    out.sheet.add_chart(chart, f"H{first}")
