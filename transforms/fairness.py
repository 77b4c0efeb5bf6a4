"""The fairness page's facts (SPEC §10): target realism, coverage, composite spread and outliers.

Every figure here measures; none judges. Decisions (a target's flag, an outlier)
are taken on exact integers from the written values, like grades and ranks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from scorecards.config import DIMENSIONS, Settings
from scorecards.transforms.exact import MONEY_PLACES, RATIO, RATIO_PLACES, decimal_literal, rounded_ratio, unscaled
from scorecards.transforms.grading import grade_distribution
from scorecards.transforms.period import Period

#: Columns of fairness.csv, in output order (SPEC §10).
FAIRNESS_COLUMNS: tuple[str, ...] = (
    "period",
    "rep_id",
    "team",
    "target_amount",
    "run_rate",
    "target_ratio",
    "target_flag",
    "graded_dimensions",
    "composite_outlier",
)
#: Months before P whose won amounts make the run rate.
RUN_RATE_MONTHS = 3
#: A team needs this many reps with a composite before anyone in it can be an outlier.
OUTLIER_TEAM_SIZE = 5
#: How many population standard deviations from the team's mean make an outlier.
OUTLIER_DEVIATIONS = 2
#: Fewer graded composite dimensions than this is too little data to judge.
ENOUGH_DIMENSIONS = 2

_MICRO = 10**RATIO_PLACES


@dataclass(frozen=True)
class Fairness:
    """What the fairness page and fairness.csv show for a period (see fairness_report)."""

    #: fairness.csv: one row per rep with a scorecard (FAIRNESS_COLUMNS), by team then rep_id.
    reps: pl.DataFrame
    #: grade_distribution per team, and company-wide (no `team` column).
    distribution: pl.DataFrame
    company_distribution: pl.DataFrame
    #: composite_spread per team, and company-wide (one row, no `team` column).
    spread: pl.DataFrame
    company_spread: pl.DataFrame
    #: Reps graded on fewer than ENOUGH_DIMENSIONS composite dimensions: team, rep_id, rep_name, graded_dimensions.
    thin_coverage: pl.DataFrame
    #: Reps hired during P: team, rep_id, rep_name, hire_date.
    hired: pl.DataFrame
    #: Reps flagged composite_outlier: team, rep_id, rep_name, composite_score, team mean and std.
    outliers: pl.DataFrame


def run_rates(
    scorecards: pl.DataFrame, months: Mapping[Period, pl.DataFrame], reps: pl.DataFrame, period: Period
) -> pl.DataFrame:
    """Per rep of P's scorecards: run_rate, the mean won_amount of the RUN_RATE_MONTHS months before P.

    Grain: one row per rep_id of `scorecards`, in its order; run_rate is
    Decimal(38, 2), the sum of the written monthly won_amounts over 3, rounded
    half up. `months` holds at least those months' scorecards tables; `reps`
    the reps table (rep_id, hire_date). Null policy: null when the rep's
    hire_date is after the first day of the earliest of those months. A month
    in which a rep hired by then has no scorecard counts as 0 won (SPEC §5
    gives every rep on the roster a card, so it arises only from a rep missing
    from that month's table).
    """
    before = period.back(RUN_RATE_MONTHS)[:-1]
    won = (
        pl.concat([months[m].select("rep_id", "won_amount") for m in before])
        .group_by("rep_id")
        .agg(won=pl.col("won_amount").sum())
    )
    total = unscaled(pl.col("won").fill_null(0), MONEY_PLACES)
    rate = rounded_ratio(total, pl.lit(RUN_RATE_MONTHS * 10**MONEY_PLACES), MONEY_PLACES)
    hired_late = pl.col("hire_date").is_not_null() & (pl.col("hire_date") > before[0].start)
    return (
        scorecards.select("rep_id")
        .join(reps.select("rep_id", "hire_date"), on="rep_id", how="left", maintain_order="left")
        .join(won, on="rep_id", how="left", maintain_order="left")
        .select("rep_id", run_rate=pl.when(hired_late).then(None).otherwise(rate))
    )


def graded_dimensions(settings: Settings) -> pl.Expr:
    """How many of the composite's dimensions (weight > 0) have a grade, as Int64."""
    counted = [
        pl.col(d.grade_column).is_not_null().cast(pl.Int64) for d in DIMENSIONS if settings.composite.weight(d.name) > 0
    ]
    return pl.sum_horizontal(counted) if counted else pl.lit(0, dtype=pl.Int64)


def composite_outlier(by: str = "team") -> pl.Expr:
    """True when the composite differs from its group's mean by more than OUTLIER_DEVIATIONS population stds.

    Only in groups of at least OUTLIER_TEAM_SIZE reps with a composite; never
    when the group's std is 0; false for a rep without a composite. Exact: with
    x the composites in millionths, n their count, S = Σx and Q = Σx², the test
    |x − S/n| > k·√((nQ − S²)/n²) is (nx − S)² > k²(nQ − S²).
    """
    x = unscaled(pl.col("composite_score"), RATIO_PLACES)
    n = x.count().over(by).cast(pl.Int128)
    total = x.sum().over(by)
    squares = (x * x).sum().over(by)
    spread = n * squares - total * total
    deviation = n * x - total
    return (
        ((n >= OUTLIER_TEAM_SIZE) & (spread > 0) & (deviation * deviation > OUTLIER_DEVIATIONS**2 * spread))
        .fill_null(False)
        .alias("composite_outlier")
    )


def rep_fairness(
    scorecards: pl.DataFrame,
    months: Mapping[Period, pl.DataFrame],
    reps: pl.DataFrame,
    period: Period,
    settings: Settings,
) -> pl.DataFrame:
    """fairness.csv: per rep of P's scorecards, target realism, graded dimensions and outlier flag (SPEC §10).

    Grain: one row per rep of `scorecards`, FAIRNESS_COLUMNS, sorted by team
    then rep_id. target_ratio = target_amount / run_rate, rounded half up to 6
    places; target_flag is `high` when it is above settings.fairness.high,
    `low` when below .low (at 6 places), else null. Null policy: run_rate as in
    run_rates; target_ratio null when either side is null or run_rate is 0
    (a target of 0 over a run rate above 0 is a ratio of 0, flagged `low`).
    """
    thresholds = settings.fairness
    ratio = pl.col("target_ratio")
    return (
        scorecards.join(run_rates(scorecards, months, reps, period), on="rep_id", how="left")
        .with_columns(
            target_ratio=rounded_ratio(
                unscaled(pl.col("target_amount"), MONEY_PLACES), unscaled(pl.col("run_rate"), MONEY_PLACES)
            ),
            graded_dimensions=graded_dimensions(settings),
            composite_outlier=composite_outlier(),
        )
        .with_columns(
            target_flag=pl.when(ratio > decimal_literal(thresholds.high))
            .then(pl.lit("high"))
            .when(ratio < decimal_literal(thresholds.low))
            .then(pl.lit("low"))
        )
        .select(FAIRNESS_COLUMNS)
        .sort("team", "rep_id")
    )


def composite_spread(scorecards: pl.DataFrame, by: Sequence[str] = ()) -> pl.DataFrame:
    """The composite's mean and spread per group of the `by` columns (company-wide when none).

    Grain: one row per group, sorted by the `by` columns: `reps` (those with a
    composite, Int64), `mean` and `std` (population standard deviation, from
    the exact variance) of their composite_score, both rounded half up, then
    `min` and `max`, all
    Decimal(38, 6) from the written 6-decimal values. Null policy: reps without
    a composite are left out; every figure but `reps` is null when none has one.
    """
    x = unscaled(pl.col("composite_score"), RATIO_PLACES)
    counts = [
        x.count().cast(pl.Int64).alias("reps"),
        x.sum().alias("_total"),
        (x * x).sum().alias("_squares"),
        pl.col("composite_score").min().alias("min"),
        pl.col("composite_score").max().alias("max"),
    ]
    grouped = scorecards.group_by(by).agg(counts).sort(by) if by else scorecards.select(counts)
    n = pl.col("reps").cast(pl.Int128)
    variance = n * pl.col("_squares") - pl.col("_total") * pl.col("_total")  # n² × σ², in millionths squared
    std_units = pl.struct(v=variance, n=n).map_elements(_rounded_std, return_dtype=pl.Int128)
    return grouped.select(
        *by,
        "reps",
        mean=rounded_ratio(pl.col("_total"), n * _MICRO),
        std=(std_units.cast(RATIO) / _MICRO).cast(RATIO),
        min=pl.col("min").cast(RATIO),
        max=pl.col("max").cast(RATIO),
    )


def _rounded_std(group: dict[str, int]) -> int | None:
    """σ = √v / n in millionths, rounded half up exactly: the largest m with (2m − 1)·n ≤ √(4v)."""
    if not group["n"]:
        return None
    return (math.isqrt(4 * group["v"]) // group["n"] + 1) // 2


def hired_during(scorecards: pl.DataFrame, reps: pl.DataFrame, period: Period) -> pl.DataFrame:
    """The reps of P's scorecards hired during P: team, rep_id, rep_name, hire_date, by team then rep_id."""
    return (
        scorecards.select("team", "rep_id", "rep_name")
        .join(reps.select("rep_id", "hire_date"), on="rep_id", how="inner")
        .filter(period.contains("hire_date"))
        .sort("team", "rep_id")
    )


def fairness_report(
    scorecards: pl.DataFrame,
    months: Mapping[Period, pl.DataFrame],
    reps: pl.DataFrame,
    period: Period,
    settings: Settings,
) -> Fairness:
    """Everything the fairness page of P shows, from P's scorecards, the months before it and the reps table."""
    figures = rep_fairness(scorecards, months, reps, period, settings)
    names = scorecards.select("rep_id", "rep_name", "composite_score")
    spread = composite_spread(scorecards, by=["team"])
    with_names = figures.join(names, on="rep_id", how="left", maintain_order="left")
    return Fairness(
        reps=figures,
        distribution=grade_distribution(scorecards, by=["team"]),
        company_distribution=grade_distribution(scorecards),
        spread=spread,
        company_spread=composite_spread(scorecards),
        thin_coverage=with_names.filter(pl.col("graded_dimensions") < ENOUGH_DIMENSIONS).select(
            "team", "rep_id", "rep_name", "graded_dimensions"
        ),
        hired=hired_during(scorecards, reps, period),
        outliers=with_names.filter(pl.col("composite_outlier"))
        .join(spread.select("team", team_mean="mean", team_std="std"), on="team", how="left", maintain_order="left")
        .select("team", "rep_id", "rep_name", "composite_score", "team_mean", "team_std"),
    )
