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

import fnmatch
import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from scorecards.config.profiles import CANONICAL_PROFILE, FileFormat, Keep, Profile, TableSource
from scorecards.flows.shared.counting import counted
from scorecards.flows.shared.errors import InputError, UsageError
from scorecards.flows.sources.csv_reader import read_csv
from scorecards.flows.sources.normalise import Lookup, SourceMismatch, normalise_table, skipped_rows
from scorecards.flows.sources.parquet_reader import read_parquet
from scorecards.flows.sources.table_text import Rows, first_line
from scorecards.flows.sources.xlsx_reader import read_xlsx, refuse_macro_workbook
from scorecards.schemas.results import RawTable, UnreadableTable
from scorecards.schemas.tables import CANONICAL_SUFFIXES, TABLES

#: Suffixes a canonical table's file is also looked for under, so that such a file is refused by name
#: rather than passed over as if the table had no file.
_REFUSED_SUFFIXES = (".xlsm", ".xls")

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
    # Every entry, not only files: a folder or a link to nothing under a table's name is reported, not skipped.
    names = sorted(p.name for p in input_dir.iterdir())
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
    try:
        data = _file_bytes(path)
    except InputError as exc:
        return UnreadableTable(table, path.name, str(exc))
    # hashlib lets go of the GIL on large buffers: the hash is computed while polars parses.
    with ThreadPoolExecutor(max_workers=1) as pool:
        digest = pool.submit(lambda: hashlib.sha256(data).hexdigest())
        return _read_hashed(table, path, data, digest, profile, lookups)


def _file_bytes(path: Path) -> bytes:
    """The bytes of a file of the input folder; InputError when it is no file (a folder, a link to nothing) or
    cannot be read."""
    if not path.is_file():
        kind = "a folder" if path.is_dir() else "a link to nothing" if not path.exists() else "not a regular file"
        raise InputError(f"not a file: it is {kind}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot be read: {exc.strerror or exc}") from None


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
        rows = _read_rows(path, data, fmt)
        frame, row_numbers = rows.frame, rows.row_numbers
        if source is not None:
            if fmt.ends_at_blank_row:
                frame, row_numbers, skipped = _before_first_blank_row(rows)
            _refuse_header_only(frame, skipped, rows.first_row)
            if source.keep is not None:
                frame, row_numbers, kept_out = _keep(frame, row_numbers, source.keep, rows.first_row, path.name)
                skipped |= kept_out
            frame, joined = _apply(table, path, frame, source, profile, lookups)
        elif TABLES[table].required:
            # A required table with no rows is as good as missing (SPEC §2): a failed export, not a quiet month,
            # whose every rep would be graded D and mailed. An optional one may be empty: no notes this month.
            _refuse_header_only(frame, skipped, rows.first_row)
    except SourceMismatch as exc:
        return UnreadableTable(table, exc.source, exc.problem)
    except InputError as exc:
        return UnreadableTable(table, path.name, str(exc))
    return RawTable(
        table=table,
        source=path.name,
        sha256=digest.result(),
        frame=frame,
        first_row=rows.first_row,
        joined=tuple(dict.fromkeys((lookup.source, lookup.sha256) for lookup in joined)),
        row_numbers=row_numbers,
        skipped=skipped,
    )


def _refuse_header_only(frame: pl.DataFrame, skipped: dict[str, int], first_row: int) -> None:
    if frame.height:
        return
    if footer := skipped.get(_FOOTER):
        # A report with no records: its footer ("Grand Totals (0 records)") follows the header's blank row.
        raise InputError(
            f"no data rows: row {first_row}, right after the header, is blank, and the profile takes the "
            f"{counted(footer, 'row')} after it as the report's footer (does the report have no records? if they"
            " are data, the profile should not set ends_at_blank_row)"
        )
    raise InputError("header row only, no data rows (is the export's filter too narrow?)")


#: Why the rows after the data's first blank row are not the table's, as the report says it.
_FOOTER = "skipped by the profile (after the first blank row: the report's footer)"


def _before_first_blank_row(rows: Rows) -> tuple[pl.DataFrame, pl.Series | None, dict[str, int]]:
    """The rows before the first blank row after the header, their row numbers, and the count of the rest (a
    report's footer). The readers leave blank rows out, so the first blank row is the first gap in the row
    numbers, counted from the row after the header: a blank row right after it leaves no data row."""
    frame, row_numbers, first_row = rows
    if row_numbers is None or row_numbers.is_empty():
        return frame, row_numbers, {}
    gaps = (row_numbers.diff().fill_null(row_numbers[0] - first_row + 1) > 1).arg_true()
    if gaps.is_empty():
        return frame, row_numbers, {}
    end = int(gaps[0])
    return frame.head(end), row_numbers.head(end), {_FOOTER: frame.height - end}


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
    paths = [main.parent / n for n in _matching(sorted(p.name for p in main.parent.iterdir()), patterns)]
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
            data = _file_bytes(paths[0])
            cache[key] = Lookup(paths[0].name, read_table_file(paths[0], data, fmt), hashlib.sha256(data).hexdigest())
        except InputError as exc:
            cache[key] = SourceMismatch(paths[0].name, str(exc))
    found_lookup = cache[key]
    if isinstance(found_lookup, SourceMismatch):
        raise found_lookup
    return found_lookup


def read_table_file(path: Path, data: bytes, fmt: FileFormat) -> pl.DataFrame:
    """A file's bytes as a table of text columns, by the reader its suffix names, without a footer when the
    format ends at the first blank row; InputError when they are none."""
    rows = _read_rows(path, data, fmt)
    return _before_first_blank_row(rows)[0] if fmt.ends_at_blank_row else rows.frame


def _read_rows(path: Path, data: bytes, fmt: FileFormat) -> Rows:
    reader = _READERS.get(path.suffix.casefold())
    if reader is None:
        readable = [suffix for suffix, read in _READERS.items() if read is not refuse_macro_workbook]
        use = f"{', '.join(readable[:-1])} or {readable[-1]}"
        raise InputError(f"cannot read {path.suffix or 'suffix-less'} files as a table (use {use})")
    try:
        return reader(data, fmt)
    except InputError:
        raise
    # the readers' own errors (polars' panics are not Exceptions): a file that is not the table it claims to be
    except (Exception, pl.exceptions.PanicException) as exc:
        raise InputError(f"cannot be read as a {path.suffix[1:]} table: {first_line(exc)}") from None


_READERS: dict[str, Callable[[bytes, FileFormat], Rows]] = {
    ".csv": read_csv,
    ".txt": read_csv,
    ".tsv": read_csv,
    ".xlsx": read_xlsx,
    ".xlsm": refuse_macro_workbook,
    ".parquet": read_parquet,
}
