"""The rep cards and team rollups as people open them: Excel read back, HTML in a real browser."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from browser import A4_WIDTH, PHONE_WIDTH, evaluated, ink, lines_of, on_paper, printed_pages, screenshot
from builders import BASE_TABLES
from openpyxl import load_workbook

from scorecards.config import Settings, load_settings
from scorecards.config.settings import default_config_path
from scorecards.flows.cards.card_view import Card, _sparkline, build_cards
from scorecards.flows.cards.fairness_view import build_fairness_pages
from scorecards.flows.cards.page_parts import Wording, caveat_lines
from scorecards.flows.cards.render import write_cards, write_team_rollups
from scorecards.flows.cards.rollup_view import build_team_rollups
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.naming import safe_stem
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.coverage import MonthCaveats
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport, period_report

P = Period(2026, 10)
HOSTILE_NOTES = [
    '=HYPERLINK("http://evil.example","click")',
    "@SUM(1+1)",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "<script>alert(1)</script><b>bold</b>",
]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cards and rollups of the test data set (with hostile notes and a few months of history)."""
    from builders import write_tables

    folder = tmp_path_factory.mktemp("input")
    extra_opportunities = [
        {
            "opportunity_id": f"H{i}",
            "rep_id": "R1",
            "account_id": "A2",
            "account_name": "Beta",
            "stage": "won",
            "amount": "900.00",
            "created_date": f"2026-0{m}-01",
            "close_date": f"2026-0{m}-20",
        }
        for i, m in enumerate((5, 6, 7, 8, 9))
    ]
    tables = {
        **BASE_TABLES,
        "opportunities": [*BASE_TABLES["opportunities"], *extra_opportunities],
        "targets": [
            *BASE_TABLES["targets"],
            *({"rep_id": "R1", "period": f"2026-0{m}", "target_amount": "1000.00"} for m in (5, 6, 7, 8, 9)),
        ],
        "manager_notes": [{"rep_id": "R1", "period": "2026-10", "note": note} for note in HOSTILE_NOTES],
        "surveys": [
            {
                "response_id": f"S{i}",
                "rep_id": "R2",
                "account_id": "A1",
                "submitted_date": "2026-10-03",
                "score": s,
                "scale_max": m,
                "comment": "很好" if i == 0 else "",
            }
            for i, (s, m) in enumerate((("4.5", "5"), ("9", "10")))
        ],
    }
    write_tables(folder, tables)
    settings = load_settings()
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.tables is not None
    report = period_report(validated.tables, P, settings)
    out = tmp_path_factory.mktemp("out")
    cards = build_cards(report, P, settings)
    write_cards(cards, PeriodFolder(out), "CNY")
    write_team_rollups(
        build_team_rollups(report, P, settings),
        PeriodFolder(out),
        "CNY",
    )
    return out


def card(published: Path, rep: str, ext: str) -> Path:
    return published / "reps" / f"{safe_stem(rep)}.{ext}"


MONTHS = ("May", "Jun", "Jul", "Aug", "Sep", "Oct")


def cells_by_label(sheet) -> dict[str, object]:  # noqa: ANN001
    """The cell right of each text label in column A (the first time the label appears)."""
    found: dict[str, object] = {}
    for row in sheet.iter_rows():
        if isinstance(row[0].value, str):
            found.setdefault(row[0].value, row[1])
    return found


