"""The fairness page's facts (SPEC §10): run rate, target realism, coverage, outliers, spread, from literal rows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal as D
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecards.config import DIMENSIONS, Settings
from scorecards.schemas.output import FairnessFigures
from scorecards.transforms.fairness import (
    FAIRNESS_COLUMNS,
    OUTLIER_DEVIATIONS,
    OUTLIER_TEAM_SIZE,
    RUN_RATE_MONTHS,
    composite_spread,
    fairness_report,
    rep_fairness,
    run_rates,
)
from scorecards.transforms.period import Period

P = Period(2024, 4)  # the run rate's months are January, February and March 2024
MONEY = pl.Decimal(38, 2)
RATIO = pl.Decimal(38, 6)
GRADE_COLUMNS = [d.grade_column for d in DIMENSIONS]


def cards(rows: list[Mapping[str, Any]], period: Period = P) -> pl.DataFrame:
    """A scorecards table with the columns the fairness facts read; grades default to N/A."""
    full = [
        {
            "period": str(period),
            "rep_id": r["rep_id"],
            "rep_name": r.get("rep_name", f"Rep {r['rep_id']}"),
            "team": r.get("team", "T1"),
            "won_amount": D(r.get("won_amount", "0.00")),
            "target_amount": None if r.get("target_amount") is None else D(r["target_amount"]),
            **{column: r.get(column) for column in GRADE_COLUMNS},
            "composite_score": None if r.get("composite_score") is None else D(r["composite_score"]),
            "overall_grade": r.get("overall_grade"),
        }
        for r in rows
    ]
    return pl.DataFrame(
        full,
        schema={
            "period": pl.String,
            "rep_id": pl.String,
            "rep_name": pl.String,
            "team": pl.String,
            "won_amount": MONEY,
            "target_amount": MONEY,
            **dict.fromkeys(GRADE_COLUMNS, pl.String),
            "composite_score": RATIO,
            "overall_grade": pl.String,
        },
        orient="row",
    )


def reps(hire_dates: Mapping[str, str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "rep_id": list(hire_dates),
            "hire_date": [None if d is None else date.fromisoformat(d) for d in hire_dates.values()],
        },
        schema={"rep_id": pl.String, "hire_date": pl.Date},
    )


def won(amounts: Mapping[str, tuple[str | None, str | None, str | None]]) -> dict[Period, pl.DataFrame]:
    """Each month's scorecards (rep_id, won_amount) for January..March 2024; None: no card that month."""
    months = P.back(3)[:-1]
    return {
        month: cards(
            [
                {"rep_id": rep, "won_amount": by_month[i]}
                for rep, by_month in amounts.items()
                if by_month[i] is not None
            ],
            month,
        )
        for i, month in enumerate(months)
    }


def test_the_run_rate_is_the_mean_of_three_months_rounded_half_up_and_empty_for_a_late_hire() -> None:
    history = won(
        {
            "R1": ("100.00", "200.00", "0.01"),  # 300.01 / 3 = 100.00333…
            "R2": ("0.01", "0.01", "0.00"),  # 0.02 / 3 = 0.00666… → 0.01
            "R3": ("0.00", "0.00", "0.00"),  # hired on the first day of January: three full months
            "R4": (None, "900.00", "900.00"),  # hired 2 January: fewer than 3 months of history
            "R5": (None, None, "50.00"),  # no card in January or February although hired before: 0 won
            "R6": (None, None, None),  # hired during P
        }
    )
    hired = reps(
        {"R1": None, "R2": "2020-05-01", "R3": "2024-01-01", "R4": "2024-01-02", "R5": None, "R6": "2024-04-30"}
    )
    this_month = cards([{"rep_id": r} for r in ("R6", "R5", "R4", "R3", "R2", "R1")])
    expected = pl.DataFrame(
        {
            "rep_id": ["R6", "R5", "R4", "R3", "R2", "R1"],
            "run_rate": [None, D("16.67"), None, D("0.00"), D("0.01"), D("100.00")],
        },
        schema={"rep_id": pl.String, "run_rate": MONEY},
    )
    assert_frame_equal(run_rates(this_month, history, hired, P), expected)


def _figures(rows: list[Mapping[str, Any]], run_rate: str | None, settings: Settings) -> pl.DataFrame:
    """rep_fairness where every rep won `run_rate` in each of the three months before P."""
    this_month = cards(rows)
    history = won({r["rep_id"]: (run_rate, run_rate, run_rate) for r in rows})
    hired = reps({r["rep_id"]: None for r in rows})
    return rep_fairness(this_month, history, hired, P, settings)


