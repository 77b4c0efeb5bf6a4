"""SPEC §3/§4 exactness: amounts are exact decimals, ratios are rounded half up to 6 places,
and grades use the value rounded to 6 places."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecards.transforms.activity import avg_deal_size
from scorecards.transforms.attainment import attainment
from scorecards.transforms.exact import rounded_ratio

D = Decimal
MONEY = pl.Decimal(38, 2)
RATIO = pl.Decimal(38, 6)


def _ratio(num: int | None, den: int | None, places: int = 6) -> Decimal | None:
    df = pl.DataFrame({"n": [num], "d": [den]}, schema={"n": pl.Int64, "d": pl.Int64})
    out = df.select(r=rounded_ratio(pl.col("n"), pl.col("d"), places))
    assert out.schema["r"] == pl.Decimal(38, places)
    return out.item()


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (1, 3, "0.333333"),
        (2, 3, "0.666667"),
        (1, 8, "0.125000"),
        (0, 7, "0.000000"),
        (5, 1, "5.000000"),
        (1, 2_000_000, "0.000001"),  # exactly half a unit: rounds up
        (1, 2_000_001, "0.000000"),  # just under half a unit: rounds down
        (3, 2_000_000, "0.000002"),  # 0.0000015 -> half up, not half even
        (5, 2_000_000, "0.000003"),  # 0.0000025 -> half up, not half even
        (7_999_995, 10_000_000, "0.800000"),
        (7_999_994, 10_000_000, "0.799999"),
    ],
)
def test_rounded_ratio_half_up(num: int, den: int, expected: str) -> None:
    assert _ratio(num, den) == D(expected)


@pytest.mark.parametrize(("num", "den", "expected"), [(1, 200, "0.01"), (1, 201, "0.00"), (5, 200, "0.03")])
def test_rounded_ratio_at_two_places(num: int, den: int, expected: str) -> None:
    assert _ratio(num, den, 2) == D(expected)


@pytest.mark.parametrize(("num", "den"), [(7, 0), (0, 0), (None, 3), (3, None)])
def test_rounded_ratio_null_when_denominator_zero_or_missing(num: int | None, den: int | None) -> None:
    assert _ratio(num, den) is None


def _attainment(won: str | None, target: str | None) -> Decimal | None:
    df = pl.DataFrame(
        {"won_amount": [D(won) if won else None], "target_amount": [D(target) if target else None]},
        schema={"won_amount": MONEY, "target_amount": MONEY},
    )
    out = df.select(a=attainment())
    assert out.schema["a"] == RATIO
    return out.item()


@pytest.mark.parametrize(
    ("won", "target", "expected"),
    [
        ("0.30", "0.30", "1.000000"),
        ("80000.00", "100000.00", "0.800000"),
        ("79999.99", "100000.00", "0.800000"),  # 0.7999999 rounds up
        ("79999.95", "100000.00", "0.800000"),  # 0.7999995 rounds half up
        ("79999.94", "100000.00", "0.799999"),  # 0.7999994 rounds down
        ("2.00", "3.00", "0.666667"),
        ("0.00", "100.00", "0.000000"),
        ("250.00", "100.00", "2.500000"),
    ],
)
def test_attainment_exact_to_six_places(won: str, target: str, expected: str) -> None:
    assert _attainment(won, target) == D(expected)


@pytest.mark.parametrize(("won", "target"), [("100.00", None), ("100.00", "0.00"), ("0.00", "0.00")])
def test_attainment_null_without_target_or_zero_target(won: str, target: str | None) -> None:
    assert _attainment(won, target) is None


@pytest.mark.parametrize(
    ("amounts", "target", "won_amount", "attainment_value", "grade"),
    [
        (["0.10", "0.20"], "0.30", "0.30", "1.000000", "A"),  # float: 0.1 + 0.2 > 0.3
        (["0.70", "0.10"], "1.00", "0.80", "0.800000", "B"),  # float: 0.7 + 0.1 < 0.8
        (["0.10"] * 8, "1.00", "0.80", "0.800000", "B"),  # float: 8 × 0.1 < 0.8
        (["79999.94"], "100000.00", "79999.94", "0.799999", "C"),
        (["79999.95"], "100000.00", "79999.95", "0.800000", "B"),
        (["40000.00", "39999.99"], "100000.00", "79999.99", "0.800000", "B"),
        (["0.30", "0.29"], "1.00", "0.59", "0.590000", "D"),
    ],
)
def test_attainment_grade_from_cent_amounts_end_to_end(
    make_tables, run, amounts: list[str], target: str, won_amount: str, attainment_value: str, grade: str
) -> None:
    opps = [
        {"opportunity_id": f"O{i}", "rep_id": "R1", "stage": "won", "amount": a, "close_date": "2024-03-15"}
        for i, a in enumerate(amounts)
    ]
    tables = make_tables(
        reps=[{"rep_id": "R1"}],
        opportunities=opps,
        targets=[{"rep_id": "R1", "period": "2024-03", "target_amount": target}],
    )
    got = run(tables).select("won_amount", "won_deals", "attainment", "attainment_grade")
    expected = pl.DataFrame(
        [(D(won_amount), len(amounts), D(attainment_value), grade)],
        schema={"won_amount": MONEY, "won_deals": pl.Int64, "attainment": RATIO, "attainment_grade": pl.String},
        orient="row",
    )
    assert_frame_equal(got, expected)


def test_billions_stay_exact(make_tables, run) -> None:
    tables = make_tables(
        reps=[{"rep_id": "R1"}, {"rep_id": "R2"}],
        opportunities=[
            {
                "opportunity_id": "O1",
                "rep_id": "R1",
                "stage": "won",
                "amount": "3333333333.33",
                "close_date": "2024-03-01",
            },
            {
                "opportunity_id": "O2",
                "rep_id": "R1",
                "stage": "won",
                "amount": "3333333333.33",
                "close_date": "2024-03-02",
            },
            {
                "opportunity_id": "O3",
                "rep_id": "R1",
                "stage": "won",
                "amount": "3333333333.33",
                "close_date": "2024-03-03",
            },
            # beyond 2**53 cents: a float64 cannot hold these sums to the cent
            {
                "opportunity_id": "O4",
                "rep_id": "R2",
                "stage": "won",
                "amount": "90071992547409.93",
                "close_date": "2024-03-04",
            },
            {"opportunity_id": "O5", "rep_id": "R2", "stage": "won", "amount": "0.01", "close_date": "2024-03-05"},
            {"opportunity_id": "O6", "rep_id": "R2", "stage": "open", "amount": "12345678901234.56"},
            {"opportunity_id": "O7", "rep_id": "R2", "stage": "open", "amount": "0.01"},
        ],
        targets=[
            {"rep_id": "R1", "period": "2024-03", "target_amount": "10000000000.00"},
            {"rep_id": "R2", "period": "2024-03", "target_amount": "90071992547409.95"},
        ],
    )
    got = (
        run(tables)
        .select("rep_id", "won_amount", "won_deals", "attainment", "attainment_grade", "avg_deal_size", "open_pipeline")
        .sort("rep_id")
    )
    expected = pl.DataFrame(
        [
            # 9999999999.99 / 10000000000.00 = 0.999999999999 -> 1.000000 at 6 places -> A
            ("R1", D("9999999999.99"), 3, D("1.000000"), "A", D("3333333333.33"), D("0.00")),
            # 90071992547409.94 / 90071992547409.95 -> 1.000000 at 6 places -> A
            ("R2", D("90071992547409.94"), 2, D("1.000000"), "A", D("45035996273704.97"), D("12345678901234.57")),
        ],
        schema={
            "rep_id": pl.String,
            "won_amount": MONEY,
            "won_deals": pl.Int64,
            "attainment": RATIO,
            "attainment_grade": pl.String,
            "avg_deal_size": MONEY,
            "open_pipeline": MONEY,
        },
        orient="row",
    )
    assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    ("won", "deals", "expected"),
    [
        ("0.03", 2, "0.02"),  # 0.015 -> half up
        ("10.00", 3, "3.33"),
        ("20.00", 3, "6.67"),
        ("100.00", 1, "100.00"),
        ("0.00", 0, None),
    ],
)
def test_avg_deal_size_money_half_up(won: str, deals: int, expected: str | None) -> None:
    df = pl.DataFrame(
        {"won_amount": [D(won)], "won_deals": [deals]}, schema={"won_amount": MONEY, "won_deals": pl.Int64}
    )
    out = df.select(s=avg_deal_size())
    assert out.schema["s"] == MONEY
    assert out.item() == (None if expected is None else D(expected))
