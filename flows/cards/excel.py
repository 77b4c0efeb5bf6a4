"""Writing workbooks: text that Excel will never evaluate, and bytes that do not depend on the clock."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from scorecards.flows.shared.inert_text import LIVE_PREFIXES

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_DOC_TIME = "2000-01-01T00:00:00Z"
_DOC_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
#: What a worksheet's XML cannot hold: openpyxl's illegal control characters, and the non-characters
#: U+FFFE and U+FFFF and lone surrogates, on which its XML writer would fail.
_UNWRITABLE = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ufffe\uffff\ud800-\udfff]")


def set_text(cell: Cell, text: str) -> None:
    """Store text in a cell as a plain string, even when it looks like a formula.

    Characters a worksheet cannot hold (bell, escape, vertical tab, U+FFFF, ...) become U+FFFD.
    """
    text = _UNWRITABLE.sub("\ufffd", text)
    cell.value = text
    cell.data_type = "s"  # an error code's spelling (`#N/A`) stays text too
    # Every sign counts here, plain numbers too: a quote-prefixed string cell shows the same text.
    if text.startswith(LIVE_PREFIXES):
        cell.quotePrefix = True


#: A plain cell of a bulk sheet: its value, and the key of its style (None: the default style).
BulkCell = tuple[str | Decimal | int | date | None, Hashable | None]
_EMPTY_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData></sheetData>")
_XML_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_EXCEL_EPOCH = date(1899, 12, 30)
#: Column letters made at first (the evidence tables have at most a dozen columns; more are made when needed).
_MAX_COLUMNS = 26


@dataclass(frozen=True)
class ColumnRows:
    """Rows of a bulk sheet given as columns, for `bulk_sheet_data` to write without a Python object per cell.

    `frame` has one column per sheet column, from column A: text (String; empty text is no cell) or
    numbers (Decimal, integer) and dates. Per column, `number_styles` holds the style id of its numbers
    and dates (one id, or a UInt32 series of one id per row), None for a text column; a null number
    shows as the text `null_text`, unstyled.
    """

    frame: pl.DataFrame
    number_styles: Sequence[int | pl.Series | None]
    null_text: str


def bulk_sheet_data(
    rows: Iterable[Sequence[BulkCell] | ColumnRows], style_ids: Mapping[Hashable, int], quoted: int
) -> bytes:
    """The `<sheetData>` of a sheet of plain rows, as openpyxl would write it, without a cell object per cell.

    For the long evidence sheet, where openpyxl's cell-by-cell writer is the slow part. Text is inline
    text, inert as `set_text` makes it: characters a worksheet cannot hold become U+FFFD and
    text that could start a formula gets the style `quoted` (quote prefix). Numbers keep their value, dates
    (from 1900-03-01 on) are Excel day numbers; both keep the style id (`style_ids`) of their style's key.
    A `ColumnRows` item stands for as many rows as its frame has, written with polars expressions.
    """
    letters = [get_column_letter(i) for i in range(1, _MAX_COLUMNS + 1)]
    styled: dict[Hashable, str] = {key: f' s="{number}"' for key, number in style_ids.items()}
    styled[None] = ""
    quote = f' s="{quoted}"'
    days: dict[date, int] = {}
    out = ["<sheetData>"]
    append = out.append
    number = 0
    for row in rows:
        if isinstance(row, ColumnRows):
            append(_column_rows(row, number + 1, quoted))
            number += row.frame.height
            continue
        number += 1
        append(f'<row r="{number}">')
        if len(row) > len(letters):
            letters = [get_column_letter(i) for i in range(1, len(row) + 1)]
        for letter, (value, style) in zip(letters, row, strict=False):
            if value is None:
                continue
            if isinstance(value, str):
                if not value:  # nothing to show: no cell
                    continue
                append(f'<c r="{letter}{number}"{_text_tail(value, styled[style], quote)}')
            elif isinstance(value, bool):
                append(f'<c r="{letter}{number}"{styled[style]} t="b"><v>{int(value)}</v></c>')
            else:
                if isinstance(value, datetime):
                    raise TypeError(f"{letter}{number}: a bulk sheet holds dates, not date-times ({value!r})")
                if isinstance(value, date):
                    if value not in days:
                        days[value] = (value - _EXCEL_EPOCH).days
                    value = days[value]
                append(f'<c r="{letter}{number}"{styled[style]} t="n"><v>{value}</v></c>')
        append("</row>")
    out.append("</sheetData>")
    return "".join(out).encode()


def _text_tail(value: str, style: str, quote: str) -> str:
    """A text cell's XML after its reference: its style (`quote` when it could start a formula) and its text."""
    text = value if value.isprintable() else _UNWRITABLE.sub("\ufffd", value)
    space = ' xml:space="preserve"' if text.strip() != text else ""
    return (
        f'{quote if text.startswith(LIVE_PREFIXES) else style} t="inlineStr"><is><t{space}>'
        f"{text.translate(_XML_TEXT)}</t></is></c>"
    )


#: `_UNWRITABLE` for polars (Rust regex syntax; a polars string holds no lone surrogate).
_UNWRITABLE_POLARS = r"[\x00-\x08\x0B\x0C\x0E-\x1F\x{FFFE}\x{FFFF}]"
#: Python's `str.isspace` at the ends of a text, for what is left after `_UNWRITABLE_POLARS`.
_OUTER_SPACE_POLARS = r"^\s|\s$"
_XML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))
#: Days from Excel's epoch (1899-12-30) to polars' (1970-01-01).
_EPOCH_DAYS = (date(1970, 1, 1) - _EXCEL_EPOCH).days


