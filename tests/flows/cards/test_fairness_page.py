"""The fairness page (SPEC §10) as people open it: HTML in a real browser, the workbook read back, the CSV."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path

import polars as pl
import pytest
from browser import A4_WIDTH, PHONE_WIDTH, evaluated, ink, lines_of, on_paper, screenshot
from builders import OPPORTUNITIES_HEADER, REPS_HEADER, write_csv
from openpyxl import load_workbook
from openpyxl.utils.units import cm_to_EMU

from scorecards.config import load_settings
from scorecards.flows.cards.fairness_view import _ratio, _stacked_bars, build_fairness_pages
from scorecards.flows.cards.page_parts import Wording
from scorecards.flows.cards.render import render_period, write_fairness_page
from scorecards.flows.publish.outputs import write_fairness
from scorecards.flows.shared.display import excel_format
from scorecards.flows.shared.inert_text import CSV_ESCAPE
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport, period_report

P = Period(2026, 10)
SCRIPT_TEAM = "<script>alert(1)</script>"
FORMULA_TEAM = '=HYPERLINK("http://evil","team")'
FORMULA_NAME = '=HYPERLINK("http://evil","x")'
LONG_TEAM = "T" * 300
#: Words that judge people; the page describes data and uses none of them.
JUDGING = ("unfair", "blame", "fault", "suspicious", "cheat", "wrong", "bad ", "poor", "lazy")


def rep(rep_id: str, name: str, team: str, hired: str = "2020-01-01", locale: str = "en") -> dict[str, str]:
    values = [rep_id, name, f"{rep_id}@example.com", team, "Mia", "mia@example.com", hired, locale]
    return dict(zip(REPS_HEADER, values, strict=True))


def won(opportunity: str, rep_id: str, account: str, amount: str, closed: str) -> dict[str, str]:
    values = [opportunity, rep_id, account, account, "won", amount, "2020-01-01", closed]
    return dict(zip(OPPORTUNITIES_HEADER, values, strict=True))


@dataclass(frozen=True)
class Published:
    folder: Path
    report: PeriodReport


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Published:
    """A period with a team of 6 (one far from its mean), hostile team and rep names, a late hire and a new hire.

    Every rep of team Six won 1,000.00 in each of July, August and September (run rate 1,000.00), on the
    same account, so that none of it makes a new customer in October. S1's target is twice that, S2's half.
    """
    reps = [
        *(rep(f"S{i}", f"Rep S{i}", "Six") for i in range(1, 7)),
        rep("Z1", "王芳", "Six", locale="zh-CN"),  # no target: not compared
        rep("H1", FORMULA_NAME, SCRIPT_TEAM),
        rep("H2", "Hal Hostile", FORMULA_TEAM, hired="2026-08-15"),  # fewer than 3 months of history
        rep("N1", "Nia New", FORMULA_TEAM, hired="2026-10-12"),  # hired during October
        rep("L1", "L" * 150, LONG_TEAM),  # names that would push a table past the page's width
    ]
    history = [won(f"W{i}-{m}", f"S{i}", "OLD", "1000.00", f"2026-0{m}-15") for i in range(1, 7) for m in (7, 8, 9)] + [
        won("HH", "H2", "OLD", "500.00", "2026-09-10")
    ]
    october = [won("S6-new", "S6", "NEW", "1000.00", "2026-10-10")]  # S6 reaches its target, with a new customer
    targets = [
        {"rep_id": r, "period": "2026-10", "target_amount": amount}
        for r, amount in (
            ("S1", "2000.00"),
            ("S2", "500.00"),
            ("S3", "1000.00"),
            ("S4", "1000.00"),
            ("S5", "1000.00"),
            ("S6", "1000.00"),
            ("H1", "100.00"),
            ("H2", "800.00"),
        )
    ]
    folder = tmp_path_factory.mktemp("input")
    write_csv(folder / "reps.csv", reps)
    write_csv(folder / "opportunities.csv", [*history, *october])
    write_csv(folder / "targets.csv", targets)
    settings = load_settings()
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.tables is not None and validated.report.ok
    report = period_report(validated.tables, P, settings)
    out = PeriodFolder(tmp_path_factory.mktemp("out"))
    write_fairness(report.fairness.reps, out)
    render_period(report, P, settings, out)
    return Published(out.path, report)


def visible_text(html: str) -> str:
    body = re.sub(r"<style.*?</style>|<title>.*?</title>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body)))


def test_the_facts_behind_the_page(published: Published) -> None:
    figures = published.report.fairness.reps
    flags = dict(figures.select("rep_id", "target_flag").iter_rows())
    assert (flags["S1"], flags["S2"], flags["S3"]) == ("high", "low", None)
    assert figures.filter(pl.col("composite_outlier"))["rep_id"].to_list() == ["S6"]
    assert published.report.fairness.hired["rep_id"].to_list() == ["N1"]


def test_the_page_says_what_it_measures_and_judges_nobody(published: Published) -> None:
    html = (published.folder / "fairness.html").read_text("utf-8")
    assert '<html lang="en">' in html
    text = visible_text(html)
    for said in (
        "Targets compared with what each rep won in the 3 months before",
        "Reps graded on fewer than 2 dimensions: too little data to judge.",
        "it does not judge anyone",
        "above 1.5 × run rate",
        "below 0.67 × run rate",
        "Reps hired this month",
        "Nia New",
    ):
        assert said in text, said
    assert not [word for word in JUDGING if word in text.lower()]
    # A target over a run rate reads to the hundredth (fairness.csv keeps its 6 decimals).
    assert "Rep S1 Six CN¥1,000.00 CN¥2,000.00 2.00 above 1.5 × run rate" in text
    assert "Rep S2 Six CN¥1,000.00 CN¥500.00 0.50 below 0.67 × run rate" in text
    outliers = text[text.index("Composite scores far from the team's mean") :]
    assert "Rep S6" in outliers and "Rep S1" not in outliers
    assert html.count('<svg class="chart"') == 2
    assert html.count("<circle") == 6 + 1  # every rep with a target and a run rate: S1..S6 and H1 (a run rate of 0)
    assert html.count('class="dot-high"') == 1 and html.count('class="dot-low"') == 1  # S1 and S2
    assert not re.search(r'(src|href)="(https?:)?//', html)  # self-contained


def test_hostile_names_are_text_in_the_page_the_workbook_and_the_csv(published: Published) -> None:
    html = (published.folder / "fairness.html").read_text("utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "=HYPERLINK(&#34;http://evil&#34;,&#34;x&#34;)" in html
    book = published.folder / "fairness.xlsx"
    with zipfile.ZipFile(book) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not [s for s in sheets if re.search(r"<(\w+:)?f[\s>/]", s)]  # no formula anywhere
    workbook = load_workbook(book)
    payloads = [c for ws in workbook for row in ws.iter_rows() for c in row if c.value in (FORMULA_NAME, FORMULA_TEAM)]
    assert {c.value for c in payloads} == {FORMULA_NAME, FORMULA_TEAM}
    assert {(c.data_type, c.quotePrefix) for c in payloads} == {("s", True)}
    csv = pl.read_csv(published.folder / "fairness.csv", infer_schema=False)
    assert set(csv["team"]) == {"Six", SCRIPT_TEAM, CSV_ESCAPE + FORMULA_TEAM, LONG_TEAM}


def test_the_workbook_holds_the_tables_as_numbers_and_two_native_charts(published: Published) -> None:
    workbook = load_workbook(published.folder / "fairness.xlsx")
    assert workbook.sheetnames == ["Fairness", "Targets"]
    fairness, targets = workbook["Fairness"], workbook["Targets"]
    assert [c.tagname for c in fairness._charts] == ["barChart"]
    assert [c.tagname for c in targets._charts] == ["scatterChart"]
    (bars,) = fairness._charts
    assert bars.grouping == "percentStacked" and len(bars.series) == 5  # A, B, C, D, N/A
    rows = {row[0].value: [c.value for c in row] for row in fairness.iter_rows() if row[0].value}
    assert rows["Company"][:6] == ["Company", 11, 1.212121, 0.670786, 1, 3.333333]  # the spread table, as numbers
    by_rep = {row[0].value: row for row in targets.iter_rows() if row[0].value}
    s1 = by_rep["Rep S1"]
    assert [c.value for c in s1] == ["Rep S1", "Six", 1000, 2000, 2, "above 1.5 × run rate"]
    assert s1[2].number_format == '"CN¥"#,##0.00' and s1[4].number_format == "#,##0.00"
    assert by_rep["Hal Hostile"][2].value == "fewer than 3 months of history"  # not compared, and why


def test_the_workbooks_bars_have_the_pages_colour_for_each_grade(published: Published) -> None:
    html = (published.folder / "fairness.html").read_text("utf-8")
    page = {grade: colour.upper() for grade, colour in re.findall(r"svg\.chart \.g-(\w+) \{ fill: #(\w{6}); \}", html)}
    assert list(page) == ["A", "B", "C", "D", "na"]
    (bars,) = load_workbook(published.folder / "fairness.xlsx")["Fairness"]._charts
    fills = [series.graphicalProperties.solidFill.srgbClr for series in bars.series]
    assert fills == list(page.values())


def test_the_workbooks_bar_chart_is_tall_enough_for_every_teams_label(published: Published) -> None:
    # LibreOffice leaves out every other label when the bars are thinner than about 0.8 cm; the title, the
    # axis and the margins take about 3.5 cm.
    (bars,) = load_workbook(published.folder / "fairness.xlsx")["Fairness"]._charts
    teams = len(published.report.fairness.spread) + 1  # and the company's bar
    assert bars.anchor.ext.height >= cm_to_EMU(3.5 + 0.8 * teams)


def test_the_workbooks_scatter_shows_each_rep_as_a_circle_in_the_pages_dot_colour(published: Published) -> None:
    html = (published.folder / "fairness.html").read_text("utf-8")
    (dot,) = re.findall(r"svg\.chart \.dot \{ fill: #(\w{6}); \}", html)
    (scatter,) = load_workbook(published.folder / "fairness.xlsx")["Targets"]._charts
    (series,) = scatter.series
    assert (series.marker.symbol, series.graphicalProperties.line.noFill, series.smooth) == ("circle", True, False)
    # A marker without a fill of its own is drawn by LibreOffice as a white dash.
    assert series.marker.graphicalProperties.solidFill.srgbClr == dot.upper()


@pytest.mark.parametrize("page", ["en", "zh"])
def test_the_page_renders_in_a_browser_within_a4_width(published: Published, page: str, tmp_path: Path) -> None:
    name = "fairness.html" if page == "en" else "fairness.zh-CN.html"  # 王芳's card is in Chinese
    image = on_paper(published.folder / name, tmp_path / "page.png", height=2400)
    assert ink(image) > 50_000  # not blank
    assert ink(image, (A4_WIDTH - 8, 0, A4_WIDTH, image.height)) == 0  # nothing overflows the A4 width


def test_on_a_phone_a_wide_table_scrolls_and_words_are_cut_only_when_nothing_else_fits(published: Published) -> None:
    # Found in a trial: on a phone the page's headings broke inside words (`Lowe/st`, `N/A` over two lines) and a
    # team's name was cut (`Enterpris/e`), because every cell could break anywhere to squeeze a table into the screen.
    page = published.folder / "fairness.html"
    assert evaluated(page, "document.documentElement.scrollWidth", PHONE_WIDTH) <= PHONE_WIDTH
    headings = lines_of(page, ".fairness th", PHONE_WIDTH)
    assert all(lines <= len(text.split()) for text, lines in headings), headings
    names = [(text, lines) for text, lines in lines_of(page, ".fairness td:not(.num)", PHONE_WIDTH) if text]
    cut = [(text, lines) for text, lines in names if lines > len(text.split())]
    # Only a name with a word longer than a narrow column (the hostile names' `=HYPERLINK("http://evil","x")`).
    assert cut and all(max(len(word) for word in text.split()) > 15 for text, _ in cut), cut
    assert "Six" in {text for text, lines in names if lines == 1}


def test_the_chinese_page_is_chinese_and_its_glyphs_are_drawn(published: Published, tmp_path: Path) -> None:
    page = published.folder / "fairness.zh-CN.html"
    html = page.read_text("utf-8")
    assert '<html lang="zh-CN">' in html and "2026年10月" in html
    text = visible_text(html)
    for english, chinese in (
        ("Fairness of the evaluation", "考核公平性"),
        ("Targets compared with what each rep won", "目标与每位销售前 3 个月赢单金额的对比"),
        ("too little data to judge", "数据太少，不足以评判"),
        ("above 1.5 × run rate", "高于近期月均赢单的 1.5 倍"),
        ("Coverage", "数据覆盖"),
    ):
        assert english not in text and chinese in text, english
    assert "）：目标 ¥" in html and "，近期月均赢单 ¥" in html and "): Target" not in html  # a dot's hover text
    assert "↑ 目标（CNY）" in html and "(CNY)" not in html  # the axes' brackets are full-width
    other = tmp_path / "other.html"
    other.write_text(html.replace("考核公平性", "销售目标达"), "utf-8")
    first = screenshot(page, tmp_path / "a.png", height=400)
    second = screenshot(other, tmp_path / "b.png", height=400)
    title = (0, 0, 300, 60)
    # Missing glyphs would draw the same boxes for both titles; real glyphs differ.
    assert ink(first, title) > 50
    assert first.crop(title).tobytes() != second.crop(title).tobytes()


def test_every_team_rollup_links_to_the_page(published: Published) -> None:
    rollups = sorted((published.folder / "teams").glob("*.html"))
    assert len(rollups) == 4
    said = set()
    for rollup in rollups:
        (href,) = re.findall(r'<a href="([^"]*fairness[^"]*)"', rollup.read_text("utf-8"))
        assert (rollup.parent / href).resolve() == (published.folder / "fairness.html").resolve()
        sheet = load_workbook(rollup.with_suffix(".xlsx")).active
        (link,) = [c for row in sheet.iter_rows() for c in row if c.hyperlink]
        assert link.hyperlink.target == href
        # A mailed copy's link leads nowhere: the line below it says where the page is.
        said.add(sheet.cell(link.row + 1, 1).value)
    assert said == {"In the folder of period 2026-10: fairness.html, and its tables in fairness.xlsx."}


def test_a_chinese_team_s_pages_lead_to_the_chinese_fairness_page_and_index(tmp_path: Path) -> None:
    """A team whose reps read Chinese: its rollup, its cards and the fairness page link the pages in Chinese."""
    folder = tmp_path / "input"
    folder.mkdir()
    write_csv(
        folder / "reps.csv", [rep("C1", "陈明", "华东", locale="zh-CN"), rep("C2", "李娜", "华东", locale="zh-CN")]
    )
    write_csv(folder / "opportunities.csv", [won("O1", "C1", "A1", "100.00", "2026-10-05")])
    settings = load_settings()
    assert settings.defaults.locale == "en"
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.tables is not None
    out = PeriodFolder(tmp_path / "out" / "2026-10")
    render_period(period_report(validated.tables, P, settings), P, settings, out)

    assert sorted(p.name for p in out.path.glob("fairness*")) == [
        "fairness.html",  # the config's default locale, as SPEC §10 names it
        "fairness.xlsx",
        "fairness.zh-CN.html",
        "fairness.zh-CN.xlsx",
    ]
    assert '<html lang="en">' in out.fairness(".html").read_text("utf-8")
    assert '<html lang="zh-CN">' in out.fairness(".html", ".zh-CN").read_text("utf-8")
    rollup = out.rollup("华东", ".html")
    html = rollup.read_text("utf-8")
    (href,) = re.findall(r'<a href="([^"]*fairness[^"]*)"', html)
    assert (rollup.parent / href).resolve() == out.fairness(".html", ".zh-CN").resolve()
    sheet = load_workbook(rollup.with_suffix(".xlsx")).active
    (link,) = [c for row in sheet.iter_rows() for c in row if c.hyperlink]
    assert link.hyperlink.target == href
    assert sheet.cell(link.row + 1, 1).value == (
        "位于考核期 2026-10 的文件夹中：fairness.zh-CN.html，其表格另见 fairness.zh-CN.xlsx。"
    )
    index_zh = (tmp_path / "out" / "index.zh-CN.html").resolve()
    for page in (rollup, out.card("C1", ".html"), out.fairness(".html", ".zh-CN")):
        (back,) = re.findall(r'<p class="back"><a href="([^"]*)">', page.read_text("utf-8"))
        assert (page.parent / back).resolve() == index_zh, page
    (back,) = re.findall(r'<p class="back"><a href="([^"]*)">', out.fairness(".html").read_text("utf-8"))
    assert (out.path / back).resolve() == (tmp_path / "out" / "index.html").resolve()
    # Each page leads to its twin in the other language, named in its own words.
    switch = r'<p class="languages"><a href="([^"]*)" lang="([^"]*)" hreflang="[^"]*">([^<]*)</a></p>'
    assert re.findall(switch, out.fairness(".html").read_text("utf-8")) == [("fairness.zh-CN.html", "zh-CN", "中文")]
    zh = out.fairness(".html", ".zh-CN").read_text("utf-8")
    assert re.findall(switch, zh) == [("fairness.html", "en", "English")]


def test_the_page_is_the_same_bytes_when_rendered_again(published: Published, tmp_path: Path) -> None:
    settings = load_settings()
    again = PeriodFolder(tmp_path)
    write_fairness(published.report.fairness.reps, again)
    for page in build_fairness_pages(published.report, P, settings):
        write_fairness_page(page, again, settings.display.reporting)
    names = ("fairness.csv", "fairness.html", "fairness.xlsx", "fairness.zh-CN.html", "fairness.zh-CN.xlsx")
    assert sorted(p.name for p in published.folder.glob("fairness*")) == sorted(names)
    for name in names:
        assert (tmp_path / name).read_bytes() == (published.folder / name).read_bytes(), name


def test_libreoffice_opens_the_workbooks(published: Published, tmp_path: Path) -> None:
    """A workbook Excel would want to repair is one LibreOffice cannot convert: both languages must convert."""
    import os
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if not soffice:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed (.ci/run installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed")
    for name, book in (("en", published.folder / "fairness.xlsx"), ("zh", published.folder / "fairness.zh-CN.xlsx")):
        target = tmp_path / name
        completed = subprocess.run(
            [
                soffice,
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                str(target),
                str(book),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        pdf = target / book.with_suffix(".pdf").name
        assert pdf.is_file() and pdf.stat().st_size > 5_000, completed.stdout


def test_a_bar_segment_shows_its_share_rounded_half_up() -> None:
    # 1 rep of 16 is 6.25 %: shown as 6.3 %, as the workbook and every other number on the page round.
    chart = _stacked_bars([("Team", {"A": 1, "B": 15, "C": 0, "D": 0, "na": 0})], Wording("en", "CNY"))
    assert [rect.title for rect in chart.rects if rect.title] == ["A: 1 (6.3%)", "B: 15 (93.8%)"]


@pytest.mark.parametrize(
    ("ratio", "shown"),
    [
        ("2.265672", "2.27"),  # to the hundredth
        ("1.503469", "1.503"),  # 1.50 beside "above 1.5 ×" would read as a wrong mark
        ("1.499600", "1.4996"),  # not marked: 1.50 and 1.500 would read as 1.5
        ("0.669999", "0.669999"),  # below 0.67 only in the 6th place, where it is compared
        ("1.500000", "1.50"),  # exactly the threshold: not marked, and shown as it is
        ("0.000000", "0.00"),
        ("1.504500", "1.505"),  # above a threshold of 1.504 (a config may give up to 6 decimals)
        ("0.666800", "0.6668"),  # below one of 0.667
    ],
)
def test_a_ratio_reads_to_the_place_that_tells_it_from_a_threshold(ratio: str, shown: str) -> None:
    for locale in ("en", "zh-CN"):
        thresholds = (
            (Decimal("1.504"), Decimal("0.667"))
            if ratio in ("1.504500", "0.666800")
            else (Decimal("1.5"), Decimal("0.67"))
        )
        cell = _ratio(Decimal(ratio), thresholds, Wording(locale, "CNY"))
        assert cell.text == shown and cell.value == Decimal(ratio)
        places = len(shown.split(".")[1])
        assert excel_format("ratio", locale, places=cell.places) == "#,##0." + "0" * places  # the workbook's too


def test_a_team_with_a_rep_without_a_target_says_whose_attainment_it_shows(published: Published) -> None:
    # Six's Z1 has no target: the team's attainment is its other reps' (found by a reader's review, who divided
    # the team's won amount by its target and got another figure).
    (six,) = [page for page in (published.folder / "teams").glob("*.html") if "<h1>Six</h1>" in page.read_text()]
    text = visible_text(six.read_text("utf-8"))
    assert (
        "Sales-target attainment of the reps with a target above 0" in text
        and "Won by reps with no target or a target of 0" in text
    )
