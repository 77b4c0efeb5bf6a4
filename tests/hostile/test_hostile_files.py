"""Hostile and broken input files (tests/hostile/corpus.py) are reported or quarantined, never raised.

For every case: read_inputs and validate_tables raise nothing; a file that cannot be read is one
line of the report naming it; a row fault quarantines that row with its row number and rule;
rows read = rows used + rows quarantined, and rows read is the number of data rows in the file;
nothing is written anywhere. `scorecards validate` gives the same report with its exit status.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import polars as pl
import pytest
from builders import BASE_TABLES, OPPORTUNITIES_HEADER
from corpus import CASES, SHEET_ROWS, Case, workbook, write_case
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from typer.testing import CliRunner

from scorecards.config import load_settings
from scorecards.config.profiles import load_profile
from scorecards.flows.cli import app
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.schemas.results import REASON, SOURCE_ROW, UnreadableTable, Validated

SETTINGS = load_settings()
BY_NAME = {case.name: case for case in CASES}


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under the folder (the input folder, the working directory) with the sha256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def validate(folder: Path) -> Validated:
    return validate_tables(read_inputs(folder), SETTINGS)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_hostile_file_is_reported_or_quarantined_never_raised(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_case(case, tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)

    validated = validate(folder)  # no case may raise, not even a ScorecardsError: each is in the report

    report = validated.report
    expected = [f"{case.file}: {case.problem}"] if case.problem else []
    if case.problem and case.problem.endswith("…"):
        assert len(report.problems) == 1 and report.problems[0].startswith(expected[0][:-1]), report.problems
    else:
        assert report.problems == expected
    assert all("\n" not in problem and "Traceback" not in problem for problem in report.problems)
    for table in report.tables:
        assert table.rows_read == table.rows_used + table.rows_quarantined, table
    tables = {table.table: table for table in report.tables}
    if case.rows is None:
        assert case.table not in tables  # refused whole: no row of it is used
    else:
        assert (tables[case.table].source, tables[case.table].rows_read) == (case.file, case.rows)
        quarantined = validated.quarantine.get(
            case.table, pl.DataFrame(schema={SOURCE_ROW: pl.Int64, REASON: pl.String})
        )
        assert dict(zip(quarantined[SOURCE_ROW], quarantined[REASON], strict=True)) == case.quarantined
        assert tables[case.table].rows_quarantined == len(case.quarantined)
    if case.used:
        assert validated.tables is not None
        frame = getattr(validated.tables, case.table)
        for (row_id, column), text in case.used.items():
            assert frame.filter(pl.col(frame.columns[0]) == row_id)[column].cast(pl.String).to_list() == [text]
    assert snapshot(tmp_path) == before


def test_quarantined_rows_keep_a_files_own_reason_and_source_row_columns(tmp_path: Path) -> None:
    validated = validate(write_case(BY_NAME["the file's own reason and source_row columns"], tmp_path))
    row = validated.quarantine["opportunities"].row(0, named=True)
    assert {k: row[k] for k in (SOURCE_ROW, REASON, "source_row_in_file", "reason_in_file")} == {
        SOURCE_ROW: 5,
        REASON: "stage: not one of open, won, lost",
        "source_row_in_file": "77",
        "reason_in_file": "why O4",
    }


def _sheet_profile(folder: Path, sheet: str) -> Path:
    path = folder / "deals.toml"
    path.write_text(f'[tables.opportunities]\nfiles = ["opportunities.xlsx"]\nsheet = "{sheet}"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_named_by_the_profile_is_refused(tmp_path: Path, state: str) -> None:
    case = Case("deals sheet", "opportunities.xlsx", lambda: b"", 0)
    folder = write_case(case, tmp_path / "input")
    (folder / case.file).write_bytes(workbook(("Summary", [["total"], [1]], "visible"), ("Deals", SHEET_ROWS, state)))
    profile = load_profile(str(_sheet_profile(tmp_path, "Deals")))
    assert read_inputs(folder, profile)["opportunities"] == UnreadableTable(
        "opportunities",
        "opportunities.xlsx",
        "sheet 'Deals' is hidden; unhide it in the workbook, or name a visible sheet in the profile",
    )


def test_a_visible_sheet_named_by_the_profile_is_read_behind_a_hidden_one(tmp_path: Path) -> None:
    case = Case("deals sheet", "opportunities.xlsx", lambda: b"", 0)
    folder = write_case(case, tmp_path / "input")
    (folder / case.file).write_bytes(workbook(("Old", [["x"], [1]], "hidden"), ("Deals", SHEET_ROWS, "visible")))
    profile = load_profile(str(_sheet_profile(tmp_path, "Deals")))
    validated = validate_tables(read_inputs(folder, profile), SETTINGS)
    assert validated.report.ok
    assert validated.tables is not None and validated.tables.opportunities.height == len(SHEET_ROWS) - 1


def test_a_chart_sheet_named_by_the_profile_is_refused(tmp_path: Path) -> None:
    book = Workbook()
    for row in SHEET_ROWS:
        book.active.append(row)
    chart = BarChart()
    chart.add_data(Reference(book.active, min_col=6, min_row=1, max_row=len(SHEET_ROWS)))
    book.create_chartsheet("Chart").add_chart(chart)
    folder = write_case(Case("chart", "opportunities.xlsx", lambda: b"", 0), tmp_path / "input")
    book.save(folder / "opportunities.xlsx")
    table = read_inputs(folder, load_profile(str(_sheet_profile(tmp_path, "Chart"))))["opportunities"]
    assert table == UnreadableTable("opportunities", "opportunities.xlsx", "sheet 'Chart' is a chart, not a table")


# A few cases through the command line: its exit status, and the report as people read it.
CLI_CASES = {
    "unbalanced quote": 1,
    "an escape sequence in a broken line is shown escaped": 1,
    "a NUL byte": 1,
    "UTF-8 rows and a GB18030 row": 1,
    "a macro workbook (.xlsm)": 1,
    "a period in full-width digits": 1,
    "CR-only line ends (classic Mac)": 0,
    "blank lines and a line of empty fields": 0,
    "amount '-0'": 0,
    "a hidden first sheet": 0,
}


@pytest.mark.parametrize(("name", "status"), CLI_CASES.items(), ids=list(CLI_CASES))
def test_validate_prints_the_report_with_its_exit_status(
    name: str, status: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = BY_NAME[name]
    folder = write_case(case, tmp_path / "input")
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(app, ["validate", "--input", str(folder)])
    assert result.exit_code == status, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "\x1b" not in result.output
    assert f"{case.file:<28}" in result.output or case.rows is None
    if case.problem:
        assert f"  - {case.file}: {case.problem}" in result.output
    else:
        assert "\nOK\n" in result.output
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("lead", [b"\n", b"\r\n", b"\xef\xbb\xbf\n", b"\n\n"])
def test_blank_lines_before_a_later_header_row_lose_no_data_row(tmp_path: Path, lead: bytes) -> None:
    # An export with a title line above its header (header_row = 2 or 3) that starts with a blank line.
    folder = write_case(Case("title", "opportunities.csv", lambda: b"", 0), tmp_path / "input")
    title = b"Opportunities export\n"
    body = b"".join(
        ",".join(row).encode() + b"\n"
        for row in [OPPORTUNITIES_HEADER, *([r[c] for c in OPPORTUNITIES_HEADER] for r in BASE_TABLES["opportunities"])]
    )
    (folder / "opportunities.csv").write_bytes(lead + title + body)
    header_row = lead.count(b"\n") + 2
    profile_file = tmp_path / "titled.toml"
    profile_file.write_text(
        f'[tables.opportunities]\nfiles = ["opportunities.csv"]\nheader_row = {header_row}\n', encoding="utf-8"
    )
    validated = validate_tables(read_inputs(folder, load_profile(str(profile_file))), SETTINGS)
    assert validated.report.ok, validated.report.problems
    (table,) = [t for t in validated.report.tables if t.table == "opportunities"]
    assert (table.rows_read, table.rows_used) == (len(BASE_TABLES["opportunities"]), len(BASE_TABLES["opportunities"]))
    assert validated.tables is not None
    assert validated.tables.opportunities["opportunity_id"].to_list() == [
        r["opportunity_id"] for r in BASE_TABLES["opportunities"]
    ]
