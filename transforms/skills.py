"""Sales skills as rated by managers."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scorecards.transforms.exact import RATIO_PLACES, rounded_ratio, unscaled
from scorecards.transforms.period import Period


def skills_by_rep(skill_ratings: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """Per rep and period of `months`: skills_score, the mean of the rep's ratings for it (unrated skills left out)."""
    return (
        skill_ratings.filter(pl.col("period").is_in([str(m) for m in months]))
        .group_by("rep_id", "period")
        .agg(
            _sum=unscaled(pl.col("rating"), RATIO_PLACES).sum(),
            _n=pl.len().cast(pl.Int128) * 10**RATIO_PLACES,
        )
        .select("rep_id", "period", skills_score=rounded_ratio(pl.col("_sum"), pl.col("_n")))
    )
