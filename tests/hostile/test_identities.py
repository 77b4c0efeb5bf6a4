"""Hostile identities and text, end to end: ids, names, teams, addresses and notes made to break things.

One real `scorecards run` and `scorecards send --dry-run` over an input whose reps and teams are called
`../../etc/passwd`, `CON`, `a/b` and `a_b`, emoji, 300 characters, right-to-left overrides; whose names
and notes are scripts and spreadsheet formulas; whose manager addresses carry CR/LF. Nothing may leave
OUT, collide, run in a browser, evaluate in a spreadsheet, add a mail header, or get lost.
"""

from __future__ import annotations

import email
import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import polars as pl
import pytest
from builders import BASE_TABLES, OPPORTUNITIES_HEADER, REPS_HEADER, write_csv
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from scorecards.config.settings import default_config_path
from scorecards.flows.cli import app
from scorecards.flows.publish.outputs import write_csv_for_people
from scorecards.flows.shared.inert_text import CSV_ESCAPE, looks_live
from scorecards.flows.shared.naming import safe_stem

PERIOD = "2026-10"
EVIL = "evil@example.com"
RLO, RLM = "\u202e", "\u200f"
LONG_ID = "L" * 300
WIDE_ID = "\U00020000" * 300  # a CJK letter that takes 4 bytes in UTF-8
RTL_ID = f"rtl{RLO}txt.exe"
FORMULA_ID = '=HYPERLINK("http://evil","id")'
CRLF_EMAIL = f"boss@example.com\r\nBcc: {EVIL}"
SCRIPT = "<script>alert(1)</script>"
#: Control characters: a terminal escape, a bell, a vertical tab (none of which an .xlsx file can hold).
CONTROL = "Red\x1b[31m bell\x07 tab\x0b end"
#: Text that a spreadsheet would evaluate if it were stored as typed.
FORMULAS = ['=HYPERLINK("http://evil","x")', "@SUM(1+1)", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"]
PAYLOADS = [SCRIPT, *FORMULAS]

HOSTILE_REPS = [
    # rep_id, rep_name, email, team, manager_name, manager_email, hire_date, locale
    ["../../etc/passwd", SCRIPT, "h1@example.com", "../../etc/passwd", "Root Boss", "root@example.com", "", "en"],
    ["CON", FORMULAS[0], "h2@example.com", "CON", "Con Boss", "con@example.com", "", "en"],
    ["a/b", FORMULAS[1], "h3@example.com", "a/b", "Ab Boss", "ab@example.com", "", "en"],
    ["a_b", FORMULAS[2], "h4@example.com", "a_b", "Ab Boss", "ab@example.com", "", "en"],
    ["😀🚀", FORMULAS[3], "h5@example.com", "🚀 Team 😀", "Emoji Boss", "emoji@example.com", "", "zh-CN"],
    [LONG_ID, CONTROL, "h6@example.com", "T" * 300, "Long Boss", "long@example.com", "", "en"],
    [WIDE_ID, "Wide Id", "h7@example.com", WIDE_ID, "Wide Boss", "wide@example.com", "", "en"],
    [RTL_ID, f"Ali {RLO}gnp.exe{RLM}", "h8@example.com", f"{RLM}RTL{RLO} team", f"Rtl {RLO}Boss", "rtl@example.com"]
    + ["", "en"],
    [FORMULA_ID, "Formula Id", "h9@example.com", "East", "Mia Wong", "mia@example.com", "", "en"],
    ["javascript:alert(1)", '" onmouseover="alert(1)', "h10@example.com", "West", "Max Li", "max@example.com"]
    + ["", "en"],
    ["crlf-mail", '=HYPERLINK("http://evil","quarantined")', "h11@example.com", "Ops", "Ola", CRLF_EMAIL, "", "en"],
    ["crlf-name", f"Eve\r\nBcc: {EVIL}", "h12@example.com", f"Ops\r\nBcc: {EVIL}"]
    + [f"<img src=x onerror=alert(1)>\r\nBcc: {EVIL}", "ops@example.com", "", "en"],
]
#: Reps that validation must set aside, with the reason.
QUARANTINED_REPS = {"crlf-mail": "manager_email: not an email address"}
HOSTILE_DEALS = [
    ["=1+1", "../../etc/passwd", "@SUM(1+1)", SCRIPT, "won", "100.00", "2026-10-01", "2026-10-02"],
    [FORMULAS[3], "CON", FORMULAS[0], FORMULAS[0], "won", "200.00", "2026-10-01", "2026-10-03"],
    ["OA", "a/b", "A-ab", FORMULAS[2], "won", "300.00", "2026-10-01", "2026-10-04"],
    ["OB", "a_b", "A-ab2", FORMULAS[3], "won", "400.00", "2026-10-01", "2026-10-05"],
    ["OE", "😀🚀", "A-emoji", "😀 Corp", "won", "50.00", "2026-10-01", "2026-10-06"],
    ["OL", LONG_ID, "A-long", "Long Corp", "won", "60.00", "2026-10-01", "2026-10-07"],
    ["OW", WIDE_ID, "A-wide", "Wide Corp", "won", "70.00", "2026-10-01", "2026-10-08"],
    ["OR", RTL_ID, "A-rtl", f"{RLO}proC ltR", "won", "80.00", "2026-10-01", "2026-10-09"],
    ["OF", FORMULA_ID, "A-f", "F Corp", "lost", "90.00", "2026-10-01", "2026-10-10"],
    ["OJ", "javascript:alert(1)", "A-j", "J Corp", "open", "10.00", "2026-10-01", ""],
    ["OCR", "crlf-name", "A-crlf", "Crlf Corp", "won", "20.00", "2026-10-01", "2026-10-11"],
    # quarantined: a stage no rule knows; a rep that is itself quarantined
    ["O-bad", "a/b", "A-bad", FORMULAS[0], "pending", "1.00", "2026-10-01", "2026-10-02"],
    ["O-orphan", "crlf-mail", "A-orphan", SCRIPT, "won", "1.00", "2026-10-01", "2026-10-02"],
]
QUARANTINED_DEALS = {"O-bad": "stage: not one of open, won, lost", "O-orphan": "rep_id"}
HOSTILE_LEADS = [
    {"lead_id": "=1+2", "rep_id": "a/b", "created_date": "2026-10-01", "status": "converted"}
    | {"closed_date": "2026-10-03", "first_contact_date": "2026-10-01"},
    {"lead_id": FORMULAS[3], "rep_id": "a_b", "created_date": "2026-10-01", "status": "disqualified"}
    | {"closed_date": "2026-10-05", "first_contact_date": ""},
    {"lead_id": "@SUM(1+1)", "rep_id": "CON", "created_date": "2026-10-02", "status": "open"}
    | {"closed_date": "", "first_contact_date": "2026-10-02"},
]
HOSTILE_SURVEYS = [
    {"response_id": f"S{i}", "rep_id": rep, "account_id": "A-s", "submitted_date": "2026-10-03"}
    | {"score": "9", "scale_max": "10", "comment": comment}
    for i, (rep, comment) in enumerate([("a/b", SCRIPT), ("a/b", FORMULAS[0]), ("CON", FORMULAS[3]), ("😀🚀", "好")])
]
NOTES = [
    *PAYLOADS,
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "line one\r\n=cmd|' /C calc'!A0",
    CONTROL,
]
NOTED_REPS = ["R1", "../../etc/passwd", "a/b", "a_b", FORMULA_ID]
HOSTILE_NOTES = [{"rep_id": rep, "period": PERIOD, "note": note} for rep in NOTED_REPS for note in NOTES]

TABLES: dict[str, list[dict[str, str]]] = {
    **BASE_TABLES,
    "reps": [*BASE_TABLES["reps"], *(dict(zip(REPS_HEADER, r, strict=True)) for r in HOSTILE_REPS)],
    "opportunities": [
        *BASE_TABLES["opportunities"],
        *(dict(zip(OPPORTUNITIES_HEADER, r, strict=True)) for r in HOSTILE_DEALS),
    ],
    "targets": [
        *BASE_TABLES["targets"],
        *({"rep_id": r, "period": PERIOD, "target_amount": "250.00"} for r in ("a/b", "a_b", "CON", "😀🚀")),
    ],
    "leads": HOSTILE_LEADS,
    "surveys": HOSTILE_SURVEYS,
    "manager_notes": HOSTILE_NOTES,
}
#: Everyone on October's roster: all reps but R4 (hired in November) and the quarantined ones.
ROSTER = {r["rep_id"] for r in TABLES["reps"]} - {"R4", *QUARANTINED_REPS}
TEAMS = {r["team"] for r in TABLES["reps"] if r["rep_id"] in ROSTER}
MANAGERS = {r[5] for r in HOSTILE_REPS if r[0] not in QUARANTINED_REPS}

runner = CliRunner()


@dataclass(frozen=True)
class Published:
    """The hostile input, its publication, the two command results, and the file trees around them."""

    root: Path
    out: Path
    period: Path
    run_output: str
    run_exit: int
    send_output: str
    send_exit: int
    watched: Path  # the session's whole temporary root
    before: dict[str, tuple[int, int]]
    after: dict[str, tuple[int, int]]


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder below `folder` (symlinks not followed): size and modification time."""
    found = {}
    for path in folder.rglob("*"):
        stat = path.lstat()
        found[path.relative_to(folder).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, prefect_harness: object) -> Published:
    """Run the real pipeline once over the hostile input: `scorecards run`, then `scorecards send --dry-run`."""
    root = tmp_path_factory.mktemp("identities")
    for name, rows in TABLES.items():
        write_csv(root / "input" / f"{name}.csv", rows)
    # One bad rep in sixteen is above the default 5 % ceiling; the point here is what happens to it.
    config = root / "lenient.toml"
    config.write_text(default_config_path().read_text().replace("ceiling = 0.05", "ceiling = 0.5"))
    out = root / "out"
    watched = tmp_path_factory.getbasetemp()
    before = tree(watched)
    ran = runner.invoke(
        app, ["run", "--input", str(root / "input"), "--period", PERIOD, "--out", str(out), "--config", str(config)]
    )
    no_smtp = {k: None for k in os.environ if k.startswith("SCORECARDS_SMTP_")}
    sent = runner.invoke(
        app, ["send", "--period", PERIOD, "--out", str(out), "--config", str(config), "--dry-run"], env=no_smtp
    )
    return Published(
        root=root,
        out=out,
        period=out / PERIOD,
        run_output=ran.output,
        run_exit=ran.exit_code,
        send_output=sent.output,
        send_exit=sent.exit_code,
        watched=watched,
        before=before,
        after=tree(watched),
    )


def files(folder: Path, *suffixes: str) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in suffixes)


def eml_messages(published: Published) -> dict[Path, EmailMessage]:
    return {
        p: email.message_from_bytes(p.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for p in files(published.period / "outbox", ".eml")
    }


# --- the commands, and nothing lost -------------------------------------------------------------------------


@pytest.mark.flow
def test_both_commands_succeed_without_a_traceback(published: Published) -> None:
    assert published.run_exit == 0, published.run_output
    assert published.send_exit == 0, published.send_output
    for output in (published.run_output, published.send_output):
        assert "Traceback" not in output and "| ERROR" not in output  # no task failed, nothing raised
    outcomes = [line.split()[:3] for line in published.run_output.splitlines() if line.startswith(f"{PERIOD} ")]
    assert outcomes == [[PERIOD, "published", str(len(ROSTER))]]


@pytest.mark.flow
def test_every_input_row_is_used_or_quarantined_with_its_reason(published: Published) -> None:
    manifest = json.loads((published.period / "manifest.json").read_text(encoding="utf-8"))
    counts = {i["table"]: i for i in manifest["inputs"]}
    assert set(counts) == set(TABLES)
    for table, rows in TABLES.items():
        entry = counts[table]
        assert entry["rows_read"] == len(rows), table
        assert entry["rows_read"] == entry["rows_used"] + entry["rows_quarantined"], table
        quarantine = published.period / "quarantine" / f"{table}.csv"
        held = pl.read_csv(quarantine, infer_schema=False).height if quarantine.exists() else 0
        assert held == entry["rows_quarantined"], table

    reps = pl.read_parquet(published.period / "scorecards.parquet")
    assert set(reps["rep_id"]) == ROSTER
    assert reps.height == len(ROSTER)  # one row each: no two hostile ids merged

    quarantined = pl.read_csv(published.period / "quarantine" / "reps.csv", infer_schema=False)
    assert dict(quarantined.select("rep_id", "reason").iter_rows()) == QUARANTINED_REPS
    (row,) = quarantined.to_dicts()
    assert row["manager_email"] == CRLF_EMAIL  # kept exactly: the CR/LF address is there to be fixed
    assert row["rep_name"] == CSV_ESCAPE + '=HYPERLINK("http://evil","quarantined")'
    deals = pl.read_csv(published.period / "quarantine" / "opportunities.csv", infer_schema=False)
    reasons = dict(deals.select("opportunity_id", "reason").iter_rows())
    assert set(reasons) == set(QUARANTINED_DEALS)
    assert all(reasons[o].startswith(why) for o, why in QUARANTINED_DEALS.items()), reasons


# --- file names ---------------------------------------------------------------------------------------------


@pytest.mark.flow
def test_nothing_is_written_outside_out(published: Published) -> None:
    out = published.out.relative_to(published.watched).as_posix()
    parent = published.out.parent.relative_to(published.watched).as_posix()

    def outside(paths: set[str]) -> set[str]:
        return {p for p in paths if p != out and not p.startswith(f"{out}/")}

    before, after = published.before, published.after
    assert outside(set(after) - set(before)) == set()  # the only new files and folders are OUT's
    assert set(before) - set(after) == set()
    changed = {p for p in set(before) & set(after) if before[p] != after[p]}
    assert outside(changed) <= {parent}  # OUT's parent changed only by gaining OUT
    assert not any(p.name == "passwd" for p in published.watched.rglob("*"))


@pytest.mark.flow
def test_every_output_path_stays_inside_out(published: Published) -> None:
    out = published.out.resolve()
    paths = list(published.out.rglob("*"))
    assert paths
    for path in paths:
        assert not path.is_symlink(), path
        assert path.resolve().is_relative_to(out), path
        assert len(path.name.encode("utf-8")) <= 255
        assert RLO not in path.name and RLM not in path.name


@pytest.mark.flow
def test_look_alike_ids_and_teams_get_their_own_files(published: Published) -> None:
    period = published.period
    reps = {p.name for p in (period / "reps").iterdir()}
    assert reps == {f"{safe_stem(r)}.{ext}" for r in ROSTER for ext in ("html", "xlsx")}
    assert {p.name for p in (period / "teams").iterdir()} == {
        f"{safe_stem(t)}.{e}" for t in TEAMS for e in ("html", "xlsx")
    }
    assert safe_stem("a/b") != safe_stem("a_b")
    slash = (period / "reps" / f"{safe_stem('a/b')}.html").read_text(encoding="utf-8")
    under = (period / "reps" / f"{safe_stem('a_b')}.html").read_text(encoding="utf-8")
    assert "<h1>@SUM(1+1)</h1>" in slash and "<h1>+cmd|&#39; /C calc&#39;!A0</h1>" in under
    rollup = (period / "teams" / f"{safe_stem('a/b')}.html").read_text(encoding="utf-8")
    assert f"../reps/{safe_stem('a/b')}.html" in rollup and safe_stem("a_b") not in rollup

    table = pl.read_csv(period / "scorecards.csv", infer_schema=False)
    assert {"a/b", "a_b"} <= set(table["rep_id"]) and {"a/b", "a_b"} <= set(table["team"])
    assert table.height == len(ROSTER)


def test_long_and_wide_ids_get_short_file_names() -> None:
    for identifier in (LONG_ID, WIDE_ID, "\U0001f600" * 300, "ﷺ" * 300):
        for suffix in (".html", ".xlsx", ".eml"):
            assert len(f"{safe_stem(identifier)}{suffix}".encode()) <= 255


# --- HTML: cards, rollups and the e-mail bodies -------------------------------------------------------------


class _Page(HTMLParser):
    """What a browser would act on: elements, their attributes, and the text shown."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def assert_inert_html(html: str, where: object) -> str:
    """Check that a page holds no live script; return the text it shows."""
    page = _Page()
    page.feed(html)
    page.close()
    assert "script" not in page.tags and "iframe" not in page.tags and "img" not in page.tags, where
    handlers = [name for name, _ in page.attributes if name.startswith("on")]
    assert handlers == [], (where, handlers)
    urls = [v for _, v in page.attributes if re.sub(r"[\s\x00-\x1f]", "", v).lower().startswith("javascript:")]
    assert urls == [], (where, urls)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html), where  # nothing loaded from outside
    return "".join(page.text)


