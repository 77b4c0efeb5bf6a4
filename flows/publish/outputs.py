"""Writing the period's tables: scorecards (csv + parquet), fairness.csv and the quarantine files."""

from __future__ import annotations

import io
from pathlib import Path
from typing import BinaryIO

import polars as pl

from scorecards.flows.shared.inert_text import CSV_ESCAPE, inert_csv_text, looks_live
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.schemas.output import FairnessFigures, Scorecards


def write_scorecards(scorecards: pl.DataFrame, folder: PeriodFolder) -> None:
    """Check the table against its schema, then write scorecards.csv (for people) and scorecards.parquet (exact)."""
    Scorecards.validate(scorecards, lazy=True)
    write_csv_for_people(scorecards, folder.scorecards_csv)
    write_parquet(scorecards, folder.scorecards_parquet)


#: Rows in each row group of a Parquet file. Given, not left to polars: it would end a group at each of
#: the frame's chunks too, and a large frame's chunks follow how its query's threads happened to run.
PARQUET_ROW_GROUP = 100_000


def write_parquet(frame: pl.DataFrame, path: Path, *, compression_level: int | None = None) -> None:
    """Write the frame as zstd Parquet without statistics: the same frame, the same bytes, however it is chunked."""
    buffer = io.BytesIO()  # written by Python, so a full disk is an OSError like every other write's
    frame.write_parquet(
        buffer,
        compression="zstd",
        compression_level=compression_level,
        statistics=False,
        row_group_size=PARQUET_ROW_GROUP,
    )
    path.write_bytes(buffer.getvalue())


def write_fairness(figures: pl.DataFrame, folder: PeriodFolder) -> None:
    """Check the per-rep fairness figures against their schema, then write fairness.csv (SPEC §10)."""
    FairnessFigures.validate(figures, lazy=True)
    write_csv_for_people(figures, folder.fairness(".csv"))


def write_quarantine(quarantine: dict[str, pl.DataFrame], folder: PeriodFolder) -> None:
    """Write quarantine/<table>.csv for each table that rejected rows (no folder when none did)."""
    for table, rows in sorted(quarantine.items()):
        folder.quarantine.mkdir(exist_ok=True)
        write_csv_for_people(rows, folder.quarantined(table))


def write_csv_for_people(frame: pl.DataFrame, path: Path | BinaryIO) -> None:
    """Write a CSV that a spreadsheet opens without evaluating any text cell (see flows/shared/inert_text.py)."""
    text_columns = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    inert = frame.with_columns(inert_csv_text(name) for name in text_columns)
    # A quarantine file keeps the input's own column names, which are text a spreadsheet reads too.
    inert.rename({name: CSV_ESCAPE + name for name in frame.columns if looks_live(name)}).write_csv(path)
