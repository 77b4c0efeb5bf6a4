"""Issue 18: a card's HTML shows at most `[cards] evidence_rows` rows of each evidence table, the largest deals
first, and says how many more the Excel card has; the Excel card keeps every row, numbers as numbers."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from browser import A4_WIDTH, ink, on_paper
from builders import BASE_TABLES, OPPORTUNITIES_HEADER, write_csv
from openpyxl import Workbook, load_workbook

from scorecards.config import ConfigError, config_hash, load_settings
from scorecards.config.settings import Cards, default_config_path
from scorecards.flows.cards.card_view import build_cards
from scorecards.flows.cards.excel import bulk_sheet_data, save_deterministic
from scorecards.flows.cards.render import write_cards
from scorecards.flows.shared.i18n import translations
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report

P = Period(2026, 10)
#: (id, amount) of each rep's five won deals in October, in close-date order: O3 and O4 tie on size.
DEALS = [("1", "1000.00"), ("2", "5000.00"), ("3", "3000.00"), ("4", "3000.00"), ("5", "200.00")]
#: R1's three survey answers (exactly the cap): comments a spreadsheet must not evaluate or mangle.
COMMENTS = ['=HYPERLINK("http://evil.example","click")', "-2+3", "#N/A"]


def deal(rep: str, number: str, amount: str) -> dict[str, str]:
    # Every deal is on A1, which R1 won in September: no new customers this month.
    row = [f"{rep}-O{number}", rep, "A1", "Acme", "won", amount, "2026-09-01", f"2026-10-0{number}"]
    return dict(zip(OPPORTUNITIES_HEADER, row, strict=True))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[PeriodFolder, PeriodFolder]:
    """R1 (en) and R2 (zh-CN) each won five deals in October; the HTML shows three rows per table.

    The cards are written twice, from two builds, into two folders.
    """
    folder = tmp_path_factory.mktemp("input")
    tables = {
        **BASE_TABLES,
        "opportunities": [
            deal("R1", "0", "10.00") | {"close_date": "2026-09-05"},
            *(deal(rep, number, amount) for rep in ("R1", "R2") for number, amount in DEALS),
        ],
        "surveys": [
            {
                "response_id": f"S{i}",
                "rep_id": "R1",
                "account_id": "A1",
                "submitted_date": "2026-10-03",
                "score": "4",
                "scale_max": "5",
                "comment": comment,
            }
            for i, comment in enumerate(COMMENTS)
        ],
    }
    for name, rows in tables.items():
        write_csv(folder / f"{name}.csv", rows)
    settings = load_settings().model_copy(update={"cards": Cards(evidence_rows=3)})
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.tables is not None, validated.report.problems
    report = period_report(validated.tables, P, settings)
    folders = PeriodFolder(tmp_path_factory.mktemp("out")), PeriodFolder(tmp_path_factory.mktemp("again"))
    for out in folders:
        write_cards(build_cards(report, P, settings), out, settings.display.reporting)
    return folders


@pytest.fixture(scope="module")
def published(written: tuple[PeriodFolder, PeriodFolder]) -> PeriodFolder:
    return written[0]


def html_table(published: PeriodFolder, rep_id: str, title: str) -> tuple[list[list[str]], str]:
    """The cells of the HTML table under a title, and the text between the table (in the box it scrolls in on a
    narrow screen) and the next title."""
    html = published.card(rep_id, ".html").read_text(encoding="utf-8")
    section = html.split(f"<h3>{title}</h3>", 1)[1].split("<h3>", 1)[0]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)]
    return [row for row in rows if row], re.sub(r"\s+", " ", section.split("</table></div>")[-1])


def sheet_table(published: PeriodFolder, rep_id: str, title: str) -> list[tuple[object, ...]]:
    """The rows of the Excel card's evidence table under a title, headings first, up to the blank row."""
    rows = list(load_workbook(published.card(rep_id, ".xlsx")).worksheets[1].iter_rows())
    start = next(i for i, row in enumerate(rows) if row[0].value == title)
    table = []
    for row in rows[start + 1 :]:
        if all(cell.value is None for cell in row):
            break
        table.append(tuple(row))
    return table


