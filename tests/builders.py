"""Builders shared by the tests: a small valid data set, corrections of it, and a canonical CSV writer."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import strategies as st

REPS_HEADER = ["rep_id", "rep_name", "email", "team", "manager_name", "manager_email", "hire_date", "locale"]
OPPORTUNITIES_HEADER = [
    "opportunity_id",
    "rep_id",
    "account_id",
    "account_name",
    "stage",
    "amount",
    "created_date",
    "close_date",
]

#: A small valid data set for October 2026: two teams, three reps, one hired later.
BASE_TABLES: dict[str, list[dict[str, str]]] = {
    "reps": [
        dict(zip(REPS_HEADER, row, strict=True))
        for row in (
            ["R1", "Ann Lee", "ann@example.com", "East", "Mia Wong", "mia@example.com", "2020-01-01", "en"],
            ["R2", "王芳", "wang@example.com", "East", "Mia Wong", "mia@example.com", "", "zh-CN"],
            ["R3", "Bob Ray", "bob@example.com", "West", "Max Li", "max@example.com", "2026-10-31", ""],
            ["R4", "Cy New", "cy@example.com", "West", "Max Li", "max@example.com", "2026-11-01", "en"],
        )
    ],
    "opportunities": [
        dict(zip(OPPORTUNITIES_HEADER, row, strict=True))
        for row in (
            ["O1", "R1", "A1", "Acme", "won", "1000.10", "2026-09-01", "2026-10-05"],
            ["O2", "R1", "A2", "Beta", "won", "2000.20", "2026-09-01", "2026-10-31"],
            ["O3", "R2", "A1", "Acme", "won", "500.00", "2026-08-01", "2026-09-06"],
            ["O4", "R2", "A3", "Gamma", "lost", "500.00", "2026-08-01", "2026-10-06"],
            ["O5", "R2", "A3", "Gamma", "open", "700.50", "2026-08-01", ""],
            ["O6", "R3", "A4", "Delta", "won", "80.00", "2026-10-01", "2026-10-01"],
        )
    ],
    "targets": [
        {"rep_id": "R1", "period": "2026-10", "target_amount": "3000.30"},
        {"rep_id": "R2", "period": "2026-10", "target_amount": "0"},
        {"rep_id": "R3", "period": "2026-10", "target_amount": "100.00"},
    ],
}


def write_csv(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    """Write rows as a canonical CSV file (UTF-8, comma, header row)."""
    header = header or (list(rows[0]) if rows else [])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_tables(folder: Path, tables: dict[str, list[dict[str, str]] | None]) -> Path:
    """Write each table as canonical `folder/<name>.csv` (a table given as None is left out); returns the folder."""
    for name, rows in tables.items():
        if rows is not None:
            write_csv(folder / f"{name}.csv", rows)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under the folder, by relative path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def scheduled_config(tmp_path: Path, input_dir: Path, out_dir: Path) -> Path:
    """The shipped config with the monthly schedule reading `input_dir` and publishing to `out_dir`."""
    from scorecards.config.settings import default_config_path

    config = tmp_path / "scheduled.toml"
    text = default_config_path().read_text()
    config.write_text(
        text.replace('input = "input"', f'input = "{input_dir}"').replace('out = "out"', f'out = "{out_dir}"')
    )
    return config


#: Values a correction may give a cell: dates around August to October 2026, other amounts, teams, managers and
#: names. Some combinations break a rule: the input then fails validation, and nothing is published from it.
CELL_VALUES: dict[str, list[str]] = {
    "rep_id": ["R1", "R2", "R3", "R4"],
    "account_id": ["A1", "A2", "A4", "A7"],
    "stage": ["open", "won", "lost"],
    "amount": ["0", "80.00", "650.00", "1200.10"],
    "created_date": ["2026-07-30", "2026-08-01", "2026-09-15", "2026-10-01", "2026-11-02"],
    "close_date": ["", "2026-08-20", "2026-09-06", "2026-10-31", "2026-11-03"],
    "team": ["East", "West", "North"],
    "rep_name": ["Ann Lee", "Ann Li", "李娜"],
    "manager_email": ["mia@example.com", "max@example.com", "new@example.com"],
    "hire_date": ["", "2026-09-10", "2026-10-31", "2026-11-01"],
    "locale": ["", "en", "zh-CN"],
    "period": ["2026-08", "2026-09", "2026-10", "2026-11"],
    "target_amount": ["0", "100.00", "999.99"],
}


@st.composite
def corrections(draw: st.DrawFn) -> dict[str, list[dict[str, str]]]:
    """BASE_TABLES after one or two corrections an analyst might make: a cell changed (valid or not), a row
    added (a copy of another with a new key) or a row removed."""
    tables = {name: [dict(row) for row in rows] for name, rows in BASE_TABLES.items()}
    for _ in range(draw(st.integers(1, 2))):
        name = draw(st.sampled_from(sorted(tables)))
        rows = tables[name]
        index = draw(st.integers(0, len(rows) - 1))
        kind = draw(st.sampled_from(["cell", "cell", "add", "drop"]))
        if kind == "cell":
            column = draw(st.sampled_from(sorted(c for c in rows[index] if c in CELL_VALUES)))
            rows[index][column] = draw(st.sampled_from(CELL_VALUES[column]))
        elif kind == "add":
            key = {"reps": "rep_id", "opportunities": "opportunity_id"}.get(name)
            new = {**rows[index], **({key: f"{rows[index][key]}b"} if key else {"period": "2026-09"})}
            rows.append(new)
        elif len(rows) > 1:
            del rows[index]
    return tables
