"""One scorecard row per rep on the roster: every metric, grade and rank of a period."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from scorecards.config import Settings
from scorecards.schemas.canonical import InputTables
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
    return ranked(scorecards_plan(tables, period, settings).collect())


def scorecards_plan(
    tables: InputTables,
    period: Period,
    settings: Settings,
    credited: pl.LazyFrame | None = None,
    firsts: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """P's scorecard rows before ranking, as a query: months planned together share their common work.

    `credited` (credit.deals) and `firsts` (customers.first_won_deals) of the same tables, when the
    caller has them: they are the same for every month.
    """
    if credited is None:
        credited = deals(tables, settings.display.reporting)
    leads = tables.leads.lazy()
    per_rep = [
        won_by_rep(credited, period),
        target_by_rep(tables.targets.lazy(), period),
        leads_by_rep(leads, period),
        new_customers_by_rep(tables.opportunities.lazy(), credited, period, firsts),
        satisfaction_by_rep(tables.surveys.lazy(), period),
        skills_by_rep(tables.skill_ratings.lazy(), period),
        deals_by_rep(credited, period),
        open_pipeline_by_rep(credited),
        first_contact_by_rep(leads, period),
    ]
    cards = roster(tables.reps.lazy(), period)
    for metrics in per_rep:
        cards = cards.join(metrics, on="rep_id", how="left")
    return (
        cards.with_columns(
            [pl.col(name).fill_null(zero) for name, zero in _ZERO_WHEN_ABSENT.items()],
            period=pl.lit(str(period)),
        )
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
    """A collected scorecards_plan with its ranks, as the scorecards table: SCORECARD_COLUMNS, by rank_overall."""
    return with_ranks(cards).select(SCORECARD_COLUMNS)