@pytest.mark.parametrize(
    ("target", "ratio", "flag"),
    [
        ("1500000.00", "1.500000", None),  # at `high`: not above it
        ("1500000.04", "1.500000", None),  # 1.50000004 is 1.500000 at 6 places
        ("1500000.50", "1.500001", "high"),  # 1.5000005 rounds half up to 1.500001
        ("670000.00", "0.670000", None),  # at `low`: not below it
        ("669999.50", "0.670000", None),  # 0.6699995 rounds up to 0.670000
        ("669999.49", "0.669999", "low"),
        ("0.00", "0.000000", "low"),  # a target of 0 is below any run rate above 0
    ],
)
def test_a_target_is_flagged_above_high_or_below_low_times_the_run_rate_at_6_places(
    target: str, ratio: str, flag: str | None, settings: Settings
) -> None:
    figures = _figures([{"rep_id": "R1", "target_amount": target}], "1000000.00", settings)
    assert figures.select("run_rate", "target_ratio", "target_flag").row(0) == (D("1000000.00"), D(ratio), flag)


@pytest.mark.parametrize(
    ("target", "run_rate"),
    [("100.00", "0.00"), (None, "100.00"), (None, "0.00")],
    ids=["run rate 0", "no target", "neither"],
)
def test_no_ratio_and_no_flag_without_a_target_or_with_a_run_rate_of_0(
    target: str | None, run_rate: str, settings: Settings
) -> None:
    figures = _figures([{"rep_id": "R1", "target_amount": target}], run_rate, settings)
    assert figures.select("target_ratio", "target_flag").row(0) == (None, None)


def test_the_thresholds_come_from_config(settings: Settings) -> None:
    strict = Settings.model_validate({**settings.model_dump(), "fairness": {"high": "1.2", "low": "0.9"}})
    rows = [{"rep_id": "R1", "target_amount": "130.00"}, {"rep_id": "R2", "target_amount": "85.00"}]
    assert _figures(rows, "100.00", settings)["target_flag"].to_list() == [None, None]
    assert _figures(rows, "100.00", strict)["target_flag"].to_list() == ["high", "low"]


def _team(team: str, composites: list[str | None]) -> list[dict[str, Any]]:
    return [{"rep_id": f"{team}-{i}", "team": team, "composite_score": c} for i, c in enumerate(composites, start=1)]


def test_outliers_need_a_team_of_5_with_a_composite_and_more_than_2_standard_deviations(settings: Settings) -> None:
    rows = [
        # 4 reps: 4.0 is as far from the mean as 4 values allow (√3 σ), and the team is too small anyway
        *_team("Four", ["1.000000", "1.000000", "1.000000", "4.000000"]),
        # 5 reps: 4.0 is exactly 2 σ from the mean (mean 1.6, σ 1.2): not *more* than 2 σ
        *_team("Five", ["1.000000", "1.000000", "1.000000", "1.000000", "4.000000"]),
        # 6 with a composite (mean 1.5, σ 1.118034): 4.0 is 2.24 σ away; a rep without a composite is never one
        *_team("Six", ["1.000000", "1.000000", "1.000000", "1.000000", "1.000000", "4.000000", None]),
        # 6 alike: σ 0, nobody is an outlier
        *_team("Same", ["3.000000"] * 6),
        # 5 with a composite, one more without: too few to tell
        *_team("Gaps", ["1.000000", "1.000000", "1.000000", "1.000000", "4.000000", None]),
    ]
    figures = _figures(rows, "0.00", settings)
    flagged = figures.filter(pl.col("composite_outlier"))["rep_id"].to_list()
    assert flagged == ["Six-6"]
    assert figures.height == len(rows) and figures["composite_outlier"].null_count() == 0


def test_graded_dimensions_count_the_composite_dimensions_that_have_a_grade(settings: Settings) -> None:
    rows = [
        {
            "rep_id": "R1",
            "attainment_grade": "A",
            "conversion_grade": "B",
            "new_customers_grade": "C",
            "satisfaction_grade": "D",
            "skills_grade": "A",
        },
        {"rep_id": "R2", "new_customers_grade": "D", "skills_grade": "A"},  # skills has weight 0
        {"rep_id": "R3"},
    ]
    assert _figures(rows, "0.00", settings)["graded_dimensions"].to_list() == [4, 1, 0]
    weights = {**settings.composite.weights, "skills_score": D("0.1")}
    counted = Settings.model_validate(
        {**settings.model_dump(), "composite": {**settings.composite.model_dump(), "weights": weights}}
    )
    assert _figures(rows, "0.00", counted)["graded_dimensions"].to_list() == [5, 2, 0]


def test_the_csv_rows_are_whole_and_ordered_by_team_then_rep(settings: Settings) -> None:
    rows = [
        {
            "rep_id": "R2",
            "team": "West",
            "target_amount": "300.00",
            "attainment_grade": "A",
            "new_customers_grade": "B",
            "composite_score": "3.666667",
        },
        {
            "rep_id": "R10",
            "team": "East",
            "target_amount": "100.00",
            "new_customers_grade": "D",
            "composite_score": "1.000000",
        },
        {"rep_id": "R1", "team": "East"},
    ]
    expected = pl.DataFrame(
        {
            "period": ["2024-04"] * 3,
            "rep_id": ["R1", "R10", "R2"],  # plain character order
            "team": ["East", "East", "West"],
            "target_amount": [None, D("100.00"), D("300.00")],
            "run_rate": [D("100.00")] * 3,
            "target_ratio": [None, D("1.000000"), D("3.000000")],
            "target_flag": [None, None, "high"],
            "graded_dimensions": [0, 1, 2],
            "composite_outlier": [False, False, False],
        },
        schema_overrides={"target_amount": MONEY, "run_rate": MONEY, "target_ratio": RATIO, "target_flag": pl.String},
    )
    figures = _figures(rows, "100.00", settings)
    assert figures.columns == list(FAIRNESS_COLUMNS)
    assert_frame_equal(figures, expected)


