"""Reading a CSV (or .txt, .tsv) export as a table of text cells, and saying why when its bytes are not one."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import replace
from typing import Any

import polars as pl

from scorecards.config.profiles import CANONICAL, FileFormat
from scorecards.flows.shared.errors import InputError
from scorecards.flows.sources.table_text import Rows, column_names, first_line, refuse_repeated

_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32 LE"),
    (codecs.BOM_UTF32_BE, "UTF-32 BE"),
    (codecs.BOM_UTF8, "UTF-8"),
    (codecs.BOM_UTF16_LE, "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "UTF-16 BE"),
)
#: The encodings (as codecs names them) that read a file starting with each byte-order mark.
_READS_BOM = {
    "UTF-8": ("utf-8", "utf-8-sig"),
    "UTF-16 LE": ("utf-16", "utf-16-le"),
    "UTF-16 BE": ("utf-16", "utf-16-be"),
    "UTF-32 LE": ("utf-32", "utf-32-le"),
    "UTF-32 BE": ("utf-32", "utf-32-be"),
}
_MAGIC = (
    (b"PK\x03\x04", "a zip file (an .xlsx saved under a .csv name? name it .xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls file (save it as .xlsx or CSV)"),
    (b"%PDF", "a PDF file"),
)


def read_csv(data: bytes, fmt: FileFormat) -> Rows:
    """The file's rows as text columns named by its header row, blank rows left out; InputError saying why when
    its bytes are not such a table (encoding, quotes, a row longer than the header)."""
    if not data or data.isspace():
        raise InputError("empty file (not even a header row)")
    # The common case is read straight from the bytes: decoding a large file in Python and
    # encoding it again costs more than polars' whole read. Bad bytes fail polars' strict
    # read; decode_text then names the byte.
    plain = _plain_utf8(data, fmt)
    utf8 = plain if plain is not None else decode_text(data, fmt).encode("utf-8")
    # Lines ended by a carriage return alone (classic Mac) when no line feed is anywhere.
    eol = "\r" if b"\n" not in utf8 and b"\r" in utf8 else "\n"
    try:
        header = _header(utf8, fmt, eol)
        # Rows are read as the header was (has_header=False counts blank lines before it as rows
        # to skip; with a header polars would skip them on top, and lose the first data row).
        body = replace(fmt, header_row=fmt.header_row + 1)
        frame = _csv_frame(
            utf8, body, eol, has_header=False, schema=dict.fromkeys(header, pl.String), missing_columns="insert"
        )
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError) as exc:
        if plain is not None:
            decode_text(data, fmt)
        raise _csv_problem(exc, utf8, fmt, eol) from None
    return _without_blank_rows(frame, fmt.header_row + 1)


def _plain_utf8(data: bytes, fmt: FileFormat) -> bytes | None:
    """The bytes polars can read as they are (UTF-8 expected, no other format's signature), else None."""
    if codecs.lookup(fmt.encoding).name != "utf-8" or any(data.startswith(magic) for magic, _ in _MAGIC):
        return None
    if b"\x00" in data:  # binary: decode_text says so
        return None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    return None if any(data.startswith(mark) for mark, _ in _BOMS) else data


def _header(utf8: bytes, fmt: FileFormat, eol: str) -> list[str]:
    """The header's column names, read by the same parser as the rows; InputError when it has none or repeats one."""
    try:
        row = _first_row(utf8, fmt, eol, raise_if_empty=False)
    except pl.exceptions.NoDataError:
        row = pl.DataFrame()
    cells = list(row.row(0)) if row.height else []
    if not any(cell and cell.strip() for cell in cells):
        where = "" if fmt.header_row > 1 else " (the first line is blank)"
        raise InputError(f"no header at row {fmt.header_row}{where}")
    header = column_names(cells)
    refuse_repeated(header)  # polars would rename the second one silently
    return header


def _csv_frame(utf8: bytes, fmt: FileFormat, eol: str, **options: Any) -> pl.DataFrame:
    return pl.read_csv(
        io.BytesIO(utf8),
        infer_schema=False,
        separator=fmt.delimiter,
        skip_rows=fmt.header_row - 1,
        encoding="utf8",
        eol_char=eol,
        **options,
    )


def _first_row(utf8: bytes, fmt: FileFormat, eol: str, **options: Any) -> pl.DataFrame:
    """The header row alone, as cells (the rows after it, however ragged, not read)."""
    return _csv_frame(utf8, fmt, eol, has_header=False, n_rows=1, truncate_ragged_lines=True, **options)


def _without_blank_rows(frame: pl.DataFrame, first_row: int) -> Rows:
    """The frame without its blank rows (every cell empty, unquoted or `""`), and the file's row number of each row
    kept."""
    # The first column alone first: a blank row is empty there too, and one column is a fraction of the work.
    if frame.width == 0 or not frame.select(_empty(pl.first())).to_series().any():
        return Rows(frame, None, first_row)
    blank = frame.select(pl.all_horizontal(_empty(pl.all()))).to_series()
    if not blank.any():
        return Rows(frame, None, first_row)
    numbers = pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64, eager=True).filter(~blank)
    return Rows(frame.filter(~blank), numbers, first_row)


