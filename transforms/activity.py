"""Supporting activity figures: win rate, deal size, sales cycle, pipeline, first contact."""

from __future__ import annotations

import polars as pl

from scorecards.transforms.credit import credited_sum
from scorecards.transforms.exact import MONEY_PLACES, rounded_ratio, unscaled
from scorecards.transforms.period import Period


def deals_by_rep(deals: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Per rep, over the rep's deals (credit.deals) closed in P: win_rate (won / (won + lost)), avg_cycle_days.

    An open opportunity never counts. win_rate is null when nothing was won or
    lost; avg_cycle_days (whole calendar days, created to closed) when nothing was won.
    """
    is_won = pl.col("stage") == "won"
    cycle_days = (pl.col("close_date") - pl.col("created_date")).dt.total_days()
    return (
        deals.filter(pl.col("stage").is_in(["won", "lost"]) & period.contains("close_date"))
        .group_by("rep_id")
        .agg(
            _won=is_won.sum(),
            _closed=pl.len(),
            _cycle_sum=cycle_days.filter(is_won).sum(),
        )
        .select(
            "rep_id",
            win_rate=rounded_ratio(pl.col("_won"), pl.col("_closed")),
            avg_cycle_days=rounded_ratio(pl.col("_cycle_sum"), pl.col("_won")),
        )
    )


def avg_deal_size(won: str = "won_amount", deals: str = "won_deals") -> pl.Expr:
    """won_amount / won_deals in money (2 places, half up); null when no deal was won."""
    return rounded_ratio(
        unscaled(pl.col(won), MONEY_PLACES), pl.col(deals).cast(pl.Int128) * 10**MONEY_PLACES, MONEY_PLACES
    )


def open_pipeline_by_rep(deals: pl.LazyFrame) -> pl.LazyFrame:
    """Per rep: open_pipeline, Σ amount_reporting × share of the rep's open deals anywhere in the input, in cents."""
    return deals.filter(pl.col("stage") == "open").group_by("rep_id").agg(open_pipeline=credited_sum())


def first_contact_by_rep(leads: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Per rep: first_contact_within_1d, the share of leads created in P first contacted within one day.

    A lead with no first_contact_date was not contacted in time; reps with no
    lead created in P are absent (N/A).
    """
    in_time = (pl.col("first_contact_date") - pl.col("created_date")).dt.total_days() <= 1
    return (
        leads.filter(period.contains("created_date"))
        .group_by("rep_id")
        .agg(_in_time=in_time.fill_null(False).sum(), _created=pl.len())
        .select("rep_id", first_contact_within_1d=rounded_ratio(pl.col("_in_time"), pl.col("_created")))
    )