def _column_rows(rows: ColumnRows, first: int, quoted: int) -> str:
    """The `<row>` elements of `rows`, numbered from `first`, built column by column with polars."""
    frame = rows.frame
    if frame.height == 0:
        return ""
    reference = pl.int_range(first, first + frame.height, dtype=pl.Int64).cast(pl.String)
    cells = []
    for index, (name, style) in enumerate(zip(frame.columns, rows.number_styles, strict=True)):
        opening = pl.concat_str(pl.lit(f'<c r="{get_column_letter(index + 1)}'), reference)
        column = pl.col(name)
        if style is None:
            cells.append(pl.when(column != "").then(pl.concat_str(opening, _text_tails(column, quoted))))
            continue
        null_tail = _text_tail(rows.null_text, "", f' s="{quoted}"') if rows.null_text else None
        ids = pl.lit(style, dtype=pl.UInt32) if isinstance(style, int) else pl.lit(style)
        number = pl.concat_str(
            opening,
            pl.lit('" s="'),
            ids.cast(pl.String),
            pl.lit('" t="n"><v>'),
            _number_text(frame[name]),
            pl.lit("</v></c>"),
        )
        cells.append(
            pl.when(column.is_not_null())
            .then(number)
            .otherwise(pl.concat_str(opening, pl.lit('"'), pl.lit(null_tail)) if null_tail is not None else None)
        )
    row = pl.concat_str(
        pl.lit('<row r="'), reference, pl.lit('">'), *(cell.fill_null("") for cell in cells), pl.lit("</row>")
    )
    return frame.select(row.str.join("")).item()


def _text_tails(text: pl.Expr, quoted: int) -> pl.Expr:
    """`_text_tail` of each text of a column (unstyled text), as a polars expression."""
    text = text.str.replace_all(_UNWRITABLE_POLARS, "\ufffd")
    escaped = text
    for character, entity in _XML_ESCAPES:
        escaped = escaped.str.replace_all(character, entity, literal=True)
    live = pl.any_horizontal(*(text.str.starts_with(prefix) for prefix in LIVE_PREFIXES))
    return pl.concat_str(
        pl.lit('"'),
        pl.when(live).then(pl.lit(f' s="{quoted}"')).otherwise(pl.lit("")),
        pl.lit(' t="inlineStr"><is><t'),
        pl.when(text.str.contains(_OUTER_SPACE_POLARS)).then(pl.lit(' xml:space="preserve"')).otherwise(pl.lit("")),
        pl.lit(">"),
        escaped,
        pl.lit("</t></is></c>"),
    )


def _number_text(values: pl.Series) -> pl.Expr:
    """How `bulk_sheet_data` writes each number or date of a column (`str` of the value; a date's day number)."""
    if values.dtype == pl.Date:
        return (pl.lit(values).cast(pl.Int64) + _EPOCH_DAYS).cast(pl.String)
    if not (values.dtype.is_integer() or isinstance(values.dtype, pl.Decimal)):
        raise TypeError(f"{values.name}: a bulk sheet's number column holds {values.dtype}")
    return pl.lit(number_texts(values))


def number_texts(values: pl.Series) -> pl.Series:
    """`str` of each number of an integer or Decimal column, as Python writes it (null stays null).

    polars writes a Decimal as Python does except below one millionth (scale above 6), where Python
    switches to an exponent (`0E-10`, `1.234E-7`); those few values are written by Python.
    """
    texts = values.cast(pl.String)
    if isinstance(values.dtype, pl.Decimal) and (values.dtype.scale or 0) > 6:
        tiny = texts.str.contains(r"^-?0\.000000").fill_null(False).arg_true()
        if len(tiny):
            texts = texts.scatter(tiny, [str(value) for value in values.gather(tiny).to_list()])
    return texts


_DEFLATE_LEVEL = 1


def save_deterministic(workbook: object, path: Path, sheet_data: Mapping[str, bytes] | None = None) -> None:
    """Save a workbook so that the same content always gives the same bytes.

    `sheet_data`: per worksheet part (`xl/worksheets/sheet2.xml`), the `bulk_sheet_data` of a write-only
    sheet saved without rows.
    """
    buffer = io.BytesIO()
    # As `Workbook.save`, but into an archive that stores its entries: each is deflated once, below.
    if workbook.write_only and not workbook.worksheets:  # type: ignore[attr-defined]
        workbook.create_sheet()  # type: ignore[attr-defined]
    workbook.properties.modified = datetime(2000, 1, 1)  # type: ignore[attr-defined]  # _FIXED_DOC_TIME below anyway
    ExcelWriter(workbook, zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED, allowZip64=True)).save()
    buffer.seek(0)
    fixed = io.BytesIO()  # the file is written in one call: a failed write leaves no half-open archive behind
    pending = dict(sheet_data or {})
    # Deflate level 1: a long evidence sheet compresses three times faster than at zlib's default 6, and the file
    # is about a tenth larger (docs/decisions.md).
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _DOC_TIMES.sub(rb"\g<1>" + _FIXED_DOC_TIME.encode() + rb"\g<2>", data)
            if info.filename in pending:
                found = list(_EMPTY_SHEET_DATA.finditer(data))
                if len(found) != 1:
                    raise ValueError(f"{info.filename}: a bulk sheet must be saved without rows")
                data = data[: found[0].start()] + pending.pop(info.filename) + data[found[0].end() :]
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data, compresslevel=_DEFLATE_LEVEL)
    if pending:
        raise ValueError(f"no worksheet part {sorted(pending)} in the workbook")
    path.write_bytes(fixed.getvalue())
