"""Hypothesis against the readers: whatever the bytes, a table of text columns or an InputError, nothing else.

Arbitrary bytes under each suffix, and valid CSV, xlsx and parquet files with bytes flipped,
inserted and deleted. Then whole folders with an arbitrary opportunities CSV through
read_inputs and validate_tables: every row read is used or quarantined.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from builders import OPPORTUNITIES_HEADER, write_csv
from corpus import OPPORTUNITIES, SHEET_ROWS, TABLES, lines, workbook
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils.exceptions import IllegalCharacterError

from scorecards.config import load_settings
from scorecards.config.profiles import FileFormat, load_profile
from scorecards.flows.shared.errors import InputError
from scorecards.flows.sources.ingest import read_inputs, read_table_file
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.schemas.results import REASON, SOURCE_ROW, RawTable

FUZZ = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
#: Each parquet read starts a process (ingest reads parquet in a child): fewer examples.
PARQUET_FUZZ = settings(FUZZ, max_examples=40)
FORMAT = FileFormat()
SETTINGS = load_settings()


def text_table_or_input_error(name: str, data: bytes) -> None:
    """The reader's only two outcomes: text columns, or InputError with a one-line message."""
    try:
        frame = read_table_file(Path(name), data, FORMAT)
    except InputError as exc:
        assert str(exc) and "\n" not in str(exc), repr(str(exc))
        return
    assert isinstance(frame, pl.DataFrame)
    assert all(dtype == pl.String for dtype in frame.schema.values()), frame.schema


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


VALID_CSV = lines(*OPPORTUNITIES[:6])
VALID_XLSX = workbook(("Deals", SHEET_ROWS[:7], "visible"))
VALID_PARQUET = _parquet(
    pl.DataFrame(
        {
            "opportunity_id": ["O1", "O2"],
            "amount": pl.Series([Decimal("1000.10"), Decimal("7.00")], dtype=pl.Decimal(38, 2)),
            "created_date": [date(2026, 9, 1), date(2026, 10, 2)],
            "close_date": [datetime(2026, 10, 5, 9, 30), None],
            "won": [True, False],
            "score": [4.5, float("nan")],
        }
    )
)


#: Edits to a file's bytes: (offset, what, value), the offset taken modulo the length.
EDITS = st.lists(
    st.tuples(st.integers(0, 1 << 20), st.sampled_from(["flip", "insert", "delete"]), st.integers(0, 255)),
    min_size=1,
    max_size=8,
)
Edit = tuple[int, str, int]


def edited(data: bytes, edits: list[Edit]) -> bytes:
    """The bytes with bits flipped (value % 8 names the bit), bytes inserted (value) and deleted."""
    buffer = bytearray(data)
    for at, change, value in edits:
        at %= max(len(buffer), 1)
        if change == "insert" or not buffer:
            buffer.insert(at, value)
        elif change == "flip":
            buffer[at] ^= 1 << value % 8
        else:
            del buffer[at]
    return bytes(buffer)


with zipfile.ZipFile(io.BytesIO(VALID_XLSX)) as _source:
    XLSX_PARTS = {name: _source.read(name) for name in _source.namelist()}


