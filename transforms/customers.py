"""New-customer development: accounts whose first won deal is the rep's, closed in the period."""

from __future__ import annotations

import polars as pl

from scorecards.transforms.period import Period


def first_won_deals(opportunities: pl.LazyFrame) -> pl.LazyFrame:
    """One row per account: its first won opportunity over the whole input.

    "First" is the earliest close_date; ties go to the earliest created_date,
    then the smallest opportunity_id in plain character order.
    """
    return (
        opportunities.filter(pl.col("stage") == "won")
        .sort("account_id", "close_date", "created_date", "opportunity_id")
        .group_by("account_id", maintain_order=True)
        .first()
    )


def new_customers(
    opportunities: pl.LazyFrame, deals: pl.LazyFrame, period: Period, firsts: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """The deals (credit.deals) of the accounts whose first won opportunity closed in P: one per rep it credits.

    `firsts` is first_won_deals of the same opportunities when the caller has it (it holds for every month).
    """
    firsts = first_won_deals(opportunities) if firsts is None else firsts
    closed_in_p = firsts.filter(period.contains("close_date")).select("opportunity_id")
    return deals.join(closed_in_p, on="opportunity_id", how="semi")


def new_customers_by_rep(
    opportunities: pl.LazyFrame, deals: pl.LazyFrame, period: Period, firsts: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """Per rep: new_customers, the accounts whose first won deal credits the rep and closed in P (SPEC §8.3)."""
    return (
        new_customers(opportunities, deals, period, firsts)
        .group_by("rep_id")
        .agg(new_customers=pl.len().cast(pl.Int64))
    )
