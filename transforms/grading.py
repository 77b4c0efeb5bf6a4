"""Grades, the composite score, the overall grade and ranks (SPEC §4)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from scorecards.config import DIMENSIONS, Settings
from scorecards.config.settings import Band
from scorecards.transforms.exact import RATIO, RATIO_PLACES, decimal_literal, rounded_ratio


def grade(value: pl.Expr, band: Band) -> pl.Expr:
    """The first of A, B, C whose threshold the value (at 6 places) reaches, else D; null stays null."""
    v = value.cast(RATIO)
    return (
        pl.when(v.is_null())
        .then(None)
        .when(v >= decimal_literal(band.A))
        .then(pl.lit("A"))
        .when(v >= decimal_literal(band.B))
        .then(pl.lit("B"))
        .when(v >= decimal_literal(band.C))
        .then(pl.lit("C"))
        .otherwise(pl.lit("D"))
    )


def dimension_grades(settings: Settings) -> list[pl.Expr]:
    """One grade expression per dimension; satisfaction with too few responses is null."""
    exprs = []
    for dimension in DIMENSIONS:
        value = pl.col(dimension.name)
        if dimension.name == "satisfaction":
            enough = pl.col("survey_responses") >= settings.satisfaction.min_responses
            value = pl.when(enough).then(value).otherwise(None)
        exprs.append(grade(value, settings.bands[dimension.name]).alias(dimension.grade_column))
    return exprs


def _micro(weight: Decimal) -> int:
    return int(weight.scaleb(RATIO_PLACES))


def composite_score(settings: Settings) -> pl.Expr:
    """Σ weight × points / Σ weight over the dimensions that have a grade (and a weight); null when none."""
    points = settings.composite.points
    numerator: pl.Expr = pl.lit(0, dtype=pl.Int128)
    denominator: pl.Expr = pl.lit(0, dtype=pl.Int128)
    for dimension in DIMENSIONS:
        weight = _micro(settings.composite.weight(dimension.name))
        if weight == 0:
            continue
        graded = pl.col(dimension.grade_column)
        numerator = numerator + (graded.replace_strict(points, default=0, return_dtype=pl.Int128) * weight)
        denominator = denominator + pl.when(graded.is_not_null()).then(weight).otherwise(0).cast(pl.Int128)
    return rounded_ratio(numerator, denominator)


def overall_grade(settings: Settings) -> pl.Expr:
    """The overall grade from composite_score and the overall bands."""
    return grade(pl.col("composite_score"), settings.composite.overall_bands)


def with_ranks(scorecards: pl.DataFrame) -> pl.DataFrame:
    """Add rank_overall and rank_in_team (1..n, never shared) and sort rows by rank_overall.

    Order: composite_score descending, then attainment descending (N/A last),
    then rep_id ascending in plain character order; reps without a composite last.
    """
    return scorecards.sort(
        ["composite_score", "attainment", "rep_id"], descending=[True, True, False], nulls_last=True
    ).with_columns(
        rank_in_team=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("team"),
        rank_overall=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
    )
