"""A restated card (SPEC §9) as people open it: in a browser in both languages, and in Excel; hostile text inert."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from browser import ink, screenshot
from builders import BASE_TABLES, write_csv
from openpyxl import load_workbook

from scorecards.config import load_settings
from scorecards.flows.cards.card_view import build_cards
from scorecards.flows.cards.render import write_cards
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report
from scorecards.transforms.restatement import CHANGE_SCHEMA, EVIDENCE_CHANGE_SCHEMA, Publication

P = Period(2026, 10)
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> PeriodFolder:
    folder = tmp_path_factory.mktemp("input")
    for name, rows in BASE_TABLES.items():
        write_csv(folder / f"{name}.csv", rows)
    settings = load_settings()
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.tables is not None
    report = period_report(validated.tables, P, settings)
    changes = pl.DataFrame(
        [
            ("R1", "won_amount", "2000.20", "3000.30"),
            ("R2", "rank_in_team", "1", "2"),
            ("R3", "rank_overall", "3", "4"),
        ],
        schema=CHANGE_SCHEMA,
        orient="row",
    )
    evidence = pl.DataFrame(
        [
            ("R1", "deals", "O1", "changed", "account_name", "Acme", SCRIPT, "CNY", "CNY"),
            ("R2", "deals", "O9\nX", "disappeared", None, None, None, None, None),
        ],
        schema=EVIDENCE_CHANGE_SCHEMA,
        orient="row",
    )
    publication = Publication(3, date(2026, 11, 5), None, restates=2, changes=changes, evidence=evidence)
    out = PeriodFolder(tmp_path_factory.mktemp("out"))
    write_cards(build_cards(report, P, settings, publication=publication), out, "CNY")
    return out


def test_the_notice_lists_the_reps_changes_with_hostile_text_inert(published: PeriodFolder) -> None:
    html = published.card("R1", ".html").read_text()
    assert "Restated: this is version 3, published Nov 5, 2026; it replaces version 2, which was sent." in html
    assert "Won amount: CN¥2,000.20 → CN¥3,000.30" in html
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    chinese = published.card("R2", ".html").read_text()
    assert "更正说明：本版为2026年11月5日发布的第 3 版，取代此前发送的第 2 版。" in chinese
    assert "团队排名：1 → 2" in chinese and "商机 O9 X：已移除" in chinese


def test_a_card_whose_rank_alone_moved_says_why(published: PeriodFolder) -> None:
    # Found by a reader's review: "Rank overall: 3 → 4" alone sends a reader looking for an error in the data.
    html = published.card("R3", ".html").read_text()
    assert "Rank overall: 3 → 4" in html
    assert "Only the ranks moved, because other reps&#39; figures changed; this card&#39;s own are the same." in html
    assert "Only the ranks moved" not in published.card("R1", ".html").read_text()
    assert "仅排名有变化" not in published.card("R2", ".html").read_text()  # R2 lost a deal as well


def test_the_workbook_carries_the_notice_and_the_question_link(published: PeriodFolder) -> None:
    sheet = load_workbook(published.card("R1", ".xlsx")).worksheets[0]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("Restated: this is version 3") for t in texts)
    assert f"Opportunity O1: Account Acme → {SCRIPT}" in texts  # a text cell, never a formula or markup
    links = [c.hyperlink.target for row in sheet.iter_rows() for c in row if c.hyperlink]
    assert links and links[0].startswith("mailto:mia@example.com?subject=")
    # The notice's sentences and the question line run on to the right: column A stays as wide as its labels.
    (question,) = [c for c in sheet["A"] if c.hyperlink is not None]
    notice = next(t for t in texts if t.startswith("Restated: this is version 3"))
    assert sheet.column_dimensions["A"].width < min(len(question.value), len(notice))


@pytest.mark.parametrize("rep", ["R1", "R2"])
def test_a_restated_card_draws_in_a_browser_in_both_languages(
    published: PeriodFolder, rep: str, tmp_path: Path
) -> None:
    image = screenshot(published.card(rep, ".html"), tmp_path / f"{rep}.png")
    assert ink(image) > 20_000
    # The notice's amber band sits under the title.
    band = image.crop((0, 80, 794, 160)).convert("RGB")
    assert any(r > 240 and 240 <= g <= 250 and b < 235 for _, (r, g, b) in band.getcolors(band.width * band.height))