def test_the_html_shows_the_three_largest_deals_and_how_many_more(published: PeriodFolder) -> None:
    rows, after = html_table(published, "R1", "Won deals closed this month")
    assert rows == [
        ["R1-O2", "Acme", "CN¥5,000.00", "Sep 1, 2026", "Oct 2, 2026", "31"],
        ["R1-O3", "Acme", "CN¥3,000.00", "Sep 1, 2026", "Oct 3, 2026", "32"],
        ["R1-O4", "Acme", "CN¥3,000.00", "Sep 1, 2026", "Oct 4, 2026", "33"],
    ]
    assert after.strip() == '<p class="muted more">and 2 more in the Excel card</p>'


def test_a_chinese_card_says_how_many_more_in_chinese(published: PeriodFolder) -> None:
    rows, after = html_table(published, "R2", "本月赢单")
    assert [row[0] for row in rows] == ["R2-O2", "R2-O3", "R2-O4"]
    assert [row[2] for row in rows] == ["¥5,000.00", "¥3,000.00", "¥3,000.00"]
    assert "另有 2 行，见 Excel 考核卡" in after


def test_a_table_at_the_cap_or_empty_has_no_note(published: PeriodFolder) -> None:
    rows, after = html_table(published, "R1", "Survey answers")
    assert [row[5] for row in rows] == [
        "=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;)",
        "-2+3",
        "#N/A",
    ]
    assert "more" not in after
    rows, after = html_table(published, "R1", "Leads closed this month")
    assert rows == [] and "None this month." in after and "more" not in after


def test_the_excel_card_keeps_every_deal_as_numbers_largest_first(published: PeriodFolder) -> None:
    headings, *rows = sheet_table(published, "R1", "Won deals closed this month")
    assert [c.value for c in headings if c.value] == [
        "Opportunity",
        "Account",
        "Amount",
        "Created",
        "Closed",
        "Cycle (days)",
    ]
    assert [tuple(c.value for c in row[:6]) for row in rows] == [
        ("R1-O2", "Acme", 5000, datetime(2026, 9, 1), datetime(2026, 10, 2), 31),
        ("R1-O3", "Acme", 3000, datetime(2026, 9, 1), datetime(2026, 10, 3), 32),
        ("R1-O4", "Acme", 3000, datetime(2026, 9, 1), datetime(2026, 10, 4), 33),
        ("R1-O1", "Acme", 1000, datetime(2026, 9, 1), datetime(2026, 10, 1), 30),
        ("R1-O5", "Acme", 200, datetime(2026, 9, 1), datetime(2026, 10, 5), 34),
    ]
    assert {(row[2].data_type, row[2].number_format) for row in rows} == {("n", '"CN¥"#,##0.00')}
    assert {(row[3].data_type, row[3].number_format) for row in rows} == {("d", "yyyy-mm-dd")}
    assert {row[5].number_format for row in rows} == {"#,##0"}


def test_the_excel_card_keeps_live_looking_text_inert(published: PeriodFolder) -> None:
    _headings, *rows = sheet_table(published, "R1", "Survey answers")
    comments = [row[5] for row in rows]
    assert [(c.value, c.data_type) for c in comments] == [(text, "s") for text in COMMENTS]
    assert [c.quotePrefix for c in comments] == [True, True, False]
    with zipfile.ZipFile(published.card("R1", ".xlsx")) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet2.xml").decode()


def test_a_capped_card_fits_a4_in_a_browser(published: PeriodFolder, tmp_path: Path) -> None:
    image = on_paper(published.card("R1", ".html"), tmp_path / "card.png", height=2400)
    assert ink(image) > 20_000
    assert ink(image, (A4_WIDTH - 8, 0, A4_WIDTH, image.height)) == 0


