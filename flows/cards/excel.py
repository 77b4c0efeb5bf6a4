"""Writing workbooks: text that Excel will never evaluate, and bytes that do not depend on the clock."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.utils import get_column_letter

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


def bulk_sheet_data(rows: Iterable[Sequence[BulkCell]], style_ids: Mapping[Hashable, int], quoted: int) -> bytes:
    """The `<sheetData>` of a sheet of plain rows, as openpyxl would write it, without a cell object per cell.

    For the long evidence sheet, where openpyxl's cell-by-cell writer is the slow part. Text is inline
    text, inert as `set_text` makes it: characters a worksheet cannot hold become U+FFFD and
    text that could start a formula gets the style `quoted` (quote prefix). Numbers keep their value, dates
    (from 1900-03-01 on) are Excel day numbers; both keep the style id (`style_ids`) of their style's key.
    """
    letters = [get_column_letter(i) for i in range(1, _MAX_COLUMNS + 1)]
    styled: dict[Hashable, str] = {key: f' s="{number}"' for key, number in style_ids.items()}
    styled[None] = ""
    quote = f' s="{quoted}"'
    days: dict[date, int] = {}
    out = ["<sheetData>"]
    append = out.append
    for number, row in enumerate(rows, start=1):
        append(f'<row r="{number}">')
        if len(row) > len(letters):
            letters = [get_column_letter(i) for i in range(1, len(row) + 1)]
        for letter, (value, style) in zip(letters, row, strict=False):
            if value is None:
                continue
            if isinstance(value, str):
                if not value:  # nothing to show: no cell
                    continue
                text = value if value.isprintable() else _UNWRITABLE.sub("\ufffd", value)
                stripped = text.strip()
                space = ' xml:space="preserve"' if stripped != text else ""
                append(
                    f'<c r="{letter}{number}"{quote if text.startswith(LIVE_PREFIXES) else styled[style]}'
                    f' t="inlineStr"><is><t{space}>{text.translate(_XML_TEXT)}</t></is></c>'
                )
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


def save_deterministic(workbook: object, path: Path, sheet_data: Mapping[str, bytes] | None = None) -> None:
    """Save a workbook so that the same content always gives the same bytes.

    `sheet_data`: per worksheet part (`xl/worksheets/sheet2.xml`), the `bulk_sheet_data` of a write-only
    sheet saved without rows.
    """
    buffer = io.BytesIO()
    workbook.save(buffer)  # type: ignore[attr-defined]
    buffer.seek(0)
    fixed = io.BytesIO()  # the file is written in one call: a failed write leaves no half-open archive behind
    pending = dict(sheet_data or {})
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
            target.writestr(entry, data)
    if pending:
        raise ValueError(f"no worksheet part {sorted(pending)} in the workbook")
    path.write_bytes(fixed.getvalue())
