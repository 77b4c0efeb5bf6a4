"""Conversion of leads into customers."""

from __future__ import annotations

import polars as pl

from scorecards.transforms.exact import rounded_ratio
from scorecards.transforms.period import Period


def leads_by_rep(leads: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Per rep, over leads with closed_date in P: leads_converted and leads_closed (converted or disqualified)."""
    return (
        leads.filter(period.contains("closed_date") & pl.col("status").is_in(["converted", "disqualified"]))
        .group_by("rep_id")
        .agg(
            leads_converted=(pl.col("status") == "converted").sum().cast(pl.Int64),
            leads_closed=pl.len().cast(pl.Int64),
        )
    )


def conversion_rate(converted: str = "leads_converted", closed: str = "leads_closed") -> pl.Expr:
    """converted / closed as a fraction rounded to 6 places; null when no lead closed."""
    return rounded_ratio(pl.col(converted), pl.col(closed))
