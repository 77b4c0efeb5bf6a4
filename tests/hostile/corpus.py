"""A corpus of hostile and broken input files, generated on demand (no binary fixture is committed).

Each case starts from a valid input folder (BASE_TABLES, with opportunities padded so that one
quarantined row stays under the 5 % ceiling) and puts one corrupted file in place of one table's
CSV. The case says what the readers and the validate stage must make of it: how many data rows
the file holds, which rows are quarantined with which reason and which values are used, or the
one line that refuses the file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from builders import BASE_TABLES, OPPORTUNITIES_HEADER, REPS_HEADER, write_csv
from openpyxl import Workbook

#: Open opportunities of R1 that pad the table: one or two bad rows among them stay under the ceiling.
PADDING = [
    dict(zip(OPPORTUNITIES_HEADER, [f"P{i:02}", "R1", "A9", "Pad", "open", "10.00", "2026-09-01", ""], strict=True))
    for i in range(1, 41)
]
TABLES: dict[str, list[dict[str, str]]] = {**BASE_TABLES, "opportunities": BASE_TABLES["opportunities"] + PADDING}
OPPORTUNITIES = [list(row.values()) for row in TABLES["opportunities"]]
#: Data rows of the valid opportunities file; the header is row 1, so O1 is row 2 and O3 row 4.
ROWS = len(OPPORTUNITIES)
SHEET_ROWS = [OPPORTUNITIES_HEADER, *OPPORTUNITIES]


@dataclass(frozen=True)
class Case:
    """One hostile file and what the readers and the validate stage must make of it."""

    name: str
    #: The file written in place of its table's canonical CSV; its stem names the table.
    file: str
    content: Callable[[], bytes]
    #: Data rows in the file, as a spreadsheet shows them; None when the file must be refused.
    rows: int | None
    #: The report's line for the file after "<file>: " (why it is refused, or the ceiling); None when it may run.
    #: Ending in "…", the line starts with it (the rest is a position in a third party's XML).
    problem: str | None = None
    #: Row number in the file (header = 1) → the reason that row is quarantined with.
    quarantined: Mapping[int, str] = field(default_factory=dict)
    #: (row id, column) → the used value, as text.
    used: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @property
    def table(self) -> str:
        """The canonical table the file stands for."""
        return self.file.split(".")[0]


def write_case(case: Case, folder: Path) -> Path:
    """Write the valid input folder with the case's file in place of its table's CSV."""
    for table, rows in TABLES.items():
        if table != case.table or case.file == f"{table}.csv":
            write_csv(folder / f"{table}.csv", rows)
    (folder / case.file).write_bytes(case.content())
    return folder


# --- text files


def lines(*rows: list[str] | str, header: list[str] | str | None = OPPORTUNITIES_HEADER, eol: str = "\n") -> bytes:
    """A CSV file's bytes as written by hand: each row (cells, or a whole line) joined with commas, nothing quoted."""
    written = [header, *rows] if header is not None else rows
    return "".join((row if isinstance(row, str) else ",".join(row)) + eol for row in written).encode()


def with_cell(row_id: str, column: str, value: str, rows: list[list[str]] = OPPORTUNITIES) -> list[list[str]]:
    """The rows with one cell replaced (the row found by its id in the first column)."""
    at = OPPORTUNITIES_HEADER.index(column)
    return [[*row[:at], value, *row[at + 1 :]] if row[0] == row_id else row for row in rows]


def _concatenated() -> bytes:
    """Two exports joined with `cat`: the second one's byte-order mark and header land mid-file."""
    first, second = OPPORTUNITIES[:3], OPPORTUNITIES[3:]
    return b"\xef\xbb\xbf" + lines(*first) + b"\xef\xbb\xbf" + lines(*second)


def _mixed_line_ends() -> bytes:
    text = lines(*OPPORTUNITIES).decode().split("\n")
    return "".join(line + ("\r\n" if i % 2 else "\n") for i, line in enumerate(text[:-1])).encode()


