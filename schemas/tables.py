"""The canonical tables (SPEC §2): their columns, keys and cross-column rules."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from scorecards.schemas.fields import Field


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: whether it is required, its columns, its unique key and its row rules."""

    name: str
    required: bool
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    #: (rule, broken) pairs over the typed columns; checked on rows whose cells all parsed.
    row_rules: tuple[tuple[str, pl.Expr], ...] = ()

    @property
    def has_rep(self) -> bool:
        """True when each row names a rep that must exist in reps."""
        return self.name != "reps" and any(f.name == "rep_id" for f in self.fields)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]


def _before(later: str, earlier: str) -> pl.Expr:
    return pl.col(later) < pl.col(earlier)


def _missing_when(column: str, status: str, values: list[str]) -> pl.Expr:
    return pl.col(status).is_in(values) & pl.col(column).is_null()


REP_ID = Field("rep_id")
PERIOD = Field("period", "period")

TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "reps",
            required=True,
            fields=(
                REP_ID,
                Field("rep_name"),
                Field("email", "email"),
                Field("team"),
                Field("manager_name"),
                Field("manager_email", "email"),
                Field("hire_date", "date", required=False, optional_column=True),
                Field("locale", "choice", required=False, optional_column=True, choices=("en", "zh-CN")),
            ),
            key=("rep_id",),
        ),
        TableSpec(
            "opportunities",
            required=True,
            fields=(
                Field("opportunity_id"),
                REP_ID,
                Field("account_id"),
                Field("account_name", required=False, optional_column=True),
                Field("stage", "choice", choices=("open", "won", "lost")),
                Field("amount", "money"),
                Field("created_date", "date"),
                Field("close_date", "date", required=False),
            ),
            key=("opportunity_id",),
            row_rules=(
                (
                    "close_date: required when stage is won or lost",
                    _missing_when("close_date", "stage", ["won", "lost"]),
                ),
                ("close_date: before created_date", _before("close_date", "created_date")),
                ("amount: below 0", pl.col("amount") < 0),
            ),
        ),
        TableSpec(
            "targets",
            required=False,
            fields=(REP_ID, PERIOD, Field("target_amount", "money")),
            key=("rep_id", "period"),
            row_rules=(("target_amount: below 0", pl.col("target_amount") < 0),),
        ),
        TableSpec(
            "leads",
            required=False,
            fields=(
                Field("lead_id"),
                REP_ID,
                Field("created_date", "date"),
                Field("status", "choice", choices=("open", "converted", "disqualified")),
                Field("closed_date", "date", required=False),
                Field("first_contact_date", "date", required=False, optional_column=True),
            ),
            key=("lead_id",),
            row_rules=(
                (
                    "closed_date: required when status is converted or disqualified",
                    _missing_when("closed_date", "status", ["converted", "disqualified"]),
                ),
                ("closed_date: before created_date", _before("closed_date", "created_date")),
                ("first_contact_date: before created_date", _before("first_contact_date", "created_date")),
            ),
        ),
        TableSpec(
            "surveys",
            required=False,
            fields=(
                Field("response_id"),
                REP_ID,
                Field("account_id", required=False, optional_column=True),
                Field("submitted_date", "date"),
                Field("score", "number"),
                Field("scale_max", "number", required=False, optional_column=True),
                Field("comment", required=False, optional_column=True),
            ),
            key=("response_id",),
            row_rules=(
                ("scale_max: not above 0", pl.col("scale_max") <= 0),
                ("score: below 0", pl.col("score") < 0),
                ("score: above scale_max", pl.col("score") > pl.col("scale_max")),
            ),
        ),
        TableSpec(
            "manager_notes",
            required=False,
            fields=(REP_ID, PERIOD, Field("note")),
        ),
        TableSpec(
            "skill_ratings",
            required=False,
            fields=(REP_ID, PERIOD, Field("skill"), Field("rating", "number")),
            key=("rep_id", "period", "skill"),
            row_rules=(("rating: not between 1 and 5", ~pl.col("rating").is_between(1, 5)),),
        ),
    )
}
