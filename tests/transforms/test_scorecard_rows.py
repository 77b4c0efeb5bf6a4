"""compute_scorecards end to end: whole rows, N/A cases (SPEC §3/§4), roster zeros (SPEC §5),
the composite over graded dimensions and ranks at 6 places (SPEC §4)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from polars.testing import assert_frame_equal

from scorecards.config import Settings
from scorecards.transforms.scorecard import SCORECARD_COLUMNS

D = Decimal
MONEY = pl.Decimal(38, 2)
RATIO = pl.Decimal(38, 6)

SCHEMA: dict[str, pl.DataType] = {
    "period": pl.String,
    "rep_id": pl.String,
    "rep_name": pl.String,
    "team": pl.String,
    "manager_name": pl.String,
    "manager_email": pl.String,
    "locale": pl.String,
    "won_amount": MONEY,
    "won_deals": pl.Int64,
    "target_amount": MONEY,
    "attainment": RATIO,
    "attainment_grade": pl.String,
    "leads_converted": pl.Int64,
    "leads_closed": pl.Int64,
    "conversion_rate": RATIO,
    "conversion_grade": pl.String,
    "new_customers": pl.Int64,
    "new_customers_grade": pl.String,
    "survey_responses": pl.Int64,
    "satisfaction": RATIO,
    "satisfaction_grade": pl.String,
    "skills_score": RATIO,
    "skills_grade": pl.String,
    "first_contact_within_1d": RATIO,
    "win_rate": RATIO,
    "avg_deal_size": MONEY,
    "avg_cycle_days": RATIO,
    "open_pipeline": MONEY,
    "composite_score": RATIO,
    "overall_grade": pl.String,
    "rank_in_team": pl.Int64,
    "rank_overall": pl.Int64,
}


def _expected(rows: list[dict], columns: list[str] | None = None) -> pl.DataFrame:
    columns = columns or list(SCHEMA)
    return pl.DataFrame(
        [tuple(row[c] for c in columns) for row in rows], schema={c: SCHEMA[c] for c in columns}, orient="row"
    )


def test_schema_is_the_contract_columns() -> None:
    assert tuple(SCHEMA) == SCORECARD_COLUMNS


def test_rep_without_activity_gets_zeros_and_na(make_tables, run) -> None:
    tables = make_tables(
        reps=[
            {
                "rep_id": "R1",
                "rep_name": "Ada",
                "email": "ada@example.com",
                "team": "North",
                "manager_name": "Mo",
                "manager_email": "mo@example.com",
                "hire_date": "2024-03-31",
                "locale": "zh-CN",
            }
        ],
        # activity of other months only
        opportunities=[
            {
                "opportunity_id": "O1",
                "rep_id": "R1",
                "stage": "won",
                "amount": "10.00",
                "created_date": "2024-01-01",
                "close_date": "2024-02-29",
            },
        ],
        targets=[{"rep_id": "R1", "period": "2024-04", "target_amount": "100.00"}],
        leads=[
            {
                "lead_id": "L1",
                "rep_id": "R1",
                "created_date": "2024-02-01",
                "status": "converted",
                "closed_date": "2024-04-01",
                "first_contact_date": "2024-02-01",
            }
        ],
        surveys=[{"response_id": "S1", "rep_id": "R1", "submitted_date": "2024-04-01", "score": "5", "scale_max": "5"}],
        skill_ratings=[{"rep_id": "R1", "period": "2024-02", "skill": "plan", "rating": "5"}],
    )
    expected = _expected(
        [
            {
                "period": "2024-03",
                "rep_id": "R1",
                "rep_name": "Ada",
                "team": "North",
                "manager_name": "Mo",
                "manager_email": "mo@example.com",
                "locale": "zh-CN",
                "won_amount": D("0.00"),
                "won_deals": 0,
                "target_amount": None,
                "attainment": None,
                "attainment_grade": None,
                "leads_converted": 0,
                "leads_closed": 0,
                "conversion_rate": None,
                "conversion_grade": None,
                "new_customers": 0,
                "new_customers_grade": "D",
                "survey_responses": 0,
                "satisfaction": None,
                "satisfaction_grade": None,
                "skills_score": None,
                "skills_grade": None,
                "first_contact_within_1d": None,
                "win_rate": None,
                "avg_deal_size": None,
                "avg_cycle_days": None,
                "open_pipeline": D("0.00"),
                # new_customers D is the only graded dimension
                "composite_score": D("1.000000"),
                "overall_grade": "D",
                "rank_in_team": 1,
                "rank_overall": 1,
            }
        ]
    )
    assert_frame_equal(run(tables), expected)


def test_full_row_of_an_active_rep(make_tables, run) -> None:
    tables = make_tables(
        reps=[{"rep_id": "R1", "team": "North"}],
        opportunities=[
            {
                "opportunity_id": "O1",
                "rep_id": "R1",
                "account_id": "A1",
                "stage": "won",
                "amount": "600.00",
                "created_date": "2024-02-20",
                "close_date": "2024-03-01",
            },
            {
                "opportunity_id": "O2",
                "rep_id": "R1",
                "account_id": "A2",
                "stage": "won",
                "amount": "300.01",
                "created_date": "2024-03-01",
                "close_date": "2024-03-31",
            },
            {
                "opportunity_id": "O3",
                "rep_id": "R1",
                "account_id": "A3",
                "stage": "lost",
                "amount": "50.00",
                "created_date": "2024-03-01",
                "close_date": "2024-03-15",
            },
            {
                "opportunity_id": "O4",
                "rep_id": "R1",
                "account_id": "A4",
                "stage": "open",
                "amount": "75.50",
                "created_date": "2023-03-01",
            },
        ],
        targets=[{"rep_id": "R1", "period": "2024-03", "target_amount": "1000.00"}],
        leads=[
            {
                "lead_id": "L1",
                "rep_id": "R1",
                "created_date": "2024-03-01",
                "status": "converted",
                "closed_date": "2024-03-10",
                "first_contact_date": "2024-03-02",
            },
            {
                "lead_id": "L2",
                "rep_id": "R1",
                "created_date": "2024-03-01",
                "status": "disqualified",
                "closed_date": "2024-03-10",
                "first_contact_date": "2024-03-03",
            },
            {"lead_id": "L3", "rep_id": "R1", "created_date": "2024-03-05", "status": "open"},
        ],
        surveys=[
            {"response_id": "S1", "rep_id": "R1", "submitted_date": "2024-03-03", "score": "4", "scale_max": "5"},
            {"response_id": "S2", "rep_id": "R1", "submitted_date": "2024-03-04", "score": "9", "scale_max": "10"},
            {"response_id": "S3", "rep_id": "R1", "submitted_date": "2024-03-05", "score": "70", "scale_max": "100"},
        ],
        skill_ratings=[
            {"rep_id": "R1", "period": "2024-03", "skill": "plan", "rating": "4"},
            {"rep_id": "R1", "period": "2024-03", "skill": "closing", "rating": "5"},
        ],
        manager_notes=[{"rep_id": "R1", "period": "2024-03", "note": "Well done"}],
    )
    expected = _expected(
        [
            {
                "period": "2024-03",
                "rep_id": "R1",
                "rep_name": "Rep R1",
                "team": "North",
                "manager_name": "Manager",
                "manager_email": "manager@example.com",
                "locale": "en",
                "won_amount": D("900.01"),
                "won_deals": 2,
                "target_amount": D("1000.00"),
                "attainment": D("0.900010"),
                "attainment_grade": "B",
                "leads_converted": 1,
                "leads_closed": 2,
                "conversion_rate": D("0.500000"),
                "conversion_grade": "A",
                "new_customers": 2,
                "new_customers_grade": "C",
                "survey_responses": 3,
                "satisfaction": D("80.000000"),
                "satisfaction_grade": "B",
                "skills_score": D("4.500000"),
                "skills_grade": "A",
                "first_contact_within_1d": D("0.333333"),
                "win_rate": D("0.666667"),
                "avg_deal_size": D("450.01"),  # 450.005 half up
                "avg_cycle_days": D("20.000000"),  # (10 + 30) / 2
                "open_pipeline": D("75.50"),
                # 0.4×3 + 0.2×4 + 0.2×2 + 0.2×3 = 3.0; skills (weight 0) left out
                "composite_score": D("3.000000"),
                "overall_grade": "B",
                "rank_in_team": 1,
                "rank_overall": 1,
            }
        ]
    )
    assert_frame_equal(run(tables), expected)


def test_na_cases(make_tables, run) -> None:
    tables = make_tables(
        reps=[{"rep_id": f"R{i}"} for i in range(1, 9)],
        opportunities=[
            {"opportunity_id": "O1", "rep_id": "R1", "stage": "won", "amount": "100.00", "close_date": "2024-03-10"},
            {"opportunity_id": "O2", "rep_id": "R6", "stage": "open", "amount": "40.00"},
            {"opportunity_id": "O3", "rep_id": "R6", "stage": "open", "amount": "2.00"},
            {"opportunity_id": "O4", "rep_id": "R7", "stage": "lost", "amount": "40.00", "close_date": "2024-03-10"},
        ],
        targets=[
            {"rep_id": "R1", "period": "2024-02", "target_amount": "100.00"},  # not P: no target
            {"rep_id": "R2", "period": "2024-03", "target_amount": "0.00"},
        ],
        leads=[
            {
                "lead_id": "L1",
                "rep_id": "R3",
                "created_date": "2024-03-01",
                "status": "open",
                "first_contact_date": "2024-03-01",
            },
            {
                "lead_id": "L2",
                "rep_id": "R3",
                "created_date": "2024-03-01",
                "status": "converted",
                "closed_date": "2024-04-01",
                "first_contact_date": "2024-03-03",
            },
            {
                "lead_id": "L3",
                "rep_id": "R8",
                "created_date": "2024-02-01",
                "status": "converted",
                "closed_date": "2024-03-01",
                "first_contact_date": "2024-02-01",
            },
        ],
        surveys=[
            {"response_id": "S1", "rep_id": "R4", "submitted_date": "2024-03-01", "score": "95", "scale_max": "100"},
            {"response_id": "S2", "rep_id": "R4", "submitted_date": "2024-03-31", "score": "19", "scale_max": "20"},
            {"response_id": "S3", "rep_id": "R5", "submitted_date": "2024-03-01", "score": "9", "scale_max": "10"},
            {"response_id": "S4", "rep_id": "R5", "submitted_date": "2024-03-02", "score": "4.5", "scale_max": "5"},
            {"response_id": "S5", "rep_id": "R5", "submitted_date": "2024-03-03", "score": "90", "scale_max": "100"},
            {"response_id": "S6", "rep_id": "R6", "submitted_date": "2024-02-29", "score": "90", "scale_max": "100"},
        ],
        skill_ratings=[{"rep_id": "R5", "period": "2024-03", "skill": "closing", "rating": "3.5"}],
    )
    columns = [
        "rep_id",
        "won_amount",
        "target_amount",
        "attainment",
        "attainment_grade",
        "leads_converted",
        "leads_closed",
        "conversion_rate",
        "conversion_grade",
        "survey_responses",
        "satisfaction",
        "satisfaction_grade",
        "skills_score",
        "skills_grade",
        "first_contact_within_1d",
        "win_rate",
        "avg_deal_size",
        "avg_cycle_days",
        "open_pipeline",
    ]
    none = dict.fromkeys(columns)
    zero = {
        "won_amount": D("0.00"),
        "leads_converted": 0,
        "leads_closed": 0,
        "survey_responses": 0,
        "open_pipeline": D("0.00"),
    }
    rows = [
        # R1: no target row for P
        {
            **none,
            **zero,
            "rep_id": "R1",
            "won_amount": D("100.00"),
            "win_rate": D("1.000000"),
            "avg_deal_size": D("100.00"),
            "avg_cycle_days": D("1530.000000"),
        },
        # R2: target 0
        {**none, **zero, "rep_id": "R2", "target_amount": D("0.00")},
        # R3: no lead closed in P; one lead created in P contacted in time of two
        {**none, **zero, "rep_id": "R3", "first_contact_within_1d": D("0.500000")},
        # R4: two responses: value kept, grade N/A
        {**none, **zero, "rep_id": "R4", "survey_responses": 2, "satisfaction": D("95.000000")},
        # R5: three responses: graded; one skill rated
        {
            **none,
            **zero,
            "rep_id": "R5",
            "survey_responses": 3,
            "satisfaction": D("90.000000"),
            "satisfaction_grade": "A",
            "skills_score": D("3.500000"),
            "skills_grade": "B",
        },
        # R6: only open deals; survey outside P
        {**none, **zero, "rep_id": "R6", "open_pipeline": D("42.00")},
        # R7: only a lost deal
        {**none, **zero, "rep_id": "R7", "win_rate": D("0.000000")},
        # R8: lead closed in P but created before: converted, no first-contact share
        {
            **none,
            **zero,
            "rep_id": "R8",
            "leads_converted": 1,
            "leads_closed": 1,
            "conversion_rate": D("1.000000"),
            "conversion_grade": "A",
        },
    ]
    got = run(tables).select(columns).sort("rep_id")
    assert_frame_equal(got, _expected(rows, columns))


def test_composite_renormalised_over_graded_dimensions(make_tables, run, settings) -> None:
    tables = make_tables(
        reps=[{"rep_id": "R1"}, {"rep_id": "R2"}],
        opportunities=[
            # A1 first won in February: R1's win in P is not a new customer
            {
                "opportunity_id": "O1",
                "rep_id": "R1",
                "account_id": "A1",
                "stage": "won",
                "amount": "1.00",
                "created_date": "2024-01-01",
                "close_date": "2024-02-01",
            },
            {
                "opportunity_id": "O2",
                "rep_id": "R1",
                "account_id": "A1",
                "stage": "won",
                "amount": "1000.00",
                "created_date": "2024-03-01",
                "close_date": "2024-03-02",
            },
        ],
        targets=[{"rep_id": "R1", "period": "2024-03", "target_amount": "1000.00"}],
        skill_ratings=[{"rep_id": "R2", "period": "2024-03", "skill": "plan", "rating": "5"}],
    )
    columns = ["rep_id", "attainment_grade", "new_customers_grade", "skills_grade", "composite_score", "overall_grade"]
    # R1: (0.4×4 + 0.2×1) / 0.6 = 3.0; R2: skills A has weight 0, only new_customers D counts
    default = run(tables, settings=settings).select(columns)
    assert_frame_equal(
        default,
        _expected(
            [
                {
                    "rep_id": "R1",
                    "attainment_grade": "A",
                    "new_customers_grade": "D",
                    "skills_grade": None,
                    "composite_score": D("3.000000"),
                    "overall_grade": "B",
                },
                {
                    "rep_id": "R2",
                    "attainment_grade": None,
                    "new_customers_grade": "D",
                    "skills_grade": "A",
                    "composite_score": D("1.000000"),
                    "overall_grade": "D",
                },
            ],
            columns,
        ),
    )
    raw = settings.model_dump()
    raw["composite"]["weights"]["skills_score"] = D("0.2")
    weighted = run(tables, settings=Settings.model_validate(raw)).select(columns)
    # R2: (0.2×1 + 0.2×4) / 0.4 = 2.5 -> B; R1 unchanged at 3.0
    assert_frame_equal(
        weighted,
        _expected(
            [
                {
                    "rep_id": "R1",
                    "attainment_grade": "A",
                    "new_customers_grade": "D",
                    "skills_grade": None,
                    "composite_score": D("3.000000"),
                    "overall_grade": "B",
                },
                {
                    "rep_id": "R2",
                    "attainment_grade": None,
                    "new_customers_grade": "D",
                    "skills_grade": "A",
                    "composite_score": D("2.500000"),
                    "overall_grade": "B",
                },
            ],
            columns,
        ),
    )


def test_nothing_graded_gives_no_composite_and_ranks_last(make_tables, run, settings) -> None:
    raw = settings.model_dump()
    raw["composite"]["weights"] = {"attainment": D("1")}
    only_attainment = Settings.model_validate(raw)
    tables = make_tables(
        reps=[{"rep_id": "R3"}, {"rep_id": "R1"}, {"rep_id": "R2"}],
        opportunities=[
            {"opportunity_id": "O1", "rep_id": "R2", "stage": "won", "amount": "50.00", "close_date": "2024-03-02"},
        ],
        targets=[{"rep_id": "R2", "period": "2024-03", "target_amount": "100.00"}],
    )
    columns = ["rep_id", "attainment", "composite_score", "overall_grade", "rank_in_team", "rank_overall"]
    got = run(tables, settings=only_attainment).select(columns)
    expected = _expected(
        [
            {
                "rep_id": "R2",
                "attainment": D("0.500000"),
                "composite_score": D("1.000000"),
                "overall_grade": "D",
                "rank_in_team": 1,
                "rank_overall": 1,
            },
            {
                "rep_id": "R1",
                "attainment": None,
                "composite_score": None,
                "overall_grade": None,
                "rank_in_team": 2,
                "rank_overall": 2,
            },
            {
                "rep_id": "R3",
                "attainment": None,
                "composite_score": None,
                "overall_grade": None,
                "rank_in_team": 3,
                "rank_overall": 3,
            },
        ],
        columns,
    )
    assert_frame_equal(got, expected)


def test_ranks_compare_attainment_at_six_places(make_tables, run) -> None:
    def won(oid: str, rep: str, amount: str) -> dict:
        return {
            "opportunity_id": oid,
            "rep_id": rep,
            "account_id": f"A-{oid}",
            "stage": "won",
            "amount": amount,
            "created_date": "2024-03-01",
            "close_date": "2024-03-05",
        }

    tables = make_tables(
        reps=[
            {"rep_id": "R0", "team": "T1", "hire_date": "2024-04-01"},  # not on the roster
            {"rep_id": "R2", "team": "T1"},
            {"rep_id": "R4", "team": "T2"},
            {"rep_id": "R1", "team": "T1"},
            {"rep_id": "R3", "team": "T2"},
        ],
        opportunities=[
            won("O0", "R0", "999999.00"),
            won("O1", "R1", "79999.95"),  # 0.7999995 -> 0.800000
            won("O2", "R2", "80000.00"),  # 0.8 exactly: tied with R1 at 6 places
            won("O3", "R3", "100000.00"),
        ],
        targets=[
            {"rep_id": r, "period": "2024-03", "target_amount": "100000.00"} for r in ("R0", "R1", "R2", "R3", "R4")
        ],
    )
    columns = ["rep_id", "team", "attainment", "composite_score", "overall_grade", "rank_in_team", "rank_overall"]
    got = run(tables).select(columns)
    expected = _expected(
        [
            # (0.4×4 + 0.2×2) / 0.6
            {
                "rep_id": "R3",
                "team": "T2",
                "attainment": D("1.000000"),
                "composite_score": D("3.333333"),
                "overall_grade": "B",
                "rank_in_team": 1,
                "rank_overall": 1,
            },
            # (0.4×3 + 0.2×2) / 0.6; the tie goes to rep_id
            {
                "rep_id": "R1",
                "team": "T1",
                "attainment": D("0.800000"),
                "composite_score": D("2.666667"),
                "overall_grade": "B",
                "rank_in_team": 1,
                "rank_overall": 2,
            },
            {
                "rep_id": "R2",
                "team": "T1",
                "attainment": D("0.800000"),
                "composite_score": D("2.666667"),
                "overall_grade": "B",
                "rank_in_team": 2,
                "rank_overall": 3,
            },
            # (0.4×1 + 0.2×1) / 0.6
            {
                "rep_id": "R4",
                "team": "T2",
                "attainment": D("0.000000"),
                "composite_score": D("1.000000"),
                "overall_grade": "D",
                "rank_in_team": 2,
                "rank_overall": 4,
            },
        ],
        columns,
    )
    assert_frame_equal(got, expected)