def test_composite_spread_per_team_and_company_wide_from_the_written_values() -> None:
    scorecards = cards(
        [
            *_team("East", ["1.000000", "2.000000", "4.000000", None]),
            *_team("West", ["2.500000", "2.500000"]),
            *_team("None", [None]),
        ]
    )
    expected = pl.DataFrame(
        {
            "team": ["East", "None", "West"],
            "reps": [3, 0, 2],
            "mean": [D("2.333333"), None, D("2.500000")],  # 7 / 3
            "std": [D("1.247219"), None, D("0.000000")],  # √(14/9)
            "min": [D("1.000000"), None, D("2.500000")],
            "max": [D("4.000000"), None, D("2.500000")],
        },
        schema_overrides={c: RATIO for c in ("mean", "std", "min", "max")},
    )
    assert_frame_equal(composite_spread(scorecards, by=["team"]), expected)
    company = pl.DataFrame(
        {
            "reps": [5],
            "mean": [D("2.400000")],  # 12 / 5
            "std": [D("0.969536")],  # √(4.7 / 5)
            "min": [D("1.000000")],
            "max": [D("4.000000")],
        },
        schema_overrides={c: RATIO for c in ("mean", "std", "min", "max")},
    )
    assert_frame_equal(composite_spread(scorecards), company)


def test_the_page_lists_distributions_thin_coverage_new_hires_and_outliers(settings: Settings) -> None:
    rows = [
        *(
            {**r, "attainment_grade": "D", "new_customers_grade": "C", "overall_grade": "D"}
            for r in _team("Six", ["1.000000"] * 5)
        ),
        {
            "rep_id": "Six-6",
            "team": "Six",
            "attainment_grade": "A",
            "new_customers_grade": "A",
            "composite_score": "4.000000",
            "overall_grade": "A",
        },
        {
            "rep_id": "New",
            "rep_name": "Nia New",
            "team": "West",
            "new_customers_grade": "D",
            "composite_score": "1.000000",
            "overall_grade": "D",
        },
    ]
    history = won({r["rep_id"]: ("0.00", "0.00", "0.00") for r in rows if r["rep_id"] != "New"})
    hire = reps({**{r["rep_id"]: None for r in rows}, "New": "2024-04-01", "Six-1": "2024-03-31"})
    fairness = fairness_report(cards(rows), history, hire, P, settings)

    expected_company = pl.DataFrame(
        {
            "dimension": [*(d.name for d in DIMENSIONS), "overall"],
            "A": [1, 0, 1, 0, 0, 1],
            "B": [0] * 6,
            "C": [0, 0, 5, 0, 0, 0],
            "D": [5, 0, 1, 0, 0, 6],
            "na": [1, 7, 0, 7, 7, 0],
        }
    )
    assert_frame_equal(fairness.company_distribution, expected_company)
    assert fairness.distribution.filter(pl.col("dimension") == "overall").select("team", "A", "D").rows() == [
        ("Six", 1, 5),
        ("West", 0, 1),
    ]
    assert fairness.thin_coverage.rows() == [("West", "New", "Nia New", 1)]
    assert fairness.hired.rows() == [("West", "New", "Nia New", date(2024, 4, 1))]
    assert fairness.outliers.rows() == [("Six", "Six-6", "Rep Six-6", D("4.000000"), D("1.500000"), D("1.118034"))]
    assert fairness.spread["team"].to_list() == ["Six", "West"]
    assert fairness.company_spread["reps"].to_list() == [7]


def test_the_standard_deviation_is_rounded_half_up_from_the_exact_variance() -> None:
    # 1 and 3.333333: σ = 1.1666665 exactly, which rounds half up to 1.166667 (a float square root gives 1.166666)
    scorecards = cards(_team("East", ["1.000000", "3.333333"]))
    assert composite_spread(scorecards)["std"].to_list() == [D("1.166667")]


def test_the_fairness_tables_descriptions_state_the_rules_numbers() -> None:
    # The schema sits below transforms and cannot read the constants: this keeps its words in step with them.
    columns = FairnessFigures.to_schema().columns
    assert f"of the {RUN_RATE_MONTHS} months before the period" in columns["run_rate"].description
    outlier = columns["composite_outlier"].description
    assert f"more than {OUTLIER_DEVIATIONS} population standard deviations" in outlier
    assert f"a team of {OUTLIER_TEAM_SIZE} or more reps" in outlier
