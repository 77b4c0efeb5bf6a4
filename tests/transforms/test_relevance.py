"""A period's input digest: what it must see (a row its report can read) and what it may ignore (issue 18).

The digest lets a re-publication skip a month whose rows did not change, so it must
never ignore a row the month's report reads: each "may ignore" case below also checks
that the month's whole report is indeed the same.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecards.config import load_settings
from scorecards.schemas.tables import InputTables
from scorecards.transforms.period import Period
from scorecards.transforms.relevance import period_input_digests
from scorecards.transforms.report import period_report

SEP, OCT, NOV = Period(2026, 9), Period(2026, 10), Period(2026, 11)
ROWS: dict[str, list[dict[str, Any]]] = {
    "reps": [{"rep_id": "R1", "team": "East"}, {"rep_id": "R2", "team": "East"}],
    "opportunities": [
        {
            "opportunity_id": "O1",
            "rep_id": "R1",
            "account_id": "A1",
            "stage": "won",
            "amount": "100.00",
            "created_date": "2026-09-02",
            "close_date": "2026-10-05",
        },
        {
            "opportunity_id": "O2",
            "rep_id": "R2",
            "account_id": "A2",
            "stage": "won",
            "amount": "70.00",
            "created_date": "2026-10-02",
            "close_date": "2026-10-20",
        },
        {
            "opportunity_id": "O3",
            "rep_id": "R1",
            "account_id": "A1",
            "stage": "won",
            "amount": "30.00",
            "created_date": "2026-11-02",
            "close_date": "2026-11-20",
        },
        {
            "opportunity_id": "O4",
            "rep_id": "R2",
            "account_id": "A4",
            "stage": "open",
            "amount": "55.00",
            "created_date": "2026-11-03",
            "currency": "EUR",
        },
    ],
    "opportunity_splits": [],
    "fx_rates": [{"currency": "EUR", "rate_date": "2026-11-01", "rate": "7.5"}],
    "targets": [
        {"rep_id": "R1", "period": "2026-10", "target_amount": "200.00"},
        {"rep_id": "R1", "period": "2026-11", "target_amount": "200.00"},
    ],
    "leads": [
        {
            "lead_id": "L1",
            "rep_id": "R1",
            "created_date": "2026-10-01",
            "status": "converted",
            "closed_date": "2026-10-09",
            "first_contact_date": "2026-10-01",
        },
        {
            "lead_id": "L2",
            "rep_id": "R2",
            "created_date": "2026-11-01",
            "status": "disqualified",
            "closed_date": "2026-11-09",
            "first_contact_date": "2026-11-05",
        },
    ],
    "surveys": [
        {"response_id": "S1", "rep_id": "R1", "submitted_date": "2026-10-11", "score": "90"},
        {"response_id": "S2", "rep_id": "R2", "submitted_date": "2026-11-11", "score": "40"},
    ],
    "skill_ratings": [
        {"rep_id": "R1", "period": "2026-10", "skill": "closing", "rating": "4"},
        {"rep_id": "R1", "period": "2026-11", "skill": "closing", "rating": "2"},
    ],
    "manager_notes": [{"rep_id": "R2", "period": "2026-11", "note": "Good month."}],
}


def changed(table: str, row: int, **values: Any) -> dict[str, list[dict[str, Any]]]:
    """ROWS with one row's cells replaced."""
    return {**ROWS, table: [{**r, **values} if i == row else r for i, r in enumerate(ROWS[table])]}


