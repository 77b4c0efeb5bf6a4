"""Shared deals and currencies through source profiles (SPEC §2.7, §8): splits, percentages, currencies, rates.

Rows a profile leaves out of a table (Salesforce's overlay splits) are skipped,
not lost: read = used + quarantined + skipped for every file, and the report,
the run summary and the manifest say how many and why.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from builders import BASE_TABLES, write_csv
from fixtures.profiles.exports import (
    SALESFORCE_CANONICAL_SPLITS,
    SALESFORCE_SPLITS,
    hubspot_export,
    salesforce_shared_deals_export,
    write_text_export,
)

from scorecards.config import Settings, load_settings
from scorecards.config.profiles import load_profile, shipped_profiles_folder
from scorecards.flows.cli import format_report
from scorecards.flows.publish.manifest import manifest_inputs
from scorecards.flows.run_summary import summary_markdown
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.schemas.results import RawTable, Validated
from scorecards.transforms.period import Period
from scorecards.transforms.scorecard import compute_scorecards

OCTOBER = Period.parse("2026-10")
SPLITS_FILE = "splits-2026-10.csv"
SKIPPED = "skipped by the profile (Split Type not Revenue)"


@pytest.fixture(scope="module")
def usd() -> Settings:
    """Settings whose reporting currency is the dollar, as in a US Salesforce org."""
    settings = load_settings()
    return settings.model_copy(update={"display": settings.display.model_copy(update={"reporting_currency": "USD"})})


@pytest.fixture(scope="module")
def lenient(usd: Settings) -> Settings:
    """Reporting in dollars, and one bad row in a small file is not the ceiling's test."""
    return usd.model_copy(update={"quarantine": usd.quarantine.model_copy(update={"ceiling": Decimal("0.5")})})


def _validated(folder: Path, profile: str, settings: Settings) -> Validated:
    validated = validate_tables(read_inputs(folder, load_profile(profile)), settings)
    assert validated.report.ok, validated.report.problems
    for table in validated.report.tables:
        assert table.rows_read == table.rows_used + table.rows_quarantined + table.rows_skipped
    return validated


def _fx_rates(folder: Path) -> None:
    write_text_export(
        folder / "fx_rates.csv", [["currency", "rate_date", "rate"], ["EUR", "2026-10-01", "1.085"]], newline="\n"
    )


def test_salesforce_splits_credit_revenue_splits_and_skip_overlays(tmp_path: Path, usd: Settings) -> None:
    salesforce_shared_deals_export(tmp_path)
    _fx_rates(tmp_path)
    raw = read_inputs(tmp_path, load_profile("salesforce"))
    splits = raw["opportunity_splits"]
    assert isinstance(splits, RawTable)
    assert splits.frame.rows() == SALESFORCE_CANONICAL_SPLITS
    validated = _validated(tmp_path, "salesforce", usd)
    assert validated.tables is not None
    assert validated.tables.opportunity_splits.rows() == [
        (opportunity, rep, Decimal(share)) for opportunity, rep, share in SALESFORCE_CANONICAL_SPLITS
    ]
    assert validated.tables.opportunities["currency"].to_list() == ["USD", "USD", "USD", "USD", "EUR"]
    report = next(t for t in validated.report.tables if t.table == "opportunity_splits")
    assert (report.source, report.rows_read, report.rows_used, report.rows_quarantined) == (SPLITS_FILE, 7, 5, 0)
    assert report.skipped == {SKIPPED: 2}
    cards = compute_scorecards(validated.tables, OCTOBER, usd).sort("rep_id")
    # Ann: half of 12,500 and 33.33 % of 1,000,000; Zoë: half of 12,500 and 980 EUR at 1.085.
    assert cards.select("rep_id", "won_deals", "won_amount").rows() == [
        ("Ann Lee", 2, Decimal("339550.00")),
        ("Bob Ray", 1, Decimal("666700.00")),
        ("Zoë O'Neil", 2, Decimal("7313.30")),
    ]