def test_the_excel_card_holds_values_formats_chart_and_evidence(published: Path) -> None:
    workbook = load_workbook(card(published, "R1", "xlsx"))
    assert workbook.sheetnames == ["Scorecard", "Evidence"]
    sheet = workbook["Scorecard"]
    cells = cells_by_label(sheet)
    assert cells["Overall grade"].value in {"A", "B", "C", "D"}
    assert cells["Won amount"].value == 3000.3 and cells["Won amount"].number_format == '"CN¥"#,##0.00'
    # How the composite score is made, from the config (skills, of weight 0, are not in it), without widening A.
    note = (
        "Composite score: the mean of the grades' points (A 4, B 3, C 2, D 1), weighted Sales-target attainment "
        "40.0%, Lead conversion 20.0%, New customers 20.0%, Customer satisfaction 20.0%; a dimension without a "
        "grade does not count."
    )
    assert note in [c.value for c in sheet["A"]] and sheet.column_dimensions["A"].width < 40
    assert note.replace("'", "&#39;") in card(published, "R1", "html").read_text()
    # A rank reads as on the page (`1 / 2`) and stays a number.
    rank = cells["Rank in team"]
    assert (rank.value, rank.number_format) == (1, '#,##0" / 2"')
    assert 'Rank in team</th><td class="num">1 / 2<' in card(published, "R1", "html").read_text()
    attainment = cells["Sales-target attainment"]
    assert attainment.value == 1 and attainment.number_format == "0.0%"
    row = attainment.row
    assert [sheet.cell(row=row, column=c).value for c in (3, 4)] == ["A", "A ≥ 100.0% · B ≥ 80.0% · C ≥ 60.0%"]
    # six months, May to October: 900 of 1000 each month, then 3000.30 of 3000.30
    assert [sheet.cell(row=row, column=c).value for c in range(5, 11)] == [0.9] * 5 + [1]
    assert sheet.cell(row=row - 1, column=5).value == "May 2026"
    # From last month, 90 % → 100 %: ten percentage points (not "+10.0%", which reads as a rise of a tenth), a
    # number whose sign and unit show as the HTML shows them.
    change = sheet.cell(row=row, column=11)
    assert (change.value, change.number_format) == (10, '+#,##0.0" pp";-#,##0.0" pp";#,##0.0" pp"')
    assert "Change from last month: +10.0 pp" in card(published, "R1", "html").read_text()
    by_month = next(r for r in sheet.iter_rows() if r[0].value == "Grades by month")[0].row
    assert [c.value for c in sheet[by_month + 1][:7]] == ["Dimension", *(f"{m} 2026" for m in MONTHS)]
    grades = sheet[by_month + 2]  # the page's grade under each month's value, each in its grade's colour
    assert [c.value for c in grades[:7]] == ["Sales-target attainment", *["B"] * 5, "A"]
    assert [c.fill.fgColor.rgb for c in grades[1:7]] == ["00E3F2FD"] * 5 + ["00D3F9D8"]
    assert sheet.freeze_panes == "A3"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 == "9"
    assert sheet.column_dimensions["A"].width >= len("Sales-target attainment")
    (chart,) = sheet._charts
    assert chart.tagname == "lineChart" and len(chart.series) == 2  # attainment and conversion
    evidence = workbook["Evidence"]
    texts = [c.value for row in evidence.iter_rows() for c in row if c.value is not None]
    assert "Won deals closed this month" in texts and "O1" in texts and "O2" in texts
    assert evidence.freeze_panes == "A2"


def test_the_trend_chart_draws_straight_segments_with_a_marker_on_each_month(published: Path) -> None:
    # A smoothed curve overshoots: a month at 112 % would look like 117 %.
    (chart,) = load_workbook(card(published, "R1", "xlsx"))["Scorecard"]._charts
    assert [(s.smooth, s.marker.symbol) for s in chart.series] == [(False, "circle")] * 2


@pytest.mark.parametrize(("rep", "sheet_name", "feedback"), [("R1", "Scorecard", "Feedback"), ("R2", "考核卡", "反馈")])
def test_each_feedback_message_wraps_whole_in_its_cell(
    published: Path, rep: str, sheet_name: str, feedback: str
) -> None:
    """A message in column B ran under the topic in column C, cut off mid-word; now it wraps in a row tall enough
    for its lines (a CJK character is as wide as two columns)."""
    sheet = load_workbook(card(published, rep, "xlsx"))[sheet_name]
    first = next(row for row in sheet.iter_rows() if row[0].value == feedback)[0].row + 1
    messages = [row[1] for row in sheet.iter_rows(min_row=first) if row[0].value and row[1].value]
    assert messages  # the fixture's feedback (and, for R1, its manager's notes)
    width = sheet.column_dimensions["B"].width
    for message in messages:
        assert message.alignment.wrap_text and message.alignment.vertical == "top"
        needed = sum(2 if ord(ch) > 0x2E80 else 1 for ch in message.value)
        lines = (sheet.row_dimensions[message.row].height or 15) / 15  # 15 points a line of Calibri 11
        assert lines * (width - 2) >= needed, message.value


