"""Sales skills as rated by managers."""

from __future__ import annotations

import polars as pl

from scorecards.transforms.exact import RATIO_PLACES, rounded_ratio, unscaled
from scorecards.transforms.period import Period


def skills_by_rep(skill_ratings: pl.LazyFrame, period: Period) -> pl.LazyFrame:
    """Per rep: skills_score, the mean rating of the rep's skill_ratings rows for P (unrated skills left out)."""
    return (
        skill_ratings.filter(pl.col("period") == str(period))
        .group_by("rep_id")
        .agg(
            _sum=unscaled(pl.col("rating"), RATIO_PLACES).sum(),
            _n=pl.len().cast(pl.Int128) * 10**RATIO_PLACES,
        )
        .select("rep_id", skills_score=rounded_ratio(pl.col("_sum"), pl.col("_n")))
    )
