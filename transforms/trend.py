"""The 6-month trend: the graded metrics of P and the months before it, from the same input."""

from __future__ import annotations

from collections.abc import Mapping

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


def trend_scorecards(
    tables: InputTables, period: Period, settings: Settings, known: Mapping[Period, pl.DataFrame]
) -> dict[Period, pl.DataFrame]:
    """The scorecards tables of month P-5 … P: those `known` already, the others computed from the same input.

    Earlier months are never read from earlier outputs; `known` is only read
    (a backfill passes every month it has computed, so none is computed twice).
    """
    return {
        month: known[month] if month in known else compute_scorecards(tables, month, settings)
        for month in period.back(MONTHS_BEFORE)
    }


def history(scorecards: Mapping[Period, pl.DataFrame], period: Period) -> pl.DataFrame:
    """Per rep of P's scorecards and month P-5 … P: the trend columns (null where the rep had no card).

    `scorecards` holds the scorecards table of each of those months (see trend_scorecards).
    """
    months = period.back(MONTHS_BEFORE)
    trend = pl.concat([scorecards[m].select("period", "rep_id", *TREND_COLUMNS) for m in months], how="vertical")
    grid = scorecards[period].select("rep_id").join(pl.DataFrame({"period": [str(m) for m in months]}), how="cross")
    return grid.join(trend, on=["rep_id", "period"], how="left").sort("rep_id", "period")


def month_over_month(trend: pl.DataFrame, column: str) -> pl.Expr:
    """The change of a metric from the previous month, per rep (null when either month is N/A)."""
    return (pl.col(column) - pl.col(column).shift(1)).over("rep_id", order_by="period")