def _blank_lines() -> bytes:
    bad = with_cell("O2", "stage", "pending")
    return lines(bad[0], "", bad[1], ",,,,,,,", *bad[2:], "", eol="\r\n") + b"\r\n"


def _encoded_row(encoding: str) -> bytes:
    """UTF-8 rows with one row (row 4) in another encoding, as when two tools append to one file."""
    utf8 = with_cell("O1", "account_name", "上海贸易")
    name = "上海贸易" if encoding == "gb18030" else "Zoë Café"
    row = lines(with_cell("O3", "account_name", name)[2], header=None).decode().encode(encoding)
    return lines(*utf8[:2]) + row + lines(*utf8[3:], header=None)


def _columns(extra: int, repeat: str | None = None) -> bytes:
    """The file with `extra` more columns (named long enough to take the header past 64 KiB)."""
    names = [f"custom_field_{i:05}" for i in range(extra)] + ([repeat] if repeat else [])
    cells = ["v"] * extra + (["R9"] if repeat else [])
    return lines(*[row + cells for row in OPPORTUNITIES], header=OPPORTUNITIES_HEADER + names)


def _long_line() -> bytes:
    """A 5 MB line: one row's note is five million characters."""
    rows = [[*row, "z" * 5_000_000 if row[0] == "O2" else "short"] for row in OPPORTUNITIES]
    return lines(*rows, header=[*OPPORTUNITIES_HEADER, "note"])


def _reserved_columns() -> bytes:
    """The file's own `reason` and `source_row` columns, beside the ones a quarantine row gets."""
    rows = [[*row, f"why {row[0]}", "77"] for row in with_cell("O4", "stage", "pending")]
    return lines(*rows, header=[*OPPORTUNITIES_HEADER, "reason", "source_row"])


def _header(header: str) -> Callable[[], bytes]:
    return lambda: lines(*OPPORTUNITIES, header=header)


CANONICAL_HEADER = ",".join(OPPORTUNITIES_HEADER)
QUOTE_HINT = '; put a value with a quote in quotes and double the quote ("12"" screen")'

