"""SPEC §3: each per-rep metric function on a few literal rows (period 2024-03)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from polars.testing import assert_frame_equal

from scorecards.transforms.activity import deals_by_rep, first_contact_by_rep, open_pipeline_by_rep
from scorecards.transforms.attainment import target_by_rep, won_by_rep
from scorecards.transforms.conversion import conversion_rate, leads_by_rep
from scorecards.transforms.period import Period
from scorecards.transforms.satisfaction import satisfaction_by_rep
from scorecards.transforms.skills import skills_by_rep

D = Decimal
MONEY = pl.Decimal(38, 2)
RATIO = pl.Decimal(38, 6)
MARCH = Period(2024, 3)


def _collect(lf: pl.LazyFrame) -> pl.DataFrame:
    return lf.collect().sort("rep_id", *(["period"] if "period" in lf.collect_schema() else []))


def _expect(rows: list[tuple], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row")


def _expect_in_march(rows: list[tuple], schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """The expected per-rep frame of a monthly metric for March: `period` after rep_id."""
    return _expect(rows, schema).insert_column(1, pl.lit("2024-03").alias("period"))


def test_won_by_rep_counts_won_closed_in_period_boundaries_included(frame, deals_of) -> None:
    opps = frame(
        "opportunities",
        [
            {"opportunity_id": "O1", "rep_id": "R1", "stage": "won", "amount": "100.10", "close_date": "2024-03-01"},
            {"opportunity_id": "O2", "rep_id": "R1", "stage": "won", "amount": "200.20", "close_date": "2024-03-31"},
            {"opportunity_id": "O3", "rep_id": "R1", "stage": "won", "amount": "400.00", "close_date": "2024-02-29"},
            {"opportunity_id": "O4", "rep_id": "R1", "stage": "won", "amount": "800.00", "close_date": "2024-04-01"},
            {"opportunity_id": "O5", "rep_id": "R1", "stage": "lost", "amount": "1600.00", "close_date": "2024-03-10"},
            {"opportunity_id": "O6", "rep_id": "R1", "stage": "open", "amount": "3200.00"},
            # an open deal with an (expected) close date in P is still not won
            {"opportunity_id": "O7", "rep_id": "R1", "stage": "open", "amount": "6400.00", "close_date": "2024-03-15"},
            {
                "opportunity_id": "O8",
                "rep_id": "R2",
                "stage": "won",
                "amount": "0.01",
                "close_date": "2024-03-15",
                "created_date": "2023-01-01",
            },
            {"opportunity_id": "O9", "rep_id": "R3", "stage": "lost", "amount": "5.00", "close_date": "2024-03-15"},
        ],
    )
    expected = _expect_in_march(
        [("R1", D("300.30"), 2), ("R2", D("0.01"), 1)],
        {"rep_id": pl.String, "won_amount": MONEY, "won_deals": pl.Int64},
    )
    assert_frame_equal(_collect(won_by_rep(deals_of(opps), [MARCH])), expected)


def test_target_by_rep_only_the_period_row(frame) -> None:
    targets = frame(
        "targets",
        [
            {"rep_id": "R1", "period": "2024-03", "target_amount": "1000.00"},
            {"rep_id": "R1", "period": "2024-02", "target_amount": "9999.00"},
            {"rep_id": "R2", "period": "2024-04", "target_amount": "500.00"},
            {"rep_id": "R3", "period": "2024-03", "target_amount": "0.00"},
        ],
    )
    expected = _expect_in_march(
        [("R1", D("1000.00")), ("R3", D("0.00"))], {"rep_id": pl.String, "target_amount": MONEY}
    )
    assert_frame_equal(_collect(target_by_rep(targets.lazy(), [MARCH])), expected)


def test_leads_by_rep_by_closed_date_in_period(frame) -> None:
    leads = frame(
        "leads",
        [
            # created before P, closed on its first day: counts
            {
                "lead_id": "L1",
                "rep_id": "R1",
                "created_date": "2024-01-10",
                "status": "converted",
                "closed_date": "2024-03-01",
            },
            {
                "lead_id": "L2",
                "rep_id": "R1",
                "created_date": "2024-03-05",
                "status": "disqualified",
                "closed_date": "2024-03-31",
            },
            {
                "lead_id": "L3",
                "rep_id": "R1",
                "created_date": "2024-03-05",
                "status": "disqualified",
                "closed_date": "2024-03-06",
            },
            {
                "lead_id": "L4",
                "rep_id": "R1",
                "created_date": "2024-02-01",
                "status": "converted",
                "closed_date": "2024-02-29",
            },
            {
                "lead_id": "L5",
                "rep_id": "R1",
                "created_date": "2024-03-20",
                "status": "converted",
                "closed_date": "2024-04-01",
            },
            {"lead_id": "L6", "rep_id": "R1", "created_date": "2024-03-20", "status": "open"},
            {"lead_id": "L7", "rep_id": "R2", "created_date": "2024-03-20", "status": "open"},
            {
                "lead_id": "L8",
                "rep_id": "R3",
                "created_date": "2024-03-02",
                "status": "disqualified",
                "closed_date": "2024-03-03",
            },
            # an open lead with a closed_date in P is neither converted nor closed
            {
                "lead_id": "L9",
                "rep_id": "R2",
                "created_date": "2024-03-01",
                "status": "open",
                "closed_date": "2024-03-10",
            },
        ],
    )
    expected = _expect_in_march(
        [("R1", 1, 3), ("R3", 0, 1)],
        {"rep_id": pl.String, "leads_converted": pl.Int64, "leads_closed": pl.Int64},
    )
    assert_frame_equal(_collect(leads_by_rep(leads.lazy(), [MARCH])), expected)


def test_conversion_rate_expression() -> None:
    counts = pl.DataFrame(
        {"leads_converted": [1, 0, 2, 3, 0], "leads_closed": [3, 2, 5, 20, 0]},
        schema={"leads_converted": pl.Int64, "leads_closed": pl.Int64},
    )
    got = counts.select(conversion_rate=conversion_rate())
    expected = pl.DataFrame(
        {"conversion_rate": [D("0.333333"), D("0.000000"), D("0.400000"), D("0.150000"), None]},
        schema={"conversion_rate": RATIO},
    )
    assert_frame_equal(got, expected)


def test_satisfaction_normalises_mixed_scales_and_counts_responses_in_period(frame) -> None:
    surveys = frame(
        "surveys",
        [
            {"response_id": "S1", "rep_id": "R1", "submitted_date": "2024-03-01", "score": "4", "scale_max": "5"},
            {"response_id": "S2", "rep_id": "R1", "submitted_date": "2024-03-15", "score": "9", "scale_max": "10"},
            {"response_id": "S3", "rep_id": "R1", "submitted_date": "2024-03-31", "score": "70", "scale_max": "100"},
            {"response_id": "S4", "rep_id": "R1", "submitted_date": "2024-02-29", "score": "0", "scale_max": "5"},
            {"response_id": "S5", "rep_id": "R1", "submitted_date": "2024-04-01", "score": "0", "scale_max": "10"},
            {"response_id": "S6", "rep_id": "R2", "submitted_date": "2024-03-10", "score": "4.5", "scale_max": "5"},
            {"response_id": "S7", "rep_id": "R2", "submitted_date": "2024-03-11", "score": "0", "scale_max": "10"},
            {"response_id": "S8", "rep_id": "R3", "submitted_date": "2024-02-10", "score": "5", "scale_max": "5"},
        ],
    )
    expected = _expect_in_march(
        [("R1", 3, D("80.000000")), ("R2", 2, D("45.000000"))],
        {"rep_id": pl.String, "survey_responses": pl.Int64, "satisfaction": RATIO},
    )
    assert_frame_equal(_collect(satisfaction_by_rep(surveys.lazy(), [MARCH])), expected)


def test_satisfaction_non_terminating_scale_within_tolerance(frame) -> None:
    # 6/7 × 100 = 85.714285714...; SPEC §3 tolerates one unit in the 6th place.
    surveys = frame(
        "surveys",
        [{"response_id": "S1", "rep_id": "R1", "submitted_date": "2024-03-01", "score": "6", "scale_max": "7"}],
    )
    value = satisfaction_by_rep(surveys.lazy(), [MARCH]).collect().item(0, "satisfaction")
    assert abs(value - D("85.714286")) <= D("0.000001")


def test_deals_by_rep_win_rate_and_cycle_days(frame, deals_of) -> None:
    opps = frame(
        "opportunities",
        [
            # R1: two won (10 and 11 days), one lost in P; others outside P or open
            {
                "opportunity_id": "O1",
                "rep_id": "R1",
                "stage": "won",
                "created_date": "2024-03-01",
                "close_date": "2024-03-11",
            },
            {
                "opportunity_id": "O2",
                "rep_id": "R1",
                "stage": "won",
                "created_date": "2024-02-29",
                "close_date": "2024-03-11",
            },
            {
                "opportunity_id": "O3",
                "rep_id": "R1",
                "stage": "lost",
                "created_date": "2024-01-01",
                "close_date": "2024-03-31",
            },
            {
                "opportunity_id": "O4",
                "rep_id": "R1",
                "stage": "lost",
                "created_date": "2024-01-01",
                "close_date": "2024-04-01",
            },
            {
                "opportunity_id": "O5",
                "rep_id": "R1",
                "stage": "won",
                "created_date": "2024-01-01",
                "close_date": "2024-02-29",
            },
            {"opportunity_id": "O6", "rep_id": "R1", "stage": "open", "created_date": "2024-03-01"},
            {
                "opportunity_id": "O7",
                "rep_id": "R1",
                "stage": "open",
                "created_date": "2024-03-01",
                "close_date": "2024-03-20",
            },
            # R2: only open: absent (win_rate N/A)
            {"opportunity_id": "O8", "rep_id": "R2", "stage": "open", "created_date": "2024-03-01"},
            # R3: only lost: win_rate 0, no cycle
            {
                "opportunity_id": "O9",
                "rep_id": "R3",
                "stage": "lost",
                "created_date": "2024-03-01",
                "close_date": "2024-03-02",
            },
            # R4: won same day (0 days) and after 1 day, 2 days
            {
                "opportunity_id": "OA",
                "rep_id": "R4",
                "stage": "won",
                "created_date": "2024-03-05",
                "close_date": "2024-03-05",
            },
            {
                "opportunity_id": "OB",
                "rep_id": "R4",
                "stage": "won",
                "created_date": "2024-03-05",
                "close_date": "2024-03-06",
            },
            {
                "opportunity_id": "OC",
                "rep_id": "R4",
                "stage": "won",
                "created_date": "2024-03-05",
                "close_date": "2024-03-07",
            },
        ],
    )
    expected = _expect_in_march(
        [
            ("R1", D("0.666667"), D("10.500000")),
            ("R3", D("0.000000"), None),
            ("R4", D("1.000000"), D("1.000000")),
        ],
        {"rep_id": pl.String, "win_rate": RATIO, "avg_cycle_days": RATIO},
    )
    assert_frame_equal(_collect(deals_by_rep(deals_of(opps), [MARCH])), expected)


def test_open_pipeline_counts_every_open_opportunity_regardless_of_period(frame, deals_of) -> None:
    opps = frame(
        "opportunities",
        [
            {"opportunity_id": "O1", "rep_id": "R1", "stage": "open", "amount": "100.00", "created_date": "2019-05-01"},
            {"opportunity_id": "O2", "rep_id": "R1", "stage": "open", "amount": "0.10", "created_date": "2024-03-10"},
            {"opportunity_id": "O3", "rep_id": "R1", "stage": "open", "amount": "0.20", "created_date": "2025-01-01"},
            {"opportunity_id": "O4", "rep_id": "R1", "stage": "won", "amount": "5000.00", "close_date": "2024-03-10"},
            {"opportunity_id": "O5", "rep_id": "R1", "stage": "lost", "amount": "7000.00", "close_date": "2024-03-10"},
            {"opportunity_id": "O6", "rep_id": "R2", "stage": "won", "amount": "1.00", "close_date": "2024-03-10"},
            {"opportunity_id": "O7", "rep_id": "R3", "stage": "open", "amount": "0.00"},
        ],
    )
    expected = _expect([("R1", D("100.30")), ("R3", D("0.00"))], {"rep_id": pl.String, "open_pipeline": MONEY})
    assert_frame_equal(_collect(open_pipeline_by_rep(deals_of(opps))), expected)


def test_first_contact_within_one_day(frame) -> None:
    leads = frame(
        "leads",
        [
            {
                "lead_id": "L1",
                "rep_id": "R1",
                "created_date": "2024-03-01",
                "status": "open",
                "first_contact_date": "2024-03-01",
            },
            {
                "lead_id": "L2",
                "rep_id": "R1",
                "created_date": "2024-03-10",
                "status": "converted",
                "closed_date": "2024-03-20",
                "first_contact_date": "2024-03-11",
            },
            {
                "lead_id": "L3",
                "rep_id": "R1",
                "created_date": "2024-03-10",
                "status": "disqualified",
                "closed_date": "2024-03-12",
                "first_contact_date": "2024-03-12",
            },
            {"lead_id": "L4", "rep_id": "R1", "created_date": "2024-03-31", "status": "open"},
            # created before P: not counted even though contacted at once
            {
                "lead_id": "L5",
                "rep_id": "R1",
                "created_date": "2024-02-29",
                "status": "open",
                "first_contact_date": "2024-02-29",
            },
            # created on the last day, contacted the next day (outside P): in time
            {
                "lead_id": "L6",
                "rep_id": "R2",
                "created_date": "2024-03-31",
                "status": "open",
                "first_contact_date": "2024-04-01",
            },
            # R3: only a lead created before P, closed in P: absent (N/A)
            {
                "lead_id": "L7",
                "rep_id": "R3",
                "created_date": "2024-02-01",
                "status": "converted",
                "closed_date": "2024-03-05",
                "first_contact_date": "2024-02-01",
            },
            # R4: one lead, never contacted: 0
            {"lead_id": "L8", "rep_id": "R4", "created_date": "2024-03-15", "status": "open"},
        ],
    )
    expected = _expect_in_march(
        [("R1", D("0.500000")), ("R2", D("1.000000")), ("R4", D("0.000000"))],
        {"rep_id": pl.String, "first_contact_within_1d": RATIO},
    )
    assert_frame_equal(_collect(first_contact_by_rep(leads.lazy(), [MARCH])), expected)


def test_skills_mean_of_rated_skills_only(frame) -> None:
    ratings = frame(
        "skill_ratings",
        [
            # R1 rated on three of five skills: the other two are left out, not zeros
            {"rep_id": "R1", "period": "2024-03", "skill": "plan", "rating": "4"},
            {"rep_id": "R1", "period": "2024-03", "skill": "closing", "rating": "5"},
            {"rep_id": "R1", "period": "2024-03", "skill": "negotiation", "rating": "3.5"},
            {"rep_id": "R1", "period": "2024-02", "skill": "prospecting", "rating": "1"},
            {"rep_id": "R2", "period": "2024-03", "skill": "plan", "rating": "1"},
            {"rep_id": "R2", "period": "2024-03", "skill": "closing", "rating": "1"},
            {"rep_id": "R2", "period": "2024-03", "skill": "presentation", "rating": "2"},
            {"rep_id": "R3", "period": "2024-04", "skill": "plan", "rating": "5"},
            {"rep_id": "R4", "period": "2024-03", "skill": "plan", "rating": "4.5"},
            {"rep_id": "R4", "period": "2024-03", "skill": "closing", "rating": "4.5"},
        ],
    )
    expected = _expect_in_march(
        [("R1", D("4.166667")), ("R2", D("1.333333")), ("R4", D("4.500000"))],
        {"rep_id": pl.String, "skills_score": RATIO},
    )
    assert_frame_equal(_collect(skills_by_rep(ratings.lazy(), [MARCH])), expected)