def test_text_that_looks_like_a_formula_is_stored_as_text(published: Path) -> None:
    sheet = load_workbook(card(published, "R1", "xlsx"))["Scorecard"]
    notes = {c.value: c for row in sheet.iter_rows() for c in row if c.value in HOSTILE_NOTES}
    assert set(notes) == set(HOSTILE_NOTES)
    assert {c.data_type for c in notes.values()} == {"s"}
    import zipfile

    with zipfile.ZipFile(card(published, "R1", "xlsx")) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_html_escapes_notes_and_is_self_contained(published: Path) -> None:
    html = card(published, "R1", "html").read_text()
    assert '<html lang="en">' in html
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no external resources
    assert "<svg" in html and "@page { size: A4" in html


def test_a_zh_cn_rep_gets_a_chinese_card_with_na_reasons(published: Path) -> None:
    html = card(published, "R2", "html").read_text()
    assert '<html lang="zh-CN">' in html
    assert "销售目标达成率" in html and "2026年10月" in html
    assert "仅有 2 份调查答卷，至少需要 3 份" in html  # satisfaction N/A: only 2 answers
    assert "目标为 0" in html  # attainment N/A: the target is 0
    assert "较上月变化：" in html and "较上月变化:" not in html  # a label and its value: the full-width colon
    assert "（培训主题：" in html and "(培训主题" not in html  # a remark in full-width brackets
    assert "<td>很好</td>" in html and "<td>—</td>" in html  # a comment left out reads absent, not 不适用 (N/A)
    assert "（A 4、B 3、C 2、D 1）的加权平均，权重为销售目标达成率 40.0%、线索转化率 20.0%、" in html
    # A trend's headings fit their narrow columns: the year once, each month whole.
    assert "<th>2026年5月</th><th>6月</th><th>7月</th><th>8月</th><th>9月</th><th>10月</th>" in html
    assert '<span class="muted"> (Training topic: ' in card(published, "R1", "html").read_text()
    sheet = load_workbook(card(published, "R2", "xlsx"))["考核卡"]
    assert cells_by_label(sheet)["赢单金额"].number_format == '"¥"#,##0.00'


def test_a_target_row_set_aside_is_the_na_reason_not_a_month_without_a_target(tmp_path: Path) -> None:
    # Found in a trial: duplicate targets rows were quarantined, and the reps' cards said "no target for this
    # month", as if none had been set; the fairness page said "no target".
    from builders import write_tables

    bad = {"R1": {"period": "Oct-26"}, "R3": {"target_amount": "-5"}}  # a month as Excel wrote it; a negative amount
    targets = [{**t, **bad.get(t["rep_id"], {})} for t in BASE_TABLES["targets"]]
    targets += [t for t in targets if t["rep_id"] == "R2"]  # R2's row twice: both are set aside (SPEC §2.8)
    targets += [{"rep_id": "R4", "period": f"2026-0{m}", "target_amount": "10.00"} for m in range(4, 10)]
    folder = write_tables(tmp_path / "input", {**BASE_TABLES, "targets": targets})
    config = tmp_path / "lenient.toml"
    config.write_text(default_config_path().read_text().replace("ceiling = 0.05", "ceiling = 0.5"))
    settings = load_settings(config)
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.tables is not None
    assert sorted(validated.quarantine["targets"]["rep_id"]) == ["R1", "R2", "R2", "R3"]
    reasons = {}
    for month in (P, Period(2026, 9)):
        report = period_report(validated.tables, month, settings)
        attainment = report.na_reasons.filter(pl.col("dimension") == "attainment")
        reasons[str(month)] = dict(attainment.select("rep_id", "reason").iter_rows())
    assert reasons["2026-10"] == dict.fromkeys(("R1", "R2", "R3"), "target_set_aside")
    # September (before R3 was hired): R1's row may have been any month's; R2's was October's.
    assert reasons["2026-09"] == {"R1": "target_set_aside", "R2": "no_target"}

    report = period_report(validated.tables, P, settings)
    cards = {c.rep_id: {d.label: d.na_reason for d in c.dimensions} for c in build_cards(report, P, settings)}
    assert (
        cards["R1"]["Sales-target attainment"]
        == "a target row was set aside by validation (see quarantine/targets.csv)"
    )
    assert cards["R2"]["销售目标达成率"] == "有目标行未通过校验，已被隔离（见 quarantine/targets.csv）"
    (page,) = [p for p in build_fairness_pages(report, P, settings) if p.locale == "en"]
    why = {row[0].text: row[2].text for row in page.not_compared.shown}
    assert why["Ann Lee"].startswith("target set aside (quarantine/targets.csv)")