TEXT_CASES = [
    Case(
        "unbalanced quote",
        "opportunities.csv",
        lambda: lines(*with_cell("O2", "account_name", '"Beta')),
        None,
        "a quote is not closed, or stands inside a value that is not quoted at line 3: "
        f"'\"Beta,won,2000.20,2026-09-01,2026-10-31'{QUOTE_HINT}",
    ),
    Case(
        "a quote inside an unquoted value",
        "opportunities.csv",
        lambda: lines(*with_cell("O2", "account_name", '12" screens')),
        None,
        "a quote is not closed, or stands inside a value that is not quoted at line 3: "
        f"'O2,R1,A2,12\" screens,won,2000.20,2026-09-01,2026-10-31'{QUOTE_HINT}",
    ),
    Case(
        "quotes in pairs inside an unquoted value are text",
        "opportunities.csv",
        lambda: lines(*with_cell("O2", "account_name", 'Acme "West"')),
        ROWS,
        used={("O2", "account_name"): 'Acme "West"'},
    ),
    Case(
        "an escape sequence in a broken line is shown escaped",
        "opportunities.csv",
        lambda: lines(*with_cell("O2", "account_name", '"\x1b[2J\x1b[31mBeta')),
        None,
        "a quote is not closed, or stands inside a value that is not quoted at line 3: "
        f"'\"\\x1b[2J\\x1b[31mBeta,won,2000.20,2026-09-01,2026-10-31'{QUOTE_HINT}",
    ),
    Case(
        "line breaks inside quoted values",
        "opportunities.csv",
        # A record is one row however many lines it spans: the bad stage after it is row 4.
        lambda: lines(*with_cell("O3", "stage", "pending", with_cell("O2", "account_name", '"Beta\r\nWest\nSide"'))),
        ROWS,
        quarantined={4: "stage: not one of open, won, lost"},
        used={("O2", "account_name"): "Beta\r\nWest\nSide"},
    ),
    Case(
        "a NUL byte",
        "opportunities.csv",
        lambda: lines(*with_cell("O2", "account_name", "Be\x00ta")),
        None,
        "not UTF-8 text: character 142 (line 3) is a NUL byte (a binary file under a text file's name?)",
    ),
    Case(
        "a 1 MB field",
        "opportunities.csv",
        lambda: lines(*with_cell("O2", "account_name", "B" * 1_000_000)),
        ROWS,
    ),
    Case("a 5 MB line", "opportunities.csv", _long_line, ROWS),
    Case("10,000 columns", "opportunities.csv", lambda: _columns(10_000), ROWS),
    Case(
        "10,000 columns, one name repeated past the first 64 KiB",
        "opportunities.csv",
        lambda: _columns(10_000, repeat="rep_id"),
        None,
        "header names a column twice: 'rep_id'",
    ),
    Case(
        "UTF-8 rows and a GB18030 row",
        "opportunities.csv",
        lambda: _encoded_row("gb18030"),
        None,
        "not UTF-8 text (byte 196, line 4): the text before it is UTF-8, so the file mixes encodings; "
        "save it again in one (UTF-8)",
    ),
    Case(
        "UTF-8 rows and a Latin-1 row",
        "opportunities.csv",
        lambda: _encoded_row("latin-1"),
        None,
        "not UTF-8 text (byte 198, line 4): the text before it is UTF-8, so the file mixes encodings; "
        "save it again in one (UTF-8)",
    ),
    Case(
        "a byte-order mark and a header mid-file (two exports joined)",
        "opportunities.csv",
        _concatenated,
        ROWS + 1,
        # The second header is a data row like any other: it breaks every typed rule.
        quarantined={
            5: "stage: not one of open, won, lost; amount: not a number; created_date: not a date (YYYY-MM-DD); "
            "close_date: not a date (YYYY-MM-DD); rep_id: not a rep in reps (unknown, or its reps row quarantined)"
        },
    ),
    Case("CRLF and LF line ends mixed", "opportunities.csv", _mixed_line_ends, ROWS),
    Case(
        "CR-only line ends (classic Mac)",
        "opportunities.csv",
        lambda: lines(*with_cell("O3", "stage", "pending"), eol="\r"),
        ROWS,
        quarantined={4: "stage: not one of open, won, lost"},
    ),
    Case(
        "a trailing delimiter on every line",
        "opportunities.csv",
        lambda: lines(*OPPORTUNITIES, eol=",\n"),
        ROWS,
    ),
    Case(
        "a trailing delimiter on the rows only",
        "opportunities.csv",
        lambda: lines(*[[*row, ""] for row in OPPORTUNITIES]),
        None,
        "row 2 has more fields than the header's 8, the last of them empty (a ',' in a value that is not quoted, or at"
        " the end of a line the header does not end with?)",
    ),
    Case(
        "a comma in an unquoted value",
        "opportunities.csv",
        lambda: lines(*with_cell("O3", "account_name", "Acme, Inc")),
        None,
        "row 4 has more fields than the header's 8 (a ',' in a value that is not quoted?)",
    ),
    Case(
        "a comma in an unquoted value of a row whose last value is empty",  # found by an analyst's trial
        "opportunities.csv",
        lambda: lines(*with_cell("O5", "account_name", "Acme, Inc")),
        None,
        "row 6 has more fields than the header's 8, the last of them empty (a ',' in a value that is not quoted, or at"
        " the end of a line the header does not end with?)",
    ),
    Case(
        "a comma in an unquoted value after a value of 140,000 characters",  # found by a review: csv's field limit
        "opportunities.csv",
        lambda: lines(*with_cell("O3", "account_name", "Acme, Inc", with_cell("O1", "account_name", "x" * 140_000))),
        None,
        "row 4 has more fields than the header's 8 (a ',' in a value that is not quoted?)",
    ),
    Case(
        "a header ending with a comma, and a row with one more value",  # the extra value is not at the line's end
        "opportunities.csv",
        lambda: lines(*OPPORTUNITIES[:2], [*OPPORTUNITIES[2], "x", ""], header=[*OPPORTUNITIES_HEADER, ""]),
        None,
        "row 4 has more fields than the header's 9 (a ',' in a value that is not quoted?)",
    ),
    Case(
        "a short row",
        "opportunities.csv",
        lambda: lines(*OPPORTUNITIES[:2], "O3,R2", *OPPORTUNITIES[3:]),
        ROWS,
        quarantined={4: "account_id: required; stage: required; amount: required; created_date: required"},
    ),
    Case(
        "a row without its empty last cell",
        "opportunities.csv",
        lambda: lines(*[row[:-1] if row[0] == "O5" else row for row in OPPORTUNITIES]),
        ROWS,
        used={("O5", "stage"): "open"},
    ),
    Case(
        "blank lines and a line of empty fields",
        "opportunities.csv",
        _blank_lines,
        ROWS,
        quarantined={4: "stage: not one of open, won, lost"},  # counted as a spreadsheet shows it
    ),
    Case(
        "a blank first line",
        "opportunities.csv",
        lambda: b"\n" + lines(*OPPORTUNITIES),
        None,
        "no header at row 1 (the first line is blank)",
    ),
    Case(
        "only a header",  # a required table: a failed export, not a month without deals
        "opportunities.csv",
        lambda: lines(),
        None,
        "header row only, no data rows (is the export's filter too narrow?)",
    ),
    Case(
        "a header with spaces and byte-order marks around its names",
        "opportunities.csv",
        _header("\ufeff\ufeff opportunity_id , rep_id\t," + ",".join(OPPORTUNITIES_HEADER[2:])),
        ROWS,
    ),
    Case(
        "a header naming a column twice once trimmed",
        "opportunities.csv",
        _header(CANONICAL_HEADER.replace("account_name", " rep_id ")),
        None,
        "header names a column twice: 'rep_id'",
    ),
    Case(
        "the file's own reason and source_row columns",
        "opportunities.csv",
        _reserved_columns,
        ROWS,
        quarantined={5: "stage: not one of open, won, lost"},
    ),
]


