"""The canonical tables (SPEC §2): their grain, their columns and what each holds, keys and cross-column rules."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from scorecards.schemas.fields import LOCALES, Field


@dataclass(frozen=True)
class TableSpec:
    """A canonical table: its grain, whether it is required, its columns, its unique key and its row rules.

    It is the one home of the table's rules: the validate stage marks rows with them, and the
    table's pandera schema (schemas/canonical.py) is generated from them.
    """

    name: str
    #: What one row is.
    description: str
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


PERIOD = Field("period", "period", description="Month, YYYY-MM.")

#: The suffixes of a canonical table's file, named after the table (SPEC §2): opportunities.csv, … .
CANONICAL_SUFFIXES: tuple[str, ...] = (".csv", ".xlsx", ".parquet")

#: In validation order: a table's cross-table rules use the tables validated before it (every
#: table names a rep; an opportunity in another currency needs a rate; a split, a kept opportunity).
TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "reps",
            description="One row per sales rep.",
            required=True,
            fields=(
                Field("rep_id", description="Rep identifier, unique."),
                Field("rep_name", description="Rep's display name."),
                Field("email", "email", description="Rep's email address."),
                Field("team", description="Team the rep belongs to."),
                Field("manager_name", description="Team manager's name."),
                Field("manager_email", "email", description="Team manager's email address."),
                Field(
                    "hire_date",
                    "date",
                    required=False,
                    optional_column=True,
                    description="Hire date; no card before it.",
                ),
                Field(
                    "locale",
                    "choice",
                    required=False,
                    optional_column=True,
                    choices=LOCALES,
                    config_default=True,
                    description="Language of the rep's card.",
                ),
            ),
            key=("rep_id",),
        ),
        TableSpec(
            "fx_rates",
            description="One exchange rate per currency and day (SPEC §8.2).",
            required=False,
            fields=(
                Field("currency", "currency", description="ISO 4217 code of a currency other than the reporting one."),
                Field("rate_date", "date", description="Day the rate applies from."),
                Field("rate", "rate", description="Units of the reporting currency for one unit of currency."),
            ),
            key=("currency", "rate_date"),
            row_rules=(("rate: not above 0", pl.col("rate") <= 0),),
        ),
        TableSpec(
            "opportunities",
            description="One row per sales opportunity (deal).",
            required=True,
            fields=(
                Field("opportunity_id", description="Opportunity id, unique."),
                Field("rep_id", description="Owning rep; a rep in reps."),
                Field("account_id", description="Customer account."),
                Field("account_name", required=False, optional_column=True, description="Customer account's name."),
                Field("stage", "choice", choices=("open", "won", "lost"), description="open, won or lost."),
                Field("amount", "money", description="Deal amount, exact to the cent."),
                Field("created_date", "date", description="Day the opportunity was created."),
                Field("close_date", "date", required=False, description="Day it was won or lost."),
                Field(
                    "currency",
                    "currency",
                    required=False,
                    optional_column=True,
                    config_default=True,
                    description="ISO 4217 code of the amount; empty for the reporting currency (config).",
                ),
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
            "opportunity_splits",
            description="One rep's share of a shared opportunity (SPEC §8.1).",
            required=False,
            fields=(
                Field("opportunity_id", description="The shared opportunity; a kept row of opportunities."),
                Field("rep_id", description="A rep credited with part of it; a rep in reps."),
                Field("share", "share", description="The rep's share: above 0, at most 1, 4 decimals."),
            ),
            key=("opportunity_id", "rep_id"),
            row_rules=(
                ("share: not above 0", pl.col("share") <= 0),
                ("share: above 1", pl.col("share") > 1),
            ),
        ),
        TableSpec(
            "targets",
            description="One sales target per rep and month.",
            required=False,
            fields=(
                Field("rep_id", description="Rep the target is for; a rep in reps."),
                PERIOD,
                Field("target_amount", "money", description="Target amount, exact to the cent."),
            ),
            key=("rep_id", "period"),
            row_rules=(("target_amount: below 0", pl.col("target_amount") < 0),),
        ),
        TableSpec(
            "leads",
            description="One row per lead.",
            required=False,
            fields=(
                Field("lead_id", description="Lead id, unique."),
                Field("rep_id", description="Owning rep; a rep in reps."),
                Field("created_date", "date", description="Day the lead was registered."),
                Field(
                    "status",
                    "choice",
                    choices=("open", "converted", "disqualified"),
                    description="open, converted or disqualified.",
                ),
                Field("closed_date", "date", required=False, description="Day it was converted or disqualified."),
                Field(
                    "first_contact_date",
                    "date",
                    required=False,
                    optional_column=True,
                    description="Day of the first contact.",
                ),
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
            description="One row per customer-survey response.",
            required=False,
            fields=(
                Field("response_id", description="Response id, unique."),
                Field("rep_id", description="Rep the survey is about; a rep in reps."),
                Field("account_id", required=False, optional_column=True, description="Account that answered."),
                Field("submitted_date", "date", description="Day the answer was submitted."),
                Field("score", "number", description="Score on the response's own scale."),
                Field(
                    "scale_max",
                    "number",
                    required=False,
                    optional_column=True,
                    config_default=True,
                    description="Top of the response's scale (default from config).",
                ),
                Field("comment", required=False, optional_column=True, description="Free-text comment."),
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
            description="A manager's note for a rep's card in a month.",
            required=False,
            fields=(
                Field("rep_id", description="Rep the note is for; a rep in reps."),
                PERIOD,
                Field("note", description="Free text shown on the card."),
            ),
        ),
        TableSpec(
            "skill_ratings",
            description="A manager's rating of one sales skill of a rep in a month.",
            required=False,
            fields=(
                Field("rep_id", description="Rated rep; a rep in reps."),
                PERIOD,
                Field("skill", description="Skill name, e.g. prospecting."),
                Field("rating", "number", description="Rating from 1 to 5."),
            ),
            key=("rep_id", "period", "skill"),
            row_rules=(("rating: not between 1 and 5", ~pl.col("rating").is_between(1, 5)),),
        ),
    )
}


def empty_frame(table: str) -> pl.DataFrame:
    """An empty frame with the table's validated columns and types (for an absent optional table)."""
    return pl.DataFrame(schema={field.name: field.dtype for field in TABLES[table].fields})


#: The columns of `InputTables.set_aside_targets`.
SET_ASIDE_TARGETS_SCHEMA = {"rep_id": pl.String, "period": pl.String}


def of_month(period: str) -> pl.Expr:
    """The rows of `InputTables.set_aside_targets` that may be the month's: its own, and those whose month could
    not be read."""
    return (pl.col("period") == period) | pl.col("period").is_null()


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
    opportunity_splits: pl.DataFrame
    fx_rates: pl.DataFrame
    #: The optional tables the input did not provide (no file, or the source profile's `not_provided`): their
    #: frames are empty, and a card says the input has none rather than that the month had none.
    absent: frozenset[str] = frozenset()
    #: rep_id and period (as text; null where the cell is no month) of each targets row validation set aside: a
    #: rep without a target because its row was quarantined is told so, not that no target was set.
    set_aside_targets: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=SET_ASIDE_TARGETS_SCHEMA))
