"""Supporting activity figures: win rate, deal size, sales cycle, pipeline, first contact."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scorecards.transforms.credit import credited_sum
from scorecards.transforms.exact import MONEY_PLACES, rounded_ratio, unscaled
from scorecards.transforms.period import Period, per_rep_and_month


def deals_by_rep(deals: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """Per rep and period of `months`, over the rep's deals (credit.deals) closed in it: win_rate, avg_cycle_days.

    win_rate is won / (won + lost). An open opportunity never counts. win_rate is null when nothing was won or
    lost; avg_cycle_days (whole calendar days, created to closed) when nothing was won.
    """
    is_won = pl.col("stage") == "won"
    return per_rep_and_month(
        # Two comparisons: is_in on a text column of millions of rows costs three times as much.
        deals.filter((pl.col("stage") == "won") | (pl.col("stage") == "lost")),
        "close_date",
        months,
        _won=is_won.sum(),
        _closed=pl.len(),
        _cycle_sum=pl.when(is_won).then(cycle_days()).sum(),
    ).select(
        "rep_id",
        "period",
        win_rate=rounded_ratio(pl.col("_won"), pl.col("_closed")),
        avg_cycle_days=rounded_ratio(pl.col("_cycle_sum"), pl.col("_won")),
    )


def cycle_days() -> pl.Expr:
    """A deal's sales cycle: whole calendar days from created_date to close_date."""
    return (pl.col("close_date") - pl.col("created_date")).dt.total_days()


def contacted_within_a_day() -> pl.Expr:
    """Whether a lead was first contacted at most one calendar day after it was created (False when never)."""
    return ((pl.col("first_contact_date") - pl.col("created_date")).dt.total_days() <= 1).fill_null(False)


def avg_deal_size(won: str = "won_amount", deals: str = "won_deals") -> pl.Expr:
    """won_amount / won_deals in money (2 places, half up); null when no deal was won."""
    return rounded_ratio(
        unscaled(pl.col(won), MONEY_PLACES), pl.col(deals).cast(pl.Int128) * 10**MONEY_PLACES, MONEY_PLACES
    )


def open_pipeline_by_rep(deals: pl.LazyFrame) -> pl.LazyFrame:
    """Per rep: open_pipeline, Σ amount_reporting × share of the rep's open deals anywhere in the input, in cents."""
    return deals.filter(pl.col("stage") == "open").group_by("rep_id").agg(open_pipeline=credited_sum())


def first_contact_by_rep(leads: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """Per rep and period of `months`: first_contact_within_1d, the share of leads created in it contacted within a day.

    A lead with no first_contact_date was not contacted in time; reps with no
    lead created in P are absent (N/A).
    """
    return per_rep_and_month(
        leads, "created_date", months, _in_time=contacted_within_a_day().sum(), _created=pl.len()
    ).select("rep_id", "period", first_contact_within_1d=rounded_ratio(pl.col("_in_time"), pl.col("_created")))