# --- values (SPEC §2.2 and docs/decisions.md "Numbers"): one cell of O3 (row 4) or O2 (row 3) changed

NOT_A_NUMBER = "amount: not a number"
NOT_A_DATE = "created_date: not a date (YYYY-MM-DD)"
AMOUNTS: list[tuple[str, str]] = [
    # (amount, the reason it is quarantined with, or "=" and the amount used)
    ("1e309", NOT_A_NUMBER),
    ("1e3", NOT_A_NUMBER),
    ("NaN", NOT_A_NUMBER),
    ("inf", NOT_A_NUMBER),
    ("-inf", NOT_A_NUMBER),
    ("Infinity", NOT_A_NUMBER),
    ("0x10", NOT_A_NUMBER),
    ("１２", NOT_A_NUMBER),  # full-width digits
    ("1 000", NOT_A_NUMBER),
    ("", "amount: required"),
    ("-5.00", "amount: below 0"),
    ("-0.001", "amount: more than 2 decimal places"),
    ("9" * 37, "amount: too large"),
    ("-0", "=0.00"),
    ("-0.00", "=0.00"),
    ("+0", "=0.00"),
    ("0.10000", "=0.10"),
    (" 12.5 ", "=12.50"),
    ("9" * 36, f"={'9' * 36}.00"),
]
CREATED_DATES: list[tuple[str, str]] = [
    ("0000-00-00", NOT_A_DATE),
    ("2026-02-30", NOT_A_DATE),
    ("2026-02-29", NOT_A_DATE),
    ("2026-13-01", NOT_A_DATE),
    ("26-10-05", NOT_A_DATE),
    ("２０２６-10-05", NOT_A_DATE),  # full-width digits
    ("2026-10-05T99:99", NOT_A_DATE),
    ("2026-10-05T24:00", NOT_A_DATE),
    ("2024-02-29", "=2024-02-29"),
    ("0001-01-01", "=0001-01-01"),
    ("2026-10-05T23:59:59Z", "=2026-10-05"),
    ("2026-10-05 08:30+08:00", "=2026-10-05"),
]


