"""New-customer development: accounts whose first won deal is the rep's, closed in the period."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scorecards.transforms.period import Period, in_months, per_rep_and_month


def first_won_deals(opportunities: pl.LazyFrame, months: Sequence[Period] | None = None) -> pl.LazyFrame:
    """One row per account: its first won opportunity over the whole input (the opportunity's columns).

    "First" is the earliest close_date; ties go to the earliest created_date,
    then the smallest opportunity_id in plain character order. With `months`,
    only the accounts whose first won opportunity closed in one of them.
    """
    won = opportunities.filter(pl.col("stage") == "won")
    if months:
        # Only accounts with a won deal in the span of `months` and none before it can have their first there.
        first, last = min(months), max(months)
        close_day = pl.col("close_date").dt.date()
        earlier = won.filter(close_day < first.start).select("account_id")
        won = won.filter(close_day.is_between(first.start, last.end)).join(earlier, on="account_id", how="anti")
    # Only the won deals on their account's first closing day can be first: the sort is over those alone.
    firsts = (
        won.filter(pl.col("close_date") == pl.col("close_date").min().over("account_id"))
        .sort("account_id", "close_date", "created_date", "opportunity_id")
        .group_by("account_id", maintain_order=True)
        .first()
    )
    return firsts.filter(in_months("close_date", months)) if months is not None else firsts


def new_customers(opportunities: pl.LazyFrame, deals: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """The deals (credit.deals) of the accounts whose first won opportunity closed in one of `months`.

    One row per such opportunity and rep it credits, in the order of `deals`.
    """
    closed_in = first_won_deals(opportunities, months).select("opportunity_id")
    return deals.join(closed_in, on="opportunity_id", how="semi")


def new_customers_by_rep(opportunities: pl.LazyFrame, deals: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """Per rep and period of `months`: new_customers, the accounts whose first won deal credits the rep (SPEC §8.3)
    and closed in it."""
    return per_rep_and_month(
        new_customers(opportunities, deals, months), "close_date", months, new_customers=pl.len().cast(pl.Int64)
    )