def test_a_table_the_input_left_out_is_the_na_reason_not_the_month(tmp_path: Path) -> None:
    # Found by an analyst's trial: without a leads or surveys file, cards said "no lead was closed this month"
    # and "no survey answers this month", as if the rep had had none.
    from builders import write_tables

    folder = write_tables(tmp_path / "input", {**BASE_TABLES, "leads": None, "surveys": None, "targets": None})
    settings = load_settings()
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.tables is not None
    assert {"leads", "surveys", "targets"} <= validated.tables.absent and "reps" not in validated.tables.absent
    cards = build_cards(period_report(validated.tables, P, settings), P, settings)
    reasons = {c.rep_id: {d.label: d.na_reason for d in c.dimensions if d.na_reason} for c in cards}
    assert reasons["R1"] == {
        "Sales-target attainment": "the input has no targets",
        "Lead conversion": "the input has no leads",
        "Customer satisfaction": "the input has no survey answers",
    }
    assert set(reasons["R2"].values()) >= {"输入数据中没有目标表", "输入数据中没有线索表", "输入数据中没有满意度调查"}


def test_the_team_rollup_lists_its_reps_grades_and_links(published: Path) -> None:
    html = (published / "teams" / f"{safe_stem('East')}.html").read_text()
    assert f'href="../reps/{safe_stem("R1")}.html"' in html and "Bob Ray" not in html
    assert (
        "Grade distribution" in html
        and "Training topics" in html
        and "Biggest changes in composite score since last month" in html
    )
    sheet = load_workbook(published / "teams" / f"{safe_stem('East')}.xlsx").active
    cells = cells_by_label(sheet)
    assert cells["Won amount"].value == 3000.3
    # R2's target is 0, so its attainment is N/A, and its won amount is outside the team's attainment.
    assert "Sales-target attainment of the reps with a target above 0" in cells
    assert cells["Won by reps with no target or a target of 0"].value == 0  # R2 won nothing in October
    headings = next(row for row in sheet.iter_rows() if row[0].value == "Rep")
    assert [c.value for c in headings[:4]] == ["Rep", "Rank", "Overall grade", "Composite score"]
    assert cells["Ann Lee"].value == 1 and cells["王芳"].value == 2
    ann, *movers = (row for row in sheet.iter_rows() if row[0].value == "Ann Lee")  # the reps' table first
    change = ann[4]  # rank, grade, score, then the score's change since last month
    assert isinstance(change.value, float) and change.number_format == "+0.00;-0.00;0.00"
    assert f"{change.value:+.2f}" in html
    (mover,) = movers  # the movers table: the same change, the same format
    assert (mover[3].value, mover[3].number_format) == (change.value, "+0.00;-0.00;0.00")