def _value_case(column: str, row_id: str, row: int, value: str, outcome: str) -> Case:
    used = {(row_id, column): outcome[1:]} if outcome.startswith("=") else {}
    return Case(
        f"{column} {value!r}",
        "opportunities.csv",
        lambda: lines(*with_cell(row_id, column, value)),
        ROWS,
        quarantined={} if used else {row: outcome},
        used=used,
    )


VALUE_CASES = [
    *(_value_case("amount", "O3", 4, value, outcome) for value, outcome in AMOUNTS),
    *(_value_case("created_date", "O2", 3, value, outcome) for value, outcome in CREATED_DATES),
    _value_case("close_date", "O2", 3, "9999-12-31", "=9999-12-31"),
    Case(
        "a period in full-width digits",
        "targets.csv",
        lambda: lines(
            ["R1", "２０２６-10", "3000.30"], ["R3", "2026-10", "100.00"], header=["rep_id", "period", "target_amount"]
        ),
        2,
        "1 of 2 rows quarantined (50.0%), above the 5% ceiling; most common: period: not a month (YYYY-MM) (1); row 2",
        quarantined={2: "period: not a month (YYYY-MM)"},
    ),
]


# --- workbooks


def workbook(*sheets: tuple[str, list[list[object]], str]) -> bytes:
    """An .xlsx made by openpyxl: (title, rows, state) per sheet, state "visible", "hidden" or "veryHidden"."""
    book = Workbook()
    book.remove(book.active)
    for title, rows, state in sheets:
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezipped(data: bytes, change: Callable[[str, bytes], bytes], add: Mapping[str, bytes] = {}) -> bytes:  # noqa: B006
    """The workbook's zip with each entry passed through `change`, plus the entries in `add`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            target.writestr(name, change(name, source.read(name)))
        for name, content in add.items():
            target.writestr(name, content)
    return buffer.getvalue()


def macro_workbook() -> bytes:
    """A macro-enabled workbook as Excel saves one: the VBA project and the macro-enabled content type."""
    macro_type = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"

    def enable(name: str, content: bytes) -> bytes:
        main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
        return content.replace(main, macro_type) if name == "[Content_Types].xml" else content

    return rezipped(workbook(("Deals", SHEET_ROWS, "visible")), enable, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0VBA"})


def _understated_size() -> bytes:
    """A sheet whose declared size (its <dimension>) covers two rows and two columns of 47 × 8."""
    declared, understated = b'<dimension ref="A1:H47"/>', b'<dimension ref="A1:B2"/>'
    data = rezipped(
        workbook(("Deals", SHEET_ROWS, "visible")), lambda _, content: content.replace(declared, understated)
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert understated in archive.read("xl/worksheets/sheet1.xml"), "openpyxl no longer writes the size"
    return data


def _all_hidden() -> bytes:
    """A workbook whose every sheet is hidden: Excel and openpyxl refuse to save one, so its XML is edited."""
    visible, hidden = b'name="Deals" sheetId="2" state="visible"', b'name="Deals" sheetId="2" state="hidden"'
    data = rezipped(
        workbook(("Old", DECOY, "veryHidden"), ("Deals", SHEET_ROWS, "visible")),
        lambda name, content: content.replace(visible, hidden) if name == "xl/workbook.xml" else content,
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert hidden in archive.read("xl/workbook.xml"), "openpyxl writes sheet names differently"
    return data


def _entities(doctype: str, reference: str) -> Callable[[], bytes]:
    """A sheet whose XML declares entities in a DOCTYPE and uses one as O1's cell."""

    def build() -> bytes:
        def declare(name: str, content: bytes) -> bytes:
            if name != "xl/worksheets/sheet1.xml":
                return content
            assert b"<t>O1</t>" in content, "openpyxl writes text cells differently"
            return doctype.encode() + content.replace(b"<t>O1</t>", f"<t>{reference}</t>".encode(), 1)

        return rezipped(workbook(("Deals", SHEET_ROWS, "visible")), declare)

    return build


