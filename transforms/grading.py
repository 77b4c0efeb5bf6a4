"""Grades, the composite score, the overall grade and ranks (SPEC §4)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal

import polars as pl

from scorecards.config import DIMENSIONS, Settings
from scorecards.config.settings import Band
from scorecards.schemas.fields import GRADES
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


def grade_distribution(scorecards: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """How many reps have each grade, per graded dimension and overall, per group of the `by` columns.

    Grain: one row per group and graded column: the `by` columns, `dimension`
    (a dimension's name, or "overall" for overall_grade), then the counts `A`,
    `B`, `C`, `D` and `na` (reps without a grade), Int64. Order: groups by the
    `by` columns ascending, within a group the dimensions in card order, overall last.
    """
    graded = [*((d.name, d.grade_column) for d in DIMENSIONS), ("overall", "overall_grade")]
    frames = []
    for name, column in graded:
        counts = [
            *((pl.col(column) == g).sum().cast(pl.Int64).alias(g) for g in GRADES),
            pl.col(column).is_null().sum().cast(pl.Int64).alias("na"),
        ]
        counted = scorecards.group_by(by).agg(counts) if by else scorecards.select(counts)
        frames.append(counted.with_columns(dimension=pl.lit(name)).select(*by, "dimension", *GRADES, "na"))
    distribution = pl.concat(frames)
    return distribution.sort(by, maintain_order=True) if by else distribution


#: Why a dimension has no grade (SPEC §3/§4), on rows where its grade is null; new_customers is a count, never N/A.
_NA_REASON: dict[str, pl.Expr] = {
    "attainment": pl.when(pl.col("target_amount").is_null()).then(pl.lit("no_target")).otherwise(pl.lit("zero_target")),
    "conversion_rate": pl.lit("no_closed_leads"),
    "satisfaction": pl.when(pl.col("survey_responses") == 0)
    .then(pl.lit("no_survey_responses"))
    .otherwise(pl.lit("too_few_responses")),
    "skills_score": pl.lit("not_rated"),
}


#: The input table each graded dimension reads, which the input may leave out (SPEC §2.3–§2.6a).
_SOURCE_TABLE = {
    "attainment": "targets",
    "conversion_rate": "leads",
    "satisfaction": "surveys",
    "skills_score": "skill_ratings",
}


def na_reasons(
    scorecards: pl.DataFrame, absent: Collection[str] = (), set_aside_targets: Collection[str] = ()
) -> pl.DataFrame:
    """Why each rep's ungraded dimensions have no grade.

    Grain: one row per rep and dimension whose grade is null: rep_id,
    dimension, reason. Reasons: `no_<table>_table` when the input has no
    table for the dimension (`absent`: targets, leads, surveys, skill_ratings);
    else attainment `target_set_aside` (no targets row, and the rep is in
    `set_aside_targets`: validation quarantined a row of the rep that is, or
    may be, the month's),
    `no_target` (no targets row) or `zero_target`; conversion_rate
    `no_closed_leads`; satisfaction `no_survey_responses` or
    `too_few_responses` (fewer than min_responses); skills_score `not_rated`.
    Order: rep_id, then dimensions in card order.
    """
    set_aside = pl.col("target_amount").is_null() & pl.col("rep_id").is_in(list(set_aside_targets))
    reasons = {
        **_NA_REASON,
        "attainment": pl.when(set_aside).then(pl.lit("target_set_aside")).otherwise(_NA_REASON["attainment"]),
    }
    frames = [
        scorecards.filter(pl.col(d.grade_column).is_null()).select(
            "rep_id",
            dimension=pl.lit(d.name),
            reason=pl.lit(f"no_{_SOURCE_TABLE[d.name]}_table") if _SOURCE_TABLE[d.name] in absent else reasons[d.name],
        )
        for d in DIMENSIONS
        if d.name in _NA_REASON
    ]
    return pl.concat(frames).sort("rep_id", maintain_order=True)