def test_each_page_says_only_what_its_excel_file_holds(published: Path) -> None:
    # A card's Excel file completes its evidence tables; a rollup's holds no rows of its own to point to.
    card_page = card(published, "R1", "html").read_text()
    assert "each evidence table above is complete in the Excel card." in card_page
    # Every grade has its rows there; the open and lost deals behind two figures are on no card.
    assert "Evidence: the rows behind each grade" in card_page and "behind each number" not in card_page
    rollup = (published / "teams" / f"{safe_stem('East')}.html").read_text()
    assert "Computed from the CRM and survey data of the period.</p>" in rollup and "Excel card" not in rollup


def test_the_card_renders_in_a_browser_within_a4_width(published: Path, tmp_path: Path) -> None:
    image = on_paper(card(published, "R1", "html"), tmp_path / "card.png")
    assert ink(image) > 20_000  # not blank
    right_margin = (A4_WIDTH - 8, 0, A4_WIDTH, image.height)
    assert ink(image, right_margin) == 0  # nothing overflows the A4 width


def test_chinese_glyphs_render(published: Path, tmp_path: Path) -> None:
    page = card(published, "R2", "html")
    other = tmp_path / "other.html"
    other.write_text(page.read_text().replace("王芳", "李伟"))
    # Chromium 156 with a fresh profile paints a 120-pixel-high window before its fonts load: take 400.
    first = screenshot(page, tmp_path / "a.png", height=400)
    second = screenshot(other, tmp_path / "b.png", height=400)
    title = (0, 0, 300, 60)
    # Missing glyphs would draw the same boxes for both names; real glyphs differ.
    assert ink(first, title) > 50
    assert first.crop(title).tobytes() != second.crop(title).tobytes()


def test_the_team_rollup_fits_a4_in_a_browser(published: Path, tmp_path: Path) -> None:
    image = on_paper(published / "teams" / f"{safe_stem('East')}.html", tmp_path / "team.png")
    assert ink(image) > 10_000
    assert ink(image, (A4_WIDTH - 8, 0, A4_WIDTH, image.height)) == 0


def test_a_rep_name_in_the_rollup_breaks_only_between_words(published: Path, tmp_path: Path) -> None:
    # Found by a reader's review: the reps table squeezed its name column to ~25 px ("Sar/ah/Bak/er").
    page = tmp_path / "team.html"
    rollup = (published / "teams" / f"{safe_stem('East')}.html").read_text()
    page.write_text(rollup.replace("Ann Lee", "Kevin Edwards"))
    names = dict(lines_of(page, "table.reps td.name"))
    assert names["Kevin Edwards"] <= 2 and all(lines <= len(name.split()) for name, lines in names.items()), names


def test_the_rollups_reps_table_stays_within_the_pages_content_width(published: Path, tmp_path: Path) -> None:
    # Found on reading the change again: with "Overall grade" and "Composite score" as headings the reps table ran
    # 28 px past the content's right edge (into the printed page's margin), with the demo's six-figure amounts.
    page = tmp_path / "team.html"
    rollup = (published / "teams" / f"{safe_stem('East')}.html").read_text()
    page.write_text(re.sub(r"CN¥[\d,]+\.\d\d", "CN¥186,859.99", rollup.replace("Ann Lee", "Kevin Edwards")))
    table, content = evaluated(
        page,
        "[document.querySelector('table.reps').getBoundingClientRect().right, document.querySelector('h2')"
        ".getBoundingClientRect().right]",
    )
    assert table <= content + 0.5, (table, content)
    assert dict(lines_of(page, "table.reps td.name"))["Kevin Edwards"] <= 2


def test_a_long_rep_name_wraps_inside_the_rollups_a4_width(published: Path, tmp_path: Path) -> None:
    # The reps table has a dozen columns: a long name must wrap rather than push the table past the page.
    page = tmp_path / "team.html"
    long_name = "Anneliese-Marguerite Oyelaran-Vandersteen de la Fontaine-Okonkwo 欧阳娜娜"
    rollup = (published / "teams" / f"{safe_stem('East')}.html").read_text()
    assert "Ann Lee" in rollup
    page.write_text(rollup.replace("Ann Lee", long_name))
    image = on_paper(page, tmp_path / "team.png")
    assert ink(image, (A4_WIDTH - 8, 0, A4_WIDTH, image.height)) == 0