def added(table: str, new: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {**ROWS, table: [*ROWS[table], new]}


def frames(value: object, name: str = "report") -> Iterator[tuple[str, pl.DataFrame | object]]:
    """Every frame of a report, however nested, by a dotted name; other values as they are."""
    if isinstance(value, pl.DataFrame):
        yield name, value
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from frames(value[key], f"{name}.{key}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from frames(getattr(value, field.name), f"{name}.{field.name}")
    else:
        yield name, value


def same_report(a: InputTables, b: InputTables, period: Period) -> bool:
    settings = load_settings()
    parts = list(
        zip(frames(period_report(a, period, settings)), frames(period_report(b, period, settings)), strict=True)
    )
    for (name, left), (other, right) in parts:
        assert name == other
        if isinstance(left, pl.DataFrame):
            try:
                assert_frame_equal(left, right)
            except AssertionError:
                return False
        elif left != right:
            return False
    return True


@pytest.fixture
def digests(make_tables: Callable[..., InputTables]) -> Callable[..., dict[Period, str]]:
    return lambda rows: period_input_digests(make_tables(**rows), [SEP, OCT, NOV])


@pytest.mark.parametrize(
    "after_october",
    [
        changed("opportunities", 2, amount="31.00"),  # a deal created and won in November
        added(
            "opportunities",
            {
                "opportunity_id": "O9",
                "rep_id": "R1",
                "stage": "lost",
                "amount": "5.00",
                "created_date": "2026-11-07",
                "close_date": "2026-11-08",
            },
        ),
        changed("leads", 1, status="converted"),
        changed("surveys", 1, score="95"),
        changed("targets", 1, target_amount="1.00"),
        changed("skill_ratings", 1, rating="5"),
        changed("manager_notes", 0, note="Changed."),
    ],
    ids=["deal", "new deal", "lead", "survey", "target", "skill", "note"],
)
def test_rows_dated_after_a_month_leave_its_digest_and_its_report_as_they_are(
    make_tables: Callable[..., InputTables], digests: Callable[..., dict[Period, str]], after_october: dict
) -> None:
    before, after = digests(ROWS), digests(after_october)
    assert before[SEP] == after[SEP] and before[OCT] == after[OCT]
    assert before[NOV] != after[NOV]
    assert same_report(make_tables(**ROWS), make_tables(**after_october), OCT)


def test_a_row_of_the_month_changes_its_digest_and_the_later_ones_only(
    digests: Callable[..., dict[Period, str]],
) -> None:
    before, after = digests(ROWS), digests(changed("opportunities", 1, amount="71.00"))  # won in October
    assert before[SEP] == after[SEP]
    assert before[OCT] != after[OCT] and before[NOV] != after[NOV]
    # A deal created in September and won in October counts from September: its created date is a date of it.
    moved = digests(changed("opportunities", 0, amount="101.00"))
    assert all(moved[p] != before[p] for p in (SEP, OCT, NOV))


def test_an_open_deal_counts_for_every_month_since_the_open_pipeline_reads_the_whole_input(
    make_tables: Callable[..., InputTables], digests: Callable[..., dict[Period, str]]
) -> None:
    other = changed("opportunities", 3, amount="56.00")  # open, created in November
    before, after = digests(ROWS), digests(other)
    assert all(before[p] != after[p] for p in (SEP, OCT, NOV))
    assert not same_report(make_tables(**ROWS), make_tables(**other), OCT)  # October's open_pipeline moved


@pytest.mark.parametrize(
    "everywhere",
    [
        changed("fx_rates", 0, rate="7.6"),  # dated November, but an open deal converts at it
        changed("reps", 1, team="West"),
    ],
    ids=["rate", "rep"],
)
def test_rates_and_reps_count_whole(digests: Callable[..., dict[Period, str]], everywhere: dict) -> None:
    before, after = digests(ROWS), digests(everywhere)
    assert all(before[p] != after[p] for p in (SEP, OCT, NOV))


def test_rows_moved_to_another_place_count_as_changed(digests: Callable[..., dict[Period, str]]) -> None:
    swapped = {**ROWS, "leads": list(reversed(ROWS["leads"]))}
    before, after = digests(ROWS), digests(swapped)
    assert before[OCT] != after[OCT]
    assert digests(ROWS) == before  # and the same rows give the same digests
