"""SPEC §1: a period is a calendar month `YYYY-MM`; "in P" is first to last day, both included."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecards.transforms.period import Period, in_months, per_rep_and_month, period_range


def test_parse_and_str_round_trip() -> None:
    p = Period.parse("2024-03")
    assert p == Period(2024, 3)
    assert (p.year, p.month) == (2024, 3)
    assert str(p) == "2024-03"
    assert str(Period.parse("0999-01")) == "0999-01"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-01", date(2024, 1, 1), date(2024, 1, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("2023-02", date(2023, 2, 1), date(2023, 2, 28)),
        ("2000-02", date(2000, 2, 1), date(2000, 2, 29)),  # divisible by 400: leap
        ("1900-02", date(1900, 2, 1), date(1900, 2, 28)),  # divisible by 100: not leap
        ("2024-04", date(2024, 4, 1), date(2024, 4, 30)),
        ("2024-12", date(2024, 12, 1), date(2024, 12, 31)),
    ],
)
def test_start_and_end(text: str, start: date, end: date) -> None:
    p = Period.parse(text)
    assert p.start == start
    assert p.end == end


@pytest.mark.parametrize(
    ("text", "previous", "following"),
    [
        ("2024-03", "2024-02", "2024-04"),
        ("2024-12", "2024-11", "2025-01"),
        ("2025-01", "2024-12", "2025-02"),
    ],
)
def test_previous_and_next(text: str, previous: str, following: str) -> None:
    p = Period.parse(text)
    assert str(p.previous()) == previous
    assert str(p.next()) == following
    assert p.next().previous() == p
    assert p.previous().next() == p


def test_back_five_months_oldest_first_across_year_end() -> None:
    assert [str(p) for p in Period.parse("2024-03").back(5)] == [
        "2023-10",
        "2023-11",
        "2023-12",
        "2024-01",
        "2024-02",
        "2024-03",
    ]


def test_back_zero_is_the_period_itself() -> None:
    assert Period.parse("2024-03").back(0) == [Period(2024, 3)]


def test_containing_and_range() -> None:
    assert Period.containing(date(2024, 2, 29)) == Period(2024, 2)
    assert [str(p) for p in period_range(Period(2024, 11), Period(2025, 2))] == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert period_range(Period(2024, 3), Period(2024, 2)) == []


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024",
        "2024-3",
        "2024-003",
        "24-03",
        "2024/03",
        "202403",
        "2024-03-01",
        "03-2024",
        "2024-00",
        "2024-13",
        "0000-01",
        "abcd-ef",
        "2024-1a",
        "+024-03",
        "2024 -03",
    ],
)
def test_bad_forms_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


@pytest.mark.parametrize(("year", "month"), [(2024, 0), (2024, 13), (0, 5), (10000, 1)])
def test_constructor_rejects_impossible_months(year: int, month: int) -> None:
    with pytest.raises(ValueError):
        Period(year, month)


def test_contains_first_and_last_day_included_neighbours_excluded() -> None:
    days = pl.DataFrame(
        {
            "d": [
                date(2024, 1, 31),
                date(2024, 2, 1),
                date(2024, 2, 15),
                date(2024, 2, 29),
                date(2024, 3, 1),
                None,
            ]
        }
    )
    got = days.select(inside=Period.parse("2024-02").contains("d"))
    assert_frame_equal(got, pl.DataFrame({"inside": [False, True, True, True, False, None]}))


def test_contains_december_boundary() -> None:
    days = pl.DataFrame({"d": [date(2024, 11, 30), date(2024, 12, 1), date(2024, 12, 31), date(2025, 1, 1)]})
    got = days.select(inside=Period.parse("2024-12").contains("d"))
    assert_frame_equal(got, pl.DataFrame({"inside": [False, True, True, False]}))


def test_contains_counts_a_datetime_by_its_calendar_date() -> None:
    stamps = pl.DataFrame(
        {
            "t": [
                datetime(2024, 1, 31, 23, 59, 59),
                datetime(2024, 2, 1, 0, 0, 0),
                datetime(2024, 2, 29, 15, 0, 0),
                datetime(2024, 3, 1, 0, 0, 0),
            ]
        }
    )
    got = stamps.select(inside=Period.parse("2024-02").contains("t"))
    assert_frame_equal(got, pl.DataFrame({"inside": [False, True, True, False]}))


def test_only_ascii_digits_make_a_period() -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        Period.parse("２０２４-０３")


DAYS = pl.DataFrame(
    {
        "d": [
            date(2024, 1, 31),
            date(2024, 2, 1),
            date(2024, 2, 29),
            date(2024, 3, 1),
            date(2024, 3, 31),
            date(2024, 4, 1),
            date(2024, 4, 30),
            date(2024, 5, 1),
            None,
        ]
    }
)


@pytest.mark.parametrize(
    ("months", "inside"),
    [
        (["2024-02", "2024-03", "2024-04"], [False, True, True, True, True, True, True, False, None]),
        (["2024-04", "2024-02", "2024-03", "2024-03"], [False, True, True, True, True, True, True, False, None]),
        (["2024-02", "2024-04"], [False, True, True, False, False, True, True, False, None]),  # not consecutive
        (["2024-03"], [False, False, False, True, True, False, False, False, None]),
        ([], [False, False, False, False, False, False, False, False, None]),
    ],
)
def test_in_months_first_and_last_day_included_gaps_excluded(months: list[str], inside: list[bool | None]) -> None:
    got = DAYS.select(inside=in_months("d", [Period.parse(m) for m in months]))
    assert_frame_equal(got, pl.DataFrame({"inside": inside}, schema={"inside": pl.Boolean}))


def test_in_months_counts_a_datetime_by_its_calendar_date() -> None:
    stamps = pl.DataFrame({"t": [datetime(2024, 1, 31, 23, 59, 59), datetime(2024, 2, 1, 0, 0, 0)]})
    got = stamps.select(inside=in_months("t", [Period(2024, 2), Period(2024, 4)]))
    assert_frame_equal(got, pl.DataFrame({"inside": [False, True]}))


def test_per_rep_and_month_groups_the_rows_of_the_given_months_by_rep_and_period() -> None:
    rows = pl.LazyFrame(
        {
            "rep_id": ["R1", "R1", "R2", "R1", "R2", "R1", "R2"],
            "d": [
                date(2024, 2, 1),
                date(2024, 2, 29),
                date(2024, 2, 10),
                date(2024, 4, 30),
                date(2024, 3, 15),  # March is not asked for
                None,
                date(2023, 12, 31),
            ],
            "x": [1, 2, 4, 8, 16, 32, 64],
        }
    )
    got = per_rep_and_month(rows, "d", [Period(2024, 2), Period(2024, 4)], total=pl.col("x").sum(), n=pl.len())
    expected = pl.DataFrame(
        [("R1", "2024-02", 3, 2), ("R1", "2024-04", 8, 1), ("R2", "2024-02", 4, 1)],
        schema={"rep_id": pl.String, "period": pl.String, "total": pl.Int64, "n": pl.UInt32},
        orient="row",
    )
    assert_frame_equal(got.collect().sort("rep_id", "period"), expected)