def test_a_capped_card_with_every_deal_column_fits_a4_in_a_browser(tmp_path: Path) -> None:
    """The benchmark's input: deals of ~200,000 in euros, some shared, so the won deals have eleven columns."""
    from benchmarks.cards import PERIOD, report_for, write_input

    write_input(tmp_path / "input", 200)
    settings = load_settings().model_copy(update={"cards": Cards(evidence_rows=3)})
    out = PeriodFolder(tmp_path / "out")
    write_cards(build_cards(report_for(tmp_path / "input", settings), PERIOD, settings), out, "CNY")
    for rep_id, locale in (("R1", "en"), ("R2", "zh-CN")):
        rows, _after = html_table(out, rep_id, translations(locale).gettext("Won deals closed this month"))
        assert len(rows) == 3 and len(rows[0]) == 11
        image = on_paper(out.card(rep_id, ".html"), tmp_path / f"{rep_id}.png", height=2400)
        assert ink(image) > 20_000
        assert ink(image, (A4_WIDTH - 8, 0, A4_WIDTH, image.height)) == 0


def test_bulk_rows_read_back_as_text_numbers_and_dates(tmp_path: Path) -> None:
    workbook = Workbook(write_only=True)
    workbook.create_sheet("Rows")
    rows = [
        [("bell\x07 and <b>&amp;</b>\uffff", None), ("  padded  ", None), ("line\r\nbreak", None)],
        [(Decimal("1234.50"), None), (7, None), (date(2026, 10, 5), None), (None, None), ("@SUM(1)", None)],
        [("   ", None), (True, None)],
    ]
    data = bulk_sheet_data(rows, {}, 0)
    save_deterministic(workbook, tmp_path / "a.xlsx", {"xl/worksheets/sheet1.xml": data})
    read = load_workbook(tmp_path / "a.xlsx")["Rows"]
    assert [[c.value for c in row] for row in read.iter_rows()] == [
        ["bell\ufffd and <b>&amp;</b>\ufffd", "  padded  ", "line\r\nbreak", None, None],
        [1234.5, 7, 46300, None, "@SUM(1)"],  # 46300: 2026-10-05 as an Excel day number
        ["   ", True, None, None, None],
    ]
    with pytest.raises(TypeError, match="dates, not date-times"):
        bulk_sheet_data([[(datetime(2026, 10, 5, 9, 30), None)]], {}, 0)


def test_the_cap_comes_from_config_and_counts_in_its_hash(tmp_path: Path) -> None:
    text = default_config_path().read_text(encoding="utf-8")
    assert "evidence_rows = 100 " in text
    assert load_settings().cards.evidence_rows == 100
    (tmp_path / "three.toml").write_text(text.replace("evidence_rows = 100 ", "evidence_rows = 3 "), encoding="utf-8")
    three = load_settings(tmp_path / "three.toml")
    assert three.cards.evidence_rows == 3
    assert config_hash(three) != config_hash(load_settings())


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "cards.evidence_rows: Input should be greater than or equal to 1"),
        ('"many"', "cards.evidence_rows: Input should be a valid integer"),
    ],
)
def test_a_wrong_cap_is_refused_with_its_field(tmp_path: Path, value: str, message: str) -> None:
    path = tmp_path / "scorecards.toml"
    text = default_config_path().read_text(encoding="utf-8")
    path.write_text(text.replace("evidence_rows = 100 ", f"evidence_rows = {value} "), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}: invalid config: ") and message in str(caught.value)


def test_a_card_is_the_same_bytes_when_written_again(written: tuple[PeriodFolder, PeriodFolder]) -> None:
    first, again = written
    for rep_id in ("R1", "R2"):
        for suffix in (".html", ".xlsx"):
            assert first.card(rep_id, suffix).read_bytes() == again.card(rep_id, suffix).read_bytes()
