"""The pandera schemas are generated from the TableSpecs and reject bad values on DataFrames."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandera.polars as pa
import polars as pl
import pytest

from scorecards.schemas.canonical import MODELS
from scorecards.schemas.output import FairnessFigures, Scorecards
from scorecards.schemas.tables import TABLES, empty_frame

#: Two valid typed rows per table, under different keys.
TYPED_ROWS: dict[str, list[dict[str, object]]] = {
    "reps": [
        {
            "rep_id": "R1",
            "rep_name": "Ann",
            "email": "ann@example.com",
            "team": "North",
            "manager_name": "Mia",
            "manager_email": "mia@example.com",
            "hire_date": date(2025, 1, 6),
            "locale": "en",
        },
        {
            "rep_id": "R2",
            "rep_name": "Bo",
            "email": "bo@example.com",
            "team": "North",
            "manager_name": "Mia",
            "manager_email": "mia@example.com",
            "hire_date": None,
            "locale": "zh-CN",
        },
    ],
    "opportunities": [
        {
            "opportunity_id": "O1",
            "rep_id": "R1",
            "account_id": "A1",
            "account_name": "Acme",
            "stage": "won",
            "amount": Decimal("10.00"),
            "created_date": date(2026, 10, 1),
            "close_date": date(2026, 10, 2),
            "currency": "CNY",
        },
        {
            "opportunity_id": "O2",
            "rep_id": "R1",
            "account_id": "A2",
            "account_name": None,
            "stage": "open",
            "amount": Decimal("0.00"),
            "created_date": date(2026, 10, 1),
            "close_date": None,
            "currency": "EUR",
        },
    ],
    "opportunity_splits": [
        {"opportunity_id": "O1", "rep_id": "R1", "share": Decimal("0.3333")},
        {"opportunity_id": "O1", "rep_id": "R2", "share": Decimal("0.6667")},
    ],
    "fx_rates": [
        {"currency": "EUR", "rate_date": date(2026, 10, 1), "rate": Decimal("7.8123456789")},
        {"currency": "USD", "rate_date": date(2026, 10, 1), "rate": Decimal("7.1")},
    ],
    "targets": [
        {"rep_id": "R1", "period": "2026-10", "target_amount": Decimal("100.00")},
        {"rep_id": "R1", "period": "2026-11", "target_amount": Decimal("0.00")},
    ],
    "leads": [
        {
            "lead_id": "L1",
            "rep_id": "R1",
            "created_date": date(2026, 10, 1),
            "status": "converted",
            "closed_date": date(2026, 10, 3),
            "first_contact_date": date(2026, 10, 2),
        },
        {
            "lead_id": "L2",
            "rep_id": "R1",
            "created_date": date(2026, 10, 1),
            "status": "open",
            "closed_date": None,
            "first_contact_date": None,
        },
    ],
    "surveys": [
        {
            "response_id": "S1",
            "rep_id": "R1",
            "account_id": "A1",
            "submitted_date": date(2026, 10, 2),
            "score": Decimal("4.5"),
            "scale_max": Decimal(5),
            "comment": "good",
        },
        {
            "response_id": "S2",
            "rep_id": "R1",
            "account_id": None,
            "submitted_date": date(2026, 10, 2),
            "score": Decimal(0),
            "scale_max": Decimal(100),
            "comment": None,
        },
    ],
    "manager_notes": [
        {"rep_id": "R1", "period": "2026-10", "note": "Keep going"},
        {"rep_id": "R1", "period": "2026-10", "note": "Call Acme"},
    ],
    "skill_ratings": [
        {"rep_id": "R1", "period": "2026-10", "skill": "closing", "rating": Decimal("3.5")},
        {"rep_id": "R1", "period": "2026-10", "skill": "plan", "rating": Decimal(5)},
    ],
}

#: The columns whose validated values may be null (locale and scale_max take the config's default).
NULLABLE = {
    "reps": ["hire_date"],
    "opportunities": ["account_name", "close_date"],
    "targets": [],
    "leads": ["closed_date", "first_contact_date"],
    "surveys": ["account_id", "comment"],
    "manager_notes": [],
    "skill_ratings": [],
    "opportunity_splits": [],
    "fx_rates": [],
}

#: The validated type of each kind of column but choice (an Enum of the column's choices).
DTYPES = {
    "text": pl.String,
    "email": pl.String,
    "period": pl.String,
    "date": pl.Date,
    "money": pl.Decimal(38, 2),
    "number": pl.Decimal(38, 6),
    "share": pl.Decimal(38, 4),
    "rate": pl.Decimal(38, 10),
    "currency": pl.String,
}


def typed(table: str, **change: object) -> pl.DataFrame:
    """The table's two valid rows, the second with `change` applied."""
    first, second = TYPED_ROWS[table]
    return pl.DataFrame([first, {**second, **change}], schema=empty_frame(table).schema)


@pytest.mark.parametrize("table", TABLES)
def test_a_valid_frame_passes(table: str) -> None:
    MODELS[table].validate(typed(table), lazy=True)


