"""Every encoding and file format a profile can name reads back to the same canonical rows (SPEC §2.7)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from builders import OPPORTUNITIES_HEADER
from fixtures.profiles.exports import write_text_export, write_xlsx_export
from polars.testing import assert_frame_equal

from scorecards.config.profiles import load_profile
from scorecards.flows.sources.ingest import read_inputs
from scorecards.schemas.results import RawTable

HEADER = ["ID", "Owner", "Account", "Account Name", "Stage", "Amount", "Created", "Closed"]
#: (id, owner, account, account name, stage label, amount, created, closed) of the logical export.
ROWS = [
    ("O1", "R1", "A1", "上海某某科技", "赢单", "1234.56", date(2026, 9, 1), date(2026, 10, 5)),
    ("O2", "R2", "A2", "Smith, Jones & Co", "Closed Lost", "1000000", date(2026, 9, 15), date(2026, 10, 20)),
    ("O3", "R1", "A3", 'The "Best" Ltd', "open", "0.5", date(2026, 10, 2), None),
]
EXPECTED = pl.DataFrame(
    {
        "opportunity_id": ["O1", "O2", "O3"],
        "rep_id": ["R1", "R2", "R1"],
        "account_id": ["A1", "A2", "A3"],
        "account_name": ["上海某某科技", "Smith, Jones & Co", 'The "Best" Ltd'],
        "stage": ["won", "lost", "open"],
        "amount": ["1234.56", "1000000", "0.5"],
        "created_date": ["2026-09-01", "2026-09-15", "2026-10-02"],
        "close_date": ["2026-10-05", "2026-10-20", None],
    },
    schema={c: pl.String for c in OPPORTUNITIES_HEADER},
)
MAPPING = """
[tables.opportunities]
files = ["export*"]
[tables.opportunities.columns]
opportunity_id = "ID"
rep_id = "Owner"
account_id = "Account"
account_name = "Account Name"
amount = "Amount"
created_date = "Created"
close_date = "Closed"
[tables.opportunities.columns.stage]
from = "Stage"
values = { won = ["Closed Won", "赢单"], lost = ["Closed Lost"], open = ["Open"] }
"""

DATES = {
    "iso": lambda d: d.isoformat(),
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "us": lambda d: f"{d.month:02}/{d.day:02}/{d.year}",
    "chinese": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "excel": lambda d: str((d - date(1899, 12, 30)).days),
}
DATE_FORMATS = {"iso": "%Y-%m-%d", "slash": "%Y/%m/%d", "us": "%m/%d/%Y", "chinese": "%Y年%m月%d日", "excel": "excel"}


def _amount(text: str, decimal: str, thousands: str, currency: str) -> str:
    whole, _, fraction = text.partition(".")
    groups = f"{int(whole):,}".replace(",", thousands)
    return f"{currency}{groups}{decimal + fraction if fraction else ''}"


def _text_rows(dates: str, decimal: str = ".", thousands: str = "", currency: str = "") -> list[list[str]]:
    render = DATES[dates]
    return [HEADER] + [
        [i, o, a, n, s, _amount(m, decimal, thousands, currency), render(c), render(d) if d else ""]
        for i, o, a, n, s, m, c, d in ROWS
    ]


# (variant, file name, how it is written, the profile's format keys)
TEXT_VARIANTS = [
    ("utf-8", "export.csv", {"rows": _text_rows("iso")}, {}),
    (
        "utf-8 with BOM, all quoted",
        "export.csv",
        {"rows": _text_rows("iso"), "bom": b"\xef\xbb\xbf", "quote_all": True},
        {},
    ),
    (
        "gbk",
        "export.csv",
        {"rows": _text_rows("slash", currency="￥", thousands=","), "encoding": "gbk"},
        {"encoding": "gbk", "thousands": ",", "currency": ["￥"], "date_formats": ["%Y/%m/%d"]},
    ),
    (
        "gb18030 read as gbk's superset",
        "export.csv",
        {"rows": _text_rows("chinese"), "encoding": "gbk"},
        {"encoding": "gb18030", "date_formats": ["%Y年%m月%d日"]},
    ),
    (
        "gb18030",
        "export.csv",
        {"rows": _text_rows("iso", currency="¥"), "encoding": "gb18030"},
        {"encoding": "gb18030", "currency": ["¥"]},
    ),
    (
        "utf-16 LE with BOM, tab (Excel 'Unicode text')",
        "export.txt",
        {"rows": _text_rows("us"), "encoding": "utf-16-le", "bom": b"\xff\xfe", "delimiter": "\t"},
        {"encoding": "utf-16", "delimiter": "\t", "date_formats": ["%m/%d/%Y"]},
    ),
    (
        "utf-16 BE with BOM",
        "export.csv",
        {"rows": _text_rows("iso"), "encoding": "utf-16-be", "bom": b"\xfe\xff"},
        {"encoding": "utf-16"},
    ),
    (
        "semicolon, comma decimal, dot thousands",
        "export.csv",
        {"rows": _text_rows("excel", decimal=",", thousands="."), "delimiter": ";"},
        {"delimiter": ";", "decimal": ",", "thousands": ".", "date_formats": ["excel"]},
    ),
    (
        "tab, RMB, Excel serial dates",
        "export.tsv",
        {"rows": _text_rows("excel", thousands=",", currency="RMB "), "delimiter": "\t"},
        {"delimiter": "\t", "thousands": ",", "currency": ["RMB"], "date_formats": ["excel"]},
    ),
    (
        "dollars, US dates, LF",
        "export.csv",
        {"rows": _text_rows("us", thousands=",", currency="$"), "newline": "\n"},
        {"thousands": ",", "currency": ["$"], "date_formats": ["%m/%d/%Y"]},
    ),
]


def _profile(tmp_path: Path, keys: dict[str, object]) -> str:
    lines = [f"{key} = {_toml(value)}" for key, value in keys.items()]
    path = tmp_path / "variant.toml"
    path.write_text("\n".join(lines) + MAPPING, encoding="utf-8")
    return str(path)


def _toml(value: object) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace("\t", "\\t") + '"'


def _read(folder: Path, profile: str) -> pl.DataFrame:
    table = read_inputs(folder, load_profile(profile))["opportunities"]
    assert isinstance(table, RawTable), table
    return table.frame


@pytest.mark.parametrize(("variant", "name", "written", "keys"), TEXT_VARIANTS, ids=[v[0] for v in TEXT_VARIANTS])
def test_each_text_variant_reads_to_the_same_canonical_rows(
    tmp_path: Path, variant: str, name: str, written: dict[str, object], keys: dict[str, object]
) -> None:
    rows = written.pop("rows")
    write_text_export(tmp_path / "in" / name, rows, **written)  # type: ignore[arg-type]
    assert_frame_equal(_read(tmp_path / "in", _profile(tmp_path, keys)), EXPECTED)


def _cells(numbers: bool) -> list[list[object]]:
    return [HEADER] + [
        [
            i,
            o,
            a,
            n,
            s,
            float(m) if numbers and "." in m else (int(m) if numbers else m),
            datetime.combine(c, datetime.min.time()),
            d,
        ]
        for i, o, a, n, s, m, c, d in ROWS
    ]


@pytest.mark.parametrize("decimal", [".", ","])
def test_an_xlsx_report_with_title_rows_on_a_named_sheet_reads_alike(tmp_path: Path, decimal: str) -> None:
    """Number and date cells are numbers and dates whatever the profile's decimal mark; the header is at row 3."""
    title = [["Opportunities by owner"], ["As of 2026-10-31"]]
    write_xlsx_export(tmp_path / "in" / "export.xlsx", _cells(numbers=True), sheet="Report", above=title)
    keys = {"sheet": "Report", "header_row": 3, "decimal": decimal, "thousands": "." if decimal == "," else ","}
    assert_frame_equal(_read(tmp_path / "in", _profile(tmp_path, keys)), EXPECTED)


