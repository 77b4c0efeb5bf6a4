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
from hypothesis import event, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from scorecards.config import load_settings
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.schemas.results import RawTable
from scorecards.schemas.tables import TABLES, InputTables
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


def test_a_table_left_out_is_not_the_same_input_as_an_empty_one(make_tables: Callable[..., InputTables]) -> None:
    # Its cards say "the input has no leads" instead of "no lead was closed this month".
    provided = make_tables(**{**ROWS, "leads": []})
    left_out = dataclasses.replace(provided, absent=frozenset({"leads"}))
    assert period_input_digests(provided, [OCT]) != period_input_digests(left_out, [OCT])


def test_a_target_row_set_aside_is_not_the_same_input_as_none(make_tables: Callable[..., InputTables]) -> None:
    # Its rep's card says the month's target row was set aside instead of "no target for this month".
    none = make_tables(**ROWS)
    set_aside = dataclasses.replace(none, set_aside_targets=pl.DataFrame({"rep_id": ["R1"], "period": ["2026-10"]}))
    assert period_input_digests(none, [OCT]) != period_input_digests(set_aside, [OCT])


def test_rows_moved_to_another_place_count_as_changed(digests: Callable[..., dict[Period, str]]) -> None:
    swapped = {**ROWS, "leads": list(reversed(ROWS["leads"]))}
    before, after = digests(ROWS), digests(swapped)
    assert before[OCT] != after[OCT]
    assert digests(ROWS) == before  # and the same rows give the same digests


# The digest's one promise, tried on random edits: hypothesis edits the input above anywhere (a cell of any
# table set to another valid value, a row added or removed, dates moved across the months around the three
# scored ones); for each month whose digest did not move, the month's whole report must not have moved either.

Rows = dict[str, list[dict[str, Any]]]

DAYS = ["2026-08-20", "2026-09-02", "2026-09-30", "2026-10-01", "2026-10-17", "2026-10-31", "2026-11-01", "2026-12-05"]
MONTHS = ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
#: Values a cell may take, by column (dates, months and amounts span the months before, in and after the scored ones).
VALUES: dict[str, list[Any]] = {
    "rep_id": ["R1", "R2"],
    "team": ["East", "West"],
    "locale": ["en", "zh-CN"],
    "hire_date": [None, *DAYS],
    "account_id": ["A1", "A2", "A4", "A9"],
    "stage": ["open", "won", "lost"],
    "amount": ["0.00", "30.00", "70.00", "100.00", "999.99"],
    "created_date": DAYS,
    "close_date": [None, *DAYS],
    "currency": ["CNY", "EUR"],
    "rate_date": DAYS,
    "rate": ["7.5", "8"],
    "period": MONTHS,
    "target_amount": ["1.00", "200.00"],
    "status": ["open", "converted", "disqualified"],
    "closed_date": [None, *DAYS],
    "first_contact_date": [None, *DAYS],
    "submitted_date": DAYS,
    "score": ["40", "85", "95"],
    "skill": ["closing", "planning"],
    "rating": ["1", "3", "5"],
    "note": ["Good month.", "Changed."],
    "opportunity_id": ["O1", "O2", "O3", "O4"],
    "share": ["0.5", "1"],
}
#: A row to add, by table (added where its key is taken already, the edit is invalid).
NEW_ROWS: Rows = {
    "reps": [{"rep_id": "R3", "team": "West"}],
    "opportunities": [
        {
            "opportunity_id": "O9",
            "rep_id": "R1",
            "account_id": "A9",
            "stage": "won",
            "amount": "10.00",
            "created_date": "2026-09-30",
            "close_date": "2026-10-17",
        },
    ],
    "opportunity_splits": [{"opportunity_id": "O1", "rep_id": "R1", "share": "0.5"}],
    "fx_rates": [{"currency": "EUR", "rate_date": "2026-09-02", "rate": "8"}],
    "targets": [{"rep_id": "R2", "period": "2026-10", "target_amount": "1.00"}],
    "leads": [{"lead_id": "L9", "rep_id": "R2", "created_date": "2026-10-17", "status": "open"}],
    "surveys": [{"response_id": "S9", "rep_id": "R1", "submitted_date": "2026-10-01", "score": "85"}],
    "skill_ratings": [{"rep_id": "R2", "period": "2026-10", "skill": "planning", "rating": "3"}],
    "manager_notes": [{"rep_id": "R1", "period": "2026-10", "note": "Changed."}],
}


@st.composite
def edits(draw: st.DrawFn) -> Rows:
    """ROWS after one or two random edits: a cell set to another value (each cell of the input as likely as
    any other), a row added (its dates drawn from DAYS) or a row removed."""
    rows: Rows = {table: [dict(row) for row in table_rows] for table, table_rows in ROWS.items()}
    for _ in range(draw(st.integers(1, 2))):
        kind = draw(st.sampled_from(["cell", "cell", "cell", "add", "drop"]))
        if kind == "cell":
            cells = [
                (table, index, field.name)
                for table in sorted(TABLES)
                for index in range(len(rows[table]))
                for field in TABLES[table].fields
                if field.name in VALUES
            ]
            table, index, column = draw(st.sampled_from(cells))
            rows[table][index][column] = draw(st.sampled_from(VALUES[column]))
        elif kind == "add":
            table = draw(st.sampled_from(sorted(TABLES)))
            new = dict(draw(st.sampled_from(NEW_ROWS[table])))
            for field in TABLES[table].fields:
                if field.name in new and field.kind in ("date", "period"):
                    new[field.name] = draw(st.sampled_from(VALUES[field.name]))
            rows[table].append(new)
        else:
            table = draw(st.sampled_from([table for table in sorted(TABLES) if rows[table]]))
            del rows[table][draw(st.integers(0, len(rows[table]) - 1))]
    return rows


def valid(tables: InputTables) -> bool:
    """Whether the validate stage keeps every row, read as text (reports are only ever computed from kept rows)."""
    raw = {
        name: RawTable(name, f"{name}.csv", "0" * 64, getattr(tables, name).select(pl.all().cast(pl.String)))
        for name in TABLES
    }
    checked = validate_tables(raw, load_settings())
    return checked.tables is not None and not checked.quarantine


@settings(max_examples=200, deadline=None, database=None)
@given(rows=edits())
def test_a_month_whose_digest_did_not_move_has_the_same_report(
    make_tables: Callable[..., InputTables], rows: Rows
) -> None:
    given, edited = make_tables(**ROWS), make_tables(**rows)
    assert valid(given)
    if not valid(edited):
        event("invalid")
        return
    periods = [SEP, OCT, NOV]
    before = period_input_digests(given, periods)
    after = period_input_digests(edited, periods)
    for period in periods:
        event(f"{period} same digest: {before[period] == after[period]}")
        if before[period] == after[period]:
            assert same_report(given, edited, period), period
