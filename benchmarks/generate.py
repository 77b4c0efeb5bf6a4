"""Canonical input data at any scale, generated with polars expressions (5 million rows in seconds).

Randomness is a hash of the row number and a per-column salt: the same
arguments always give the same files, and nothing loops over rows in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from scorecards.transforms.period import Period


@dataclass(frozen=True)
class Scale:
    """How much data: reps, opportunities, leads and surveys over the months ending with `last`."""

    reps: int
    opportunities: int
    leads: int
    surveys: int
    months: int = 18


SMALL = Scale(reps=200, opportunities=500_000, leads=200_000, surveys=50_000)
LARGE = Scale(reps=2_000, opportunities=5_000_000, leads=2_000_000, surveys=500_000)
TINY = Scale(reps=20, opportunities=5_000, leads=2_000, surveys=500)
#: Issue 18's shape: few reps with about 100,000 opportunities each, so each card's evidence holds thousands of rows.
EVIDENCE = Scale(reps=50, opportunities=5_000_000, leads=2_000_000, surveys=500_000)


def _rand(salt: int, modulo: int) -> pl.Expr:
    """A pseudo-random integer in [0, modulo) per row, from the row number `i`."""
    return (pl.col("i").hash(seed=salt) % modulo).cast(pl.Int64)


def _ids(prefix: str, width: int) -> pl.Expr:
    return pl.lit(prefix) + pl.col("i").cast(pl.String).str.zfill(width)


def _rows(n: int) -> pl.DataFrame:
    return pl.DataFrame({"i": pl.int_range(n, eager=True, dtype=pl.Int64)})


def _dates(start: pl.Expr | object, offset: pl.Expr) -> pl.Expr:
    return (pl.lit(start) + pl.duration(days=offset)).dt.strftime("%Y-%m-%d")


def generate(out_dir: Path, scale: Scale, last: Period) -> dict[str, int]:
    """Write reps, opportunities, targets, leads and surveys as canonical CSV files; return rows per table."""
    out_dir.mkdir(parents=True, exist_ok=True)
    first = last.back(scale.months - 1)[0]
    days = (last.end - first.start).days + 1
    teams = max(scale.reps // 10, 1)
    accounts = max(scale.opportunities // 20, 1)
    frames: dict[str, pl.DataFrame] = {}
    team = (pl.col("i") % teams).cast(pl.String)
    frames["reps"] = _rows(scale.reps).select(
        rep_id=_ids("R", 5),
        rep_name=pl.lit("Rep ") + pl.col("i").cast(pl.String),
        email=pl.lit("rep") + pl.col("i").cast(pl.String) + "@example.com",
        team=pl.lit("Team ") + team,
        manager_name=pl.lit("Manager ") + team,
        manager_email=pl.lit("manager") + team + "@example.com",
        hire_date=pl.lit(None, dtype=pl.String),
        locale=pl.when(pl.col("i") % 4 == 0).then(pl.lit("zh-CN")).otherwise(pl.lit("en")),
    )
    n = scale.opportunities
    stage = _rand(3, 10)
    created = _rand(5, days)
    frames["opportunities"] = _rows(n).select(
        opportunity_id=_ids("O", 8),
        rep_id=pl.lit("R") + _rand(1, scale.reps).cast(pl.String).str.zfill(5),
        account_id=pl.lit("A") + _rand(2, accounts).cast(pl.String).str.zfill(7),
        account_name=pl.lit("Account ") + _rand(2, accounts).cast(pl.String),
        stage=pl.when(stage < 4).then(pl.lit("won")).when(stage < 7).then(pl.lit("lost")).otherwise(pl.lit("open")),
        amount=(_rand(4, 20_000_000) + 100_000).cast(pl.String).str.replace(r"(\d\d)$", ".$1"),
        created_date=_dates(first.start, created),
        close_date=pl.when(stage < 7).then(_dates(first.start, created + 5 + _rand(6, 90))),
    )
    months = [str(p) for p in last.back(scale.months - 1)]
    frames["targets"] = (
        frames["reps"]
        .select("rep_id")
        .join(pl.DataFrame({"period": months}), how="cross")
        .with_row_index("i")
        .select(
            "rep_id",
            "period",
            target_amount=(_rand(7, 4_000_000) + 2_000_000).cast(pl.String).str.replace(r"(\d\d)$", ".$1"),
        )
    )
    status = _rand(9, 10)
    lead_created = _rand(10, days)
    frames["leads"] = _rows(scale.leads).select(
        lead_id=_ids("L", 8),
        rep_id=pl.lit("R") + _rand(8, scale.reps).cast(pl.String).str.zfill(5),
        created_date=_dates(first.start, lead_created),
        status=pl.when(status < 3)
        .then(pl.lit("converted"))
        .when(status < 7)
        .then(pl.lit("disqualified"))
        .otherwise(pl.lit("open")),
        closed_date=pl.when(status < 7).then(_dates(first.start, lead_created + _rand(11, 40))),
        first_contact_date=pl.when(_rand(12, 10) < 9).then(_dates(first.start, lead_created + _rand(13, 3))),
    )
    scale_max = pl.when(_rand(15, 3) == 0).then(5).when(_rand(15, 3) == 1).then(10).otherwise(100)
    frames["surveys"] = _rows(scale.surveys).select(
        response_id=_ids("S", 8),
        rep_id=pl.lit("R") + _rand(14, scale.reps).cast(pl.String).str.zfill(5),
        account_id=pl.lit("A") + _rand(16, accounts).cast(pl.String).str.zfill(7),
        submitted_date=_dates(first.start, _rand(17, days)),
        score=(_rand(18, 1000) * scale_max // 1000 + scale_max // 2).clip(upper_bound=scale_max).cast(pl.String),
        scale_max=scale_max.cast(pl.String),
        comment=pl.lit(None, dtype=pl.String),
    )
    for name, frame in frames.items():
        frame.write_csv(out_dir / f"{name}.csv")
    return {name: frame.height for name, frame in frames.items()}
