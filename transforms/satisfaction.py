"""Customer satisfaction from survey answers on any scale, normalised to 0–100."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scorecards.transforms.exact import rounded_ratio, unscaled
from scorecards.transforms.period import Period, per_rep_and_month

# Each answer's score × 100 / scale_max is carried in units of 10^-18 before the
# mean is rounded to 6 places: exact for every terminating fraction (5-, 10- and
# 100-point scales), and off by less than 10^-16 for scales like 3 or 7.
_TERM_PLACES = 18
_SCORE_PLACES = 6


def answer_score_100() -> pl.Expr:
    """One answer's score × 100 / scale_max, rounded to 6 places: what an evidence row shows.

    The mean (satisfaction_by_rep) is taken over the unrounded terms and rounded once, so it can differ in the
    6th place from the mean of these shown scores on a scale like 3 or 7.
    """
    return rounded_ratio(unscaled(pl.col("score"), _SCORE_PLACES) * 100, unscaled(pl.col("scale_max"), _SCORE_PLACES))


def satisfaction_by_rep(surveys: pl.LazyFrame, months: Sequence[Period]) -> pl.LazyFrame:
    """Per rep and period of `months`, over surveys submitted in it: survey_responses and satisfaction.

    satisfaction is the mean of score × 100 / scale_max.
    """
    term = (unscaled(pl.col("score"), _SCORE_PLACES) * (100 * 10**_TERM_PLACES)) // unscaled(
        pl.col("scale_max"), _SCORE_PLACES
    )
    return (
        per_rep_and_month(
            surveys, "submitted_date", months, survey_responses=pl.len().cast(pl.Int64), _terms=term.sum()
        )
        .with_columns(
            satisfaction=rounded_ratio(pl.col("_terms"), pl.col("survey_responses").cast(pl.Int128) * 10**_TERM_PLACES)
        )
        .drop("_terms")
    )
