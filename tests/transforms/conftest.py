"""Builders for the pure-transform tests: typed canonical frames from a few literal rows.

Rows are dicts; columns a test does not care about get harmless defaults. Dates
may be given as ISO strings and decimals as strings or ints (never floats), and
are converted to the exact types of `empty_frame(table)`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

import polars as pl
import pytest

from scorecards.config import Settings, load_settings
from scorecards.schemas.tables import InputTables, empty_frame
from scorecards.transforms.credit import deals
from scorecards.transforms.period import Period
from scorecards.transforms.scorecard import compute_scorecards

TABLES: tuple[str, ...] = (
    "reps",
    "opportunities",
    "targets",
    "leads",
    "surveys",
    "manager_notes",
    "skill_ratings",
    "opportunity_splits",
    "fx_rates",
)


def _rep_defaults(row: Mapping[str, Any]) -> dict[str, Any]:
    rid = row["rep_id"]
    return {
        "rep_name": f"Rep {rid}",
        "email": f"{rid.lower()}@example.com",
        "team": "T1",
        "manager_name": "Manager",
        "manager_email": "manager@example.com",
        "hire_date": None,
        "locale": "en",
    }


_DEFAULTS: dict[str, Callable[[Mapping[str, Any]], dict[str, Any]]] = {
    "reps": _rep_defaults,
    "opportunities": lambda r: {
        "account_id": f"ACC-{r['opportunity_id']}",
        "account_name": None,
        "amount": "0.00",
        "created_date": "2020-01-01",
        "close_date": None,
        "currency": "CNY",  # the default config's reporting currency
    },
    "targets": lambda r: {},
    "leads": lambda r: {"closed_date": None, "first_contact_date": None},
    "surveys": lambda r: {"account_id": None, "scale_max": "100", "comment": None},
    "manager_notes": lambda r: {"note": ""},
    "skill_ratings": lambda r: {},
    "opportunity_splits": lambda r: {},
    "fx_rates": lambda r: {},
}


def _convert(value: Any, dtype: pl.DataType) -> Any:
    if value is None:
        return None
    if isinstance(value, float):
        raise TypeError(f"give decimals as strings, not floats: {value!r}")
    if dtype == pl.Date and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(dtype, pl.Decimal) and isinstance(value, (str, int)):
        return Decimal(str(value))
    return value


def frame(table: str, rows: Iterable[Mapping[str, Any]] = ()) -> pl.DataFrame:
    """A typed frame of `table` (schema of empty_frame) holding `rows`."""
    schema = empty_frame(table).schema
    full_rows = []
    for row in rows:
        unknown = set(row) - set(schema)
        if unknown:
            raise KeyError(f"{table}: unknown column(s) {sorted(unknown)}")
        merged = {**_DEFAULTS[table](row), **row}
        full_rows.append(tuple(_convert(merged[name], dtype) for name, dtype in schema.items()))
    if not full_rows:
        return empty_frame(table)
    return pl.DataFrame(full_rows, schema=schema, orient="row")


def make_tables(**tables: Iterable[Mapping[str, Any]]) -> InputTables:
    """InputTables from row lists; a table not given is an empty typed frame."""
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise KeyError(f"unknown table(s) {sorted(unknown)}")
    return InputTables(**{name: frame(name, tables.get(name, ())) for name in TABLES})


def dec(value: str | int | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def run(tables: InputTables, period: str = "2024-03", settings: Settings | None = None) -> pl.DataFrame:
    """compute_scorecards for a period written YYYY-MM (default settings unless given)."""
    return compute_scorecards(tables, Period.parse(period), settings or load_settings())


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


def deals_of(opportunities: pl.DataFrame, **tables: Iterable[Mapping[str, Any]]) -> pl.LazyFrame:
    """credit.deals of these opportunities (and any splits or rates given as rows), reported in CNY."""
    given = make_tables(**tables)
    return deals(dataclasses.replace(given, opportunities=opportunities), "CNY")


@pytest.fixture(name="deals_of", scope="session")
def _deals_of_fixture() -> Callable[..., pl.LazyFrame]:
    return deals_of


@pytest.fixture(name="make_tables", scope="session")
def _make_tables_fixture() -> Callable[..., InputTables]:
    return make_tables


@pytest.fixture(name="frame", scope="session")
def _frame_fixture() -> Callable[..., pl.DataFrame]:
    return frame


@pytest.fixture(name="run", scope="session")
def _run_fixture() -> Callable[..., pl.DataFrame]:
    return run
