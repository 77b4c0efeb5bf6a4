"""The ingest stage: find each canonical table in an input folder and read it as text columns.

Each file is read once, from the bytes that are hashed for the manifest, so the
hash always describes exactly what was used. Every column comes back as text:
typing a value is the validate stage's job, where a bad value becomes a
quarantined row instead of a failed read.
"""

from __future__ import annotations

import csv
import hashlib
import io
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from scorecards.flows.errors import InputError, UsageError
from scorecards.schemas.quarantine import RawTable, UnreadableTable
from scorecards.schemas.tables import TABLES

SUFFIXES = (".csv", ".xlsx", ".parquet")


def read_inputs(input_dir: Path) -> dict[str, RawTable | UnreadableTable | None]:
    """Every canonical table found in the folder (None for a table that has no file).

    A file that cannot be read as a table comes back as UnreadableTable, so that
    the validate stage reports it beside every other problem.
    """
    if not input_dir.is_dir():
        raise UsageError(f"{input_dir}: input folder not found")
    tables: dict[str, RawTable | UnreadableTable | None] = {}
    for name, files in find_table_files(input_dir).items():
        if len(files) > 1:
            names = ", ".join(p.name for p in files)
            tables[name] = UnreadableTable(name, names, "several files for one table; keep one")
        else:
            tables[name] = _read(name, files[0]) if files else None
    return tables


def find_table_files(input_dir: Path) -> dict[str, list[Path]]:
    """The files of each canonical table: named after it, with a .csv, .xlsx or .parquet suffix."""
    return {name: [p for p in (input_dir / f"{name}{suffix}" for suffix in SUFFIXES) if p.is_file()] for name in TABLES}


def _read(table: str, path: Path) -> RawTable | UnreadableTable:
    data = path.read_bytes()
    reader = {".csv": _read_csv, ".xlsx": _read_xlsx, ".parquet": _read_parquet}[path.suffix]
    try:
        frame = reader(data)
    except InputError as exc:
        return UnreadableTable(table, path.name, str(exc))
    except Exception as exc:  # the readers' own errors: a file that is not the table it claims to be
        return UnreadableTable(table, path.name, f"cannot be read as a {path.suffix[1:]} table: {_first_line(exc)}")
    if len(set(frame.columns)) != len(frame.columns):
        return UnreadableTable(table, path.name, "header names a column twice")
    return RawTable(table=table, source=path.name, sha256=hashlib.sha256(data).hexdigest(), frame=frame)


def _read_csv(data: bytes) -> pl.DataFrame:
    if not data.strip():
        raise InputError("empty file (not even a header row)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}); save it as UTF-8 or use a source profile") from None
    header = next(csv.reader(io.StringIO(text.partition("\n")[0])), [])
    if len(set(header)) != len(header):
        raise InputError("header names a column twice")  # polars would rename the second one silently
    return pl.read_csv(io.BytesIO(data), infer_schema=False, encoding="utf8")


def _read_xlsx(data: bytes) -> pl.DataFrame:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        rows = [row for row in workbook.worksheets[0].iter_rows(values_only=True) if any(v is not None for v in row)]
    finally:
        workbook.close()
    if not rows:
        raise InputError("empty sheet (not even a header row)")
    header = [_cell_text(v) or f"column_{i + 1}" for i, v in enumerate(rows[0])]
    if len(set(header)) != len(header):
        raise InputError("header names a column twice")
    columns = list(zip(*[tuple(row) + (None,) * (len(header) - len(row)) for row in rows[1:]], strict=False))
    if not columns:
        columns = [() for _ in header]
    return pl.DataFrame(
        {name: [_cell_text(v) for v in values] for name, values in zip(header, columns, strict=False)},
        schema={name: pl.String for name in header},
    )


def _read_parquet(data: bytes) -> pl.DataFrame:
    frame = pl.read_parquet(io.BytesIO(data))
    return frame.select(
        pl.col(name).dt.date().cast(pl.String) if dtype == pl.Datetime else pl.col(name).cast(pl.String)
        for name, dtype in frame.schema.items()
    )


def _cell_text(value: Any) -> str | None:
    """An Excel cell as the text a CSV export of it would hold."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