def test_excel_serial_numbers_in_number_cells_read_as_dates(tmp_path: Path) -> None:
    serial = [
        [*row[:6], (row[6] - date(1899, 12, 30)).days, (row[7] - date(1899, 12, 30)).days if row[7] else None]
        for row in ROWS
    ]
    write_xlsx_export(tmp_path / "in" / "export.xlsx", [HEADER, *[list(r) for r in serial]])
    assert_frame_equal(_read(tmp_path / "in", _profile(tmp_path, {"date_formats": ["excel"]})), EXPECTED)


def test_a_parquet_file_reads_alike(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    frame = pl.DataFrame([list(r) for r in ROWS], schema=HEADER, orient="row")
    frame.write_parquet(tmp_path / "in" / "export.parquet")  # dates as dates, amounts as text
    assert_frame_equal(_read(tmp_path / "in", _profile(tmp_path, {})), EXPECTED)


def test_the_hash_is_of_the_bytes_read_and_the_source_is_the_real_file(tmp_path: Path) -> None:
    import hashlib

    path = write_text_export(tmp_path / "in" / "Export 2026-10.CSV", _text_rows("iso"), encoding="gbk")
    table = read_inputs(tmp_path / "in", load_profile(_profile(tmp_path, {"encoding": "gbk"})))["opportunities"]
    assert isinstance(table, RawTable)
    assert (table.source, table.sha256) == ("Export 2026-10.CSV", hashlib.sha256(path.read_bytes()).hexdigest())


def test_a_joined_files_footer_is_no_row_to_look_up(tmp_path: Path) -> None:
    # The owners report a profile joins may end with the same footer as the main one (review of ends_at_blank_row).
    mapping = MAPPING.replace('rep_id = "Owner"', 'rep_id = "owners.Rep"').replace(
        "[tables.opportunities.columns.stage]",
        '[tables.opportunities.joins.owners]\nfiles = ["owners*"]\ncolumn = "Owner"\nkey = "Name"\n'
        "[tables.opportunities.columns.stage]",
    )
    (tmp_path / "variant.toml").write_text("ends_at_blank_row = true\n" + mapping, encoding="utf-8")
    rows = [[str(v) if v is not None else "" for v in row] for row in _text_rows("iso")]
    write_text_export(tmp_path / "export.csv", rows)
    footer = [[""], ["Grand Totals (2 records)"], [""], ["Generated By:  Admin User"]]
    write_text_export(tmp_path / "owners.csv", [["Name", "Rep"], ["R1", "R1"], ["R2", "R2"], *footer], quote_all=True)
    frame = _read(tmp_path, str(tmp_path / "variant.toml"))
    assert frame["rep_id"].to_list() == ["R1", "R2", "R1"]
    from scorecards.flows.sources.ingest import _lookup

    fmt = load_profile(str(tmp_path / "variant.toml")).file_format("opportunities", "owners")
    lookup = _lookup(tmp_path / "export.csv", "owners", fmt, ["owners*"], "", {})
    assert lookup.frame["Name"].to_list() == ["R1", "R2"]  # the footer's two lines are not among the keys
