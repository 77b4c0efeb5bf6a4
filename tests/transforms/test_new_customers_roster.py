"""SPEC §3 new_customers (first won deal per account over the whole input) and SPEC §5 roster."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecards.transforms.customers import first_won_deals, new_customers_by_rep
from scorecards.transforms.period import Period
from scorecards.transforms.roster import roster

MARCH = Period(2024, 3)

OPPORTUNITIES = [
    # A1: same close day; O2 created earlier wins although "O1" < "O2"
    {
        "opportunity_id": "O1",
        "rep_id": "R1",
        "account_id": "A1",
        "stage": "won",
        "created_date": "2024-02-01",
        "close_date": "2024-03-05",
    },
    {
        "opportunity_id": "O2",
        "rep_id": "R2",
        "account_id": "A1",
        "stage": "won",
        "created_date": "2024-01-15",
        "close_date": "2024-03-05",
    },
    # A2: same close and created day; "O10" < "O9" in plain character order
    {
        "opportunity_id": "O9",
        "rep_id": "R1",
        "account_id": "A2",
        "stage": "won",
        "created_date": "2024-03-01",
        "close_date": "2024-03-10",
    },
    {
        "opportunity_id": "O10",
        "rep_id": "R3",
        "account_id": "A2",
        "stage": "won",
        "created_date": "2024-03-01",
        "close_date": "2024-03-10",
    },
    # A3: only lost and open deals: never a customer
    {
        "opportunity_id": "O3",
        "rep_id": "R1",
        "account_id": "A3",
        "stage": "lost",
        "created_date": "2024-01-01",
        "close_date": "2024-03-02",
    },
    {"opportunity_id": "O4", "rep_id": "R1", "account_id": "A3", "stage": "open", "created_date": "2024-03-01"},
    # A4: first won before P by R2; R1's win in P does not make it new
    {
        "opportunity_id": "O5",
        "rep_id": "R2",
        "account_id": "A4",
        "stage": "won",
        "created_date": "2024-01-01",
        "close_date": "2024-02-29",
    },
    {
        "opportunity_id": "O6",
        "rep_id": "R1",
        "account_id": "A4",
        "stage": "won",
        "created_date": "2024-03-01",
        "close_date": "2024-03-02",
    },
    # A5: an earlier close wins over an earlier creation; lost earlier does not count
    {
        "opportunity_id": "O7",
        "rep_id": "R3",
        "account_id": "A5",
        "stage": "lost",
        "created_date": "2023-01-01",
        "close_date": "2024-03-01",
    },
    {
        "opportunity_id": "O8",
        "rep_id": "R1",
        "account_id": "A5",
        "stage": "won",
        "created_date": "2024-03-01",
        "close_date": "2024-03-31",
    },
    {
        "opportunity_id": "O11",
        "rep_id": "R3",
        "account_id": "A5",
        "stage": "won",
        "created_date": "2023-06-01",
        "close_date": "2024-04-01",
    },
    # A6: first won after P: not new in P
    {
        "opportunity_id": "O12",
        "rep_id": "R1",
        "account_id": "A6",
        "stage": "won",
        "created_date": "2024-03-01",
        "close_date": "2024-04-02",
    },
    # A7: won twice in P, by R3 first then R1 the same month: R3's only
    {
        "opportunity_id": "O13",
        "rep_id": "R1",
        "account_id": "A7",
        "stage": "won",
        "created_date": "2024-03-01",
        "close_date": "2024-03-20",
    },
    {
        "opportunity_id": "O14",
        "rep_id": "R3",
        "account_id": "A7",
        "stage": "won",
        "created_date": "2024-03-01",
        "close_date": "2024-03-19",
    },
]


def test_first_won_deal_per_account(frame) -> None:
    opps = frame("opportunities", OPPORTUNITIES)
    got = first_won_deals(opps.lazy()).collect().select("account_id", "opportunity_id", "rep_id").sort("account_id")
    expected = pl.DataFrame(
        [
            ("A1", "O2", "R2"),
            ("A2", "O10", "R3"),
            ("A4", "O5", "R2"),
            ("A5", "O8", "R1"),
            ("A6", "O12", "R1"),
            ("A7", "O14", "R3"),
        ],
        schema={"account_id": pl.String, "opportunity_id": pl.String, "rep_id": pl.String},
        orient="row",
    )
    assert_frame_equal(got, expected)


def test_first_won_deal_of_the_accounts_first_won_in_given_months(frame) -> None:
    opps = frame("opportunities", OPPORTUNITIES)
    # February: A4 (O5). March and April: A1, A2, A5, A7 first won in March, A6 in April; A4 was won before.
    for months, firsts in (
        ([Period(2024, 2)], [("A4", "O5", "R2")]),
        (
            [MARCH, Period(2024, 4)],
            [("A1", "O2", "R2"), ("A2", "O10", "R3"), ("A5", "O8", "R1"), ("A6", "O12", "R1"), ("A7", "O14", "R3")],
        ),
        ([Period(2024, 1), Period(2024, 4)], [("A6", "O12", "R1")]),  # not consecutive: March's firsts are not April's
        ([], []),
    ):
        got = first_won_deals(opps.lazy(), months).collect()
        expected = pl.DataFrame(
            firsts, schema={"account_id": pl.String, "opportunity_id": pl.String, "rep_id": pl.String}, orient="row"
        )
        assert_frame_equal(got.select("account_id", "opportunity_id", "rep_id").sort("account_id"), expected)


def test_new_customers_by_rep_in_period(frame, deals_of) -> None:
    opps = frame("opportunities", OPPORTUNITIES)
    got = new_customers_by_rep(opps.lazy(), deals_of(opps), [MARCH]).collect().sort("rep_id")
    expected = pl.DataFrame(
        [("R1", "2024-03", 1), ("R2", "2024-03", 1), ("R3", "2024-03", 2)],  # R1: A5; R2: A1; R3: A2, A7
        schema={"rep_id": pl.String, "period": pl.String, "new_customers": pl.Int64},
        orient="row",
    )
    assert_frame_equal(got, expected)


def test_new_customers_in_the_period_before(frame, deals_of) -> None:
    opps = frame("opportunities", OPPORTUNITIES)
    got = new_customers_by_rep(opps.lazy(), deals_of(opps), [Period(2024, 2)]).collect().sort("rep_id")
    expected = pl.DataFrame(
        [("R2", "2024-02", 1)],
        schema={"rep_id": pl.String, "period": pl.String, "new_customers": pl.Int64},
        orient="row",
    )
    assert_frame_equal(got, expected)


def test_new_customers_of_several_months_at_once(frame, deals_of) -> None:
    opps = frame("opportunities", OPPORTUNITIES)
    months = [Period(2024, 2), MARCH, Period(2024, 4)]
    got = new_customers_by_rep(opps.lazy(), deals_of(opps), months).collect().sort("rep_id", "period")
    expected = pl.DataFrame(
        [("R1", "2024-03", 1), ("R1", "2024-04", 1), ("R2", "2024-02", 1), ("R2", "2024-03", 1), ("R3", "2024-03", 2)],
        schema={"rep_id": pl.String, "period": pl.String, "new_customers": pl.Int64},
        orient="row",
    )
    assert_frame_equal(got, expected)


def test_new_customers_on_the_scorecard(make_tables, run) -> None:
    tables = make_tables(
        reps=[{"rep_id": r} for r in ("R1", "R2", "R3", "R4")],
        opportunities=OPPORTUNITIES,
    )
    got = run(tables).select("rep_id", "new_customers", "new_customers_grade").sort("rep_id")
    expected = pl.DataFrame(
        [("R1", 1, "C"), ("R2", 1, "C"), ("R3", 2, "C"), ("R4", 0, "D")],
        schema={"rep_id": pl.String, "new_customers": pl.Int64, "new_customers_grade": pl.String},
        orient="row",
    )
    assert_frame_equal(got, expected)


@pytest.mark.parametrize(("accounts", "grade"), [(0, "D"), (1, "C"), (2, "C"), (3, "B"), (5, "B"), (6, "A")])
def test_new_customers_grade_from_count_end_to_end(make_tables, run, accounts: int, grade: str) -> None:
    opps = [
        {
            "opportunity_id": f"O{i}",
            "rep_id": "R1",
            "account_id": f"A{i}",
            "stage": "won",
            "created_date": "2024-03-01",
            "close_date": "2024-03-02",
        }
        for i in range(accounts)
    ]
    if accounts:  # repeat business with the first account is not another new customer
        opps.append(
            {
                "opportunity_id": "OX",
                "rep_id": "R1",
                "account_id": "A0",
                "stage": "won",
                "created_date": "2024-03-01",
                "close_date": "2024-03-30",
            }
        )
    row = run(make_tables(reps=[{"rep_id": "R1"}], opportunities=opps)).row(0, named=True)
    assert (row["new_customers"], row["new_customers_grade"]) == (accounts, grade)


REPS = [
    {"rep_id": "R1", "hire_date": "2024-04-01"},  # after the last day of P: no card
    {"rep_id": "R2", "hire_date": "2024-03-31"},  # on the last day: card
    {"rep_id": "R3", "hire_date": None},  # unknown: card
    {"rep_id": "R4", "hire_date": "2019-06-01"},
    {"rep_id": "R5", "hire_date": "2024-03-01"},
]


def test_roster_by_hire_date(frame) -> None:
    reps = frame("reps", REPS)
    got = roster(reps.lazy(), [MARCH]).collect().select("period", "rep_id", "hire_date").sort("rep_id")
    expected = pl.DataFrame(
        [
            ("2024-03", "R2", date(2024, 3, 31)),
            ("2024-03", "R3", None),
            ("2024-03", "R4", date(2019, 6, 1)),
            ("2024-03", "R5", date(2024, 3, 1)),
        ],
        schema={"period": pl.String, "rep_id": pl.String, "hire_date": pl.Date},
        orient="row",
    )
    assert_frame_equal(got, expected)


def test_roster_of_several_months_one_row_per_rep_and_month(frame) -> None:
    reps = frame("reps", REPS)
    got = roster(reps.lazy(), [Period(2024, 2), Period(2024, 4)]).collect().select("period", "rep_id")
    expected = pl.DataFrame(
        [("2024-02", "R3"), ("2024-02", "R4"), *(("2024-04", r) for r in ("R1", "R2", "R3", "R4", "R5"))],
        schema={"period": pl.String, "rep_id": pl.String},
        orient="row",
    )
    assert_frame_equal(got.sort("period", "rep_id"), expected)
