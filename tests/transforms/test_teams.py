"""Team summary for the rollup: totals per team (won vs target) and the team's locale."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
from polars.testing import assert_frame_equal

from scorecards.transforms.teams import team_summary, teams_with_several_managers

MONEY = pl.Decimal(38, 2)


def test_team_totals_sum_won_and_targets_and_give_attainment() -> None:
    cards = pl.DataFrame(
        {
            "team": ["East", "East", "West", "West"],
            "manager_name": ["Mia", "Mia", "Max", "Max"],
            "manager_email": ["mia@x.com", "mia@x.com", "max@x.com", "max@x.com"],
            "won_amount": [D("0.10"), D("0.20"), D("5.00"), D("0.00")],
            "target_amount": [D("0.20"), None, None, None],
            "locale": ["en", "zh-CN", "zh-CN", "zh-CN"],
        },
        schema_overrides={"won_amount": MONEY, "target_amount": MONEY},
    )
    expected = pl.DataFrame(
        {
            "team": ["East", "West"],
            "manager_name": ["Mia", "Max"],
            "manager_email": ["mia@x.com", "max@x.com"],
            "reps": [2, 2],
            "won_amount": [D("0.30"), D("5.00")],
            # What reps without a target won stays out of attainment and shows on its own line.
            "won_without_target": [D("0.20"), D("5.00")],
            "target_amount": [D("0.20"), None],
            "locale": [None, "zh-CN"],  # East is split evenly: the config default decides
            "attainment": [D("0.500000"), None],  # 0.10 of 0.20, not 0.30 of 0.20
        },
        schema_overrides={
            "won_amount": MONEY,
            "won_without_target": MONEY,
            "target_amount": MONEY,
            "attainment": pl.Decimal(38, 6),
        },
    )
    assert_frame_equal(team_summary(cards), expected)


def test_a_team_where_every_rep_has_a_target_has_no_line_for_reps_without_one() -> None:
    cards = pl.DataFrame(
        {
            "team": ["East", "East"],
            "manager_name": ["Mia", "Mia"],
            "manager_email": ["mia@x.com", "mia@x.com"],
            "won_amount": [D("60.00"), D("40.00")],
            "target_amount": [D("100.00"), D("50.00")],
            "locale": ["en", "en"],
        },
        schema_overrides={"won_amount": MONEY, "target_amount": MONEY},
    )
    summary = team_summary(cards).row(0, named=True)
    assert (summary["won_without_target"], summary["attainment"]) == (None, D("0.666667"))


def test_a_rep_whose_target_is_0_stays_out_of_the_team_s_attainment_as_a_rep_without_one() -> None:
    # Found by a zh-CN manager's reading: a rep's won amount over a target of 0 lifted the team's attainment from
    # 125.5 % to 159.0 %, while the rep's own card says N/A (SPEC §3: N/A when the target is 0).
    cards = pl.DataFrame(
        {
            "team": ["East", "East", "East"],
            "manager_name": ["Mia", "Mia", "Mia"],
            "manager_email": ["mia@x.com", "mia@x.com", "mia@x.com"],
            "won_amount": [D("60.00"), D("40.00"), D("7.00")],
            "target_amount": [D("100.00"), D("0.00"), None],
            "locale": ["en", "en", "en"],
        },
        schema_overrides={"won_amount": MONEY, "target_amount": MONEY},
    )
    summary = team_summary(cards).row(0, named=True)
    assert (summary["target_amount"], summary["won_without_target"], summary["attainment"]) == (
        D("100.00"),
        D("47.00"),
        D("0.600000"),
    )


def test_a_team_whose_only_targets_are_0_has_no_attainment() -> None:
    cards = pl.DataFrame(
        {
            "team": ["East"],
            "manager_name": ["Mia"],
            "manager_email": ["mia@x.com"],
            "won_amount": [D("40.00")],
            "target_amount": [D("0.00")],
            "locale": ["en"],
        },
        schema_overrides={"won_amount": MONEY, "target_amount": MONEY},
    )
    summary = team_summary(cards).row(0, named=True)
    assert (summary["target_amount"], summary["won_without_target"], summary["attainment"]) == (
        D("0.00"),
        D("40.00"),
        None,
    )


def test_a_team_whose_reps_name_two_managers_is_found_whatever_the_case_of_their_address() -> None:
    reps = pl.DataFrame(
        {
            "rep_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "team": ["East", "East", "East", "West", "West", "North"],
            "manager_email": ["mia@x.com", " Mia@X.com", "bo@x.com", "max@x.com", "MAX@x.com", None],
        }
    )
    assert teams_with_several_managers(reps).rows() == [
        ("East", "bo@x.com", ["R3"]),
        ("East", "mia@x.com", ["R1", "R2"]),
    ]