def test_on_a_phone_the_rollups_reps_table_scrolls_on_its_own_and_the_page_does_not(
    published: Path, tmp_path: Path
) -> None:
    # Found in a trial: on a phone the reps table's dozen columns pushed the whole page sideways, headings and all.
    page = tmp_path / "team.html"
    page.write_text((published / "teams" / f"{safe_stem('East')}.html").read_text())
    page_width, box, table = evaluated(
        page,
        "[document.documentElement.scrollWidth, document.querySelector('table.reps').parentElement.clientWidth,"
        " document.querySelector('table.reps').scrollWidth]",
        PHONE_WIDTH,
    )
    assert page_width <= PHONE_WIDTH, page_width
    assert table > box, (table, box)  # it is wider than the screen, and scrolls in its box
    headings = lines_of(page, "th", PHONE_WIDTH)
    assert all(lines <= len(text.split()) for text, lines in headings), headings  # words are never cut


def test_on_a_phone_each_trend_month_keeps_its_figure_apart_from_the_next(published: Path, tmp_path: Path) -> None:
    # Found in a trial: two grade boxes side by side on a phone left ~25 px a month: `125.3%104.7%` ran together.
    page = tmp_path / "card.html"
    wide = re.sub(r"<td>[\d.]+%</td>", "<td>125.3%</td>", card(published, "R1", "html").read_text())
    page.write_text(wide)
    assert wide.count("<td>125.3%</td>") >= 6  # a year of figures as wide as attainment's get
    gaps = evaluated(
        page,
        "[...document.querySelectorAll('table.trend tr')].flatMap(row => {"
        " const boxes = [...row.cells].map(c => { const r = document.createRange(); r.selectNodeContents(c);"
        " return r.getBoundingClientRect(); }).filter(b => b.width > 0);"
        " return boxes.slice(1).map((b, i) => b.left - boxes[i].right); })",
        PHONE_WIDTH,
    )
    assert gaps and min(gaps) > 0, gaps


def test_a_month_s_caveats_are_said_in_the_page_s_language() -> None:
    assert caveat_lines(MonthCaveats(None, no_activity=False), Wording("en", "CNY")) == []
    assert caveat_lines(MonthCaveats(None, no_activity=True), Wording("en", "CNY")) == [
        "Not final: the input has no deal, lead or survey answer dated in this month, so every figure shows no "
        "activity. These pages are sent to no one."
    ]
    assert caveat_lines(MonthCaveats(date(2026, 10, 30), no_activity=True), Wording("zh-CN", "CNY")) == [
        "非最终结果：本月在这些数字生成时（2026年10月30日）尚未结束。它们只反映本月截至当时的情况，"
        "在月末之后重新发布前不会发送给任何人。",
        "非最终结果：输入数据中没有日期在本月的商机、线索或调查回复，因此所有数字都显示为无活动。这些页面不会发送给任何人。",
    ]
    future = MonthCaveats(date(2026, 11, 1), no_activity=False, not_begun=True)
    assert caveat_lines(future, Wording("en", "CNY")) == [
        "Not final: this month had not begun when these figures were made, on Nov 1, 2026. These pages are sent to "
        "no one."
    ]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "#N/A"])
def test_set_text_keeps_live_looking_text_inert(text: str) -> None:
    from openpyxl import Workbook

    from scorecards.flows.cards.excel import set_text

    cell = Workbook().active["A1"]
    set_text(cell, text)
    assert (cell.value, cell.data_type) == (text, "s")