#: "Billion laughs": each entity ten of the one before, 10^10 characters from a few hundred bytes.
LAUGHS = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "ha" * 5}">' for i in range(10))

DECOY = [OPPORTUNITIES_HEADER, ["X1", "R1", "A1", "Decoy", "won", "99999.00", "2026-10-01", "2026-10-01"]]
XLSX_CASES = [
    Case(
        "a hidden first sheet",
        "opportunities.xlsx",
        lambda: workbook(("Old", DECOY, "hidden"), ("Deals", SHEET_ROWS, "visible")),
        ROWS,
    ),
    Case(
        "a very hidden first sheet",
        "opportunities.xlsx",
        lambda: workbook(("Old", DECOY, "veryHidden"), ("Deals", SHEET_ROWS, "visible")),
        ROWS,
    ),
    Case(
        "no visible sheet",
        "opportunities.xlsx",
        _all_hidden,
        None,
        "no visible worksheet (sheets: Old, Deals)",
    ),
    Case(
        "a macro workbook (.xlsm)",
        "opportunities.xlsm",
        macro_workbook,
        None,
        "macro-enabled workbook refused; save it as .xlsx (Excel Workbook)",
    ),
    Case(
        "a macro workbook renamed .xlsx",
        "opportunities.xlsx",
        macro_workbook,
        None,
        "macro-enabled workbook refused; save it as .xlsx (Excel Workbook) "
        "(it holds xl/vbaProject.bin: an .xlsm renamed .xlsx?)",
    ),
    Case(
        "an old .xls workbook",
        "opportunities.xls",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504,
        None,
        "cannot read .xls files as a table (use .csv, .txt, .tsv, .xlsx or .parquet)",
    ),
    Case(
        "a sheet that declares too small a size",
        "opportunities.xlsx",
        _understated_size,
        ROWS,
        used={("P40", "amount"): "10.00"},
    ),
    Case(
        "blank rows in a sheet",
        "opportunities.xlsx",
        lambda: workbook(
            (
                "Deals",
                [SHEET_ROWS[0], [], SHEET_ROWS[1], [None] * 8, *with_cell("O2", "stage", "pending")[1:]],
                "visible",
            )
        ),
        ROWS,
        quarantined={5: "stage: not one of open, won, lost"},  # header, blank, O1, blank, O2
    ),
    Case(
        "an entity expansion bomb in a sheet",
        "opportunities.xlsx",
        _entities(f"<!DOCTYPE x [{LAUGHS}]>", "&l9;"),
        None,
        "cannot be read as a xlsx table: limit on input amplification factor (from DTD and entities) breached: …",
    ),
    Case(
        "an external entity in a sheet",
        "opportunities.xlsx",
        _entities('<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>', "&secret;"),
        None,
        "cannot be read as a xlsx table: undefined entity &secret;: …",  # never fetched
    ),
    Case(
        "a rep sheet whose header is trimmed",
        "reps.xlsx",
        lambda: workbook(
            (
                "Reps",
                [[f" {name} " for name in REPS_HEADER], *[list(r.values()) for r in BASE_TABLES["reps"]]],
                "visible",
            )
        ),
        len(BASE_TABLES["reps"]),
    ),
]

CASES = [*TEXT_CASES, *VALUE_CASES, *XLSX_CASES]