def edited_part(part: str, edits: list[Edit]) -> bytes:
    """The valid workbook with one of its parts edited and zipped again, so that it still opens as a zip."""
    parts = {**XLSX_PARTS, part: edited(XLSX_PARTS[part], edits)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name, content in parts.items():
            target.writestr(name, content)
    return buffer.getvalue()


SUFFIX = st.sampled_from([".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".parquet"])


@FUZZ
@given(SUFFIX, st.binary(max_size=2048))
def test_any_bytes_under_any_suffix(suffix: str, data: bytes) -> None:
    text_table_or_input_error(f"opportunities{suffix}", data)


@FUZZ
@given(EDITS)
def test_a_valid_csv_with_bytes_changed(edits: list[Edit]) -> None:
    text_table_or_input_error("opportunities.csv", edited(VALID_CSV, edits))


@FUZZ
@given(EDITS)
def test_a_valid_xlsx_with_bytes_changed(edits: list[Edit]) -> None:
    text_table_or_input_error("opportunities.xlsx", edited(VALID_XLSX, edits))


@pytest.mark.filterwarnings("ignore:.*invalid dependency definitions:UserWarning")  # openpyxl on a broken part
@FUZZ
@given(st.sampled_from(sorted(XLSX_PARTS)), EDITS)
def test_a_valid_xlsx_with_a_part_changed(part: str, edits: list[Edit]) -> None:
    text_table_or_input_error("opportunities.xlsx", edited_part(part, edits))


@PARQUET_FUZZ
@given(EDITS)
@example([(367, "flip", 2)])  # polars panics on it (pyo3's PanicException is no Exception)
@example([(46, "flip", 0)])  # polars aborts the process on it
def test_a_valid_parquet_with_bytes_changed(edits: list[Edit]) -> None:
    text_table_or_input_error("opportunities.parquet", edited(VALID_PARQUET, edits))


CELL = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


@FUZZ
@given(st.lists(st.lists(CELL, min_size=1, max_size=5), min_size=1, max_size=6))
def test_a_workbook_with_any_cells(rows: list[list[object]]) -> None:
    book = Workbook()
    try:
        for row in rows:
            book.active.append(row)
    except IllegalCharacterError:
        return  # openpyxl will not write control characters into a cell; no workbook holds them
    buffer = io.BytesIO()
    book.save(buffer)
    text_table_or_input_error("opportunities.xlsx", buffer.getvalue())


PARQUET_COLUMN = st.sampled_from(
    [
        pl.Series([1, None, -(2**63)], dtype=pl.Int64),
        pl.Series([float("inf"), float("-inf"), float("nan")]),
        pl.Series([Decimal("-0.00"), None, Decimal("1e20")], dtype=pl.Decimal(38, 2)),
        pl.Series([date(1, 1, 1), date(9999, 12, 31), None]),
        pl.Series([datetime(2026, 10, 5, 23, 59), None, datetime(1970, 1, 1)]).dt.replace_time_zone("Asia/Shanghai"),
        pl.Series([b"\xff\xfe", b"ok", None], dtype=pl.Binary),
        pl.Series([None, None, None], dtype=pl.Null),
        pl.Series(["a", "b", "a"], dtype=pl.Categorical),
        pl.Series([[1, 2], [], None], dtype=pl.List(pl.Int64)),
        pl.Series([{"a": 1}, {"a": None}, None]),
        pl.Series([True, None, False]),
        pl.Series(["\x00", "\ufeff", "上海"]),
    ]
)


@PARQUET_FUZZ
@given(st.lists(PARQUET_COLUMN, min_size=1, max_size=4))
def test_a_parquet_file_with_any_column_types(columns: list[pl.Series]) -> None:
    frame = pl.DataFrame({f"c{i}": column for i, column in enumerate(columns)})
    text_table_or_input_error("opportunities.parquet", _parquet(frame))


# Pieces a CSV is made of, and values that break rules, so that short texts reach the parser's corners.
PIECE = st.one_of(
    st.sampled_from(
        [",", '"', '""', "\n", "\r\n", "\r", " ", "\t", "\ufeff", "\x00", "é", "上"]
        + ["O1", "O2", "R1", "R9", "A1", "won", "lost", "open", "12.50", "-0", "1e309", "NaN"]
        + ["2026-10-05", "0000-00-00", "2026-02-30"]
    ),
    st.text(max_size=3),
)
ROW = st.lists(st.sampled_from(OPPORTUNITIES), min_size=0, max_size=3)
#: Columns a header may have beyond the canonical ones, among them the names quarantine rows add.
EXTRA = st.lists(st.sampled_from(["note", "source_row", "reason", "", " note ", "rep_id ", "\ufeffx"]), max_size=3)


@FUZZ
@given(EXTRA, ROW, st.lists(PIECE, max_size=60).map("".join), ROW)
def test_whatever_an_opportunities_csv_holds_every_row_read_is_used_or_quarantined(
    extra: list[str], before: list[list[str]], middle: str, after: list[list[str]]
) -> None:
    header = [*OPPORTUNITIES_HEADER, *extra]
    rows = [[*row, *(["x"] * len(extra))] for row in before], [[*row, *(["x"] * len(extra))] for row in after]
    data = lines(*rows[0], header=header) + middle.encode("utf-8") + lines(*rows[1], header=None)
    with tempfile.TemporaryDirectory() as folder:
        input_dir = Path(folder) / "input"
        for table, rows in TABLES.items():
            if table != "opportunities":
                write_csv(input_dir / f"{table}.csv", rows)
        (input_dir / "opportunities.csv").write_bytes(data)
        raw = read_inputs(input_dir)
        validated = validate_tables(raw, SETTINGS)
    report = {table.table: table for table in validated.report.tables}
    for table in report.values():
        assert table.rows_read == table.rows_used + table.rows_quarantined
    opportunities = raw["opportunities"]
    if isinstance(opportunities, RawTable):
        assert report["opportunities"].rows_read == opportunities.frame.height
        quarantined = validated.quarantine.get("opportunities")
        if quarantined is not None:
            assert quarantined[REASON].null_count() == 0
            assert quarantined[SOURCE_ROW].is_unique().all() and quarantined[SOURCE_ROW].min() >= 2
    else:
        assert "opportunities" not in report
        assert any(problem.startswith("opportunities.csv: ") for problem in validated.report.problems)


def test_a_parquet_file_that_kills_the_reader_is_refused_not_fatal() -> None:
    # Found by the fuzzing above: one flipped bit in a page header, and polars 2.1's read_parquet
    # tries to allocate 2**61 bytes and aborts its process (SIGABRT), which no handler can catch.
    # Ingest reads parquet in a child process, so only the child dies.
    data = edited(VALID_PARQUET, [(46, "flip", 0)])
    with pytest.raises(
        InputError, match=r"^cannot be read as a parquet table: it is damaged \(the reader died on it, SIGABRT\)$"
    ):
        read_table_file(Path("opportunities.parquet"), data, FORMAT)


def test_the_parquet_reader_imports_nothing_from_the_folder_it_runs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `cd exports && scorecards run --input .`: a polars.py in that folder must never run.
    marker = tmp_path / "ran"
    (tmp_path / "polars.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise SystemExit(3)\n")
    monkeypatch.chdir(tmp_path)
    frame = read_table_file(Path("opportunities.parquet"), VALID_PARQUET, FORMAT)
    assert frame["opportunity_id"].to_list() == ["O1", "O2"]
    assert not marker.exists()


#: A data row of opportunities: its id, then seven short cells (often empty, seldom valid).
DATA_ROW = st.lists(
    st.sampled_from(["", "", "R1", "A1", "won", "12.50", "2026-10-05", " ", "x"]), min_size=7, max_size=7
)


@FUZZ
@given(
    st.lists(st.sampled_from(["", "Opportunities export", ",,,", "from,2026-10"]), max_size=3),
    st.lists(st.one_of(DATA_ROW, st.just([]), st.just([""] * 7)), max_size=12),
    st.sampled_from(["\n", "\r\n"]),
)
def test_rows_read_are_the_files_data_rows_and_keep_their_line_numbers(
    above: list[str], rows: list[list[str]], eol: str
) -> None:
    # The oracle is the file as written: every line with a cell in it below the header is one row
    # read, and a quarantined row names the line it is on (blank lines and lines above count).
    data_lines = [
        "" if not cells else ",".join([f"O{i}" if any(cells) else "", *cells]) for i, cells in enumerate(rows)
    ]
    header_row = len(above) + 1
    text = eol.join([*above, ",".join(OPPORTUNITIES_HEADER), *data_lines]) + eol
    with tempfile.TemporaryDirectory() as folder:
        input_dir = Path(folder) / "input"
        for table, table_rows in TABLES.items():
            if table != "opportunities":
                write_csv(input_dir / f"{table}.csv", table_rows)
        (input_dir / "opportunities.csv").write_text(text, encoding="utf-8", newline="")
        profile_file = Path(folder) / "export.toml"
        profile_file.write_text(
            f'[tables.opportunities]\nfiles = ["opportunities.csv"]\nheader_row = {header_row}\n', encoding="utf-8"
        )
        validated = validate_tables(read_inputs(input_dir, load_profile(str(profile_file))), SETTINGS)
    expected = sum(1 for line in data_lines if line.strip(","))
    if expected == 0:  # a profile's table with no data rows is refused, as an export filtered to nothing
        assert validated.report.problems == [
            "opportunities.csv: header row only, no data rows (is the export's filter too narrow?)"
        ]
        return
    (table,) = [t for t in validated.report.tables if t.table == "opportunities"]
    assert table.rows_read == expected
    assert table.rows_read == table.rows_used + table.rows_quarantined
    file_lines = text.split(eol)
    quarantined = validated.quarantine.get(
        "opportunities", pl.DataFrame(schema={SOURCE_ROW: pl.Int64, "opportunity_id": pl.String})
    )
    for number, opportunity_id in zip(quarantined[SOURCE_ROW], quarantined["opportunity_id"], strict=True):
        assert file_lines[number - 1].split(",")[0] == (opportunity_id or "")
