"""Facts about grades that cards, rollups and run summaries show: the grade distribution and why a grade is N/A."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
from polars.testing import assert_frame_equal

from scorecards.transforms.grading import grade_distribution, na_reasons

GRADE_COLUMNS = (
    "attainment_grade",
    "conversion_grade",
    "new_customers_grade",
    "satisfaction_grade",
    "skills_grade",
    "overall_grade",
)
COUNTS = {"A": pl.Int64, "B": pl.Int64, "C": pl.Int64, "D": pl.Int64, "na": pl.Int64}

CARDS = pl.DataFrame(
    [
        ("R1", "West", "A", "B", "D", None, "C", "B"),
        ("R2", "East", "A", None, "D", "A", "C", "A"),
        ("R3", "East", None, "B", "C", None, None, "C"),
        ("R4", "East", "A", "D", "D", None, "B", None),
    ],
    schema={"rep_id": pl.String, "team": pl.String, **dict.fromkeys(GRADE_COLUMNS, pl.String)},
    orient="row",
)


def test_grade_distribution_counts_each_grade_and_na_per_team_dimensions_in_card_order() -> None:
    expected = pl.DataFrame(
        [
            ("East", "attainment", 2, 0, 0, 0, 1),
            ("East", "conversion_rate", 0, 1, 0, 1, 1),
            ("East", "new_customers", 0, 0, 1, 2, 0),
            ("East", "satisfaction", 1, 0, 0, 0, 2),
            ("East", "skills_score", 0, 1, 1, 0, 1),
            ("East", "overall", 1, 0, 1, 0, 1),
            ("West", "attainment", 1, 0, 0, 0, 0),
            ("West", "conversion_rate", 0, 1, 0, 0, 0),
            ("West", "new_customers", 0, 0, 0, 1, 0),
            ("West", "satisfaction", 0, 0, 0, 0, 1),
            ("West", "skills_score", 0, 0, 1, 0, 0),
            ("West", "overall", 0, 1, 0, 0, 0),
        ],
        schema={"team": pl.String, "dimension": pl.String, **COUNTS},
        orient="row",
    )
    assert_frame_equal(grade_distribution(CARDS, by=["team"]), expected)


def test_grade_distribution_of_the_whole_period() -> None:
    expected = pl.DataFrame(
        [
            ("attainment", 3, 0, 0, 0, 1),
            ("conversion_rate", 0, 2, 0, 1, 1),
            ("new_customers", 0, 0, 1, 3, 0),
            ("satisfaction", 1, 0, 0, 0, 3),
            ("skills_score", 0, 1, 2, 0, 1),
            ("overall", 1, 1, 1, 0, 1),
        ],
        schema={"dimension": pl.String, **COUNTS},
        orient="row",
    )
    assert_frame_equal(grade_distribution(CARDS), expected)


def test_na_reasons_name_why_each_ungraded_dimension_has_no_grade() -> None:
    cards = pl.DataFrame(
        [
            # rep, target, survey responses, attainment, conversion, new customers, satisfaction, skills grades
            ("R2", None, 0, None, None, "D", None, None),
            ("R1", D("0.00"), 2, None, "B", "C", None, "A"),
            ("R3", D("5.00"), 3, "A", "A", "A", "A", "A"),
        ],
        schema={
            "rep_id": pl.String,
            "target_amount": pl.Decimal(38, 2),
            "survey_responses": pl.Int64,
            **dict.fromkeys(GRADE_COLUMNS[:-1], pl.String),
        },
        orient="row",
    )
    expected = pl.DataFrame(
        [
            ("R1", "attainment", "zero_target"),
            ("R1", "satisfaction", "too_few_responses"),
            ("R2", "attainment", "no_target"),
            ("R2", "conversion_rate", "no_closed_leads"),
            ("R2", "satisfaction", "no_survey_responses"),
            ("R2", "skills_score", "not_rated"),
        ],
        schema={"rep_id": pl.String, "dimension": pl.String, "reason": pl.String},
        orient="row",
    )
    assert_frame_equal(na_reasons(cards), expected)
    # A table the input did not provide is the reason, whatever the rep's own rows would say.
    absent = {"conversion_rate": "no_leads_table", "satisfaction": "no_surveys_table"}
    assert na_reasons(cards, {"leads", "surveys"}).rows() == [
        (rep, dimension, absent.get(dimension, reason)) for rep, dimension, reason in expected.rows()
    ]
    assert na_reasons(cards, {"targets", "skill_ratings"})["reason"].to_list() == [
        "no_targets_table",
        "too_few_responses",
        "no_targets_table",
        "no_closed_leads",
        "no_survey_responses",
        "no_skill_ratings_table",
    ]
    # A target row validation set aside is why R2 has none; R1's zero target was not set aside, whatever the list.
    set_aside = na_reasons(cards, set_aside_targets=["R1", "R2"]).filter(pl.col("dimension") == "attainment")
    assert set_aside.rows() == [("R1", "attainment", "zero_target"), ("R2", "attainment", "target_set_aside")]
