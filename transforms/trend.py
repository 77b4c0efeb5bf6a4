"""The trend: the graded metrics of P and the MONTHS_BEFORE months before it, from the same input."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import chain

import polars as pl

from scorecards.config import DIMENSION_NAMES, Settings
from scorecards.schemas.tables import InputTables
from scorecards.transforms.period import Period
from scorecards.transforms.scorecard import monthly_scorecards

#: Months shown before P on every scorecard (SPEC §4a).
MONTHS_BEFORE = 5
#: The months a card can be made for: its trend reads the MONTHS_BEFORE months before it, and it ends the day
#: before the next month's first.
FIRST_SCORABLE, LAST_SCORABLE = Period(1, 1 + MONTHS_BEFORE), Period(9999, 11)


def check_scorable(period: Period) -> Period:
    """`period`, if a card can be made for it; ValueError naming the months that can, else."""
    if not FIRST_SCORABLE <= period <= LAST_SCORABLE:
        raise ValueError(
            f"{period} cannot be scored; months run from {FIRST_SCORABLE} (a card's trend reads the"
            f" {MONTHS_BEFORE} months before it) to {LAST_SCORABLE}"
        )
    return period


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
#: The trend columns whose change from the month before cards and rollups show.
CHANGE_COLUMNS: tuple[str, ...] = (*DIMENSION_NAMES, "composite_score")


def trend_scorecards(
    tables: InputTables, period: Period, settings: Settings, known: Mapping[Period, pl.DataFrame]
) -> dict[Period, pl.DataFrame]:
    """The scorecards tables of month P-5 … P: those `known` already, the others computed from the same input.

    Earlier months are never read from earlier outputs; `known` is only read
    (a backfill passes every month it has computed, so none is computed twice).
    The months not known are computed together (monthly_scorecards).
    """
    months = period.back(MONTHS_BEFORE)
    todo = [month for month in months if month not in known]
    computed = monthly_scorecards(tables, todo, settings) if todo else {}
    return {month: known[month] if month in known else computed[month] for month in months}


def history(scorecards: Mapping[Period, pl.DataFrame], period: Period) -> pl.DataFrame:
    """Per rep of P's scorecards and month P-5 … P: the trend columns (null where the rep had no card).

    `scorecards` holds the scorecards table of each of those months (see trend_scorecards).
    """
    months = period.back(MONTHS_BEFORE)
    trend = pl.concat([scorecards[m].select("period", "rep_id", *TREND_COLUMNS) for m in months], how="vertical")
    grid = scorecards[period].select("rep_id").join(pl.DataFrame({"period": [str(m) for m in months]}), how="cross")
    return grid.join(trend, on=["rep_id", "period"], how="left").sort("rep_id", "period")


def month_over_month(history: pl.DataFrame, period: Period) -> pl.DataFrame:
    """Per rep: each of CHANGE_COLUMNS in the month before P and its change from then to P.

    Grain: one row per rep_id of the history's P, sorted by rep_id; columns
    `<column>_previous` (the value in P-1) and `<column>_change` (P's value −
    P-1's), exact (decimals stay decimals, counts integers). Null policy: the
    change is null when either month's value is null (N/A, or no card that month).
    """
    current = history.filter(pl.col("period") == str(period)).select("rep_id", *CHANGE_COLUMNS)
    previous = history.filter(pl.col("period") == str(period.previous())).select(
        "rep_id", *(pl.col(c).alias(f"{c}_previous") for c in CHANGE_COLUMNS)
    )
    return (
        current.join(previous, on="rep_id", how="left")
        .select(
            "rep_id",
            *chain.from_iterable(
                (pl.col(f"{c}_previous"), (pl.col(c) - pl.col(f"{c}_previous")).alias(f"{c}_change"))
                for c in CHANGE_COLUMNS
            ),
        )
        .sort("rep_id")
    )


def movers(scorecards: pl.DataFrame, changes: pl.DataFrame, each: int = 3) -> pl.DataFrame:
    """Per team, the biggest movers of the composite score since last month.

    Up to `each` reps whose composite rose most (change descending), then up to
    `each` whose composite fell most (change ascending), ties by rep_id.
    Grain: one row per rep shown: team, rep_id, composite_score_previous,
    composite_score, composite_score_change; teams in ascending order. `changes`
    is month_over_month's frame. Null policy: a rep whose composite is null in
    either month, or did not change, is no mover.
    """
    change = pl.col("composite_score_change")
    moved = (
        scorecards.select("team", "rep_id", "composite_score")
        .join(changes.select("rep_id", "composite_score_previous", "composite_score_change"), on="rep_id")
        .filter(change.is_not_null() & (change != 0))
        .select("team", "rep_id", "composite_score_previous", "composite_score", "composite_score_change")
    )
    rising = moved.filter(change > 0).sort(
        ["team", "composite_score_change", "rep_id"], descending=[False, True, False]
    )
    falling = moved.filter(change < 0).sort(["team", "composite_score_change", "rep_id"])
    first = pl.int_range(pl.len()).over("team") < each
    return pl.concat([rising.filter(first), falling.filter(first)]).sort("team", maintain_order=True)
