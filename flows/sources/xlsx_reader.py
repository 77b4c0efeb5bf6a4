"""Reading an .xlsx workbook's sheet as a table of text cells, as a CSV export of it would hold them; refusing
macro-enabled workbooks and archives that would unpack far beyond their size."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

import polars as pl

from scorecards.config.profiles import FileFormat
from scorecards.flows.shared.counting import and_more
from scorecards.flows.shared.errors import InputError
from scorecards.flows.sources.table_text import Rows, column_names, refuse_repeated

#: An .xlsx unpacks to at most this much, and at most this many times its own size (zip bombs).
XLSX_MAX_UNPACKED = 2 << 30
XLSX_MAX_RATIO = 200
MACROS_REFUSED = "macro-enabled workbook refused; save it as .xlsx (Excel Workbook)"


def _refuse_unsafe_zip(data: bytes) -> None:
    """InputError when the workbook would unpack beyond the limits or holds macros (checked before opening it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            unpacked = sum(entry.file_size for entry in entries)
            if unpacked > XLSX_MAX_UNPACKED or unpacked > XLSX_MAX_RATIO * max(len(data), 1):
                raise InputError(
                    f"refused: it would unpack to {unpacked:,} bytes from {len(data):,} "
                    f"(limits {XLSX_MAX_UNPACKED:,} bytes and {XLSX_MAX_RATIO}× its size)"
                )
            vba = next((e.filename for e in entries if e.filename.casefold().endswith("vbaproject.bin")), None)
            if vba is not None:
                raise InputError(f"{MACROS_REFUSED} (it holds {vba}: an .xlsm renamed .xlsx?)")
    except zipfile.BadZipFile:
        return  # openpyxl's own error names it


#: A formula element in a worksheet's XML (`<f>`, `<f t="shared" …/>`, a prefixed `<x:f>`), not `<formula>`.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
#: The byte search reads a sheet's XML this much at a time (a sheet unpacks to up to XLSX_MAX_UNPACKED).
_BLOCK = 1 << 20
#: Cells named when formulas have no saved value.
_CELLS_NAMED = 5


def _unsaved_formulas(sheet: Any, first_row: int) -> tuple[list[str], int]:  # noqa: ANN401 - a read-only sheet
    """The first few addresses (and the count) of the sheet's formula cells from `first_row` on whose value was not
    saved with them: read as values they are empty, while Excel shows what it works out when it opens the file."""
    from lxml import etree
    from openpyxl.utils import get_column_letter

    # openpyxl reads a formula without a saved value as an empty cell: only the sheet's XML tells them apart.
    with sheet._get_source() as part:  # the read-only sheet's part of the archive, as openpyxl itself opens it
        if not _holds_formula_elements(part):
            return [], 0
    named: list[str] = []
    count = row = 0
    with sheet._get_source() as part:
        events = etree.iterparse(
            part, events=("start", "end"), tag=("{*}row", "{*}c"), resolve_entities=False, no_network=True
        )
        for event, element in events:
            if not element.tag.endswith("}c"):  # a row: numbered as openpyxl numbers it, empty ones too
                if event == "start":
                    row = int(float(element.get("r") or row + 1))
                else:  # done with it: let go of it and the rows before it, so memory stays a row's
                    element.clear()
                    while element.getprevious() is not None:
                        del element.getparent()[0]
            elif event == "end" and row >= first_row and _unsaved(element):
                count += 1
                if len(named) < _CELLS_NAMED:
                    named.append(element.get("r") or f"{get_column_letter(_column(element))}{row}")
    return named, count


def _holds_formula_elements(part: IO[bytes]) -> bool:
    """Whether a worksheet's XML has a formula element anywhere (a byte search, a block at a time)."""
    tail = b""
    while block := part.read(_BLOCK):
        if _FORMULA.search(tail + block):
            return True
        tail = block[-64:]  # an element cut in two by the block's end
    return False


def _unsaved(cell: Any) -> bool:  # noqa: ANN401 - an lxml element
    """Whether a cell element is a formula whose value was not saved with it (a `<v>` with text holds one, and so
    do an empty `<v>` of a text result, `t="str"`, and an inline string)."""
    children = list(cell)
    if not any(child.tag.endswith("f") for child in children):  # most cells: a value, no formula
        return False
    parts = {child.tag.rpartition("}")[2]: child for child in children}
    value = parts.get("v")
    return "f" in parts and "is" not in parts and (value is None or (not value.text and cell.get("t") != "str"))


def _column(cell: Any) -> int:  # noqa: ANN401 - an lxml element
    """The column of a cell without a reference, as openpyxl counts it: the one after the cell before it."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    before = cell.getprevious()
    while before is not None and not before.tag.endswith("}c"):  # a comment, say
        before = before.getprevious()
    if before is None:
        return 1
    reference = before.get("r")
    return column_index_from_string(coordinate_from_string(reference)[0]) + 1 if reference else _column(before) + 1


def _refuse_unsaved_formulas(cells: list[str], count: int) -> None:
    """InputError naming formula cells that have no saved value: what they show in Excel is not in the file."""
    raise InputError(
        f"formulas with no saved value in {and_more(cells, count)}: the program that wrote the file does not "
        "calculate them, and what Excel shows is worked out when it opens the file; open it in Excel or LibreOffice "
        "and save it, or write the values instead of the formulas"
    )


def refuse_macro_workbook(data: bytes, fmt: FileFormat) -> Rows:
    """The reader of an .xlsm: never reads it."""
    raise InputError(MACROS_REFUSED)


def read_xlsx(data: bytes, fmt: FileFormat) -> Rows:
    """The profile's sheet (the first visible one by default) as text columns named by its header row, each
    cell as a CSV export of it would hold it, with each kept row's number in the sheet."""
    from openpyxl import load_workbook

    _refuse_unsafe_zip(data)
    # data_only: a formula cell gives its cached value; nothing in the file is ever evaluated.
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = _sheet(workbook, fmt.sheet)
        unsaved, count = _unsaved_formulas(sheet, fmt.header_row)
        if count:
            _refuse_unsaved_formulas(unsaved, count)
        # Read every row and column there is: a read-only sheet otherwise stops at the size the
        # file declares, and a file that declares too small a size would lose the rest unseen.
        sheet.reset_dimensions()
        rows = []
        for number, cells in enumerate(sheet.iter_rows(min_row=fmt.header_row), fmt.header_row):
            row = tuple(_shown_value(cell) for cell in cells)
            if any(v is not None for v in row):
                rows.append((number, row))
    finally:
        workbook.close()
    if not rows:
        raise InputError("empty sheet (not even a header row)")
    width = max(len(row) for _, row in rows)
    cells = [tuple(row) + (None,) * (width - len(row)) for _, row in rows]
    if any(v is None for v in cells[0]):
        _refuse_merged_header(data, fmt)
    header = column_names([_cell_text(v) for v in cells[0]])
    refuse_repeated(header)
    columns = list(zip(*cells[1:], strict=True)) or [() for _ in header]
    months = {name.casefold() for name in fmt.month_columns}
    frame = pl.DataFrame(
        {
            name: [_cell_text(v, fmt.decimal, month=name.casefold() in months) for v in values]
            for name, values in zip(header, columns, strict=True)
        },
        schema={name: pl.String for name in header},
    )
    header_row = rows[0][0]
    return Rows(frame, pl.Series([number for number, _ in rows[1:]], dtype=pl.Int64), header_row + 1)


def _sheet(workbook: Any, name: str | None) -> Any:
    """The named sheet, or the first visible worksheet: what someone reviewing the workbook sees is what is read."""
    if name is None:
        visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
        if not visible:
            raise InputError(f"no visible worksheet (sheets: {', '.join(workbook.sheetnames)})")
        return visible[0]
    if name not in workbook.sheetnames:
        raise InputError(f"no sheet named {name!r} (sheets: {', '.join(workbook.sheetnames)})")
    if name not in [sheet.title for sheet in workbook.worksheets]:
        raise InputError(f"sheet {name!r} is a chart, not a table")
    sheet = workbook[name]
    if sheet.sheet_state != "visible":
        raise InputError(f"sheet {name!r} is hidden; unhide it in the workbook, or name a visible sheet in the profile")
    return sheet


def _refuse_merged_header(data: bytes, fmt: FileFormat) -> None:
    """Stop when the header row has merged cells: their columns would have no name of their own."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), data_only=True)
    try:
        sheet = _sheet(workbook, fmt.sheet)
        header_row = next(
            (r for r in range(fmt.header_row, sheet.max_row + 1) if any(c.value is not None for c in sheet[r])),
            fmt.header_row,
        )
        merged = [str(m) for m in sheet.merged_cells.ranges if m.min_row <= header_row <= m.max_row]
    finally:
        workbook.close()
    if merged:
        raise InputError(
            f"header row {header_row} has merged cells {', '.join(merged)}; "
            "unmerge them so that each column has its own name"
        )


@dataclass(frozen=True)
class _ShownAsMonth:
    """A date cell whose number format shows only its month and year (`yyyy-mm`, `mmm-yy`): typing `2026-10`
    into Excel makes one, 2026-10-01 shown as 2026-10."""

    value: datetime


def _shown_value(cell: Any) -> Any:  # noqa: ANN401 - a cell's value: text, a number, a date, a boolean
    """The cell's value, a date shown as a month marked so."""
    value = cell.value
    if isinstance(value, datetime) and _shows_only_the_month(cell.number_format):
        return _ShownAsMonth(value)
    return value


def _shows_only_the_month(number_format: str) -> bool:
    """Whether a date's number format shows its year and month but neither its day nor a time."""
    # The first section only; quoted text, [brackets] (locale, colour) and escaped characters show no part of a date.
    shown = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", number_format.split(";")[0]).casefold()
    return "m" in shown and "y" in shown and not any(part in shown for part in ("d", "h", "s"))


def _cell_text(value: Any, decimal: str = ".", *, month: bool = False) -> str | None:
    """An Excel cell as the text a CSV export of it would hold (numbers with the file's decimal mark); in a month
    column (`month`), a date shown as a month as that month, YYYY-MM, and elsewhere as its date."""
    if isinstance(value, _ShownAsMonth):
        return f"{value.value.year:04d}-{value.value.month:02d}" if month else _cell_text(value.value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f").replace(".", decimal)
    return str(value)
