"""SPEC §8.1 and §8.2 input rules: splits, currencies and rates; each broken rule quarantines with its reason."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from builders import BASE_TABLES

from scorecards.config import load_settings
from scorecards.flows.validate import quarantine
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.schemas.results import REASON, RawTable

SETTINGS = load_settings()
LENIENT = SETTINGS.model_copy(update={"quarantine": SETTINGS.quarantine.model_copy(update={"ceiling": Decimal(1)})})
OPPORTUNITY = BASE_TABLES["opportunities"][0]  # O1, R1, won 1000.10, closed 2026-10-05


def raw(table: str, rows: list[dict[str, str]]) -> RawTable:
    frame = pl.DataFrame(rows, schema=dict.fromkeys(rows[0], pl.String), orient="row")
    return RawTable(table, f"{table}.csv", "0" * 64, frame)


def validate(**tables: list[dict[str, str]]):  # noqa: ANN201
    given = {"reps": BASE_TABLES["reps"], "opportunities": [OPPORTUNITY], **tables}
    return validate_tables({name: raw(name, rows) for name, rows in given.items()}, LENIENT)


def reasons(result, table: str) -> list[str]:  # noqa: ANN001
    rejected = result.quarantine.get(table)
    return [] if rejected is None else rejected[REASON].to_list()


def split(rep_id: str, share: str, opportunity_id: str = "O1") -> dict[str, str]:
    return {"opportunity_id": opportunity_id, "rep_id": rep_id, "share": share}


def test_shares_that_sum_to_one_are_kept() -> None:
    result = validate(opportunity_splits=[split("R1", "0.3333"), split("R2", "0.3333"), split("R3", "0.3334")])
    assert reasons(result, "opportunity_splits") == []
    assert result.tables is not None and result.tables.opportunity_splits["share"].to_list() == [
        Decimal("0.3333"),
        Decimal("0.3333"),
        Decimal("0.3334"),
    ]


def test_shares_that_do_not_sum_to_one_are_all_quarantined_with_their_sum() -> None:
    result = validate(opportunity_splits=[split("R1", "0.5"), split("R2", "0.4")])
    assert reasons(result, "opportunity_splits") == ["shares sum to 0.9000, not 1"] * 2
    assert result.tables is not None and result.tables.opportunity_splits.is_empty()


def test_the_sum_counts_only_rows_that_passed_the_other_rules() -> None:
    # R9 is no rep: its row goes, and the rest (0.6) no longer sums to 1.
    result = validate(opportunity_splits=[split("R1", "0.6"), split("R9", "0.4")])
    assert sorted(reasons(result, "opportunity_splits")) == [
        "rep_id: not a rep in reps (unknown, or its reps row quarantined)",
        "shares sum to 0.6000, not 1",
    ]


def test_a_split_of_an_unknown_or_quarantined_opportunity_is_quarantined() -> None:
    bad_opportunity = {**OPPORTUNITY, "opportunity_id": "O2", "amount": "-1"}
    result = validate(
        opportunities=[OPPORTUNITY, bad_opportunity],
        opportunity_splits=[split("R1", "1", "O2"), split("R1", "1", "O9")],
    )
    assert (
        reasons(result, "opportunity_splits")
        == ["opportunity_id: not a kept opportunity (unknown, or quarantined)"] * 2
    )


def test_a_split_key_twice_quarantines_both_rows() -> None:
    result = validate(opportunity_splits=[split("R1", "0.5"), split("R1", "0.5")])
    assert (
        reasons(result, "opportunity_splits")
        == ["opportunity_id + rep_id: duplicate (all rows sharing it are quarantined)"] * 2
    )


@pytest.mark.parametrize(
    ("share", "reason"),
    [
        ("0", "share: not above 0"),
        ("-0.5", "share: not above 0"),
        ("1.0001", "share: above 1"),
        ("0.33333", "share: more than 4 decimal places"),
        ("1e309", "share: not a number"),
        ("50%%", "share: not a number"),
        ("50%", "share: not a number"),
        ("0." + "3" * 300, "share: more than 4 decimal places"),
        ("3" * 300, "share: too large"),
        ("", "share: required"),
    ],
)
def test_a_hostile_share_is_quarantined_with_a_reason(share: str, reason: str) -> None:
    result = validate(opportunity_splits=[split("R1", share)])
    assert reasons(result, "opportunity_splits") == [reason]


@pytest.mark.parametrize(
    ("currency", "reason"),
    [
        ("€", "currency: not a currency code (three capital letters)"),
        ("eur", "currency: not a currency code (three capital letters)"),
        ("EURO", "currency: not a currency code (three capital letters)"),
        ("ＵＳＤ", "currency: not a currency code (three capital letters)"),
        ("USD", "currency: no USD rate on or before 2026-10-05"),
    ],
)
def test_a_currency_that_is_no_code_or_has_no_rate_is_quarantined(currency: str, reason: str) -> None:
    result = validate(opportunities=[{**OPPORTUNITY, "currency": currency}])
    assert reasons(result, "opportunities") == [reason]


def test_an_empty_currency_is_the_reporting_currency_and_a_dated_rate_converts_another() -> None:
    eur = {**OPPORTUNITY, "opportunity_id": "O2", "currency": "EUR"}
    result = validate(
        opportunities=[{**OPPORTUNITY, "currency": ""}, eur],
        fx_rates=[{"currency": "EUR", "rate_date": "2026-10-05", "rate": "7.8"}],
    )
    assert reasons(result, "opportunities") == []
    assert result.tables is not None and result.tables.opportunities["currency"].to_list() == ["CNY", "EUR"]


def test_a_rate_after_the_value_date_does_not_count() -> None:
    result = validate(
        opportunities=[{**OPPORTUNITY, "currency": "EUR"}],
        fx_rates=[{"currency": "EUR", "rate_date": "2026-10-06", "rate": "7.8"}],
    )
    assert reasons(result, "opportunities") == ["currency: no EUR rate on or before 2026-10-05"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"currency": "CNY", "rate_date": "2026-10-01", "rate": "1"}, "currency: CNY is the reporting currency"),
        ({"currency": "USD", "rate_date": "2026-10-01", "rate": "0"}, "rate: not above 0"),
        ({"currency": "USD", "rate_date": "2026-10-01", "rate": "1e309"}, "rate: not a number"),
        ({"currency": "USD", "rate_date": "2026-10-01", "rate": "7.12345678901"}, "rate: more than 10 decimal places"),
        (
            {"currency": "$", "rate_date": "2026-10-01", "rate": "7"},
            "currency: not a currency code (three capital letters)",
        ),
        ({"currency": "USD", "rate_date": "2026-13-01", "rate": "7"}, "rate_date: not a date (YYYY-MM-DD)"),
    ],
)
def test_a_bad_rate_is_quarantined_with_a_reason(row: dict[str, str], reason: str) -> None:
    result = validate(fx_rates=[row])
    assert reasons(result, "fx_rates") == [reason]


@pytest.mark.parametrize(
    "again",
    ["2026-10-01", " 2026-10-01", "2026-10-01 ", "2026-10-01T09:00:00", "2026-10-01 23:59"],
    ids=["same", "lead", "trail", "datetime", "time"],
)
def test_a_rate_twice_for_a_day_quarantines_both(again: str) -> None:
    # A datetime counts by its calendar date (SPEC §1): a rate at 09:00 is a second rate for the day.
    row = {"currency": "USD", "rate_date": "2026-10-01", "rate": "7"}
    result = validate(fx_rates=[row, {**row, "rate_date": again, "rate": "7.1"}])
    assert reasons(result, "fx_rates") == ["currency + rate_date: duplicate (all rows sharing it are quarantined)"] * 2


def test_a_rate_twice_for_a_day_is_found_in_a_table_too_large_for_a_whole_schema_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Above FULL_CHECK_ROWS the schema's uniqueness check sees a sample only: the rules must find the pair.
    monkeypatch.setattr(quarantine, "FULL_CHECK_ROWS", 2)
    rates = [{"currency": "USD", "rate_date": f"2026-09-{day:02d}", "rate": "7"} for day in range(1, 8)]
    rates.append({"currency": "USD", "rate_date": "2026-09-06T09:00:00", "rate": "9"})
    result = validate(fx_rates=rates)
    rejected = result.quarantine["fx_rates"]
    assert rejected["rate_date"].to_list() == ["2026-09-06", "2026-09-06T09:00:00"]
    assert result.tables is not None and result.tables.fx_rates.height == 6


def test_unreadable_reps_do_not_quarantine_every_row_of_the_other_tables() -> None:
    from scorecards.schemas.results import UnreadableTable

    tables = {
        "reps": UnreadableTable("reps", "sales_teams.csv", "join 'agent': no file matches"),
        "opportunities": raw("opportunities", [OPPORTUNITY]),
    }
    result = validate_tables(tables, LENIENT)
    assert result.report.problems == ["sales_teams.csv: join 'agent': no file matches"]
    assert reasons(result, "opportunities") == []
