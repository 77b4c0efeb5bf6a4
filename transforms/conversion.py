"""Conversion of leads into customers."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scorecards.transforms.exact import rounded_ratio
from scorecards.transforms.period import Period, per_rep_and_month


def leads_by_rep(leads: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """Per rep and period of `months`, over the leads closed in it: leads_converted and leads_closed.

    A closed lead is converted or disqualified.
    """
    return per_rep_and_month(
        leads.filter(is_closed()),
        "closed_date",
        months,
        leads_converted=(pl.col("status") == "converted").sum().cast(pl.Int64),
        leads_closed=pl.len().cast(pl.Int64),
    )


def is_closed() -> pl.Expr:
    """Whether a lead is closed: converted or disqualified."""
    # Two comparisons: is_in on a text column of millions of rows costs three times as much.
    return (pl.col("status") == "converted") | (pl.col("status") == "disqualified")


def conversion_rate(converted: str = "leads_converted", closed: str = "leads_closed") -> pl.Expr:
    """converted / closed as a fraction rounded to 6 places; null when no lead closed."""
    return rounded_ratio(pl.col(converted), pl.col(closed))
