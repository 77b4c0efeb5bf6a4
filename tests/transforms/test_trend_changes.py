"""Month-over-month change and the rollup's biggest movers (SPEC §4a): exact, null when either month is N/A."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
from polars.testing import assert_frame_equal

from scorecards.transforms.period import Period
from scorecards.transforms.trend import month_over_month, movers

P = Period(2026, 10)
RATIO = pl.Decimal(38, 6)
TREND = {
    "attainment": RATIO,
    "conversion_rate": RATIO,
    "new_customers": pl.Int64,
    "satisfaction": RATIO,
    "skills_score": RATIO,
    "composite_score": RATIO,
}


def trend(rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"rep_id": pl.String, "period": pl.String, **TREND}, orient="row")


def test_change_is_this_month_minus_last_month_and_null_when_either_is_na() -> None:
    got = month_over_month(
        trend(
            [
                ("R2", "2026-09", D("0.8"), None, 2, D("90"), None, D("3.2")),
                ("R2", "2026-10", D("0.5"), D("0.25"), 3, None, D("4"), D("2.8")),
                ("R1", "2026-08", D("9"), D("9"), 9, D("9"), D("9"), D("9")),  # two months back: not compared
                ("R1", "2026-10", D("1.000001"), D("0.4"), 0, D("75.5"), None, D("3")),
                ("R3", "2026-10", None, None, 1, None, None, None),  # no card last month
            ]
        ),
        P,
    )
    expected = pl.DataFrame(
        [
            ("R1", None, None, None, None, None, None, None, None, None, None, None, None),
            ("R2", D("0.8"), D("-0.3"), None, None, 2, 1, D("90"), None, None, None, D("3.2"), D("-0.4")),
            ("R3", None, None, None, None, None, None, None, None, None, None, None, None),
        ],
        schema={
            "rep_id": pl.String,
            **{f"{c}_{part}": dtype for c, dtype in TREND.items() for part in ("previous", "change")},
        },
        orient="row",
    )
    assert_frame_equal(got, expected)


def test_movers_are_the_three_biggest_rises_then_the_three_biggest_falls_per_team() -> None:
    scorecards = pl.DataFrame(
        {
            "team": ["East"] * 9 + ["West"],
            "rep_id": ["E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "W1"],
            "composite_score": [D(v) for v in ("3", "3", "3", "3", "2", "2", "1", "2", "2", "1.5")],
        },
        schema_overrides={"composite_score": RATIO},
    )
    changes = pl.DataFrame(
        {
            "rep_id": ["E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "W1"],
            "composite_score_previous": [
                D(v) if v else None for v in ("2", "2.5", "2", "2.9", "3", "2", "3", None, "2.5", "1")
            ],
            "composite_score_change": [
                D(v) if v else None for v in ("1", "0.5", "1", "0.1", "-1", "0", "-2", None, "-0.5", "0.5")
            ],
        },
        schema_overrides={"composite_score_previous": RATIO, "composite_score_change": RATIO},
    )
    expected = pl.DataFrame(
        [
            # rises, biggest first, ties by rep_id; E4 is fourth; E6 did not move and E8 had no composite last month
            ("East", "E1", D("2"), D("3"), D("1")),
            ("East", "E3", D("2"), D("3"), D("1")),
            ("East", "E2", D("2.5"), D("3"), D("0.5")),
            # falls, biggest first
            ("East", "E7", D("3"), D("1"), D("-2")),
            ("East", "E5", D("3"), D("2"), D("-1")),
            ("East", "E9", D("2.5"), D("2"), D("-0.5")),
            ("West", "W1", D("1"), D("1.5"), D("0.5")),
        ],
        schema={
            "team": pl.String,
            "rep_id": pl.String,
            "composite_score_previous": RATIO,
            "composite_score": RATIO,
            "composite_score_change": RATIO,
        },
        orient="row",
    )
    assert_frame_equal(movers(scorecards, changes), expected)
