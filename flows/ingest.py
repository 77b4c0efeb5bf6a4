"""The ingest stage: find each canonical table in an input folder and read it as text columns.

Each file is read once, from the bytes that are hashed for the manifest, so the
hash always describes exactly what was used. Every column comes back as text:
typing a value is the validate stage's job, where a bad value becomes a
quarantined row instead of a failed read.

A source profile (config/profiles.py) says which files hold which table and how
they are written; its tables come back with canonical column names and values
in canonical text (flows/profiles.py). The canonical profile reads each table
from the file named after it, unchanged.
"""

from __future__ import annotations

import codecs
import csv
import fnmatch
import hashlib
import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from scorecards.config.profiles import CANONICAL, CANONICAL_PROFILE, FileFormat, Profile, TableSource
from scorecards.flows.errors import InputError, UsageError
from scorecards.flows.profiles import Lookup, SourceMismatch, normalise_table
from scorecards.schemas.quarantine import RawTable, UnreadableTable
from scorecards.schemas.tables import TABLES

SUFFIXES = (".csv", ".xlsx", ".parquet")

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
        else:
            tables[name] = _read(name, paths[0], profile, lookups) if paths else None
    return tables


def find_table_files(input_dir: Path, profile: Profile = CANONICAL_PROFILE) -> dict[str, list[Path]]:
    """The files of each canonical table: those its profile's patterns match (ignoring case), in pattern order.

    Without a mapping a table's file is named after it, with a .csv, .xlsx or
    .parquet suffix; a table the profile does not provide has none.
    """
    names = sorted(p.name for p in input_dir.iterdir() if p.is_file())
    found: dict[str, list[Path]] = {}
    for table in TABLES:
        source = profile.tables.get(table)
        patterns = source.files if source is not None else [f"{table}{suffix}" for suffix in SUFFIXES]
        found[table] = [] if table in profile.not_provided else [input_dir / n for n in _matching(names, patterns)]
    return found


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
    source = profile.tables.get(table)
    fmt = profile.file_format(table)
    joined: tuple[Lookup, ...] = ()
    try:
        frame = read_table_file(path, data, fmt)
        if source is not None:
            frame, joined = _apply(table, path, frame, source, profile, lookups)
    except SourceMismatch as exc:
        return UnreadableTable(table, exc.source, exc.problem)
    except InputError as exc:
        return UnreadableTable(table, path.name, str(exc))
    return RawTable(
        table=table,
        source=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        frame=frame,
        first_row=fmt.header_row + 1,
        joined=tuple(dict.fromkeys((lookup.source, lookup.sha256) for lookup in joined)),
    )


def _apply(
    table: str,
    path: Path,
    frame: pl.DataFrame,
    source: TableSource,
    profile: Profile,
    lookups: dict[tuple[Path, FileFormat], Lookup | SourceMismatch],
) -> tuple[pl.DataFrame, tuple[Lookup, ...]]:
    if frame.height == 0:
        raise InputError("header row only, no data rows (is the export's filter too narrow?)")
    joined = {
        alias: _lookup(path, alias, profile.file_format(table, alias), join.files, lookups)
        for alias, join in source.joins.items()
    }
    normalised = normalise_table(frame, source, profile.file_format(table), TABLES[table], path.name, joined)
    return normalised, tuple(joined.values())


def _lookup(
    main: Path,
    alias: str,
    fmt: FileFormat,
    patterns: list[str],
    cache: dict[tuple[Path, FileFormat], Lookup | SourceMismatch],
) -> Lookup:
    """A joined file, read once per run however many joins use it."""
    paths = [main.parent / n for n in _matching(sorted(p.name for p in main.parent.iterdir() if p.is_file()), patterns)]
    wanted = " or ".join(repr(p) for p in patterns)
    if not paths:
        raise SourceMismatch(main.name, f"join {alias!r}: no file in the input folder matches {wanted}")
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
    reader = _READERS.get(path.suffix.casefold())
    if reader is None:
        raise InputError(
            f"cannot read {path.suffix or 'suffix-less'} files as a table (use .csv, .txt, .xlsx or .parquet)"
        )
    try:
        return reader(data, fmt)
    except InputError:
        raise
    except Exception as exc:  # the readers' own errors: a file that is not the table it claims to be
        raise InputError(f"cannot be read as a {path.suffix[1:]} table: {_first_line(exc)}") from None