def _empty(cells: pl.Expr) -> pl.Expr:
    """Whether each cell is empty: no value, or an empty (quoted) one."""
    return cells.is_null() | (cells.str.len_bytes() == 0)


def _csv_problem(exc: Exception, utf8: bytes, fmt: FileFormat, eol: str) -> InputError:
    """What stops polars splitting the text into rows, said as someone who opens the file in an editor sees it."""
    message = str(exc)
    if "more fields than defined" in message or "column names not specified in schema" in message:
        return InputError(_long_row(utf8, fmt, eol))
    unclosed = re.search(r"Field `(.*)` is not properly escaped", message, re.DOTALL)
    if unclosed or message.startswith("CSV malformed"):
        at = utf8.find(unclosed.group(1).encode()) if unclosed else _odd_quotes(utf8, eol)
        where = ""
        if at >= 0:
            text = utf8[at:].split(eol.encode(), 1)[0].rstrip(b"\r")[:60].decode(errors="replace")
            where = f" at line {utf8.count(eol.encode(), 0, at) + 1}: {text!r}"
        return InputError(
            f"a quote is not closed, or stands inside a value that is not quoted{where}; "
            'put a value with a quote in quotes and double the quote ("12"" screen")'
        )
    return InputError(f"cannot be read as a csv table: {first_line(exc)}")


def _long_row(utf8: bytes, fmt: FileFormat, eol: str) -> str:
    """Which row has more fields than the header, and the likely cause."""
    width = _first_row(utf8, fmt, eol).width
    problem = f"more fields than the header's {width}"
    # Counted by the standard library's csv module, on a file polars has refused: polars reads an empty extra
    # field as it reads a missing one, so it cannot find a row whose last field is empty. Rows are counted as a
    # spreadsheet shows them (a quoted value with line breaks is one row, a blank line is one).
    text = utf8.decode("utf-8", errors="replace")
    # csv refuses a field over its limit (128 KiB by default), which polars reads: raised, never lowered.
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    header_ends_empty = False
    try:
        for number, fields in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter), start=1):
            if number == fmt.header_row:
                header_ends_empty = bool(fields) and not fields[-1]
            elif number > fmt.header_row and len(fields) > width:
                if any(fields[width:]) or header_ends_empty:
                    return f"row {number} has {problem} (a {fmt.delimiter!r} in a value that is not quoted?)"
                cause = f"a {fmt.delimiter!r} in a value that is not quoted, or at the end of a line"
                return f"row {number} has {problem}, the last of them empty ({cause} the header does not end with?)"
    except csv.Error:  # a text csv cannot split where polars did: the row stays unnamed, the problem not
        pass
    return f"a row has {problem}"


def _odd_quotes(utf8: bytes, eol: str) -> int:
    """The offset of the first line with an odd number of quotes (-1 when there is none)."""
    offset = 0
    for line in utf8.split(eol.encode()):
        if line.count(b'"') % 2:
            return offset
        offset += len(line) + len(eol)
    return -1


