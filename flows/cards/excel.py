"""Writing workbooks: text that Excel will never evaluate, and bytes that do not depend on the clock."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

from scorecards.flows.shared.inert_text import LIVE_PREFIXES

_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FIXED_DOC_TIME = "2000-01-01T00:00:00Z"
_DOC_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def set_text(cell: Cell, text: str) -> None:
    """Store text in a cell as a plain string, even when it looks like a formula.

    Control characters a worksheet cannot hold (bell, escape, vertical tab, ...) become U+FFFD.
    """
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    cell.value = text
    # Every sign counts here, plain numbers too: a quote-prefixed string cell shows the same text.
    if text.startswith(LIVE_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True


def save_deterministic(workbook: object, path: Path) -> None:
    """Save a workbook so that the same content always gives the same bytes."""
    buffer = io.BytesIO()
    workbook.save(buffer)  # type: ignore[attr-defined]
    buffer.seek(0)
    fixed = io.BytesIO()  # the file is written in one call: a failed write leaves no half-open archive behind
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _DOC_TIMES.sub(rb"\g<1>" + _FIXED_DOC_TIME.encode() + rb"\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    path.write_bytes(fixed.getvalue())