def test_salesforce_export_without_the_currency_column_is_in_the_reporting_currency(
    tmp_path: Path, usd: Settings
) -> None:
    salesforce_shared_deals_export(tmp_path, currency=False)
    validated = _validated(tmp_path, "salesforce", usd)
    assert validated.tables is not None
    assert validated.tables.opportunities["currency"].to_list() == ["USD"] * 5
    assert validated.tables.opportunities["amount"].to_list()[-1] == Decimal("980.00")
    assert validated.tables.opportunity_splits.height == 5


def test_salesforce_without_a_splits_report_credits_owners_as_before(tmp_path: Path, usd: Settings) -> None:
    salesforce_shared_deals_export(tmp_path)
    _fx_rates(tmp_path)
    (tmp_path / SPLITS_FILE).unlink()
    validated = _validated(tmp_path, "salesforce", usd)
    assert validated.tables is not None and validated.tables.opportunity_splits.height == 0
    assert all(not t.skipped for t in validated.report.tables)


@pytest.mark.parametrize("header", ["Currency", "Deal currency code"])
def test_hubspot_reads_the_deal_currency(tmp_path: Path, lenient: Settings, header: str) -> None:
    hubspot_export(tmp_path, currencies=(header, ["USD", "EUR", "", "usd"]))
    _fx_rates(tmp_path)
    validated = validate_tables(read_inputs(tmp_path, load_profile("hubspot")), lenient)
    assert validated.tables is not None, validated.report.problems
    assert validated.tables.opportunities.select("opportunity_id", "currency").rows() == [
        ("9876543210", "USD"),
        ("9876543211", "EUR"),
        ("9876543212", "USD"),  # empty: the reporting currency
    ]
    assert validated.quarantine["opportunities"].select("source_row", "currency", "reason").rows() == [
        (5, "usd", "currency: not a currency code (three capital letters)")
    ]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("50%%", "share: not a number"),
        ("1e309%", "share: not a number"),
        ("%", "share: not a number"),
        ("-0.5%", "share: not above 0"),
        ("9" * 300 + "%", "share: too large"),
        ("33.333%", "share: more than 4 decimal places"),
        ("150%", "share: above 1"),
        ("fifty percent", "share: not a number"),
    ],
)
def test_a_percentage_that_is_no_share_is_quarantined_with_its_rule(
    tmp_path: Path, usd: Settings, cell: str, reason: str
) -> None:
    salesforce_shared_deals_export(tmp_path, currency=False)
    rows = copy.deepcopy(SALESFORCE_SPLITS)
    rows[7][rows[0].index("Split Percentage")] = cell  # after two overlay rows: row numbers are the file's
    write_text_export(tmp_path / SPLITS_FILE, rows, bom=b"\xef\xbb\xbf", quote_all=True)
    validated = validate_tables(read_inputs(tmp_path, load_profile("salesforce")), usd)
    rejected = validated.quarantine["opportunity_splits"]
    assert rejected.select("source_row", "reason").rows() == [(8, reason)]
    report = next(t for t in validated.report.tables if t.table == "opportunity_splits")
    assert (report.rows_read, report.rows_used, report.rows_quarantined, report.rows_skipped) == (7, 4, 1, 2)


def test_the_report_the_summary_and_the_manifest_count_the_skipped_rows(tmp_path: Path, usd: Settings) -> None:
    salesforce_shared_deals_export(tmp_path)
    _fx_rates(tmp_path)
    validated = _validated(tmp_path, "salesforce", usd)
    report = validated.report
    lines = format_report(report).splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(SPLITS_FILE))
    assert lines[at].split() == [SPLITS_FILE, "7", "5", "0"]
    assert lines[at + 1] == f"         2 {SKIPPED}"
    entries = {entry["table"]: entry for entry in manifest_inputs(report)}
    assert entries["opportunity_splits"]["rows_skipped"] == 2
    assert entries["opportunity_splits"]["skipped"] == {SKIPPED: 2}
    assert "rows_skipped" not in entries["opportunities"] and "skipped" not in entries["opportunities"]
    assert validated.tables is not None
    cards = compute_scorecards(validated.tables, OCTOBER, usd)
    summary = summary_markdown("2026-10", tmp_path / "out", cards, report)
    assert f"- {SPLITS_FILE}: 2 {SKIPPED}" in summary


