"""Team summary for the rollup: totals per team (won vs target) and the team's locale."""

from __future__ import annotations

from decimal import Decimal as D

import polars as pl
from polars.testing import assert_frame_equal

from scorecards.transforms.teams import team_summary

MONEY = pl.Decimal(38, 2)


def test_team_totals_sum_won_and_targets_and_give_attainment() -> None:
    cards = pl.DataFrame(
        {
            "team": ["East", "East", "West", "West"],
            "manager_name": ["Mia", "Mia", "Max", "Max"],
            "manager_email": ["mia@x.com", "mia@x.com", "max@x.com", "max@x.com"],
            "won_amount": [D("0.10"), D("0.20"), D("5.00"), D("0.00")],
            "target_amount": [D("0.30"), None, None, None],
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
            "target_amount": [D("0.30"), None],
            "locale": [None, "zh-CN"],  # East is split evenly: the config default decides
            "attainment": [D("1.000000"), None],
        },
        schema_overrides={"won_amount": MONEY, "target_amount": MONEY, "attainment": pl.Decimal(38, 6)},
    )
    assert_frame_equal(team_summary(cards), expected)