@pytest.mark.flow
def test_no_card_or_rollup_runs_script(published: Published) -> None:
    pages = files(published.period, ".html")
    # and the fairness page, which names every team, in English and in Chinese (a rep of the roster reads Chinese)
    assert len(pages) == len(ROSTER) + len(TEAMS) + 2
    shown = {
        page.relative_to(published.period).as_posix(): assert_inert_html(page.read_text("utf-8"), page)
        for page in pages
    }
    every_text = "\n".join(shown.values())
    for payload in [*PAYLOADS, *NOTES[5:7], '" onmouseover="alert(1)', "<img src=x onerror=alert(1)>"]:
        assert payload.replace("\r\n", "\n") in every_text.replace("\r\n", "\n"), payload  # shown as text
    card = (published.period / "reps" / f"{safe_stem('../../etc/passwd')}.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    fairness = shown["fairness.html"]
    assert "../../etc/passwd" in fairness and "🚀 Team 😀" in fairness  # teams named as they came, as text


@pytest.mark.flow
def test_no_email_body_runs_script(published: Published) -> None:
    messages = eml_messages(published)
    assert messages
    shown, raw = "", ""
    for path, message in messages.items():
        html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
        shown += assert_inert_html(html, path)
        raw += html
    for name in (SCRIPT, "<img src=x onerror=alert(1)> Bcc: evil@example.com", *FORMULAS):
        assert name in shown, name  # a rep's name, a manager's greeting: shown as text
    assert SCRIPT not in raw and "<img" not in raw


# --- Excel: cards, rollups and the attachments --------------------------------------------------------------


def _workbooks(published: Published) -> dict[str, bytes]:
    found = {p.relative_to(published.period).as_posix(): p.read_bytes() for p in files(published.period, ".xlsx")}
    for path, message in eml_messages(published).items():
        for part in message.iter_attachments():
            found[f"{path.name}/{part.get_filename()}"] = part.get_content()  # type: ignore[assignment]
    return found


def _cells(book: bytes) -> list[tuple[str, str | None, str | None, bool]]:
    """Each cell of every sheet from the raw XML: (sheet, type, text or value, holds a formula)."""
    namespace = {"x": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        names = archive.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(archive.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{namespace['x']}}}t")) for si in root]
        found = []
        for name in (n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
            xml = archive.read(name)
            assert not re.search(rb"<(\w+:)?f[\s>/]", xml), name  # no formula element anywhere
            for cell in ElementTree.fromstring(xml).iter(f"{{{namespace['x']}}}c"):
                kind = cell.get("t")
                value = cell.find("x:v", namespace)
                inline = cell.find("x:is", namespace)
                text = value.text if value is not None else None
                if kind == "s" and text is not None:
                    text = shared[int(text)]
                elif inline is not None:
                    text = "".join(t.text or "" for t in inline.iter(f"{{{namespace['x']}}}t"))
                found.append((name, kind, text, cell.find("x:f", namespace) is not None))
        return found


@pytest.mark.flow
def test_no_workbook_holds_a_live_formula(published: Published) -> None:
    books = _workbooks(published)
    assert any(".eml/" in name for name in books)  # the attachments are checked too
    seen: set[str] = set()
    for name, book in books.items():
        for sheet, kind, text, formula in _cells(book):
            assert not formula and kind not in ("str", "e"), (name, sheet, text)  # no formula, no formula result
            if kind in (None, "n") and text is not None:
                float(text)  # a number cell holds a number
            elif text is not None and looks_live(text):
                assert kind in ("s", "inlineStr"), (name, sheet, text, kind)
                seen.add(text)
    assert set(FORMULAS) <= seen  # each payload was written somewhere, as a string


@pytest.mark.flow
def test_payload_cells_read_back_as_quoted_strings(published: Published) -> None:
    workbook = load_workbook(published.period / "reps" / f"{safe_stem('CON')}.xlsx")
    found = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row if c.value in PAYLOADS]
    # CON's name; its deal's account id and name (twice: won deal, new customer), id (twice); a lead; a comment
    assert sorted(c.value for c in found) == sorted([FORMULAS[0]] * 4 + [FORMULAS[1]] + [FORMULAS[3]] * 3)
    for cell in found:
        assert cell.data_type == "s" and cell.quotePrefix, cell.value


@pytest.mark.flow
def test_control_characters_reach_a_workbook_as_a_replacement_mark(published: Published) -> None:
    shown = CONTROL.replace("\x1b", "\ufffd").replace("\x07", "\ufffd").replace("\x0b", "\ufffd")
    for folder, identifier in (("reps", LONG_ID), ("reps", "R1"), ("teams", "T" * 300)):
        workbook = load_workbook(published.period / folder / f"{safe_stem(identifier)}.xlsx")
        texts = {c.value for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row}
        assert shown in texts, identifier  # the rep's name (card title, rollup row) and R1's note
    html = (published.period / "reps" / f"{safe_stem(LONG_ID)}.html").read_text("utf-8")
    assert f"<h1>{CONTROL}</h1>" in html  # the web page shows the text as it came


# --- e-mail headers -----------------------------------------------------------------------------------------


@pytest.mark.flow
def test_no_email_gains_a_header_or_recipient(published: Published) -> None:
    messages = eml_messages(published)
    assert {p.name for p in messages} == {f"{safe_stem(m)}.eml" for m in MANAGERS}
    for path, message in messages.items():
        raw = path.read_bytes()
        head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
        names = [line.split(":", 1)[0] for line in head.split("\r\n") if line and line[0] not in " \t"]
        assert sorted(names) == sorted(
            ["To", "Subject", "Date", "Message-ID", "Auto-Submitted", "MIME-Version", "Content-Type"]
        ), (path, names)
        (to,) = message.get_all("To")
        (address,) = to.addresses
        assert address.addr_spec in MANAGERS and f"{safe_stem(address.addr_spec)}.eml" == path.name
        assert message.get_all("Bcc") is None and message.get_all("Cc") is None
        assert "\r" not in address.display_name and "\n" not in address.display_name
        assert RLO not in str(to) and RLO not in str(message["Subject"])
        for part in message.iter_attachments():
            name = part.get_filename()
            assert name and "/" not in name and "\\" not in name and RLO not in name and "\r" not in name
            assert len(name.encode("utf-8")) <= 255, name
        for kind in ("plain", "html"):
            body = message.get_body((kind,)).get_content()  # type: ignore[union-attr]
            assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body), (path, kind)  # CONTROL is gone
    ops = messages[published.period / "outbox" / f"{safe_stem('ops@example.com')}.eml"]
    assert ops["To"].addresses[0].display_name == f"<img src=x onerror=alert(1)> Bcc: {EVIL}"  # one line, quoted