def test_keep_matches_several_values_and_names_them(tmp_path: Path, usd: Settings) -> None:
    salesforce_shared_deals_export(tmp_path, currency=False)
    profile = (shipped_profiles_folder() / "salesforce.toml").read_text(encoding="utf-8")
    edited = profile.replace('values = ["Revenue"]', 'values = ["Revenue", "Overlay"]')
    assert edited != profile
    path = tmp_path.parent / "sf-all-splits.toml"
    path.write_text(edited, encoding="utf-8")
    validated = validate_tables(read_inputs(tmp_path, load_profile(str(path))), usd)
    report = next(t for t in validated.report.tables if t.table == "opportunity_splits")
    # Every row is a row of the table now; the overlays make the shares of 0065…01 and 0065…04 sum past 1.
    assert (report.rows_read, report.rows_skipped, report.rows_used) == (7, 0, 1)
    assert not report.skipped
    keep = load_profile(str(path)).tables["opportunity_splits"].keep
    assert keep is not None
    assert keep.reason == "skipped by the profile (Split Type not one of Revenue, Overlay)"


def test_a_keep_column_the_export_lacks_stops_the_table_naming_it(tmp_path: Path, usd: Settings) -> None:
    salesforce_shared_deals_export(tmp_path, currency=False)
    rows = [row[:3] + row[4:] for row in SALESFORCE_SPLITS]  # no Split Type
    write_text_export(tmp_path / SPLITS_FILE, rows, bom=b"\xef\xbb\xbf", quote_all=True)
    validated = validate_tables(read_inputs(tmp_path, load_profile("salesforce")), usd)
    assert validated.report.problems == [
        f"{SPLITS_FILE}: column(s) not in the header: 'Split Type' (keep); the header has: 'Opportunity Name', "
        "'Opportunity ID', 'Split Owner', 'Split Percentage', 'Split Amount'"
    ]


TREASURY_PROFILE = """
description = "Treasury rates: one row per currency and day, German numbers"
delimiter = ";"
decimal = ","
thousands = "."
date_formats = ["%d.%m.%Y"]

[tables.fx_rates]
files = ["*kurse*.csv"]

[tables.fx_rates.columns]
currency = "Währung"
rate_date = "Datum"
rate = "Kurs"
"""


def test_an_exchange_rate_file_maps_through_a_profile(tmp_path: Path, lenient: Settings) -> None:
    folder = tmp_path / "in"
    for name, rows in BASE_TABLES.items():
        write_csv(folder / f"{name}.csv", rows)
    write_text_export(
        folder / "devisenkurse-2026.csv",
        [
            ["Währung", "Datum", "Kurs", "Quelle"],
            ["CHF", "01.10.2026", "8,1234567891", "Treasury"],
            ["JPY", "01.10.2026", "0,0472", "Treasury"],
            ["KWD", "01.10.2026", "23,45", "Treasury"],
            ["XAU", "01.10.2026", "18.765,4321", "Treasury"],
            ["EUR", "01.10.2026", "7,12345678901", "Treasury"],
            ["GBP", "10/01/2026", "9,1", "Treasury"],
        ],
        delimiter=";",
    )
    path = tmp_path / "treasury.toml"
    path.write_text(TREASURY_PROFILE, encoding="utf-8")
    validated = validate_tables(read_inputs(folder, load_profile(str(path))), lenient)
    assert validated.tables is not None, validated.report.problems
    assert validated.tables.fx_rates.select("currency", pl.col("rate_date").cast(pl.String), "rate").rows() == [
        ("CHF", "2026-10-01", Decimal("8.1234567891")),
        ("JPY", "2026-10-01", Decimal("0.0472")),
        ("KWD", "2026-10-01", Decimal("23.45")),
        ("XAU", "2026-10-01", Decimal("18765.4321")),
    ]
    assert validated.quarantine["fx_rates"].select("source_row", "reason").rows() == [
        (6, "rate: more than 10 decimal places"),
        (7, "rate_date: not a date (YYYY-MM-DD)"),
    ]
