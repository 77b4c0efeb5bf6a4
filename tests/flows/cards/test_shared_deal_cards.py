"""SPEC §8 on the cards: a shared deal shows the rep's share and credit, a deal in euros its amount, rate and
reporting amount, in English and Chinese, as numbers with the right currency formats in Excel."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from browser import ink, screenshot
from builders import BASE_TABLES, write_tables
from openpyxl import load_workbook

from scorecards.config import load_settings
from scorecards.flows.cards.card_view import build_cards
from scorecards.flows.cards.render import write_cards
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report

P = Period(2026, 10)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> PeriodFolder:
    """R1 (en) and R2 (zh-CN) share O9, a deal in euros; R1's O1 stays whole, in CNY."""
    folder = tmp_path_factory.mktemp("input")
    shared = {
        "opportunity_id": "O9",
        "rep_id": "R1",
        "account_id": "A9",
        "account_name": "Euro GmbH",
        "stage": "won",
        "amount": "100.01",
        "created_date": "2026-09-01",
        "close_date": "2026-10-05",
        "currency": "EUR",
    }
    tables = {
        **BASE_TABLES,
        "opportunities": [{**row, "currency": ""} for row in BASE_TABLES["opportunities"]] + [shared],
        "opportunity_splits": [
            {"opportunity_id": "O9", "rep_id": "R1", "share": "0.5"},
            {"opportunity_id": "O9", "rep_id": "R2", "share": "0.5"},
        ],
        "fx_rates": [{"currency": "EUR", "rate_date": "2026-10-05", "rate": "7.5"}],
    }
    write_tables(folder, tables)
    settings = load_settings()
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.tables is not None, validated.report.problems
    report = period_report(validated.tables, P, settings)
    out = PeriodFolder(tmp_path_factory.mktemp("out"))
    write_cards(build_cards(report, P, settings), out, settings.display.reporting)
    return out


def evidence_rows(published: PeriodFolder, rep_id: str) -> list[list[object]]:
    sheet = load_workbook(published.card(rep_id, ".xlsx"))["Evidence"]
    return [[c for c in row] for row in sheet.iter_rows()]


def test_the_excel_evidence_keeps_amounts_as_numbers_in_their_currencies(published: PeriodFolder) -> None:
    rows = evidence_rows(published, "R1")
    headings = next(r for r in rows if r[0].value == "Opportunity")
    assert [c.value for c in headings if c.value] == [
        "Opportunity",
        "Account",
        "Amount",
        "Created",
        "Closed",
        "Cycle (days)",
        "Rate",
        "Rate date",
        "Amount converted",
        "Your share",
        "Your credit",
    ]
    o9 = next(r for r in rows if r[0].value == "O9")
    amount, rate, converted, share, credit = o9[2], o9[6], o9[8], o9[9], o9[10]
    assert (amount.value, amount.number_format) == (100.01, '"€"#,##0.00')
    assert (rate.value, rate.number_format) == (7.5, "0.0000######")
    # 100.01 × 7.5 = 750.075 → 750.08; R1's half: 375.0375 → 375.04.
    assert (converted.value, converted.number_format) == (750.08, '"CN¥"#,##0.00')
    assert (share.value, share.number_format) == (0.5, "0.00%")
    assert (credit.value, credit.number_format) == (375.04, '"CN¥"#,##0.00')
    o1 = next(r for r in rows if r[0].value == "O1")
    assert (o1[2].value, o1[2].number_format, o1[9].value) == (1000.1, '"CN¥"#,##0.00', 1)


def test_the_html_card_says_it_in_english_and_in_chinese(published: PeriodFolder) -> None:
    english = published.card("R1", ".html").read_text()
    assert all(text in english for text in ("Your share", "Your credit", "€100.01", "50.00%", "CN¥375.04", "7.5000"))
    chinese = published.card("R2", ".html").read_text()
    assert all(text in chinese for text in ("业绩分配比例", "计入本人业绩", "汇率", "折算金额", "50.00%", "¥375.04"))


def test_a_card_without_shared_or_converted_deals_shows_no_such_columns(published: PeriodFolder) -> None:
    html = published.card("R3", ".html").read_text()
    assert "Your share" not in html and "Rate date" not in html


def test_the_won_amount_on_the_card_is_the_credited_one(published: PeriodFolder) -> None:
    sheet = load_workbook(published.card("R2", ".xlsx")).worksheets[0]
    won = next(row[1] for row in sheet.iter_rows() if row[0].value == "赢单金额")
    assert Decimal(str(won.value)) == Decimal("375.04")


def test_the_shared_deal_card_draws_in_a_browser(published: PeriodFolder, tmp_path: Path) -> None:
    assert ink(screenshot(published.card("R2", ".html"), tmp_path / "r2.png")) > 20_000
