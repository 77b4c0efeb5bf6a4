"""The ingest stage: find each canonical table in an input folder and read it as text columns.

Each file is read once, from the bytes that are hashed for the manifest, so the
hash always describes exactly what was used. Every column comes back as text:
typing a value is the validate stage's job, where a bad value becomes a
quarantined row instead of a failed read.

A source profile (config/profiles.py) says which files hold which table and how
they are written; its tables come back with canonical column names and values
in canonical text (flows/sources/normalise.py). The canonical profile reads each table
from the file named after it, unchanged.
"""

from __future__ import annotations

import codecs
import fnmatch
import hashlib
import io
import re
import signal
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from scorecards.config.profiles import CANONICAL, CANONICAL_PROFILE, FileFormat, Keep, Profile, TableSource
from scorecards.flows.shared.errors import InputError, UsageError
from scorecards.flows.sources.normalise import Lookup, SourceMismatch, normalise_table, skipped_rows
from scorecards.schemas.results import RawTable, UnreadableTable
from scorecards.schemas.tables import CANONICAL_SUFFIXES, TABLES

#: Suffixes a canonical table's file is also looked for under, so that such a file is refused by name
#: rather than passed over as if the table had no file.
_REFUSED_SUFFIXES = (".xlsm", ".xls")

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

Tables = dict[str, RawTable | UnreadableTable | None]
#: A file read as a table: its text columns, and each row's number in the file when they do not run on
#: from the row after the header (blank rows, which are not data rows, were left out).
Rows = tuple[pl.DataFrame, pl.Series | None]


def read_inputs(input_dir: Path, profile: Profile = CANONICAL_PROFILE) -> Tables:
    """Every canonical table found in the folder, as the profile maps it (None for a table that has no file).

    A file that cannot be read as a table, or does not have the shape the
    profile describes, comes back as UnreadableTable, so that the validate
    stage reports it beside every other problem.
    """
    if not input_dir.is_dir():
        raise UsageError(f"{input_dir}: input folder not found")
    files = find_table_files(input_dir, profile)
    claimed = _claimed_twice(files)
    lookups: dict[tuple[Path, FileFormat], Lookup | SourceMismatch] = {}
    tables: Tables = {}
    for name, paths in files.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            tables[name] = UnreadableTable(name, names, "several files for one table; keep one")
        elif paths and paths[0] in claimed:
            tables[name] = UnreadableTable(name, paths[0].name, f"matches the file patterns of {claimed[paths[0]]}")
        elif paths:
            tables[name] = _read(name, paths[0], profile, lookups)
        elif TABLES[name].required and name in profile.tables:
            # The validate stage would name the canonical files; the profile looked for others.
            patterns = " or ".join(profile.tables[name].files)
            problem = f"required table missing (no file matches {patterns} of profile {profile.name!r})"
            tables[name] = UnreadableTable(name, name, problem)
        else:
            tables[name] = None
    return tables


def find_table_files(input_dir: Path, profile: Profile = CANONICAL_PROFILE) -> dict[str, list[Path]]:
    """The files of each canonical table: those its profile's patterns match (ignoring case), in pattern order.

    Without a mapping a table's file is named after it, with a .csv, .xlsx or
    .parquet suffix (or .xlsm or .xls, to be refused); a table the profile does
    not provide has none.
    """
    names = sorted(p.name for p in input_dir.iterdir() if p.is_file())
    found: dict[str, list[Path]] = {}
    for table in TABLES:
        source = profile.tables.get(table)
        patterns = (
            source.files if source is not None else [f"{table}{s}" for s in (*CANONICAL_SUFFIXES, *_REFUSED_SUFFIXES)]
        )
        found[table] = [] if table in profile.not_provided else [input_dir / n for n in _matching(names, patterns)]
    return found


def files_not_read(input_dir: Path, profile: Profile = CANONICAL_PROFILE) -> list[str]:
    """The files of the folder that neither a table nor a joined file of the profile matches (hidden ones aside):
    a misnamed export (`target.csv`) would otherwise leave its table out without a word."""
    names = sorted(p.name for p in input_dir.iterdir() if p.is_file() and not p.name.startswith("."))
    read = {path.name for paths in find_table_files(input_dir, profile).values() for path in paths}
    for source in profile.tables.values():
        for join in source.joins.values():
            read.update(_matching(names, join.files))
    return [name for name in names if name not in read]