# --- the CSV files ------------------------------------------------------------------------------------------


@pytest.mark.flow
def test_csv_cells_that_a_spreadsheet_would_evaluate_start_with_an_apostrophe(published: Published) -> None:
    period = published.period
    table = pl.read_csv(period / "scorecards.csv", infer_schema=False)
    exact = pl.read_parquet(period / "scorecards.parquet")
    assert table.columns == exact.columns
    texts = [c for c, t in exact.schema.items() if t == pl.String]
    for column in texts:
        for shown, value in zip(table[column], exact[column], strict=True):
            assert shown == (CSV_ESCAPE + value if value is not None and looks_live(value) else value), column
    names = dict(zip(exact["rep_id"], exact["rep_name"], strict=True))
    assert names["CON"] == FORMULAS[0] and names["😀🚀"] == FORMULAS[3]  # the parquet keeps the exact text
    assert set(table["rep_id"]) == (ROSTER - {FORMULA_ID}) | {CSV_ESCAPE + FORMULA_ID}
    for path in files(period, ".csv"):
        for row in pl.read_csv(path, infer_schema=False).iter_rows():
            live = [cell for cell in row if cell is not None and looks_live(cell)]
            assert live == [], (path.name, live)


@given(st.text() | st.from_regex(r"[+\-=@\t\r]?[0-9.eE+\-]{0,6}[a-z ]?", fullmatch=True))
@example("-5")
@example("+3.5")
@example("-0.25")
@example("-2+3+cmd|' /C calc'!A0")
@example("\t=1")
@example("-5\n")
def test_a_csv_text_cell_is_the_text_or_the_text_made_inert(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "cell.csv"
        write_csv_for_people(pl.DataFrame({"cell": [text]}, schema={"cell": pl.String}), target)
        (shown,) = pl.read_csv(target, infer_schema=False)["cell"]
    if text == "":
        return  # an empty string and a missing value are both an empty CSV cell
    if shown == text:
        assert not looks_live(text)
    else:
        assert shown == CSV_ESCAPE + text and looks_live(text)


def test_an_input_column_name_that_looks_live_is_inert_in_the_quarantine_file(tmp_path: Path) -> None:
    # A quarantine file keeps every column of the input file, header names included.
    live = '=HYPERLINK("http://evil","click")'
    write_csv_for_people(pl.DataFrame({"rep_id": ["R1"], live: ["x"], "-5": ["y"]}), tmp_path / "q.csv")
    header = (tmp_path / "q.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == 'rep_id,"\'=HYPERLINK(""http://evil"",""click"")",-5'


@pytest.mark.parametrize("number", ["-5", "+3.5", "-0.25", "0", "12", "-.5", "7."])
def test_plain_numbers_are_not_live(number: str) -> None:
    assert not looks_live(number)


@pytest.mark.parametrize("text", [*FORMULAS, "=1", "\tx", "\rx", "-", "+", "-1e5", "--5", "-5 ", "-5\n", "-٣", "+cmd"])
def test_formulas_and_signs_before_non_numbers_are_live(text: str) -> None:
    assert looks_live(text)
