"""Who gets a scorecard for a period."""

from __future__ import annotations

import polars as pl

from scorecards.transforms.period import Period


def roster(reps: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Every rep whose hire_date is empty or not after the last day of P, with or without activity."""
    return reps.filter(pl.col("hire_date").is_null() | (pl.col("hire_date") <= period.end))