def _matching(names: list[str], patterns: list[str]) -> list[str]:
    matched: list[str] = []
    for pattern in patterns:
        matched += [n for n in names if fnmatch.fnmatchcase(n.casefold(), pattern.casefold()) and n not in matched]
    return matched


def _claimed_twice(files: dict[str, list[Path]]) -> dict[Path, str]:
    """Files that the patterns of more than one table match, with those tables' names."""
    owners: dict[Path, list[str]] = {}
    for table, paths in files.items():
        for path in paths:
            owners.setdefault(path, []).append(table)
    return {path: " and ".join(tables) for path, tables in owners.items() if len(tables) > 1}


def _read(
    table: str, path: Path, profile: Profile, lookups: dict[tuple[Path, FileFormat], Lookup | SourceMismatch]
) -> RawTable | UnreadableTable:
    data = path.read_bytes()
    # hashlib lets go of the GIL on large buffers: the hash is computed while polars parses.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda: hashlib.sha256(data).hexdigest())
        return _read_hashed(table, path, data, digest, profile, lookups)


def _read_hashed(
    table: str,
    path: Path,
    data: bytes,
    digest: Future[str],
    profile: Profile,
    lookups: dict[tuple[Path, FileFormat], Lookup | SourceMismatch],
) -> RawTable | UnreadableTable:
    source = profile.tables.get(table)
    fmt = profile.file_format(table)
    joined: tuple[Lookup, ...] = ()
    skipped: dict[str, int] = {}
    try:
        frame, row_numbers = _read_rows(path, data, fmt)
        if source is not None:
            _refuse_header_only(frame)
            if source.keep is not None:
                frame, row_numbers, skipped = _keep(frame, row_numbers, source.keep, fmt.header_row + 1, path.name)
            frame, joined = _apply(table, path, frame, source, profile, lookups)
    except SourceMismatch as exc:
        return UnreadableTable(table, exc.source, exc.problem)
    except InputError as exc:
        return UnreadableTable(table, path.name, str(exc))
    return RawTable(
        table=table,
        source=path.name,
        sha256=digest.result(),
        frame=frame,
        first_row=fmt.header_row + 1,
        joined=tuple(dict.fromkeys((lookup.source, lookup.sha256) for lookup in joined)),
        row_numbers=row_numbers,
        skipped=skipped,
    )


def _refuse_header_only(frame: pl.DataFrame) -> None:
    if frame.height == 0:
        raise InputError("header row only, no data rows (is the export's filter too narrow?)")


def _keep(
    frame: pl.DataFrame, row_numbers: pl.Series | None, keep: Keep, first_row: int, file: str
) -> tuple[pl.DataFrame, pl.Series | None, dict[str, int]]:
    """The rows the profile keeps, their row numbers in the file, and the count of the others by why."""
    skipped = skipped_rows(frame, keep, file)
    count = int(skipped.sum())
    if not count:
        return frame, row_numbers, {}
    if row_numbers is None:
        row_numbers = pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64, eager=True)
    return frame.filter(~skipped), row_numbers.filter(~skipped), {keep.reason: count}


def _apply(
    table: str,
    path: Path,
    frame: pl.DataFrame,
    source: TableSource,
    profile: Profile,
    lookups: dict[tuple[Path, FileFormat], Lookup | SourceMismatch],
) -> tuple[pl.DataFrame, tuple[Lookup, ...]]:
    joined = {
        alias: _lookup(path, alias, profile.file_format(table, alias), join.files, join.hint, lookups)
        for alias, join in source.joins.items()
    }
    normalised = normalise_table(frame, source, profile.file_format(table), TABLES[table], path.name, joined)
    return normalised, tuple(joined.values())


def _lookup(
    main: Path,
    alias: str,
    fmt: FileFormat,
    patterns: list[str],
    hint: str,
    cache: dict[tuple[Path, FileFormat], Lookup | SourceMismatch],
) -> Lookup:
    """A joined file, read once per run however many joins use it."""
    paths = [main.parent / n for n in _matching(sorted(p.name for p in main.parent.iterdir() if p.is_file()), patterns)]
    wanted = " or ".join(repr(p) for p in patterns)
    if not paths:
        todo = f": {hint}" if hint else ""
        raise SourceMismatch(main.name, f"join {alias!r}: no file in the input folder matches {wanted}{todo}")
    if len(paths) > 1:
        found = ", ".join(p.name for p in paths)
        raise SourceMismatch(main.name, f"join {alias!r}: several files match {wanted} ({found}); keep one")
    key = (paths[0], fmt)
    if key not in cache:
        try:
            data = paths[0].read_bytes()
            cache[key] = Lookup(paths[0].name, read_table_file(paths[0], data, fmt), hashlib.sha256(data).hexdigest())
        except InputError as exc:
            cache[key] = SourceMismatch(paths[0].name, str(exc))
    found_lookup = cache[key]
    if isinstance(found_lookup, SourceMismatch):
        raise found_lookup
    return found_lookup


