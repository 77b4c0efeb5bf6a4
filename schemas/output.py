"""The pandera model of the published scorecards table (SPEC §6)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import pandera.polars as pa
import polars as pl
from pandera.engines import polars_engine as pe

from scorecards.schemas.fields import GRADES, LOCALES, PERIOD_PATTERN

Money = Annotated[pe.Decimal, 38, 2]
Ratio = Annotated[pe.Decimal, 38, 6]


def _grade(description: str) -> object:
    return pa.Field(nullable=True, isin=list(GRADES), description=f"{description}: A–D, empty for N/A.")


def _ratio(description: str) -> object:
    return pa.Field(nullable=True, ge=Decimal(0), description=f"{description}; empty for N/A.")


class Scorecards(pa.DataFrameModel):
    """One row per rep on the period's roster, ordered by rank_overall."""

    period: str = pa.Field(str_matches=PERIOD_PATTERN, description="Month scored, YYYY-MM.")
    rep_id: str = pa.Field(unique=True, description="Rep identifier.")
    rep_name: str = pa.Field(description="Rep's name.")
    team: str = pa.Field(description="Rep's team.")
    manager_name: str = pa.Field(description="Team manager's name.")
    manager_email: str = pa.Field(description="Team manager's email address.")
    locale: str = pa.Field(isin=list(LOCALES), description="Language of the rep's card.")
    won_amount: Money = pa.Field(ge=Decimal(0), description="Σ amount of won deals closed in the period.")
    won_deals: pl.Int64 = pa.Field(ge=0, description="Count of won deals closed in the period.")
    target_amount: Money | None = pa.Field(
        nullable=True, ge=Decimal(0), description="The period's target; empty when none."
    )
    attainment: Ratio | None = _ratio("won_amount / target_amount as a fraction")
    attainment_grade: str | None = _grade("Attainment grade")
    leads_converted: pl.Int64 = pa.Field(ge=0, description="Leads closed in the period as converted.")
    leads_closed: pl.Int64 = pa.Field(ge=0, description="Leads closed in the period (converted or disqualified).")
    conversion_rate: Ratio | None = _ratio("leads_converted / leads_closed")
    conversion_grade: str | None = _grade("Conversion grade")
    new_customers: pl.Int64 = pa.Field(
        ge=0, description="Accounts whose first won deal is the rep's, closed in the period."
    )
    new_customers_grade: str | None = _grade("New-customer grade")
    survey_responses: pl.Int64 = pa.Field(ge=0, description="Surveys submitted in the period.")
    satisfaction: Ratio | None = _ratio("Mean survey score on a 0–100 scale")
    satisfaction_grade: str | None = _grade("Satisfaction grade (N/A under min_responses)")
    skills_score: Ratio | None = _ratio("Mean manager skill rating, 1–5")
    skills_grade: str | None = _grade("Skills grade")
    first_contact_within_1d: Ratio | None = _ratio("Share of new leads first contacted within a day")
    win_rate: Ratio | None = _ratio("won / (won + lost) of deals closed in the period")
    avg_deal_size: Money | None = pa.Field(
        nullable=True, ge=Decimal(0), description="won_amount / won_deals; empty when none."
    )
    avg_cycle_days: Ratio | None = _ratio("Mean days from creation to close of won deals")
    open_pipeline: Money = pa.Field(ge=Decimal(0), description="Σ amount of the rep's open opportunities.")
    composite_score: Ratio | None = _ratio("Weighted mean of grade points over graded dimensions")
    overall_grade: str | None = _grade("Overall grade from composite_score")
    rank_in_team: pl.Int64 = pa.Field(ge=1, description="1..n within the team, never shared.")
    rank_overall: pl.Int64 = pa.Field(ge=1, unique=True, description="1..n over all reps, never shared.")

    class Config:
        strict = True
        ordered = True


class FairnessFigures(pa.DataFrameModel):
    """fairness.csv (SPEC §10): one row per rep with a scorecard, by team then rep_id."""

    period: str = pa.Field(str_matches=PERIOD_PATTERN, description="Month scored, YYYY-MM.")
    rep_id: str = pa.Field(unique=True, description="Rep identifier.")
    team: str = pa.Field(description="Rep's team.")
    target_amount: Money | None = pa.Field(
        nullable=True, ge=Decimal(0), description="The period's target; empty when none."
    )
    run_rate: Money | None = pa.Field(
        nullable=True,
        ge=Decimal(0),
        description="Mean won_amount of the 3 months before the period, rounded half up; "
        "empty when the rep was hired after the first day of the earliest of them.",
    )
    target_ratio: Ratio | None = _ratio("target_amount / run_rate; also empty when run_rate is 0")
    target_flag: str | None = pa.Field(
        nullable=True,
        isin=["high", "low"],
        description="`high` when target_ratio is above the config's high, `low` when below its low; else empty.",
    )
    graded_dimensions: pl.Int64 = pa.Field(
        ge=0, description="How many of the composite's dimensions (weight > 0) have a grade."
    )
    composite_outlier: pl.Boolean = pa.Field(
        description="True when the composite is more than 2 population standard deviations from the mean "
        "of a team of 5 or more reps with a composite."
    )

    class Config:
        strict = True
        ordered = True
