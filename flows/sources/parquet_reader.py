"""Reading a parquet file as a table of text cells, in a child process that a damaged file cannot take down."""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import tempfile

import polars as pl

from scorecards.config.profiles import FileFormat
from scorecards.flows.shared.errors import InputError
from scorecards.flows.sources.table_text import Rows

# Run in a child process: on some damaged files polars' parquet reader aborts the whole process
# (it tries to allocate exabytes), which no exception handler can catch. The child sends the table
# back as Arrow IPC, which polars wrote itself.
_PARQUET_CHILD = (
    "import io, sys, polars as pl\n"
    "frame = pl.read_parquet(io.BytesIO(sys.stdin.buffer.read()))\n"
    "out = io.BytesIO(); frame.write_ipc(out); sys.stdout.buffer.write(out.getvalue())\n"
)


def read_parquet(data: bytes, fmt: FileFormat) -> Rows:
    """The file's table with every column as text (a datetime as its date, numbers with the file's decimal mark)."""
    frame = _parquet_in_a_child(data)
    texts = frame.select(_parquet_text(pl.col(name), dtype, fmt.decimal) for name, dtype in frame.schema.items())
    return Rows(texts, None, fmt.header_row + 1)


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