def _read_csv(data: bytes, fmt: FileFormat) -> pl.DataFrame:
    if not data or data.isspace():
        raise InputError("empty file (not even a header row)")
    utf8 = _plain_utf8(data, fmt)
    if utf8 is not None:
        # The common case, read straight from the bytes: decoding a large file in Python and
        # encoding it again costs more than polars' whole read. Bad bytes fail polars' strict
        # read; decode_text then names the byte.
        _check_header(utf8[: 1 << 16].decode("utf-8", errors="ignore"), fmt)
        try:
            return _parse_csv(utf8, fmt)
        except pl.exceptions.ComputeError:
            decode_text(data, fmt)
            raise
    text = decode_text(data, fmt)
    _check_header(text, fmt)
    return _parse_csv(text.encode("utf-8"), fmt)


def _plain_utf8(data: bytes, fmt: FileFormat) -> bytes | None:
    """The bytes polars can read as they are (UTF-8 expected, no other format's signature), else None."""
    if codecs.lookup(fmt.encoding).name != "utf-8" or any(data.startswith(magic) for magic, _ in _MAGIC):
        return None
    if b"\x00" in data:  # binary: decode_text says so
        return None
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    return None if any(data.startswith(mark) for mark, _ in _BOMS) else data


def _check_header(text: str, fmt: FileFormat) -> None:
    rows = csv.reader(io.StringIO(text), delimiter=fmt.delimiter)
    header = next((row for i, row in enumerate(rows, start=1) if i == fmt.header_row), None)
    if not header or not any(cell.strip() for cell in header):
        raise InputError(
            f"no header at row {fmt.header_row}" if fmt.header_row > 1 else "empty file (not even a header row)"
        )
    _refuse_repeated(header)  # polars would rename the second one silently


def _parse_csv(utf8: bytes, fmt: FileFormat) -> pl.DataFrame:
    return pl.read_csv(
        io.BytesIO(utf8),
        infer_schema=False,
        separator=fmt.delimiter,
        skip_rows=fmt.header_row - 1,
        encoding="utf8",
    )


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
        guess = "gb18030" if codec == "utf-8" and _decodes(data, "gb18030") else None
        seen = "it reads as GB18030: " if guess else ""
        raise InputError(f"not {label} text (byte {exc.start}); {seen}{_fix(fmt, guess)}") from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(f"not {label} text: character {nul} is a NUL byte (a binary file under a text file's name?)")
    return text.removeprefix("\ufeff")


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


def _refuse_zip_bomb(data: bytes) -> None:
    """InputError when the workbook would unpack to more than the limits allow (checked before opening it)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except zipfile.BadZipFile:
        return  # openpyxl's own error names it
    if unpacked > XLSX_MAX_UNPACKED or unpacked > XLSX_MAX_RATIO * max(len(data), 1):
        raise InputError(
            f"refused: it would unpack to {unpacked:,} bytes from {len(data):,} "
            f"(limits {XLSX_MAX_UNPACKED:,} bytes and {XLSX_MAX_RATIO}× its size)"
        )


def _read_xlsx(data: bytes, fmt: FileFormat) -> pl.DataFrame:
    from openpyxl import load_workbook

    _refuse_zip_bomb(data)
    # data_only: a formula cell gives its cached value; nothing in the file is ever evaluated.
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = _sheet(workbook, fmt.sheet)
        rows = [
            row for row in sheet.iter_rows(min_row=fmt.header_row, values_only=True) if any(v is not None for v in row)
        ]
    finally:
        workbook.close()
    if not rows:
        raise InputError("empty sheet (not even a header row)")
    if any(v is None for v in rows[0]):
        _refuse_merged_header(data, fmt)
    header = [_cell_text(v) or f"column_{i + 1}" for i, v in enumerate(rows[0])]
    _refuse_repeated(header)
    columns = list(zip(*[tuple(row) + (None,) * (len(header) - len(row)) for row in rows[1:]], strict=False))
    if not columns:
        columns = [() for _ in header]
    return pl.DataFrame(
        {name: [_cell_text(v, fmt.decimal) for v in values] for name, values in zip(header, columns, strict=False)},
        schema={name: pl.String for name in header},
    )


def _sheet(workbook: Any, name: str | None) -> Any:
    if name is None:
        return workbook.worksheets[0]
    if name not in workbook.sheetnames:
        raise InputError(f"no sheet named {name!r} (sheets: {', '.join(workbook.sheetnames)})")
    return workbook[name]


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


def _read_parquet(data: bytes, fmt: FileFormat) -> pl.DataFrame:
    frame = pl.read_parquet(io.BytesIO(data))
    return frame.select(_parquet_text(pl.col(name), dtype, fmt.decimal) for name, dtype in frame.schema.items())


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


_READERS: dict[str, Callable[[bytes, FileFormat], pl.DataFrame]] = {
    ".csv": _read_csv,
    ".txt": _read_csv,
    ".tsv": _read_csv,
    ".xlsx": _read_xlsx,
    ".xlsm": _read_xlsx,
    ".parquet": _read_parquet,
}
