"""The pandera models reject bad values on DataFrames."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pandera.polars as pa
import polars as pl
import pytest

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


@pytest.mark.parametrize("model", [*MODELS.values(), Scorecards], ids=lambda m: m.__name__)
def test_every_column_has_a_description(model: type[pa.DataFrameModel]) -> None:
    schema = model.to_schema()
    assert schema.description or model.__doc__
    assert [name for name, column in schema.columns.items() if not column.description] == []
