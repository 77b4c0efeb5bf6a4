"""Sales-target attainment: won amount in the period against the period's target."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scorecards.transforms.credit import credited_sum
from scorecards.transforms.exact import MONEY_PLACES, rounded_ratio, unscaled
from scorecards.transforms.period import Period, per_rep_and_month


def won_by_rep(deals: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """Per rep and period of `months`, over the rep's won deals closed in it (credit.deals): won_amount, won_deals.

    won_amount is Σ amount_reporting × the rep's share, rounded half up to cents
    once; won_deals counts each deal once for every rep it credits (SPEC §8.3).
    """
    return per_rep_and_month(
        deals.filter(pl.col("stage") == "won"),
        "close_date",
        months,
        won_amount=credited_sum(),
        won_deals=pl.len().cast(pl.Int64),
    )


def target_by_rep(targets: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """Per rep and period of `months`: target_amount of the targets row (reps without one are absent)."""
    return targets.filter(pl.col("period").is_in([str(m) for m in months])).select("rep_id", "period", "target_amount")


def attainment(won: str = "won_amount", target: str = "target_amount") -> pl.Expr:
    """won / target as a fraction rounded to 6 places; null when the target is missing or 0.

    Grain: one rep and period. Exact: both amounts are compared in cents.
    """
    return rounded_ratio(unscaled(pl.col(won), MONEY_PLACES), unscaled(pl.col(target), MONEY_PLACES))