def read_table_file(path: Path, data: bytes, fmt: FileFormat) -> pl.DataFrame:
    """A file's bytes as a table of text columns, by the reader its suffix names; InputError when they are none."""
    return _read_rows(path, data, fmt)[0]


def _read_rows(path: Path, data: bytes, fmt: FileFormat) -> Rows:
    reader = _READERS.get(path.suffix.casefold())
    if reader is None:
        readable = [suffix for suffix, read in _READERS.items() if read is not _refuse_macro_workbook]
        use = f"{', '.join(readable[:-1])} or {readable[-1]}"
        raise InputError(f"cannot read {path.suffix or 'suffix-less'} files as a table (use {use})")
    try:
        return reader(data, fmt)
    except InputError:
        raise
    # the readers' own errors (polars' panics are not Exceptions): a file that is not the table it claims to be
    except (Exception, pl.exceptions.PanicException) as exc:
        raise InputError(f"cannot be read as a {path.suffix[1:]} table: {_first_line(exc)}") from None


def _read_csv(data: bytes, fmt: FileFormat) -> Rows:
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
    header = _column_names(cells)
    _refuse_repeated(header)  # polars would rename the second one silently
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


def _column_names(cells: list[Any]) -> list[str]:
    """A header's cells as column names: trimmed (as cells are), a blank one named after its position."""
    names = [(cell or "").replace("\ufeff", "").strip() for cell in cells]
    return [name or f"column_{i + 1}" for i, name in enumerate(names)]


def _without_blank_rows(frame: pl.DataFrame, first_row: int) -> Rows:
    """The frame without its blank rows (every cell empty), and the file's row number of each row kept."""
    blank = frame.select(pl.all_horizontal(pl.all().is_null())).to_series()
    if not blank.any():
        return frame, None
    numbers = pl.int_range(first_row, first_row + frame.height, dtype=pl.Int64, eager=True).filter(~blank)
    return frame.filter(~blank), numbers


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
    return InputError(f"cannot be read as a csv table: {_first_line(exc)}")


