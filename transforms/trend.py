"""The 6-month trend: the graded metrics of P and the months before it, from the same input."""

from __future__ import annotations

from collections.abc import MutableMapping

import polars as pl

from scorecards.config import Settings
from scorecards.schemas.canonical import InputTables
from scorecards.transforms.period import Period
from scorecards.transforms.scorecard import compute_scorecards

#: Months shown before P on every scorecard (SPEC §4a).
MONTHS_BEFORE = 5
#: The columns a trend carries per rep and month: every metric a feedback rule may test.
TREND_COLUMNS: tuple[str, ...] = (
    "attainment",
    "attainment_grade",
    "conversion_rate",
    "conversion_grade",
    "new_customers",
    "new_customers_grade",
    "satisfaction",
    "satisfaction_grade",
    "skills_score",
    "skills_grade",
    "composite_score",
    "overall_grade",
    # not graded, but feedback rules may follow them
    "first_contact_within_1d",
    "win_rate",
    "avg_cycle_days",
)


def history(
    tables: InputTables,
    period: Period,
    settings: Settings,
    scorecards: pl.DataFrame,
    computed: MutableMapping[Period, pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Per rep of P's scorecards and month P-5 … P: the graded metrics (null where the rep had no card).

    `scorecards` is P's table (already computed); earlier months are computed
    from the same input, never read from earlier outputs. `computed` keeps
    months already computed (a backfill passes one for its whole range).
    """
    computed = {} if computed is None else computed
    computed[period] = scorecards
    months = period.back(MONTHS_BEFORE)
    for month in months:
        if month not in computed:
            computed[month] = compute_scorecards(tables, month, settings)
    frames = [computed[month] for month in months]
    computed = pl.concat([f.select("period", "rep_id", *TREND_COLUMNS) for f in frames], how="vertical")
    grid = scorecards.select("rep_id").join(pl.DataFrame({"period": [str(m) for m in months]}), how="cross")
    return grid.join(computed, on=["rep_id", "period"], how="left").sort("rep_id", "period")


def month_over_month(trend: pl.DataFrame, column: str) -> pl.Expr:
    """The change of a metric from the previous month, per rep (null when either month is N/A)."""
    return (pl.col(column) - pl.col(column).shift(1)).over("rep_id", order_by="period")