def test_set_text_replaces_what_a_worksheet_cannot_hold(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from scorecards.flows.cards.excel import set_text

    book = Workbook()
    set_text(book.active["A1"], "bell\x07 and \uffff")
    book.save(tmp_path / "a.xlsx")  # openpyxl's writer refuses U+FFFF
    assert load_workbook(tmp_path / "a.xlsx").active["A1"].value == "bell\ufffd and \ufffd"


# 66 leads put a section's title alone at a page's foot without `break-after: avoid` (Debian's chromium and fonts);
# 90 run a table on to two more pages.
@pytest.mark.parametrize("count", [66, 90])
def test_a_printed_card_keeps_headings_with_their_tables_and_repeats_a_tables_heading_row(
    tmp_path: Path, count: int
) -> None:
    # Found by a zh-CN manager's print-out: a section's title ended one page and its table began the next, and a
    # table that ran on to a new page had no heading row there.
    from builders import write_tables

    leads = [
        {
            "lead_id": f"L{i:03d}",
            "rep_id": "R1",
            "created_date": "2026-10-01",
            "status": "converted",
            "closed_date": "2026-10-02",
            "first_contact_date": "2026-10-01",
        }
        for i in range(count)
    ]
    write_tables(tmp_path / "input", {**BASE_TABLES, "leads": leads})
    settings = load_settings()
    report = period_report(validate_tables(read_inputs(tmp_path / "input"), settings).tables, P, settings)
    write_cards([c for c in build_cards(report, P, settings) if c.rep_id == "R1"], PeriodFolder(tmp_path), "CNY")
    pages = printed_pages(card(tmp_path, "R1", "html"), tmp_path / "card.pdf")
    assert len(pages) >= 3
    titles = {"Leads closed this month", "Leads created this month (first contact)"}
    assert not [page[-1] for page in pages if page[-1] in titles]  # no page ends with a section's title
    for page in pages:
        rows = [line for line in page if re.match(r"L\d{3} ", line)]
        if rows:  # each page with a lead's row has a heading row above its first one
            above = page[: page.index(rows[0])]
            assert above and re.match(r"Lead\s+(Status|Created)", above[-1]), page[:5]
    closed = [line for page in pages for line in page if re.match(r"L\d{3} +Converted", line)]
    assert len(closed) == count  # every row printed, none cut in two


def _base_report(tmp_path: Path) -> tuple[Settings, PeriodReport]:
    """The config and the period report of the base tables, read from CSV files under tmp_path/input."""
    from builders import write_tables

    write_tables(tmp_path / "input", BASE_TABLES)
    settings = load_settings()
    return settings, period_report(validate_tables(read_inputs(tmp_path / "input"), settings).tables, P, settings)


def _file_hashes(folder: Path) -> dict[str, str]:
    """Every file under a folder (relative path → sha256)."""
    import hashlib

    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_rendering_in_worker_processes_writes_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from scorecards.flows.cards import render

    settings, report = _base_report(tmp_path)
    serial = render.render_period(report, P, settings, PeriodFolder(tmp_path / "serial"), workers=1)
    assert len(serial.cards) == 3
    monkeypatch.setattr(render, "PARALLEL_FROM", 2)
    monkeypatch.setattr(render, "CHUNK", 2)  # two chunks, shared by two worker processes
    steps: list[int] = []
    parallel = render.render_period(report, P, settings, PeriodFolder(tmp_path / "parallel"), 2, on_cards=steps.append)
    assert parallel == serial  # the same view hashes, computed in the worker processes
    assert steps == [2, 1]
    assert _file_hashes(tmp_path / "parallel") == _file_hashes(tmp_path / "serial")
    # cards, rollups, the fairness page in English and in Chinese (R2's card is in Chinese)
    assert len(_file_hashes(tmp_path / "serial")) == 3 * 2 + 2 * 2 + 2 * 2


@pytest.mark.parametrize(("rows_per_card", "threads"), [(1, True), (10**9, False)])
def test_long_cards_are_rendered_in_threads_to_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows_per_card: int, threads: bool
) -> None:
    import threading

    from scorecards.flows.cards import render
    from scorecards.flows.shared import display, i18n

    settings, report = _base_report(tmp_path)
    serial = render.render_period(report, P, settings, PeriodFolder(tmp_path / "serial"), workers=1)
    # The threads start from empty caches (catalogues, jinja environments, Babel locales, formatted values), as a
    # fresh process does, so that two threads may build the same entry at once.
    for cached in (
        render.template_environment,
        i18n.translations,
        display._babel,
        display._formatted,
        display._money_shape,
    ):
        cached.cache_clear()
    monkeypatch.setattr(render, "THREADS_FROM_ROWS", rows_per_card)
    written_by: list[str] = []
    render_cards = render._render_cards

    def noting_the_thread(*args: object) -> tuple[dict[str, str], int]:
        written_by.append(threading.current_thread().name)
        return render_cards(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "_render_cards", noting_the_thread)
    steps: list[int] = []
    again = render.render_period(report, P, settings, PeriodFolder(tmp_path / "again"), 2, on_cards=steps.append)
    assert again == serial
    assert _file_hashes(tmp_path / "again") == _file_hashes(tmp_path / "serial")
    assert sum(steps) == 3
    if threads:  # one chunk per card (3 reps, 2 threads): the cards are written off the main thread
        assert steps == [1, 1, 1]
        assert written_by and all(name.startswith("cards") for name in written_by)
    else:
        assert written_by == ["MainThread"]