def decode_text(data: bytes, fmt: FileFormat) -> str:
    """The bytes as text in the format's encoding; InputError naming the byte and the encoding when they are not."""
    label = fmt.encoding.upper()
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"not {label} text: it is {what}")
    codec = codecs.lookup(fmt.encoding).name
    bom = next((name for mark, name in _BOMS if data.startswith(mark)), None)
    if bom is not None and codec not in _READS_BOM[bom]:
        raise InputError(f"not {label} text: it starts with a {bom} byte-order mark; {_fix(fmt, _READS_BOM[bom][0])}")
    if codec in ("utf-16", "utf-32") and bom is None:
        raise InputError(f"not {label} text: it has no byte-order mark; {_fix(fmt, None)}")
    if not codec.startswith("utf") and not data.isascii() and _decodes(data, "utf-8"):
        raise InputError(f"not {label} text: it is UTF-8 text; {_fix(fmt, 'utf-8')}")
    try:
        text = data.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as exc:
        bom = len(codecs.BOM_UTF8) if codec == "utf-8" and data.startswith(codecs.BOM_UTF8) else 0
        start = bom + exc.start  # utf-8-sig counts from after the mark
        before = data[bom:start].decode(codec, errors="replace")
        where = f"byte {start}, line {_line(before, len(before))}"
        guess = _likely_encoding(data) if codec == "utf-8" else None
        # A letter of three UTF-8 bytes before the bad byte is no accident of another encoding
        # (GBK text often holds a valid two-byte sequence): the file mixes encodings.
        utf8_before = any(ord(ch) >= 0x800 and ch != "\ufffd" for ch in before)
        if codec == "utf-8" and not before.isascii() and (utf8_before or guess != "gb18030"):
            raise InputError(
                f"not {label} text ({where}): the text before it is UTF-8, "
                "so the file mixes encodings; save it again in one (UTF-8)"
            ) from None
        seen = f"it reads as {_GUESSES[guess]}: " if guess else ""
        raise InputError(f"not {label} text ({where}); {seen}{_fix(fmt, guess)}") from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(
            f"not {label} text: character {nul} (line {_line(text, nul)}) is a NUL byte "
            "(a binary file under a text file's name?)"
        )
    return text.removeprefix("\ufeff")


def _line(text: str, offset: int) -> int:
    """The line number of an offset in a text: in a file of megabytes, the place an editor can go to."""
    return text.count("\n", 0, offset) + 1


def _fix(fmt: FileFormat, encoding: str | None) -> str:
    """What to change: the file (canonical) or the profile's encoding, naming the right one when it is known."""
    if fmt.profile == CANONICAL:
        return "save it as UTF-8 or read it with a source profile (--profile)"
    if encoding is not None:
        return f'set encoding = "{encoding}" in profile {fmt.profile!r}'
    return f"set encoding in profile {fmt.profile!r} to the one the file was saved in (now {fmt.encoding!r})"


#: The encodings a file that is not UTF-8 is most often in here, and how a message names each.
_GUESSES = {"gb18030": "GB18030", "cp1252": "Windows-1252 (Western European)"}


def _likely_encoding(data: bytes) -> str | None:
    """Which of _GUESSES reads the bytes as the more plausible text; None when neither reads them.

    Nearly any bytes decode as both (`Jürgen` in Windows-1252 reads as `J黵gen` in GB18030), so the shape of the
    bytes decides first. Chinese in GBK is pairs of bytes above ASCII; Western text in Windows-1252 has such
    bytes one at a time, between ASCII letters. When a file has both shapes, charset-normalizer judges which
    encoding gives the more plausible text (it needs more text than a few names to judge well).
    """
    runs = {len(run) for run in re.findall(rb"[\x80-\xff]+", data)}
    shape = "cp1252" if runs == {1} else "gb18030" if runs and all(n % 2 == 0 for n in runs) else None
    if shape is not None and _decodes(data, shape):
        return shape
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_GUESSES)).best()
    return None if best is None else best.encoding


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