@pytest.mark.parametrize(
    ("table", "change", "check"),
    [
        ("reps", {"rep_id": "R1"}, "field_uniqueness"),
        ("reps", {"locale": None}, "not_nullable"),
        ("reps", {"email": None}, "not_nullable"),
        ("opportunities", {"opportunity_id": "O1"}, "field_uniqueness"),
        ("opportunities", {"amount": Decimal("-1.00")}, "amount: below 0"),
        ("opportunities", {"stage": "lost"}, "close_date: required when stage is won or lost"),
        ("opportunities", {"close_date": date(2026, 9, 1)}, "close_date: before created_date"),
        ("opportunities", {"currency": None}, "not_nullable"),
        ("opportunity_splits", {"rep_id": "R1"}, "multiple_fields_uniqueness"),
        ("opportunity_splits", {"share": Decimal(0)}, "share: not above 0"),
        ("opportunity_splits", {"share": Decimal("1.0001")}, "share: above 1"),
        ("fx_rates", {"currency": "EUR"}, "multiple_fields_uniqueness"),
        ("fx_rates", {"rate": Decimal(0)}, "rate: not above 0"),
        ("targets", {"period": "2026-10"}, "multiple_fields_uniqueness"),
        ("targets", {"target_amount": Decimal("-0.01")}, "target_amount: below 0"),
        ("leads", {"lead_id": "L1"}, "field_uniqueness"),
        ("leads", {"status": "disqualified"}, "closed_date: required when status is converted or disqualified"),
        ("leads", {"closed_date": date(2026, 9, 30)}, "closed_date: before created_date"),
        ("leads", {"first_contact_date": date(2026, 9, 30)}, "first_contact_date: before created_date"),
        ("surveys", {"response_id": "S1"}, "field_uniqueness"),
        ("surveys", {"scale_max": Decimal(0)}, "scale_max: not above 0"),
        ("surveys", {"scale_max": None}, "not_nullable"),
        ("surveys", {"score": Decimal(-1)}, "score: below 0"),
        ("surveys", {"score": Decimal(101)}, "score: above scale_max"),
        ("manager_notes", {"note": None}, "not_nullable"),
        ("skill_ratings", {"skill": "closing"}, "multiple_fields_uniqueness"),
        ("skill_ratings", {"rating": Decimal("0.5")}, "rating: not between 1 and 5"),
        ("skill_ratings", {"rating": Decimal("5.000001")}, "rating: not between 1 and 5"),
    ],
)
def test_a_mutated_column_fails_its_check(table: str, change: dict[str, object], check: str) -> None:
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        MODELS[table].validate(typed(table, **change), lazy=True)
    assert caught.value.failure_cases["check"].unique().to_list() == [check]


@pytest.mark.parametrize(("table", "column"), [("reps", "locale"), ("opportunities", "stage"), ("leads", "status")])
def test_a_choice_column_holding_text_fails_its_type(table: str, column: str) -> None:
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        MODELS[table].validate(typed(table).cast({column: pl.String}), lazy=True)
    cases = caught.value.failure_cases
    assert cases.select("column", "failure_case").rows() == [(column, "String")]
    assert cases["check"].item().startswith("dtype('Enum(")


@pytest.mark.parametrize("table", TABLES)
def test_each_schema_is_its_table_spec(table: str) -> None:
    spec, schema = TABLES[table], MODELS[table]
    assert list(schema.columns) == spec.columns
    assert schema.strict is True
    assert schema.description == spec.description
    for field in spec.fields:
        column = schema.columns[field.name]
        assert column.dtype.type == (pl.Enum(field.choices) if field.kind == "choice" else DTYPES[field.kind]), (
            field.name
        )
        assert column.nullable is (field.name in NULLABLE[table]), field.name
        assert column.unique is (spec.key == (field.name,)), field.name
        assert column.description == field.description
        assert column.checks == [], field.name
    assert schema.unique == (list(spec.key) if len(spec.key) > 1 else None)
    assert [check.error for check in schema.checks] == [rule for rule, _ in spec.row_rules]


@pytest.mark.parametrize(
    "schema", [*MODELS.values(), Scorecards.to_schema(), FairnessFigures.to_schema()], ids=lambda schema: schema.name
)
def test_every_column_has_a_description(schema: pa.DataFrameSchema) -> None:
    assert schema.description
    assert [name for name, column in schema.columns.items() if not column.description] == []


def fairness_rows(**change: object) -> pl.DataFrame:
    """Two valid fairness.csv rows, the second with `change` applied."""
    from scorecards.transforms.fairness import FAIRNESS_COLUMNS

    first = {
        "period": "2026-10",
        "rep_id": "R1",
        "team": "East",
        "target_amount": Decimal("150.00"),
        "run_rate": Decimal("100.00"),
        "target_ratio": Decimal("1.500000"),
        "target_flag": None,
        "graded_dimensions": 2,
        "composite_outlier": False,
    }
    second = {**first, "rep_id": "R2", "target_amount": None, "target_ratio": None, **change}
    schema = {
        "period": pl.String,
        "rep_id": pl.String,
        "team": pl.String,
        "target_amount": pl.Decimal(38, 2),
        "run_rate": pl.Decimal(38, 2),
        "target_ratio": pl.Decimal(38, 6),
        "target_flag": pl.String,
        "graded_dimensions": pl.Int64,
        "composite_outlier": pl.Boolean,
    }
    assert list(schema) == list(FAIRNESS_COLUMNS)
    return pl.DataFrame([first, second], schema=schema)


def test_valid_fairness_figures_pass() -> None:
    FairnessFigures.validate(fairness_rows(target_flag="high", run_rate=None), lazy=True)


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"rep_id": "R1"}, "field_uniqueness"),
        ({"target_flag": "unfair"}, "isin(['high', 'low'])"),
        ({"run_rate": Decimal("-0.01")}, "greater_than_or_equal_to(0)"),
        ({"graded_dimensions": -1}, "greater_than_or_equal_to(0)"),
        ({"period": "2026-13-01"}, "str_matches('^[0-9]{4}-(0[1-9]|1[0-2])$')"),
    ],
)
def test_a_wrong_fairness_figure_fails_its_check(change: dict[str, object], check: str) -> None:
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        FairnessFigures.validate(fairness_rows(**change), lazy=True)
    assert caught.value.failure_cases["check"].unique().to_list() == [check]