def _long_row(utf8: bytes, fmt: FileFormat, eol: str) -> str:
    """Which row has more fields than the header (read again one column wider to find it)."""
    width = _first_row(utf8, fmt, eol).width
    problem = f"more fields than the header's {width}"
    try:
        wider = _csv_frame(
            utf8,
            replace(fmt, header_row=fmt.header_row + 1),
            eol,
            has_header=False,
            schema={f"column_{i}": pl.String for i in range(width + 1)},
            missing_columns="insert",
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError:
        wider = pl.DataFrame({f"column_{width}": []}, schema={f"column_{width}": pl.String})
    extra = wider.get_column(f"column_{width}").is_not_null().arg_true()
    if extra.len():  # an extra field with a value in it; an empty one polars cannot tell from a missing one
        return f"row {fmt.header_row + 1 + extra[0]} has {problem} (a {fmt.delimiter!r} in a value that is not quoted?)"
    return f"a row has {problem} (a {fmt.delimiter!r} at the end of a line the header does not end with?)"


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
        guess = "gb18030" if codec == "utf-8" and _decodes(data, "gb18030") else None
        # A letter of three UTF-8 bytes before the bad byte is no accident of another encoding
        # (GBK text often holds a valid two-byte sequence): the file mixes encodings.
        utf8_before = any(ord(ch) >= 0x800 and ch != "\ufffd" for ch in before)
        if codec == "utf-8" and not before.isascii() and (utf8_before or guess is None):
            raise InputError(
                f"not {label} text ({where}): the text before it is UTF-8, "
                "so the file mixes encodings; save it again in one (UTF-8)"
            ) from None
        seen = "it reads as GB18030: " if guess else ""
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


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def _refuse_repeated(header: list[str]) -> None:
    seen: set[str] = set()
    repeated = [h for h in header if h in seen or seen.add(h)]  # type: ignore[func-returns-value]
    if repeated:
        raise InputError(f"header names a column twice: {', '.join(repr(h) for h in dict.fromkeys(repeated))}")


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


def _refuse_macro_workbook(data: bytes, fmt: FileFormat) -> Rows:
    raise InputError(MACROS_REFUSED)


def _read_xlsx(data: bytes, fmt: FileFormat) -> Rows:
    from openpyxl import load_workbook

    _refuse_unsafe_zip(data)
    # data_only: a formula cell gives its cached value; nothing in the file is ever evaluated.
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = _sheet(workbook, fmt.sheet)
        # Read every row and column there is: a read-only sheet otherwise stops at the size the
        # file declares, and a file that declares too small a size would lose the rest unseen.
        sheet.reset_dimensions()
        rows = [
            (number, row)
            for number, row in enumerate(sheet.iter_rows(min_row=fmt.header_row, values_only=True), fmt.header_row)
            if any(v is not None for v in row)
        ]
    finally:
        workbook.close()
    if not rows:
        raise InputError("empty sheet (not even a header row)")
    width = max(len(row) for _, row in rows)
    cells = [tuple(row) + (None,) * (width - len(row)) for _, row in rows]
    if any(v is None for v in cells[0]):
        _refuse_merged_header(data, fmt)
    header = _column_names([_cell_text(v) for v in cells[0]])
    _refuse_repeated(header)
    columns = list(zip(*cells[1:], strict=True)) or [() for _ in header]
    frame = pl.DataFrame(
        {name: [_cell_text(v, fmt.decimal) for v in values] for name, values in zip(header, columns, strict=True)},
        schema={name: pl.String for name in header},
    )
    return frame, pl.Series([number for number, _ in rows[1:]], dtype=pl.Int64)


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


# Run in a child process: on some damaged files polars' parquet reader aborts the whole process
# (it tries to allocate exabytes), which no exception handler can catch. The child sends the table
# back as Arrow IPC, which polars wrote itself.
_PARQUET_CHILD = (
    "import io, sys, polars as pl\n"
    "frame = pl.read_parquet(io.BytesIO(sys.stdin.buffer.read()))\n"
    "out = io.BytesIO(); frame.write_ipc(out); sys.stdout.buffer.write(out.getvalue())\n"
)


def _read_parquet(data: bytes, fmt: FileFormat) -> Rows:
    frame = _parquet_in_a_child(data)
    return frame.select(_parquet_text(pl.col(name), dtype, fmt.decimal) for name, dtype in frame.schema.items()), None


def _parquet_in_a_child(data: bytes) -> pl.DataFrame:
    """The parquet file's table, decoded in a child process; InputError when the reader fails or dies on it."""
    # -I and a neutral working directory: no module in the (attacker-supplied) current folder is imported.
    child = subprocess.run(
        [sys.executable, "-I", "-c", _PARQUET_CHILD],
        input=data,
        capture_output=True,
        check=False,
        cwd=tempfile.gettempdir(),
    )
    if child.returncode < 0:
        signame = signal.Signals(-child.returncode).name
        raise InputError(f"cannot be read as a parquet table: it is damaged (the reader died on it, {signame})")
    if child.returncode != 0:
        said = [line for line in child.stderr.decode(errors="replace").splitlines() if line.strip()]
        last = said[-1].split(": ", 1)[-1] if said else f"exit status {child.returncode}"
        raise InputError(f"cannot be read as a parquet table: {last}")
    return pl.read_ipc(io.BytesIO(child.stdout))


def _parquet_text(column: pl.Expr, dtype: pl.DataType, decimal: str) -> pl.Expr:
    if dtype == pl.Datetime:
        return column.dt.date().cast(pl.String)
    text = column.cast(pl.String)
    if decimal != "." and (dtype.is_float() or dtype.is_decimal()):
        return text.str.replace(".", decimal, literal=True)
    return text


def _cell_text(value: Any, decimal: str = ".") -> str | None:
    """An Excel cell as the text a CSV export of it would hold (numbers with the file's decimal mark)."""
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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


_READERS: dict[str, Callable[[bytes, FileFormat], Rows]] = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_csv,
    ".xlsx": _read_xlsx,
    ".xlsm": _refuse_macro_workbook,
    ".parquet": _read_parquet,
}
