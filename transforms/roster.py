"""Who gets a scorecard for a period."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scorecards.transforms.period import Period


def roster(reps: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """Per month of `months` (its `period`, YYYY-MM), every rep whose hire_date is empty or not after its last day.

    Reps with or without activity; one row per rep and month, months in the given order.
    """
    ends = pl.LazyFrame(
        {"period": [str(m) for m in months], "_end": [m.end for m in months]},
        schema={"period": pl.String, "_end": pl.Date},
    )
    return (
        ends.join(reps, how="cross")
        .filter(pl.col("hire_date").is_null() | (pl.col("hire_date") <= pl.col("_end")))
        .drop("_end")
    )
