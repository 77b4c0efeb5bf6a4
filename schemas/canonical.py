"""One pandera model per canonical input table, as the transforms receive it (SPEC §2).

These are the contract of the validated tables: types, ranges, uniqueness and
cross-column rules. The quarantine split (schemas/quarantine.py) removes the
rows that break a rule first; a row these models still reject is quarantined
with the model's check as its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated

import pandera.polars as pa
import polars as pl
from pandera.engines import polars_engine as pe

Money = Annotated[pe.Decimal, 38, 2]
Number = Annotated[pe.Decimal, 38, 6]
PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def _after(later: str, earlier: str) -> pl.Expr:
    return pl.col(later).is_null() | (pl.col(later) >= pl.col(earlier))


class Reps(pa.DataFrameModel):
    """One row per sales rep."""

    rep_id: str = pa.Field(unique=True, str_length={"min_value": 1}, description="Rep identifier, unique.")
    rep_name: str = pa.Field(str_length={"min_value": 1}, description="Rep's display name.")
    email: str = pa.Field(str_contains="@", description="Rep's email address.")
    team: str = pa.Field(str_length={"min_value": 1}, description="Team the rep belongs to.")
    manager_name: str = pa.Field(str_length={"min_value": 1}, description="Team manager's name.")
    manager_email: str = pa.Field(str_contains="@", description="Team manager's email address.")
    hire_date: pl.Date | None = pa.Field(nullable=True, description="Hire date; no card before it.")
    locale: str = pa.Field(isin=["en", "zh-CN"], description="Language of the rep's card.")

    class Config:
        strict = True


class Opportunities(pa.DataFrameModel):
    """One row per sales opportunity (deal)."""

    opportunity_id: str = pa.Field(unique=True, str_length={"min_value": 1}, description="Opportunity id, unique.")
    rep_id: str = pa.Field(description="Owning rep; a rep in reps.")
    account_id: str = pa.Field(str_length={"min_value": 1}, description="Customer account.")
    account_name: str | None = pa.Field(nullable=True, description="Customer account's name.")
    stage: str = pa.Field(isin=["open", "won", "lost"], description="open, won or lost.")
    amount: Money = pa.Field(ge=Decimal(0), description="Deal amount, exact to the cent.")
    created_date: pl.Date = pa.Field(description="Day the opportunity was created.")
    close_date: pl.Date | None = pa.Field(nullable=True, description="Day it was won or lost.")

    class Config:
        strict = True

    @pa.dataframe_check(error="close_date required when stage is won or lost")
    def closed_has_close_date(cls, data: pe.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("stage") == "open") | pl.col("close_date").is_not_null())

    @pa.dataframe_check(error="close_date before created_date")
    def closes_after_creation(cls, data: pe.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_after("close_date", "created_date"))


class Targets(pa.DataFrameModel):
    """One sales target per rep and month."""

    rep_id: str = pa.Field(description="Rep the target is for; a rep in reps.")
    period: str = pa.Field(str_matches=PERIOD_PATTERN, description="Month, YYYY-MM.")
    target_amount: Money = pa.Field(ge=Decimal(0), description="Target amount, exact to the cent.")

    class Config:
        strict = True
        unique = ["rep_id", "period"]


class Leads(pa.DataFrameModel):
    """One row per lead."""

    lead_id: str = pa.Field(unique=True, str_length={"min_value": 1}, description="Lead id, unique.")
    rep_id: str = pa.Field(description="Owning rep; a rep in reps.")
    created_date: pl.Date = pa.Field(description="Day the lead was registered.")
    status: str = pa.Field(isin=["open", "converted", "disqualified"], description="open, converted or disqualified.")
    closed_date: pl.Date | None = pa.Field(nullable=True, description="Day it was converted or disqualified.")
    first_contact_date: pl.Date | None = pa.Field(nullable=True, description="Day of the first contact.")

    class Config:
        strict = True

    @pa.dataframe_check(error="closed_date required when converted or disqualified")
    def closed_has_date(cls, data: pe.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("status") == "open") | pl.col("closed_date").is_not_null())

    @pa.dataframe_check(error="closed_date before created_date")
    def closes_after_creation(cls, data: pe.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_after("closed_date", "created_date"))

    @pa.dataframe_check(error="first_contact_date before created_date")
    def contact_after_creation(cls, data: pe.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_after("first_contact_date", "created_date"))


class Surveys(pa.DataFrameModel):
    """One row per customer-survey response."""

    response_id: str = pa.Field(unique=True, str_length={"min_value": 1}, description="Response id, unique.")
    rep_id: str = pa.Field(description="Rep the survey is about; a rep in reps.")
    account_id: str | None = pa.Field(nullable=True, description="Account that answered.")
    submitted_date: pl.Date = pa.Field(description="Day the answer was submitted.")
    score: Number = pa.Field(ge=Decimal(0), description="Score on the response's own scale.")
    scale_max: Number = pa.Field(gt=Decimal(0), description="Top of the response's scale (default from config).")
    comment: str | None = pa.Field(nullable=True, description="Free-text comment.")

    class Config:
        strict = True

    @pa.dataframe_check(error="score above scale_max")
    def score_within_scale(cls, data: pe.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("score") <= pl.col("scale_max"))


class ManagerNotes(pa.DataFrameModel):
    """A manager's note for a rep's card in a month."""

    rep_id: str = pa.Field(description="Rep the note is for; a rep in reps.")
    period: str = pa.Field(str_matches=PERIOD_PATTERN, description="Month, YYYY-MM.")
    note: str = pa.Field(description="Free text shown on the card.")

    class Config:
        strict = True


class SkillRatings(pa.DataFrameModel):
    """A manager's rating of one sales skill of a rep in a month."""

    rep_id: str = pa.Field(description="Rated rep; a rep in reps.")
    period: str = pa.Field(str_matches=PERIOD_PATTERN, description="Month, YYYY-MM.")
    skill: str = pa.Field(str_length={"min_value": 1}, description="Skill name, e.g. prospecting.")
    rating: Number = pa.Field(ge=Decimal(1), le=Decimal(5), description="Rating from 1 to 5.")

    class Config:
        strict = True
        unique = ["rep_id", "period", "skill"]


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "reps": Reps,
    "opportunities": Opportunities,
    "targets": Targets,
    "leads": Leads,
    "surveys": Surveys,
    "manager_notes": ManagerNotes,
    "skill_ratings": SkillRatings,
}


def empty_frame(table: str) -> pl.DataFrame:
    """An empty frame with the table's validated columns and types (for an absent optional table)."""
    schema = MODELS[table].to_schema()
    return pl.DataFrame(schema={name: column.dtype.type for name, column in schema.columns.items()})


@dataclass(frozen=True)
class InputTables:
    """One validated, typed frame per canonical table; an absent optional table is an empty frame."""

    reps: pl.DataFrame
    opportunities: pl.DataFrame
    targets: pl.DataFrame
    leads: pl.DataFrame
    surveys: pl.DataFrame
    manager_notes: pl.DataFrame
    skill_ratings: pl.DataFrame
