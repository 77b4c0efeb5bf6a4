"""Each shipped profile, end to end: its export in, validated canonical tables, scorecards out (SPEC §2.7).

Through the plain functions the flow's tasks wrap (read_inputs → validate_tables →
compute_scorecards); the Prefect flow itself is tested in test_period_flow.py.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from builders import OPPORTUNITIES_HEADER
from fixtures.profiles.exports import (
    CN_CANONICAL_OPPORTUNITIES,
    HUBSPOT_CANONICAL_OPPORTUNITIES,
    MAVEN_DATA,
    SALESFORCE_CANONICAL_OPPORTUNITIES,
    cn_crm_export,
    hubspot_export,
    maven_folder,
    salesforce_export,
    write_text_export,
)

from scorecards.config import Settings, load_settings
from scorecards.config.profiles import load_profile
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.schemas.results import RawTable, Validated
from scorecards.transforms.period import Period
from scorecards.transforms.scorecard import compute_scorecards

OCTOBER = Period.parse("2026-10")
CARD_COLUMNS = [
    "rep_id",
    "won_deals",
    "won_amount",
    "attainment",
    "attainment_grade",
    "satisfaction",
    "satisfaction_grade",
]


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_settings()


def _validated(folder: Path, profile: str, settings: Settings) -> Validated:
    validated = validate_tables(read_inputs(folder, load_profile(profile)), settings)
    assert validated.report.ok, validated.report.problems
    for table in validated.report.tables:
        assert table.rows_read == table.rows_used + table.rows_quarantined
    return validated


def _cards(validated: Validated, period: Period, settings: Settings) -> list[tuple[object, ...]]:
    assert validated.tables is not None
    return compute_scorecards(validated.tables, period, settings).sort("rep_id").select(CARD_COLUMNS).rows()


def _targets(folder: Path, rows: list[list[str]]) -> None:
    write_text_export(folder / "targets.csv", [["rep_id", "period", "target_amount"], *rows], newline="\n")


def _canonical_rows(folder: Path, profile: str) -> list[tuple[str | None, ...]]:
    table = read_inputs(folder, load_profile(profile))["opportunities"]
    assert isinstance(table, RawTable)
    return table.frame.select(OPPORTUNITIES_HEADER).rows()


def test_salesforce_report_exports_make_scorecards(tmp_path: Path, settings: Settings) -> None:
    salesforce_export(tmp_path)
    _targets(tmp_path, [["Ann Lee", "2026-10", "15000.00"], ["Bob Ray", "2026-10", "900000"]])
    assert _canonical_rows(tmp_path, "salesforce") == SALESFORCE_CANONICAL_OPPORTUNITIES
    validated = _validated(tmp_path, "salesforce", settings)
    assert [(t.source, t.rows_read, t.rows_used) for t in validated.report.tables] == [
        ("users.csv", 3, 3),
        ("opportunities-2026-10.csv", 5, 5),
        ("targets.csv", 2, 2),
    ]
    assert _cards(validated, OCTOBER, settings) == [
        ("Ann Lee", 1, Decimal("12500.00"), Decimal("0.833333"), "B", None, None),
        ("Bob Ray", 1, Decimal("1000000.00"), Decimal("1.111111"), "A", None, None),
        ("Zoë O'Neil", 1, Decimal("980.00"), None, None, None, None),
    ]


@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
def test_hubspot_deals_exports_make_scorecards(tmp_path: Path, settings: Settings, xlsx: bool) -> None:
    hubspot_export(tmp_path, xlsx=xlsx)
    assert _canonical_rows(tmp_path, "hubspot") == HUBSPOT_CANONICAL_OPPORTUNITIES
    assert _cards(_validated(tmp_path, "hubspot", settings), OCTOBER, settings) == [
        ("Ann Lee", 1, Decimal("12500.00"), None, None, None, None),
        ("Bob Ray", 1, Decimal("980.00"), None, None, None, None),
    ]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_a_chinese_crm_export_makes_scorecards_with_satisfaction(
    tmp_path: Path, settings: Settings, encoding: str
) -> None:
    cn_crm_export(tmp_path, encoding=encoding)
    assert _canonical_rows(tmp_path, "cn-crm") == CN_CANONICAL_OPPORTUNITIES
    validated = _validated(tmp_path, "cn-crm", settings)
    assert validated.tables is not None
    assert validated.tables.reps.select("rep_id", "locale").rows() == [("王芳", "zh-CN"), ("李雷", "zh-CN")]
    assert _cards(validated, OCTOBER, settings) == [
        ("李雷", 1, Decimal("5000.00"), None, None, Decimal("60.000000"), None),  # one answer: too few to grade
        ("王芳", 1, Decimal("12345.60"), None, None, Decimal("93.333333"), "A"),
    ]


maven = pytest.mark.skipif(not MAVEN_DATA.is_dir(), reason=f"the public data set is not at {MAVEN_DATA}")


@pytest.fixture(scope="module")
def maven_validated(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Validated:
    folder = maven_folder(
        tmp_path_factory.mktemp("maven") / "in",
        targets=[["Darcel Schlecht", "2017-06", "100000"], ["Anna Snelling", "2017-06", "0"]],
    )
    return _validated(folder, "maven-crm", settings)


@maven
def test_the_maven_data_set_is_read_whole(maven_validated: Validated) -> None:
    counts = {t.source: (t.rows_read, t.rows_used, t.rows_quarantined) for t in maven_validated.report.tables}
    assert counts == {"sales_teams.csv": (35, 35, 0), "sales_pipeline.csv": (8800, 8800, 0), "targets.csv": (2, 2, 0)}
    assert maven_validated.tables is not None
    reps = maven_validated.tables.reps
    assert reps.filter(pl.col("rep_id") == "Anna Snelling").select("team", "manager_name", "manager_email").row(0) == (
        "Central - Dustin Brinkmann",
        "Dustin Brinkmann",
        "dustin.brinkmann@maventech.example",
    )
    assert reps["team"].n_unique() == 6  # one team per manager


def _pandas_won_by_agent(period: Period) -> dict[str, tuple[int, Decimal]]:
    import pandas as pd

    pipeline = pd.read_csv(MAVEN_DATA / "sales_pipeline.csv", dtype=str)
    won = pipeline[(pipeline["deal_stage"] == "Won") & pipeline["close_date"].str.startswith(str(period))]
    grouped = won.groupby("sales_agent")["close_value"].agg(["count", lambda v: sum(Decimal(x) for x in v)])
    return {agent: (int(row.iloc[0]), row.iloc[1]) for agent, row in grouped.iterrows()}


@maven
@pytest.mark.parametrize("month", ["2017-03", "2017-06", "2017-12"])
def test_maven_won_deals_and_amount_per_agent_equal_a_pandas_groupby(
    maven_validated: Validated, settings: Settings, month: str
) -> None:
    period = Period.parse(month)
    assert maven_validated.tables is not None
    cards = compute_scorecards(maven_validated.tables, period, settings)
    ours = {
        rep: (deals, amount)
        for rep, deals, amount in cards.select("rep_id", "won_deals", "won_amount").iter_rows()
        if deals
    }
    assert ours == _pandas_won_by_agent(period)
    assert cards.height == 35  # every agent gets a card, the five without deals too


@maven
def test_maven_grades_without_a_table_are_na_and_targets_come_from_a_canonical_file(
    maven_validated: Validated, settings: Settings
) -> None:
    assert maven_validated.tables is not None
    cards = compute_scorecards(maven_validated.tables, Period.parse("2017-06"), settings)
    assert cards.select(pl.col("conversion_grade", "satisfaction_grade", "skills_grade").null_count()).row(0) == (
        35,
        35,
        35,
    )
    with_target = cards.filter(pl.col("target_amount").is_not_null()).sort("rep_id")
    assert with_target.select("rep_id", "attainment").rows() == [
        ("Anna Snelling", None),  # a target of 0: no attainment (SPEC §3)
        ("Darcel Schlecht", (with_target["won_amount"][1] / Decimal(100000)).quantize(Decimal("0.000001"))),
    ]