def test_a_card_that_fails_in_a_thread_fails_the_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from scorecards.flows.cards import render

    settings, report = _base_report(tmp_path)
    monkeypatch.setattr(render, "THREADS_FROM_ROWS", 1)
    write_workbook = render.write_card_workbook

    failed_in: list[str] = []

    def failing_for_r2(card: Card, path: Path, currency: str) -> None:
        if card.rep_id == "R2":
            failed_in.append(threading.current_thread().name)
            raise OSError(28, "No space left on device", str(path))
        write_workbook(card, path, currency)

    monkeypatch.setattr(render, "write_card_workbook", failing_for_r2)
    with pytest.raises(OSError, match="No space left on device"):
        render.render_period(report, P, settings, PeriodFolder(tmp_path / "out"), 2)
    assert len(failed_in) == 1 and failed_in[0].startswith("cards")


def test_libreoffice_opens_the_workbooks(published: Path, tmp_path: Path) -> None:
    """A workbook Excel would want to repair is one LibreOffice cannot convert: both must convert cleanly."""
    import os
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if not soffice:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice is not installed (.ci/run installs libreoffice-calc-nogui)")
        pytest.skip("LibreOffice is not installed")
    books = [card(published, "R2", "xlsx"), published / "teams" / f"{safe_stem('East')}.xlsx"]
    completed = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, books),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    for book in books:
        pdf = tmp_path / f"{book.stem}.pdf"
        assert pdf.is_file() and pdf.stat().st_size > 5_000, completed.stdout


def test_a_month_without_a_value_leaves_a_gap_in_the_trend_line() -> None:
    # Found by a reader's review: Aug 100 and Oct 100 were joined straight across an N/A September.
    values = [Decimal(1), None, Decimal(2), Decimal(3), None, Decimal(4)]
    line = _sparkline(values, Decimal(2), [True] + [False] * 5, width=130)
    # One dot over the middle of each month with a value; the first column, whose heading has the year, is wider.
    assert line.columns == [23.077, 15.385, 15.385, 15.385, 15.385, 15.385]
    assert [dot[0] for dot in line.dots] == [15.0, 60.0, 80.0, 120.0]
    assert len(line.lines) == 1 and line.lines[0].split() == [f"{x},{y}" for x, y in line.dots[1:3]]
    # A January mid-row carries its year too (Nov 2025, Dec, Jan 2026, …).
    assert _sparkline(values, Decimal(2), [True, False, True, False, False, False], width=140).columns[:3] == [
        21.429,
        14.286,
        21.429,
    ]
