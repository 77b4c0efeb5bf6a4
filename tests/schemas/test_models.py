"""The pandera models reject bad values on DataFrames, and back up the quarantine rules."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pandera.polars as pa
import polars as pl
import pytest
from test_quarantine import LENIENT, VALID_ROWS, raw

from scorecards.flows.validate import quarantine
from scorecards.schemas import tables
from scorecards.schemas.canonical import MODELS, Opportunities, empty_frame
from scorecards.schemas.output import Scorecards


def typed_opportunities(**change: object) -> pl.DataFrame:
    row = {
        "opportunity_id": "O1",
        "rep_id": "R1",
        "account_id": "A1",
        "account_name": "Acme",
        "stage": "won",
        "amount": Decimal("10.00"),
        "created_date": date(2026, 10, 1),
        "close_date": date(2026, 10, 2),
        **change,
    }
    return pl.DataFrame([row], schema=empty_frame("opportunities").schema)


def test_a_valid_frame_passes() -> None:
    Opportunities.validate(typed_opportunities(), lazy=True)


@pytest.mark.parametrize(
    ("change", "check"),
    [
        ({"amount": Decimal("-1.00")}, "greater_than_or_equal_to(0)"),
        ({"stage": "pending"}, "isin(['open', 'won', 'lost'])"),
        ({"close_date": date(2026, 9, 1)}, "close_date before created_date"),
        ({"close_date": None}, "close_date required when stage is won or lost"),
    ],
)
def test_a_mutated_column_fails_its_check(change: dict[str, object], check: str) -> None:
    with pytest.raises(pa.errors.SchemaErrors) as caught:
        Opportunities.validate(typed_opportunities(**change), lazy=True)
    assert check in caught.value.failure_cases["check"].to_list()


def test_rows_only_the_model_catches_are_quarantined_with_its_check(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tables.TABLES["surveys"]
    without_rule = dataclasses.replace(spec, row_rules=tuple(r for r in spec.row_rules if "above" not in r[0]))
    monkeypatch.setitem(quarantine.TABLES, "surveys", without_rule)
    rows = [VALID_ROWS["surveys"], {**VALID_ROWS["surveys"], "response_id": "S2", "score": "6"}]
    result = quarantine.validate_tables(
        {
            "reps": raw("reps", [VALID_ROWS["reps"]]),
            "opportunities": raw("opportunities", []),
            "surveys": raw("surveys", rows),
        },
        LENIENT,
    )
    rejected = result.quarantine["surveys"]
    assert rejected["response_id"].to_list() == ["S2"]
    assert rejected[quarantine.REASON].to_list() == ["Surveys: score above scale_max"]
    assert rejected[quarantine.SOURCE_ROW].to_list() == [3]
    assert result.tables is not None and result.tables.surveys["response_id"].to_list() == ["S1"]


@pytest.mark.parametrize("model", [*MODELS.values(), Scorecards], ids=lambda m: m.__name__)
def test_every_column_has_a_description(model: type[pa.DataFrameModel]) -> None:
    schema = model.to_schema()
    assert schema.description or model.__doc__
    assert [name for name, column in schema.columns.items() if not column.description] == []
