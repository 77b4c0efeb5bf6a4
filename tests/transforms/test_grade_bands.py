"""SPEC §4: every default band edge on both sides, the rounding to 6 places before comparing,
the satisfaction min_responses rule, and the overall grade from the composite."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecards.config import DIMENSION_NAMES, DIMENSIONS, Settings, load_settings
from scorecards.transforms.grading import dimension_grades, grade, overall_grade

D = Decimal
RATIO = pl.Decimal(38, 6)
SETTINGS = load_settings()


def _grade_of(dimension: str, value: str | int | None, dtype: pl.DataType = RATIO) -> str | None:
    if value is not None and not isinstance(value, int):
        value = D(value)
    df = pl.DataFrame({"v": [value]}, schema={"v": dtype})
    return df.select(g=grade(pl.col("v"), SETTINGS.bands[dimension])).item()


ATTAINMENT = [
    ("5.000000", "A"),
    ("1.000000", "A"),
    ("0.999999", "B"),
    ("0.800000", "B"),
    ("0.799999", "C"),
    ("0.600000", "C"),
    ("0.599999", "D"),
    ("0.000000", "D"),
]
CONVERSION = [
    ("1.000000", "A"),
    ("0.400000", "A"),
    ("0.399999", "B"),
    ("0.250000", "B"),
    ("0.249999", "C"),
    ("0.150000", "C"),
    ("0.149999", "D"),
    ("0.000000", "D"),
]
NEW_CUSTOMERS = [(0, "D"), (1, "C"), (2, "C"), (3, "B"), (4, "B"), (5, "B"), (6, "A"), (7, "A"), (40, "A")]
SATISFACTION = [
    ("100.000000", "A"),
    ("90.000000", "A"),
    ("89.999999", "B"),
    ("80.000000", "B"),
    ("79.999999", "C"),
    ("70.000000", "C"),
    ("69.999999", "D"),
    ("0.000000", "D"),
]
SKILLS = [
    ("5.000000", "A"),
    ("4.500000", "A"),
    ("4.499999", "B"),
    ("3.500000", "B"),
    ("3.499999", "C"),
    ("2.500000", "C"),
    ("2.499999", "D"),
    ("1.000000", "D"),
]


@pytest.mark.parametrize(("value", "expected"), ATTAINMENT)
def test_attainment_band_edges(value: str, expected: str) -> None:
    assert _grade_of("attainment", value) == expected


@pytest.mark.parametrize(("value", "expected"), CONVERSION)
def test_conversion_band_edges(value: str, expected: str) -> None:
    assert _grade_of("conversion_rate", value) == expected


@pytest.mark.parametrize(("value", "expected"), NEW_CUSTOMERS)
def test_new_customers_band_edges(value: int, expected: str) -> None:
    assert _grade_of("new_customers", value, pl.Int64) == expected


@pytest.mark.parametrize(("value", "expected"), SATISFACTION)
def test_satisfaction_band_edges(value: str, expected: str) -> None:
    assert _grade_of("satisfaction", value) == expected


@pytest.mark.parametrize(("value", "expected"), SKILLS)
def test_skills_band_edges(value: str, expected: str) -> None:
    assert _grade_of("skills_score", value) == expected


@pytest.mark.parametrize("dimension", DIMENSION_NAMES)
def test_null_value_has_no_grade(dimension: str) -> None:
    assert _grade_of(dimension, None) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.7999995", "B"),  # rounds to 0.800000
        ("0.79999949", "C"),  # rounds to 0.799999
        ("0.7999994", "C"),
        ("0.9999995", "A"),
        ("0.5999995", "C"),
    ],
)
def test_grade_uses_value_rounded_to_six_places(value: str, expected: str) -> None:
    assert _grade_of("attainment", value, pl.Decimal(38, 8)) == expected


@pytest.mark.parametrize(
    ("composite", "expected"),
    [
        ("4.000000", "A"),
        ("3.500000", "A"),
        ("3.499999", "B"),
        ("2.500000", "B"),
        ("2.499999", "C"),
        ("1.500000", "C"),
        ("1.499999", "D"),
        ("1.000000", "D"),
        (None, None),
    ],
)
def test_overall_grade_from_composite_edges(composite: str | None, expected: str | None) -> None:
    df = pl.DataFrame(
        {"composite_score": [None if composite is None else D(composite)]}, schema={"composite_score": RATIO}
    )
    assert df.select(g=overall_grade(SETTINGS)).item() == expected


def _values_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "attainment": RATIO,
            "conversion_rate": RATIO,
            "new_customers": pl.Int64,
            "survey_responses": pl.Int64,
            "satisfaction": RATIO,
            "skills_score": RATIO,
        },
        orient="row",
    )


def test_dimension_grades_with_min_responses() -> None:
    values = _values_frame(
        [
            (D("1.000000"), D("0.400000"), 6, 3, D("90.000000"), D("4.500000")),
            (D("0.799999"), D("0.249999"), 2, 2, D("95.000000"), D("2.499999")),  # 2 responses: no grade
            (None, None, 0, 0, None, None),
            (D("0.600000"), D("0.150000"), 3, 1, D("10.000000"), D("3.500000")),
            (D("0.599999"), D("0.149999"), 1, 4, D("69.999999"), D("1.000000")),
        ]
    )
    got = values.select(dimension_grades(SETTINGS))
    expected = pl.DataFrame(
        [
            ("A", "A", "A", "A", "A"),
            ("C", "C", "C", None, "D"),
            (None, None, "D", None, None),
            ("C", "C", "B", None, "B"),
            ("D", "D", "C", "D", "D"),
        ],
        schema={d.grade_column: pl.String for d in DIMENSIONS},
        orient="row",
    )
    assert_frame_equal(got, expected)


def test_min_responses_comes_from_config() -> None:
    raw = SETTINGS.model_dump()
    raw["satisfaction"]["min_responses"] = 1
    settings = Settings.model_validate(raw)
    values = _values_frame([(None, None, 0, 1, D("85.000000"), None), (None, None, 0, 0, None, None)])
    got = values.select(dimension_grades(settings)).get_column("satisfaction_grade")
    assert got.to_list() == ["B", None]


def test_bands_come_from_config() -> None:
    raw = SETTINGS.model_dump()
    raw["bands"]["attainment"] = {"A": D("1.2"), "B": D("1.0"), "C": D("0.5")}
    settings = Settings.model_validate(raw)
    values = _values_frame(
        [(D(v), None, 0, 0, None, None) for v in ("1.200000", "1.199999", "1.000000", "0.500000", "0.499999")]
    )
    got = values.select(dimension_grades(settings)).get_column("attainment_grade")
    assert got.to_list() == ["A", "B", "B", "C", "D"]
