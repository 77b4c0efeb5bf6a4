"""One scorecard row per rep on the roster: every metric, grade and rank of a period."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl

from scorecards.config import Settings
from scorecards.schemas.tables import InputTables
from scorecards.transforms.activity import (
    avg_deal_size,
    deals_by_rep,
    first_contact_by_rep,
    open_pipeline_by_rep,
)
from scorecards.transforms.attainment import attainment, target_by_rep, won_by_rep
from scorecards.transforms.conversion import conversion_rate, leads_by_rep
from scorecards.transforms.credit import deals
from scorecards.transforms.customers import new_customers_by_rep
from scorecards.transforms.exact import MONEY
from scorecards.transforms.grading import (
    composite_score,
    dimension_grades,
    overall_grade,
    with_ranks,
)
from scorecards.transforms.period import Period
from scorecards.transforms.roster import roster
from scorecards.transforms.satisfaction import satisfaction_by_rep
from scorecards.transforms.skills import skills_by_rep

#: Columns of the scorecards table, in output order (SPEC §6).
SCORECARD_COLUMNS: tuple[str, ...] = (
    "period",
    "rep_id",
    "rep_name",
    "team",
    "manager_name",
    "manager_email",
    "locale",
    "won_amount",
    "won_deals",
    "target_amount",
    "attainment",
    "attainment_grade",
    "leads_converted",
    "leads_closed",
    "conversion_rate",
    "conversion_grade",
    "new_customers",
    "new_customers_grade",
    "survey_responses",
    "satisfaction",
    "satisfaction_grade",
    "skills_score",
    "skills_grade",
    "first_contact_within_1d",
    "win_rate",
    "avg_deal_size",
    "avg_cycle_days",
    "open_pipeline",
    "composite_score",
    "overall_grade",
    "rank_in_team",
    "rank_overall",
)

# Activity that did not happen is a zero, not a gap.
_ZERO_WHEN_ABSENT: dict[str, pl.Expr] = {
    "won_amount": pl.lit(Decimal(0), dtype=MONEY),
    "won_deals": pl.lit(0, dtype=pl.Int64),
    "leads_converted": pl.lit(0, dtype=pl.Int64),
    "leads_closed": pl.lit(0, dtype=pl.Int64),
    "new_customers": pl.lit(0, dtype=pl.Int64),
    "survey_responses": pl.lit(0, dtype=pl.Int64),
    "open_pipeline": pl.lit(Decimal(0), dtype=MONEY),
}


def compute_scorecards(tables: InputTables, period: Period, settings: Settings) -> pl.DataFrame:
    """The scorecards table for P: one row per rep on the roster, ordered by rank_overall."""
    return monthly_scorecards(tables, [period], settings)[period]


def monthly_scorecards(tables: InputTables, months: Sequence[Period], settings: Settings) -> dict[Period, pl.DataFrame]:
    """The scorecards table of each of `months` (see compute_scorecards), computed together.

    Every metric is one pass over its table grouped by rep and month, so that
    what the months share (the credited deals, each account's first won deal)
    is read once, not once per month.
    """
    cards = scorecards_plan(tables, months, settings).collect()
    return {month: ranked(cards.filter(pl.col("period") == str(month))) for month in months}


def scorecards_plan(tables: InputTables, months: Sequence[Period], settings: Settings) -> pl.LazyFrame:
    """The scorecard rows of `months` before ranking (one per rep on each month's roster, with its `period`)."""
    credited = deals(tables, settings.display.reporting)
    leads = tables.leads.lazy()
    by_month = [
        won_by_rep(credited, months),
        target_by_rep(tables.targets.lazy(), months),
        leads_by_rep(leads, months),
        new_customers_by_rep(tables.opportunities.lazy(), credited, months),
        satisfaction_by_rep(tables.surveys.lazy(), months),
        skills_by_rep(tables.skill_ratings.lazy(), months),
        deals_by_rep(credited, months),
        first_contact_by_rep(leads, months),
    ]
    cards = roster(tables.reps.lazy(), months)
    for metrics in by_month:
        cards = cards.join(metrics, on=["rep_id", "period"], how="left")
    cards = cards.join(open_pipeline_by_rep(credited), on="rep_id", how="left")  # the same in every month
    return (
        cards.with_columns([pl.col(name).fill_null(zero) for name, zero in _ZERO_WHEN_ABSENT.items()])
        .with_columns(
            attainment=attainment(),
            conversion_rate=conversion_rate(),
            avg_deal_size=avg_deal_size(),
        )
        .with_columns(dimension_grades(settings))
        .with_columns(composite_score=composite_score(settings))
        .with_columns(overall_grade=overall_grade(settings))
    )


def ranked(cards: pl.DataFrame) -> pl.DataFrame:
    """One month's rows of a collected scorecards_plan with their ranks, as the scorecards table: SCORECARD_COLUMNS,
    by rank_overall."""
    # An input's choice column is an Enum of its choices (schemas/fields.py); the table publishes its text.
    return with_ranks(cards).select(SCORECARD_COLUMNS).cast({"locale": pl.String})
