"""Issue 18: evidence rows past the HTML's cap stay columns (a polars frame) from the view to the Evidence sheet,
whose XML polars writes: the same bytes as the rows written cell by cell, and inert text read back as text."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import polars as pl
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from polars.testing import assert_frame_equal, assert_series_equal

from scorecards.flows.cards.excel import ColumnRows, bulk_sheet_data, number_texts, save_deterministic
from scorecards.flows.cards.page_parts import Wording

#: The hostile texts of tests/hostile (formulas, a script, control characters, right-to-left override, wide
#: letters) and what else a cell's XML must get right: outer blanks, line breaks, words in other scripts.
TEXTS = [
    '=HYPERLINK("http://evil","x")',
    "@SUM(1+1)",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=tab first",
    "\r\ncarriage return first",
    "<script>alert(1)</script> & <b>&amp;</b>",
    "Red\x1b[31m bell\x07 tab\x0b end",
    "non-characters \ufffe\uffff",
    "rtl\u202etxt.exe",
    "\U00020000\U00020000 wide",
    "مرحبا بالعالم",
    "  padded  ",
    "\u3000ideographic space",
    "trailing nbsp\u00a0",
    "#N/A",
    "",
    "plain",
]
#: Style ids of the number formats (as openpyxl would number them) and of the quote-prefixed text style.
AMOUNT, EURO, DAY, QUOTED = 3, 4, 5, 6


def _columns(amount: int = AMOUNT, euro: int = EURO, day: int = DAY) -> ColumnRows:
    n = len(TEXTS)
    amounts = [None if i % 5 == 0 else Decimal(f"{i * 1000 - 7}.{i:02}") for i in range(n)]
    days = [None if i % 7 == 3 else date(2026, 10, 1 + i) for i in range(n)]
    frame = pl.DataFrame(
        {
            "text": pl.Series(TEXTS, dtype=pl.String),
            "amount": pl.Series(amounts, dtype=pl.Decimal(38, 2)),
            "day": pl.Series(days, dtype=pl.Date),
            "count": pl.Series(range(n), dtype=pl.Int64),
        }
    )
    per_row = pl.Series([euro if i % 3 == 0 else amount for i in range(n)], dtype=pl.UInt32)
    return ColumnRows(frame, [None, per_row, day, amount], "=N/A")


def _cell_by_cell(rows: ColumnRows) -> list[list[tuple[object, object]]]:
    """The same rows as `bulk_sheet_data` takes them one cell at a time (style keys are the ids themselves)."""
    ids = rows.number_styles[1]
    assert isinstance(ids, pl.Series)
    return [
        [
            (text, None),
            (amount, ids[i]) if amount is not None else (rows.null_text, None),
            (day, DAY) if day is not None else (rows.null_text, None),
            (count, AMOUNT),
        ]
        for i, (text, amount, day, count) in enumerate(rows.frame.iter_rows())
    ]


def test_column_rows_are_the_bytes_of_the_same_rows_written_cell_by_cell() -> None:
    rows = _columns()
    ids = {key: key for key in (AMOUNT, EURO, DAY)}
    heading = [("Heading", None)]
    assert bulk_sheet_data([heading, rows, [], heading], ids, QUOTED) == bulk_sheet_data(
        [heading, *_cell_by_cell(rows), [], heading], ids, QUOTED
    )


def test_column_rows_read_back_as_inert_text_numbers_and_dates(tmp_path: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Rows")

    def style(number_format: str | None = None) -> int:
        cell = WriteOnlyCell(sheet)
        if number_format is None:
            cell.quotePrefix = True
        else:
            cell.number_format = number_format
        return cell.style_id

    rows = _columns(style('"¥"#,##0.00'), style('"€"#,##0.00'), style("yyyy-mm-dd"))
    data = bulk_sheet_data([rows], {}, style())
    save_deterministic(workbook, tmp_path / "a.xlsx", {"xl/worksheets/sheet1.xml": data})
    read = load_workbook(tmp_path / "a.xlsx")["Rows"]
    cells = list(read.iter_rows())
    assert len(cells) == len(TEXTS)
    for i, (row, text) in enumerate(zip(cells, TEXTS, strict=True)):
        written = text.translate({c: "\ufffd" for c in (0x07, 0x0B, 0x1B, 0xFFFE, 0xFFFF)})
        assert row[0].value == (written or None)
        assert row[0].data_type == "s" or not text
        assert (row[0].quotePrefix is True) == written.startswith(("=", "@", "+", "-", "\t", "\r")), text
        assert row[1].value == (float(rows.frame["amount"][i]) if i % 5 else "=N/A")
        assert row[3].value == i
    assert [c.value for c in cells[0][1:3]] == ["=N/A", datetime(2026, 10, 1)]  # a date, formatted as one
    assert [c.number_format for c in cells[1][1:3]] == ['"¥"#,##0.00', "yyyy-mm-dd"]
    assert cells[3][1].number_format == '"€"#,##0.00'  # every third amount is in euros
    assert cells[0][1].quotePrefix and cells[0][1].data_type == "s"  # N/A text that looks live stays text


def test_number_texts_are_python_s_text_of_each_number() -> None:
    tiny = [Decimal("7.8125"), Decimal("0"), Decimal("0.0000001234"), Decimal("0.000001"), Decimal("-0.0000005"), None]
    rates = pl.Series("rate", tiny, dtype=pl.Decimal(38, 10))
    expected = ["7.8125000000", "0E-10", "1.234E-7", "0.0000010000", "-5.000E-7", None]
    assert_series_equal(number_texts(rates), pl.Series("rate", expected, dtype=pl.String))
    assert [str(v) if v is not None else None for v in rates.to_list()] == expected
    scores = pl.Series("score", [Decimal("3"), Decimal("0"), Decimal("-12.5")], dtype=pl.Decimal(38, 6))
    assert number_texts(scores).to_list() == ["3.000000", "0.000000", "-12.500000"]
    assert number_texts(pl.Series("days", [12, -3, None])).to_list() == ["12", "-3", None]


def test_stored_rows_are_finished_text_and_raw_numbers() -> None:
    frame = pl.DataFrame(
        {
            "lead_id": ["L1", "L2", "L3"],
            "status": ["converted", "disqualified", None],
            "contacted_within_1d": [True, False, None],
            "amount": pl.Series([Decimal("10.50"), None, Decimal("3.00")], dtype=pl.Decimal(38, 2)),
            "currency": ["CNY", "EUR", None],
        }
    )
    columns = (
        ("lead_id", "Lead", None),
        ("status", "Status", None),
        ("contacted_within_1d", "Within 1 day", None),
        ("amount", "Amount", "money"),
    )
    for locale, words in (
        ("en", ["Converted", "Disqualified", "Yes", "No"]),  # words, not the data's codes
        ("zh-CN", ["已转化", "已排除", "是", "否"]),
    ):
        t = Wording(locale, "CNY")
        stored = t.stored(frame, columns)
        expected = pl.DataFrame(
            {
                "lead_id": ["L1", "L2", "L3"],
                "status": [words[0], words[1], "—"],  # left empty by the data: absent, as the HTML shows it
                "contacted_within_1d": [words[2], words[3], "—"],
                "amount": pl.Series([Decimal("10.50"), None, Decimal("3.00")], dtype=pl.Decimal(38, 2)),
            }
        )
        assert_frame_equal(stored.frame, expected)
        assert stored.kinds == [None, None, None, "money"] and stored.money_in == 3
        assert stored.currencies is not None and stored.currencies.to_list() == [None, "EUR", None]
        # Each text as a card's HTML shows it.
        assert stored.frame.row(2)[:3] == (t.cell("L3", None).text, "—", "—") and stored.empty == "—"
        assert stored.frame.row(0)[1:3] == (
            t.cell("converted", None, column="status").text,
            t.cell(True, None, column="contacted_within_1d").text,
        )


def test_a_number_whose_text_is_chinese_gets_the_width_its_wide_characters_need() -> None:
    from scorecards.flows.cards.page_parts import Cell
    from scorecards.flows.cards.sheet_writer import _number_width

    # `+10.0 个百分点` is 6 narrow characters and 4 wide ones: a column of 10 would show Excel's `####`.
    assert _number_width(Cell(Decimal("10.0"), "points", "+10.0 个百分点", signed=True)) == 14
    assert _number_width(Cell(Decimal("10.0"), "points", "+10.0 pp", signed=True)) == 8
