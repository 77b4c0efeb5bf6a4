"""Writing the period's tables: scorecards (csv + parquet) and the quarantine files."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from scorecards.schemas.output import Scorecards


def write_scorecards(scorecards: pl.DataFrame, folder: Path) -> None:
    """Check the table against its schema, then write scorecards.csv and scorecards.parquet."""
    Scorecards.validate(scorecards, lazy=True)
    scorecards.write_csv(folder / "scorecards.csv")
    scorecards.write_parquet(folder / "scorecards.parquet", statistics=False)


def write_quarantine(quarantine: dict[str, pl.DataFrame], folder: Path) -> None:
    """Write quarantine/<table>.csv for each table that rejected rows (no folder when none did)."""
    for table, rows in sorted(quarantine.items()):
        target = folder / "quarantine"
        target.mkdir(exist_ok=True)
        rows.write_csv(target / f"{table}.csv")
