"""A write-only worksheet written top to bottom: lines, tables and bulk rows, each column as wide as its cells.

The card, rollup and fairness workbooks (workbooks.py, fairness_workbook.py) lay their sheets out with it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Hashable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from scorecards.flows.cards.excel import ColumnRows, bulk_sheet_data, number_texts, set_text
from scorecards.flows.cards.page_parts import Cell, Restated, StoredRows, Table
from scorecards.flows.shared.display import Kind, excel_format

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADING_FILL = PatternFill("solid", fgColor="F5F7FA")
#: The pages' red "Not final" line (`.caveat` in base.html.j2).
CAVEAT = Font(bold=True, color="A61E1E")
_WRAPPED = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")
#: Columns a wrapped text may widen its column to; a longer text takes more lines.
_WRAP_WIDTH = 48
#: Points a line of text takes: Excel's default row height, for its default font (Calibri 11).
_LINE_HEIGHT = 15


#: A number format's key: kind, currency, signed, unit and places (a card cell's whole look as a number).
_FormatKey = tuple[Kind, str, bool, str, int | None]


def _plain(kind: Kind, currency: str) -> _FormatKey:
    """The format key of a number with nothing but its kind and currency: every number of the rows that only the
    workbook shows (no change, no unit, the kind's places)."""
    return (kind, currency, False, "", None)


#: How a cell looks beyond its value: number format, font, fill, alignment (None where the default).
_Style = tuple[str | None, Font | None, PatternFill | None, Alignment | None]
#: A cell as the sheet collects it: a value (text, number, date or nothing) and its look.
_Spec = tuple[object, _Style | None]


class SheetWriter:
    """Collects a write-only sheet's rows top to bottom and how wide each column must be; `finish` writes them.

    A write-only sheet (openpyxl's fast mode, which streams rows to the file) takes its column widths
    and frozen panes before its first row, so the rows wait here until the widths are known.
    """

    def __init__(self, sheet: WriteOnlyWorksheet, locale: str, currency: str) -> None:
        self.sheet, self.locale, self.currency = sheet, locale, currency
        self.rows: list[list[_Spec] | _Pending] = []
        self._height = 0
        self.widths: dict[int, int] = {}
        #: By row: the wrapped texts of the row and their columns, which decide the row's height.
        self._wrapped: dict[int, list[tuple[int, str]]] = {}
        self._formats: dict[_FormatKey, _Style] = {}
        #: Every style a cell of the sheet has, in the order of first use: a set's order would follow the
        #: strings' hashes, which differ from process to process, and so would the style ids in the file.
        self._styles: dict[_Style, None] = {}
        #: The style array of each style a cell got, by its number format and its parts' identities.
        self._applied: dict[tuple[object, ...], StyleArray] = {}

    @property
    def row(self) -> int:
        """The number of the row the next line goes to."""
        return self._height + 1

    def blank(self) -> None:
        """An empty row."""
        self.rows.append([])
        self._height += 1

    def value(
        self,
        column: int,
        cell: Cell | str,
        *,
        font: Font | None = None,
        fill: PatternFill | None = None,
        alignment: Alignment | None = None,
        max_width: int | None = None,
    ) -> _Spec:
        """What the row holds in `column` for a card's cell or a text: a number with its format, or text.

        `max_width`: the most columns the value may widen its column to (for a text that wraps).
        """
        style: _Style | None
        if isinstance(cell, str) or cell.kind is None or cell.value is None:
            value: object = cell if isinstance(cell, str) else cell.text
            style = None
            width = _display_width(value)  # type: ignore[arg-type]
        else:
            value, style = (
                cell.value,
                self._format(cell.kind, cell.currency or self.currency, cell.signed, cell.unit, cell.places),
            )
            width = _number_width(cell)
        if max_width is not None:
            width = min(width, max_width)
        if font or fill or alignment:
            style = (style[0] if style else None, font, fill, alignment)
            self._styles[style] = None
        if width > self.widths.get(column, 0):
            self.widths[column] = width
        return value, style

    def _format(
        self, kind: Kind, currency: str, signed: bool = False, unit: str = "", places: int | None = None
    ) -> _Style:
        key = (kind, currency, signed, unit, places)
        if key not in self._formats:
            number_format = excel_format(kind, self.locale, currency, signed=signed, unit=unit, places=places)
            self._formats[key] = (number_format, None, None, None)
            self._styles[self._formats[key]] = None
        return self._formats[key]

    def line(self, *cells: Cell | str, font: Font | None = None, fill: PatternFill | None = None) -> list[_Spec]:
        """A row of cells from column A; returns the row, to change a cell of it."""
        row = [self.value(column, cell, font=font, fill=fill) for column, cell in enumerate(cells, start=1)]
        self.rows.append(row)
        self._height += 1
        return row

    def wrapped_line(self, *texts: str, wrap: Collection[int]) -> None:
        """A row of texts from column A whose texts in the columns `wrap` wrap inside their cells (widening
        their columns to `_WRAP_WIDTH` at most), the row as tall as its longest text's lines, every text at the top."""
        row: list[_Spec] = []
        for column, text in enumerate(texts, start=1):
            if column in wrap:
                widest = max(map(_display_width, text.split("\n")))
                row.append(self.value(column, text, alignment=_WRAPPED, max_width=min(widest, _WRAP_WIDTH)))
                self._wrapped.setdefault(self.row, []).append((column, text))
            else:
                row.append(self.value(column, text, alignment=_TOP))
        self.rows.append(row)
        self._height += 1

    def spilling(self, text: str, font: Font | None = None) -> None:
        """A line of text in column A that runs on into the empty cells to its right, widening no column."""
        self.rows.append([self.value(1, text, font=font, max_width=0)])
        self._height += 1

    def title(self, text: str, font: Font = BOLD) -> None:
        self.line(text, font=font)

    def table(self, table: Table) -> None:
        """The table's title, headings and every row (the HTML's cap does not apply here)."""
        self.title(table.title)
        self.line(*table.headings, font=BOLD, fill=HEADING_FILL)
        # `line` for each row, unrolled: an evidence table can have tens of thousands of rows.
        formats, currency, add_row = self._formats, self.currency, self.rows.append
        widest = [0] * len(table.headings)
        for row in table.rows:
            specs: list[_Spec] = []
            add = specs.append
            for column, cell in enumerate(row):
                text = cell.text
                if cell.kind is None or cell.value is None:
                    add((text, None))
                    width = len(text) if text.isascii() else _display_width(text)
                else:
                    key = (cell.kind, cell.currency or currency, cell.signed, cell.unit, cell.places)
                    add((cell.value, formats.get(key) or self._format(*key)))
                    width = len(text) if text else len(str(cell.value)) + 4  # as _number_width
                if width > widest[column]:
                    widest[column] = width
            add_row(specs)
        self._height += len(table.rows)
        if table.stored is not None:
            self._stored(table.stored, widest)
        for column, width in enumerate(widest, start=1):
            if width > self.widths.get(column, 0):
                self.widths[column] = width
        if not table.height:
            self.line(table.empty_text)
        self.blank()

    def _stored(self, stored: StoredRows, widest: list[int]) -> None:
        """Rows that only the Excel card shows: kept as columns for `finish_bulk`, their widths taken as `table`
        takes a cell's, their number formats added in the order in which their cells first use them."""
        frame, styles = stored.frame, []
        na_width = _display_width(stored.empty)
        first_use: dict[tuple[Kind, str], tuple[int, int]] = {}
        for column, (name, kind) in enumerate(zip(frame.columns, stored.kinds, strict=True)):
            values = frame[name]
            if kind is None:
                widths = values.str.len_chars() + values.str.count_matches(_WIDE)
                styles.append(None)
            else:
                # A number's width: its digits and room for a currency symbol and separators (as _number_width).
                digits = pl.lit(10) if kind == "date" else pl.lit(number_texts(values).str.len_chars())
                widths = pl.select(pl.when(pl.lit(values).is_null()).then(na_width).otherwise(digits + 4)).to_series()
                currencies = stored.currencies if column == stored.money_in else None
                styles.append(self._first_uses(kind, values, currencies, column, first_use))
            if len(widths) and widths.max() > widest[column]:  # type: ignore[operator]
                widest[column] = widths.max()  # type: ignore[assignment]
        for (kind, currency), _where in sorted(first_use.items(), key=lambda item: item[1]):
            if _plain(kind, currency) not in self._formats:  # rows only the workbook shows hold no changes
                self._format(kind, currency)
        self.rows.append(_Pending(stored, styles))
        self._height += frame.height

    def _first_uses(
        self,
        kind: Kind,
        values: pl.Series,
        currencies: pl.Series | None,
        column: int,
        first_use: dict[tuple[Kind, str], tuple[int, int]],
    ) -> tuple[Kind, pl.Series | str]:
        """The currency of each number of a column (one for the column, or one per row), noting where each
        (kind, currency) format is first used."""
        currency: pl.Series | str
        if currencies is None:  # one currency: its first use is the first number
            currency = self.currency
            present = values.is_not_null()
            firsts = [(currency, int(present.arg_max()))] if present.any() else []  # type: ignore[arg-type]
        else:
            currency = currencies.fill_null(self.currency)
            used = pl.DataFrame({"currency": currency, "value": values}).with_row_index()
            firsts = used.filter(pl.col("value").is_not_null()).group_by("currency").agg(pl.col("index").min()).rows()
        for name, first in firsts:
            where = (first, column)
            if first_use.get((kind, name), where) >= where:
                first_use[(kind, name)] = where
        return kind, currency

    def finish(
        self,
        freeze: str,
        orientation: str = "portrait",
        min_widths: dict[int, int] | None = None,
        links: dict[tuple[int, int], str] | None = None,
    ) -> None:
        """Set the columns' widths, the frozen panes and an A4 page fitted to its width, then write the rows.

        `links`: hyperlinks by (row, column).
        """
        self._layout(freeze, orientation, min_widths)
        for number, row in enumerate(self.rows, start=1):
            assert not isinstance(row, _Pending), "rows kept as columns are written by finish_bulk"
            cells = [self._cell(spec) for spec in row]
            for (link_row, column), href in (links or {}).items():
                if link_row == number:
                    cells[column - 1].hyperlink = href  # type: ignore[union-attr]
            self.sheet.append(cells)

    def finish_bulk(self, freeze: str, orientation: str = "portrait") -> bytes:
        """As `finish`, but the rows come back as the sheet's XML (`bulk_sheet_data`) for `save_deterministic`."""
        self._layout(freeze, orientation, None)
        ids: dict[Hashable, int] = {
            style: self._styled(WriteOnlyCell(self.sheet), style).style_id for style in self._styles
        }
        quoted = WriteOnlyCell(self.sheet)
        quoted.quotePrefix = True
        rows = [row if isinstance(row, list) else row.columns(self._formats, ids) for row in self.rows]
        return bulk_sheet_data(rows, ids, quoted.style_id)  # type: ignore[arg-type]

    def _layout(self, freeze: str, orientation: str, min_widths: dict[int, int] | None) -> None:
        for column, width in self.widths.items():
            width = max(min(max(width + 2, 8), 60), (min_widths or {}).get(column, 0))
            self.sheet.column_dimensions[get_column_letter(column)].width = width
        for row, texts in self._wrapped.items():
            lines = max(
                _wrapped_lines(text, self.sheet.column_dimensions[get_column_letter(column)].width)
                for column, text in texts
            )
            if lines > 1:  # a row of one line keeps the height its font gives it
                self.sheet.row_dimensions[row].height = lines * _LINE_HEIGHT
        self.sheet.freeze_panes = freeze
        setup = self.sheet.page_setup
        setup.paperSize = Worksheet.PAPERSIZE_A4
        setup.orientation = orientation
        setup.fitToWidth = 1
        setup.fitToHeight = 0
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True

    def _cell(self, spec: _Spec) -> SheetCell | None:
        value, style = spec
        if value is None:
            return None
        cell = WriteOnlyCell(self.sheet)
        if style:
            # A style's parts are looked up in the workbook (by hashing them) once; later cells copy the result.
            key = (style[0], *map(id, style[1:]))
            known = self._applied.get(key)
            if known is None:
                self._applied[key] = known = copy(self._styled(cell, style)._style)
            else:
                cell._style = copy(known)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
        return cell

    @staticmethod
    def _styled(cell: SheetCell, style: _Style) -> SheetCell:
        number_format, font, fill, alignment = style
        if number_format:
            cell.number_format = number_format
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        if alignment:
            cell.alignment = alignment
        return cell


#: Characters that take two columns (CJK), as _display_width counts them.
_WIDE = "[\u2e81-\U0010ffff]"


@dataclass(frozen=True)
class _Pending:
    """Rows kept as columns until the sheet's style ids are known: each number column's kind and currency
    (one, or a currency per row)."""

    stored: StoredRows
    styles: list[tuple[Kind, pl.Series | str] | None]

    def columns(self, formats: dict[_FormatKey, _Style], ids: Mapping[Hashable, int]) -> ColumnRows:
        """The rows for `bulk_sheet_data`, each number's style id looked up from its format."""
        number_styles: list[int | pl.Series | None] = []
        for style in self.styles:
            if style is None:
                number_styles.append(None)
                continue
            kind, currency = style
            if isinstance(currency, str):
                number_styles.append(ids[formats[_plain(kind, currency)]])
            else:
                used = [c for c in currency.unique().to_list() if _plain(kind, c) in formats]
                by_currency = {c: ids[formats[_plain(kind, c)]] for c in used}
                number_styles.append(currency.replace_strict(by_currency, default=0, return_dtype=pl.UInt32))
        return ColumnRows(self.stored.frame, number_styles, self.stored.empty)


def _display_width(text: str) -> int:
    """Columns a text needs: CJK characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


#: What a wrapped line breaks between: a word and the spaces after it, a CJK character, or spaces.
_WRAP_TOKENS = re.compile(rf"{_WIDE}|[^\s\u2e81-\U0010ffff]+\s*|\s+")


def _wrapped_lines(text: str, width: float) -> int:
    """Lines a text takes in a cell `width` columns wide that wraps it: a word moves to the next line whole
    (one longer than a line breaks inside), a CJK character alone."""
    room = width - 2  # the cell's margins, and letters a little wider than the digit a column is measured by
    lines = 0
    for paragraph in text.split("\n"):
        lines, used = lines + 1, 0.0
        for token in _WRAP_TOKENS.findall(paragraph):
            if used and used + _display_width(token.rstrip()) > room:
                lines, used = lines + 1, 0.0
            used += _display_width(token)
            while used > room and token.strip():
                lines, used = lines + 1, used - room
    return lines


def _number_width(cell: Cell) -> int:
    """Columns a number needs: its text on the card, or, for one only the workbook shows, its digits and room
    for a currency symbol and thousands separators."""
    return _display_width(cell.text) if cell.text else len(str(cell.value)) + 4  # `+10.0 个百分点`: CJK is wide


def open_workbook(
    sheet_name: str,
    locale: str,
    currency: str,
    title: str,
    subtitle: str,
    restated: Restated | None,
    caveats: Sequence[str] = (),
) -> tuple[Workbook, SheetWriter]:
    """A new workbook whose first sheet starts with the page's title, subtitle, what the month's data may not say
    (`caveats`, as the page's red lines) and any restatement notice."""
    workbook = Workbook(write_only=True)
    out = SheetWriter(workbook.create_sheet(sheet_name[:31]), locale, currency)
    out.line(title, font=TITLE)
    out.line(subtitle)
    for caveat in caveats:
        out.spilling(caveat, font=CAVEAT)
    if restated:  # sentences: they run on to the right rather than widen the first column
        out.spilling(restated.title, font=BOLD)
        for line in restated.lines:
            out.spilling(line)
    return workbook, out
