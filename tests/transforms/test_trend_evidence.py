"""The 6-month trend is computed from the same input (SPEC §4a); evidence lists the rows behind the numbers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import polars as pl
from polars.testing import assert_frame_equal

from scorecards.transforms.evidence import evidence_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report
from scorecards.transforms.scorecard import monthly_scorecards

P = Period(2026, 10)


def tables(make_tables):  # noqa: ANN001, ANN201
    return make_tables(
        reps=[{"rep_id": "R1"}, {"rep_id": "R2", "hire_date": "2026-09-15"}],
        opportunities=[
            {
                "opportunity_id": "O1",
                "rep_id": "R1",
                "account_id": "A1",
                "stage": "won",
                "amount": "100.00",
                "created_date": "2026-04-01",
                "close_date": "2026-05-31",
            },
            {
                "opportunity_id": "O2",
                "rep_id": "R1",
                "account_id": "A1",
                "stage": "won",
                "amount": "50.00",
                "created_date": "2026-09-01",
                "close_date": "2026-10-01",
            },
            {
                "opportunity_id": "O3",
                "rep_id": "R2",
                "account_id": "A2",
                "stage": "won",
                "amount": "80.00",
                "created_date": "2026-09-20",
                "close_date": "2026-10-02",
            },
            {
                "opportunity_id": "O4",
                "rep_id": "R2",
                "account_id": "A3",
                "stage": "lost",
                "amount": "10.00",
                "created_date": "2026-09-20",
                "close_date": "2026-10-03",
            },
        ],
        targets=[
            {"rep_id": "R1", "period": "2026-05", "target_amount": "100.00"},
            {"rep_id": "R1", "period": "2026-10", "target_amount": "100.00"},
            {"rep_id": "R2", "period": "2026-10", "target_amount": "100.00"},
        ],
        leads=[
            {
                "lead_id": "L1",
                "rep_id": "R2",
                "created_date": "2026-10-01",
                "status": "converted",
                "closed_date": "2026-10-04",
                "first_contact_date": "2026-10-02",
            },
            {"lead_id": "L2", "rep_id": "R2", "created_date": "2026-10-05", "status": "open"},
        ],
        surveys=[
            {
                "response_id": "S1",
                "rep_id": "R2",
                "submitted_date": "2026-10-09",
                "score": "4.5",
                "scale_max": "5",
                "comment": "ok",
            }
        ],
        skill_ratings=[{"rep_id": "R2", "period": "2026-10", "skill": "closing", "rating": "4"}],
    )


def test_history_has_six_months_per_rep_from_the_same_input(make_tables, settings) -> None:  # noqa: ANN001
    report = period_report(tables(make_tables), P, settings)
    trend = report.history
    assert trend.select("rep_id", "period").rows() == [(r, str(m)) for r in ("R1", "R2") for m in P.back(5)]
    r1 = trend.filter(pl.col("rep_id") == "R1")
    assert r1["attainment"].to_list() == [D("1.000000"), None, None, None, None, D("0.500000")]
    assert r1["attainment_grade"].to_list() == ["A", None, None, None, None, "D"]
    r2 = trend.filter(pl.col("rep_id") == "R2")
    # R2 was hired in September: no card, so no values, before it.
    assert r2["composite_score"].to_list()[:4] == [None] * 4
    assert r2["new_customers"].to_list()[-2:] == [0, 1]


def test_history_reuses_the_period_scorecards(make_tables, settings) -> None:  # noqa: ANN001
    report = period_report(tables(make_tables), P, settings)
    last = report.history.filter(pl.col("period") == "2026-10").drop("period")
    assert last.equals(report.scorecards.select(last.columns).sort("rep_id"))


def test_evidence_lists_the_rows_behind_each_number(make_tables) -> None:  # noqa: ANN001
    evidence = evidence_tables(tables(make_tables), P, "CNY")
    assert evidence["won_deals"].select("rep_id", "opportunity_id", "amount", "cycle_days").rows() == [
        ("R1", "O2", D("50.00"), 30),
        ("R2", "O3", D("80.00"), 12),
    ]
    # A1 was first won in May, so only A2 is a new customer in October.
    assert evidence["new_customers"].select("rep_id", "account_id", "opportunity_id").rows() == [("R2", "A2", "O3")]
    assert evidence["closed_leads"].select("lead_id", "status", "closed_date").rows() == [
        ("L1", "converted", date(2026, 10, 4))
    ]
    assert evidence["new_leads"].select("lead_id", "contacted_within_1d").rows() == [("L1", True), ("L2", False)]
    assert evidence["survey_answers"].select("score", "scale_max", "score_100").rows() == [(D("4.5"), D("5"), D("90"))]
    assert evidence["skill_ratings"].rows() == [("R2", "closing", D("4"))]
    # The input's choice columns are Enums; the evidence, which each version keeps, holds their text.
    assert tables(make_tables).opportunities.schema["stage"] == pl.Enum(["open", "won", "lost"])
    assert (evidence["deals"].schema["stage"], evidence["closed_leads"].schema["status"]) == (pl.String, pl.String)


def test_months_computed_together_are_each_month_computed_alone(make_tables, settings) -> None:  # noqa: ANN001
    given = tables(make_tables)
    months = [Period(2026, 5), Period(2026, 7), Period(2026, 9), P]  # with a gap, and R2 on September's roster
    together = monthly_scorecards(given, months, settings)
    assert list(together) == months
    for month in months:
        assert_frame_equal(together[month], monthly_scorecards(given, [month], settings)[month])
    assert together[P]["rep_id"].to_list() == ["R2", "R1"]
    assert together[Period(2026, 5)]["rep_id"].to_list() == ["R1"]  # R2 was hired in September
    assert together[Period(2026, 5)]["won_amount"].to_list() == [D("100.00")]
    assert monthly_scorecards(given, [], settings) == {}


def test_deal_evidence_is_by_rep_then_opportunity_in_plain_character_order(make_tables) -> None:  # noqa: ANN001
    def deal(opportunity_id: str, rep_id: str, **extra: str) -> dict[str, str]:
        row = {"opportunity_id": opportunity_id, "rep_id": rep_id, "account_id": "A1", "stage": "open"}
        return {**row, "amount": "10.00", "created_date": "2026-09-01", **extra}

    # Neither the reps nor the ids in the input's order ("R10" sorts before "R2", "O10" before "O2"); O5 is
    # shared by R2 and R1 (its split rows follow the whole deals) and in euros.
    given = make_tables(
        reps=[{"rep_id": "R1"}, {"rep_id": "R2"}, {"rep_id": "R10"}],
        opportunities=[
            deal("O2", "R2"),
            deal("O3", "R1"),
            deal("O5", "R2", currency="EUR"),
            deal("O10", "R2"),
            deal("O4", "R10"),
            deal("O1", "R1"),
        ],
        opportunity_splits=[
            {"opportunity_id": "O5", "rep_id": "R2", "share": "0.5"},
            {"opportunity_id": "O5", "rep_id": "R1", "share": "0.5"},
        ],
        fx_rates=[{"currency": "EUR", "rate_date": "2026-08-31", "rate": "7.5"}],
    )
    deals = evidence_tables(given, P, "CNY")["deals"]
    assert deals.select("rep_id", "opportunity_id", "is_split").rows() == [
        ("R1", "O1", False),
        ("R1", "O3", False),
        ("R1", "O5", True),
        ("R10", "O4", False),
        ("R2", "O10", False),
        ("R2", "O2", False),
        ("R2", "O5", True),
    ]


def test_many_deal_rows_in_a_shuffled_input_come_out_as_a_sort_by_rep_then_opportunity(make_tables) -> None:  # noqa: ANN001
    # The order is computed as one number per row (the rep's place, then the opportunity's rank): on many rows,
    # ids of several lengths, reps that share deals and reps with none, it is the two-column sort's.
    import random

    shuffled = random.Random(18)
    reps = [f"R{i}" for i in range(1, 40)]
    opportunities = [
        {
            "opportunity_id": f"O{i}",
            "rep_id": shuffled.choice(reps[:30]),
            "account_id": "A1",
            "stage": shuffled.choice(["open", "won"]),
            "amount": "10.00",
            "created_date": "2026-09-01",
            "close_date": "2026-10-05",
        }
        for i in shuffled.sample(range(1, 3000), 800)
    ]
    shared = [row["opportunity_id"] for row in opportunities[::7]]
    splits = [
        {"opportunity_id": opportunity, "rep_id": rep, "share": "0.5"}
        for opportunity in shared
        for rep in shuffled.sample(reps, 2)
    ]
    given = make_tables(reps=[{"rep_id": r} for r in reps], opportunities=opportunities, opportunity_splits=splits)
    deals = evidence_tables(given, P, "CNY")["deals"]
    assert deals.height == len(opportunities) + len(shared)
    assert_frame_equal(deals, deals.sample(fraction=1.0, shuffle=True, seed=1).sort("rep_id", "opportunity_id"))


def test_a_rep_s_skill_ratings_follow_the_config_s_order_and_other_skills_come_after(make_tables, settings) -> None:  # noqa: ANN001
    rated = ["closing", "negotiation", "plan", "zeal", "presentation", "prospecting", "empathy"]
    given = make_tables(
        reps=[{"rep_id": "R1"}],
        skill_ratings=[{"rep_id": "R1", "period": "2026-10", "skill": s, "rating": "3"} for s in rated],
    )
    evidence = evidence_tables(given, P, "CNY", settings.skills.names)
    assert settings.skills.names == ["plan", "prospecting", "presentation", "negotiation", "closing"]
    assert evidence["skill_ratings"]["skill"].to_list() == [*settings.skills.names, "empathy", "zeal"]
    assert period_report(given, P, settings).evidence["skill_ratings"].equals(evidence["skill_ratings"])
