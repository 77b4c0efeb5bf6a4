"""SPEC §4: composite score over graded dimensions only, weights from config, and ranks."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecards.config import DIMENSIONS, Settings, load_settings
from scorecards.transforms.grading import composite_score, overall_grade, with_ranks

D = Decimal
RATIO = pl.Decimal(38, 6)
SETTINGS = load_settings()
GRADE_SCHEMA = {d.grade_column: pl.String for d in DIMENSIONS}


def _with_weights(**weights: str) -> Settings:
    raw = SETTINGS.model_dump()
    raw["composite"]["weights"] = {k: D(v) for k, v in weights.items()}
    return Settings.model_validate(raw)


def _composite(rows: list[tuple], settings: Settings = SETTINGS) -> pl.DataFrame:
    grades = pl.DataFrame(rows, schema=GRADE_SCHEMA, orient="row")
    return grades.with_columns(composite_score=composite_score(settings)).select(
        "composite_score", overall_grade=overall_grade(settings)
    )


def _expected(rows: list[tuple[str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        [(None if c is None else D(c), g) for c, g in rows],
        schema={"composite_score": RATIO, "overall_grade": pl.String},
        orient="row",
    )


# columns: attainment, conversion, new_customers, satisfaction, skills
def test_composite_with_default_weights() -> None:
    got = _composite(
        [
            ("A", None, "D", None, None),  # (0.4×4 + 0.2×1) / 0.6 = 3
            ("A", "B", "C", "D", None),  # 1.6 + 0.6 + 0.4 + 0.2 = 2.8
            ("A", "A", "A", "A", "D"),  # skills has weight 0: left out
            (None, None, "D", None, "A"),  # skills left out: D alone
            (None, None, None, None, "A"),  # only a weight-0 grade: nothing graded
            (None, None, None, None, None),
            ("D", "D", "D", "D", "D"),
            ("B", "A", None, None, None),  # (1.2 + 0.8) / 0.6 = 3.333333
            ("C", None, "A", "A", None),  # (0.8 + 0.8 + 0.8) / 0.8 = 3.0
        ]
    )
    expected = _expected(
        [
            ("3.000000", "B"),
            ("2.800000", "B"),
            ("4.000000", "A"),
            ("1.000000", "D"),
            (None, None),
            (None, None),
            ("1.000000", "D"),
            ("3.333333", "B"),
            ("3.000000", "B"),
        ]
    )
    assert_frame_equal(got, expected)


def test_skills_weight_from_config_enters_the_composite() -> None:
    settings = _with_weights(
        attainment="0.4", conversion_rate="0.2", new_customers="0.2", satisfaction="0.2", skills_score="0.2"
    )
    got = _composite(
        [
            (None, None, "D", None, "A"),  # (0.2×1 + 0.2×4) / 0.4 = 2.5
            ("A", "A", "A", "A", "D"),  # (1.6 + 2.4 + 0.2) / 1.2 = 3.5
            ("B", "A", "A", "A", "D"),  # (1.2 + 2.4 + 0.2) / 1.2 = 3.1666…
            (None, None, None, None, "C"),
        ],
        settings,
    )
    expected = _expected([("2.500000", "B"), ("3.500000", "A"), ("3.166667", "B"), ("2.000000", "C")])
    assert_frame_equal(got, expected)


def test_composite_rounds_half_up_to_six_places() -> None:
    settings = _with_weights(attainment="0.3", conversion_rate="0.3", new_customers="0.3")
    got = _composite(
        [
            ("A", "B", "D", "A", "A"),  # (1.2 + 0.9 + 0.3) / 0.9 = 2.6666…
            ("B", "C", "C", None, None),  # (0.9 + 0.6 + 0.6) / 0.9 = 2.3333…
        ],
        settings,
    )
    assert_frame_equal(got, _expected([("2.666667", "B"), ("2.333333", "C")]))


def test_composite_renormalises_to_overall_band_edges() -> None:
    got = _composite(
        [
            ("B", None, "A", None, None),  # (1.2 + 0.8) / 0.6 = 3.333333 -> B
            ("A", "C", None, None, None),  # (1.6 + 0.4) / 0.6 = 3.333333
            ("A", "B", "B", "B", None),  # 1.6 + 0.6 + 0.6 + 0.6 = 3.4 -> B
            ("A", "A", "B", "B", None),  # 1.6+0.8+0.6+0.6 = 3.6 -> A
            ("C", "B", None, None, None),  # (0.8+0.6)/0.6 = 2.333333 -> C
            ("C", None, "C", "B", None),  # (0.8+0.4+0.6)/0.8 = 2.25 -> C
            ("D", "B", "D", "D", None),  # 0.4+0.6+0.2+0.2 = 1.4 -> D
            ("C", "D", "D", "D", None),  # 0.8+0.2+0.2+0.2 = 1.4 -> D
            ("C", "C", "D", "D", None),  # 0.8+0.4+0.2+0.2 = 1.6 -> C
            (None, None, "C", "D", None),  # (0.4+0.2)/0.4 = 1.5 -> C (edge)
            (None, "A", "C", None, None),  # (0.8+0.4)/0.4 = 3.0 -> B
            (None, "A", "B", None, None),  # (0.8+0.6)/0.4 = 3.5 -> A (edge)
            (None, "B", "C", None, None),  # (0.6+0.4)/0.4 = 2.5 -> B (edge)
        ]
    )
    expected = _expected(
        [
            ("3.333333", "B"),
            ("3.333333", "B"),
            ("3.400000", "B"),
            ("3.600000", "A"),
            ("2.333333", "C"),
            ("2.250000", "C"),
            ("1.400000", "D"),
            ("1.400000", "D"),
            ("1.600000", "C"),
            ("1.500000", "C"),
            ("3.000000", "B"),
            ("3.500000", "A"),
            ("2.500000", "B"),
        ]
    )
    assert_frame_equal(got, expected)


RANK_SCHEMA = {"rep_id": pl.String, "team": pl.String, "composite_score": RATIO, "attainment": RATIO}


def _ranked(rows: list[tuple]) -> pl.DataFrame:
    return with_ranks(
        pl.DataFrame(
            [(r, t, None if c is None else D(c), None if a is None else D(a)) for r, t, c, a in rows],
            schema=RANK_SCHEMA,
            orient="row",
        )
    )


def test_ranks_order_and_tie_breaks() -> None:
    got = _ranked(
        [
            ("R2", "East", "3.000000", "0.900000"),
            ("b1", "West", None, "1.500000"),
            ("R10", "East", "3.000000", "0.900000"),
            ("R4", "West", "3.000000", None),
            ("R5", "East", None, None),
            ("R3", "West", "3.000000", "1.100000"),
            ("B1", "West", None, "1.500000"),
            ("a1", "East", "3.500000", None),
            ("R6", "East", "1.000000", "2.000000"),
        ]
    )
    expected = pl.DataFrame(
        [
            ("a1", "East", D("3.500000"), None, 1, 1),  # highest composite, attainment N/A irrelevant
            ("R3", "West", D("3.000000"), D("1.100000"), 1, 2),  # tie on composite: higher attainment
            ("R10", "East", D("3.000000"), D("0.900000"), 2, 3),  # tie on both: "R10" < "R2"
            ("R2", "East", D("3.000000"), D("0.900000"), 3, 4),
            ("R4", "West", D("3.000000"), None, 2, 5),  # attainment N/A last within the tie
            ("R6", "East", D("1.000000"), D("2.000000"), 4, 6),
            ("B1", "West", None, D("1.500000"), 3, 7),  # no composite: after all others
            ("b1", "West", None, D("1.500000"), 4, 8),  # uppercase before lowercase
            ("R5", "East", None, None, 5, 9),
        ],
        schema={**RANK_SCHEMA, "rank_in_team": pl.Int64, "rank_overall": pl.Int64},
        orient="row",
    )
    assert_frame_equal(got, expected)


@pytest.mark.parametrize(
    ("ids", "order"),
    [
        (["R2", "R10", "R1"], ["R1", "R10", "R2"]),
        (["rb", "Ra", "rA", "RA"], ["RA", "Ra", "rA", "rb"]),
        (["R-1", "R_1", "R1", "R 1"], ["R 1", "R-1", "R1", "R_1"]),
    ],
)
def test_rep_id_tie_break_is_plain_character_order(ids: list[str], order: list[str]) -> None:
    got = _ranked([(r, "T", "2.000000", "0.500000") for r in ids])
    assert got.get_column("rep_id").to_list() == order
    assert got.get_column("rank_overall").to_list() == list(range(1, len(ids) + 1))
    assert got.get_column("rank_in_team").to_list() == list(range(1, len(ids) + 1))


def test_rank_in_team_restarts_per_team_and_is_never_shared() -> None:
    got = _ranked(
        [
            ("R1", "North", "3.000000", "1.000000"),
            ("R2", "South", "3.000000", "1.000000"),
            ("R3", "North", "3.000000", "1.000000"),
            ("R4", "South", "2.000000", "1.000000"),
            ("R5", "West", None, None),
        ]
    ).select("rep_id", "team", "rank_in_team", "rank_overall")
    expected = pl.DataFrame(
        [
            ("R1", "North", 1, 1),
            ("R2", "South", 1, 2),
            ("R3", "North", 2, 3),
            ("R4", "South", 2, 4),
            ("R5", "West", 1, 5),
        ],
        schema={"rep_id": pl.String, "team": pl.String, "rank_in_team": pl.Int64, "rank_overall": pl.Int64},
        orient="row",
    )
    assert_frame_equal(got, expected)
