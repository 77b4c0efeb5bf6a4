"""Feedback notes and training topics from config rules (SPEC §4a)."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
import pytest

from scorecards.config import load_settings
from scorecards.config.settings import Feedback
from scorecards.transforms.feedback import feedback_notes, training_topics
from scorecards.transforms.period import Period

P = Period(2026, 10)
MONTHS = [str(m) for m in P.back(5)]


def history(rows: dict[str, dict[str, list[object]]]) -> pl.DataFrame:
    """Trend rows per rep: {rep: {column: six values oldest first}} (other columns null)."""
    records = []
    for rep, columns in rows.items():
        for i, month in enumerate(MONTHS):
            records.append({"rep_id": rep, "period": month, **{c: v[i] for c, v in columns.items()}})
    frame = pl.DataFrame(records)
    defaults = {
        "attainment_grade": pl.String,
        "conversion_grade": pl.String,
        "new_customers_grade": pl.String,
        "satisfaction_grade": pl.String,
        "skills_grade": pl.String,
        "satisfaction": pl.Decimal(38, 6),
        "first_contact_within_1d": pl.Decimal(38, 6),
        "composite_score": pl.Decimal(38, 6),
    }
    return frame.with_columns(
        [pl.lit(None, dtype=t).alias(c) for c, t in defaults.items() if c not in frame.columns]
    ).with_columns([pl.col(c).cast(t) for c, t in defaults.items()])


def rules(*items: dict[str, object], max_notes: int = 5) -> Feedback:
    return Feedback.model_validate({"max_notes": max_notes, "rules": list(items)})


GRADE_D = {
    "id": "att",
    "kind": "weakness",
    "when": {"grade": "attainment", "in": ["C", "D"]},
    "message": "m-att",
    "topic": "t-plan",
}
STRONG = {"id": "conv-a", "kind": "strength", "when": {"grade": "conversion_rate", "in": ["A"]}, "message": "m-conv"}
SOP = {
    "id": "sop",
    "kind": "weakness",
    "when": {"metric": "first_contact_within_1d", "below": "0.9"},
    "message": "m-sop",
    "topic": "t-sop",
}
FALLING = {
    "id": "fall",
    "kind": "weakness",
    "when": {"metric": "satisfaction", "falling_months": 2},
    "message": "m-fall",
    "topic": "t-care",
}


def test_grade_and_threshold_rules_fire_on_the_period_only() -> None:
    trend = history(
        {
            "R1": {"attainment_grade": ["D"] * 5 + ["B"], "first_contact_within_1d": [D("0.5")] * 5 + [D("0.9")]},
            "R2": {"attainment_grade": ["A"] * 5 + ["C"], "first_contact_within_1d": [D("1")] * 5 + [D("0.899999")]},
        }
    )
    notes = feedback_notes(trend, P, rules(GRADE_D, SOP))
    assert notes.select("rep_id", "rule_id").rows() == [("R2", "att"), ("R2", "sop")]


def test_weaknesses_come_first_then_the_strongest_signal_then_config_order() -> None:
    trend = history(
        {
            "R1": {
                "attainment_grade": [None] * 5 + ["C"],  # signal 2/3
                "conversion_grade": [None] * 5 + ["A"],  # a strength: after every weakness
                "first_contact_within_1d": [None] * 5 + [D("0.18")],  # signal (0.9-0.18)/0.9 = 0.8
            }
        }
    )
    notes = feedback_notes(trend, P, rules(STRONG, GRADE_D, SOP))
    assert notes["rule_id"].to_list() == ["sop", "att", "conv-a"]
    assert notes["signal"].to_list() == [D("0.8"), D("0.666666666666666667"), D(1)]
    assert notes["kind"].to_list() == ["weakness", "weakness", "strength"]


def test_a_d_is_a_stronger_signal_than_a_c() -> None:
    trend = history({"R1": {"attainment_grade": [None] * 5 + ["D"]}, "R2": {"attainment_grade": [None] * 5 + ["C"]}})
    notes = feedback_notes(trend, P, rules(GRADE_D))
    assert dict(zip(notes["rep_id"], notes["signal"], strict=True)) == {"R1": D(1), "R2": D("0.666666666666666667")}


def test_at_most_max_notes_are_shown_but_all_are_kept() -> None:
    trend = history(
        {
            "R1": {
                "attainment_grade": [None] * 5 + ["D"],
                "first_contact_within_1d": [None] * 5 + [D("0")],
                "conversion_grade": [None] * 5 + ["A"],
            }
        }
    )
    notes = feedback_notes(trend, P, rules(GRADE_D, SOP, STRONG, max_notes=2))
    assert notes.select("rule_id", "shown").rows() == [("att", True), ("sop", True), ("conv-a", False)]


@pytest.mark.parametrize(
    ("values", "fires"),
    [
        ([90, 90, 90, 90, 85, 80], True),  # fell in September and in October
        ([90, 90, 90, 80, 85, 80], False),  # rose in September
        ([90, 90, 90, 90, 80, 80], False),  # flat in October
        ([90, 90, None, 90, 85, 80], True),  # only August to October counts
        ([90, 90, 90, None, 85, 80], False),  # no August value: no run to see
    ],
)
def test_falling_two_months_running(values: list[int | None], fires: bool) -> None:
    satisfaction = [None if v is None else D(v) for v in values]
    trend = history({"R1": {"satisfaction": satisfaction, "satisfaction_grade": [v and "B" for v in values]}})
    notes = feedback_notes(trend, P, rules(FALLING))
    assert notes.height == (1 if fires else 0)


@pytest.mark.parametrize("ungraded", [3, 4, 5], ids=["august", "september", "october"])
def test_a_value_too_thin_to_grade_is_no_fall(ungraded: int) -> None:
    # Found by a zh-CN manager's reading: "satisfaction has fallen two months running" and a training topic on a
    # card whose October satisfaction was one answer of 60, its grade N/A (fewer than min_responses answers).
    grades: list[str | None] = ["B"] * 6
    grades[ungraded] = None
    trend = history({"R1": {"satisfaction": [D(v) for v in (90, 90, 90, 90, 85, 60)], "satisfaction_grade": grades}})
    assert feedback_notes(trend, P, rules(FALLING)).height == 0


def test_null_values_never_fire_a_threshold_rule() -> None:
    trend = history({"R1": {"first_contact_within_1d": [None] * 6}})
    assert feedback_notes(trend, P, rules(SOP)).height == 0


def test_training_topics_count_reps_per_team_most_needed_first() -> None:
    trend = history(
        {
            "R1": {"attainment_grade": [None] * 5 + ["D"], "first_contact_within_1d": [None] * 5 + [D("0.1")]},
            "R2": {"first_contact_within_1d": [None] * 5 + [D("0.5")]},
            "R3": {"attainment_grade": [None] * 5 + ["C"]},
        }
    )
    notes = feedback_notes(trend, P, rules(GRADE_D, SOP, max_notes=1))  # topics count hidden notes too
    teams = pl.DataFrame({"rep_id": ["R1", "R2", "R3"], "team": ["East", "East", "West"]})
    assert training_topics(notes, teams).rows() == [("East", "t-sop", 2), ("East", "t-plan", 1), ("West", "t-plan", 1)]


def test_the_shipped_rules_cover_every_dimension_both_ways_and_the_sop() -> None:
    shipped = load_settings().feedback.rules
    graded = {(r.when.grade, r.kind) for r in shipped if r.when.grade}
    for dimension in ("attainment", "conversion_rate", "new_customers", "satisfaction", "skills_score"):
        assert {(dimension, "weakness"), (dimension, "strength")} <= graded, dimension
    assert any(r.when.metric == "first_contact_within_1d" and r.when.below == D("0.9") for r in shipped)
    assert any(r.when.falling_months == 2 for r in shipped)
    assert all(r.topic for r in shipped if r.kind == "weakness" and r.id != "composite-falling")


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({"grade": "attainment"}, "use exactly one of"),
        ({"grade": "attainment", "in": ["C"], "metric": "win_rate"}, "use exactly one of"),
        ({"grade": "charm", "in": ["C"]}, "grade must name a dimension"),
        ({"metric": "mood", "below": 1}, "metric must be one of"),
        ({"metric": "win_rate", "falling_months": 9}, "less than or equal to 5"),
    ],
)
def test_a_wrong_rule_is_refused_on_load(when: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules({"id": "x", "kind": "weakness", "when": when, "message": "m"})


def test_equal_signals_of_different_rules_keep_the_config_order() -> None:
    # C is 2/3 past the grade rule's line, and a first contact of 0.3 is (0.9 - 0.3) / 0.9 = 2/3 past the SOP's:
    # exactly equal, so the config's order decides (a float made the second a hair larger).
    trend = history(
        {"R1": {"attainment_grade": [None] * 5 + ["C"], "first_contact_within_1d": [None] * 5 + [D("0.3")]}}
    )
    notes = feedback_notes(trend, P, rules(GRADE_D, SOP))
    assert notes["rule_id"].to_list() == ["att", "sop"]
    assert notes["signal"].n_unique() == 1
    assert feedback_notes(trend, P, rules(SOP, GRADE_D))["rule_id"].to_list() == ["sop", "att"]
