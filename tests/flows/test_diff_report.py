"""The diff report for people: plain lines, or a rich table on a terminal; text from the data never markup."""

from __future__ import annotations

import io

import polars as pl
from rich.console import Console

from scorecards.flows.publish.versions import Version
from scorecards.flows.restatements import Restatement, as_text, print_table
from scorecards.transforms.restatement import CHANGE_SCHEMA, EVIDENCE_CHANGE_SCHEMA

MARKUP = "[bold red]Ann[/bold red]"


def restatement() -> Restatement:
    empty = pl.DataFrame()
    reps = pl.DataFrame({"rep_id": ["R1", "R9"], "rep_name": [MARKUP, "Gone Rep"], "status": ["changed", "gone"]})
    changes = pl.DataFrame([("R1", "won_amount", "1.00", "2.00")], schema=CHANGE_SCHEMA, orient="row")
    evidence = pl.DataFrame(
        [
            ("R1", "deals", "O-2\nX", "changed", "stage", "open", "won", "CNY", "CNY"),
            ("R9", "deals", "O-3", "disappeared", None, None, None, None, None),
        ],
        schema=EVIDENCE_CHANGE_SCHEMA,
        orient="row",
    )
    return Restatement(
        "2026-10", Version(1, "2026-11-01", empty, {}), Version(2, "2026-11-05", empty, {}), reps, changes, evidence
    )


def test_the_plain_report_has_one_line_per_change() -> None:
    assert as_text(restatement()).splitlines() == [
        "2026-10: version 1 → version 2: 2 reps changed",
        f"R1 {MARKUP} (changed)",
        "    won_amount: 1.00 → 2.00",
        "    opportunity O-2 X: stage open → won",
        "R9 Gone Rep (gone)",
        "    opportunity O-3: disappeared",
    ]


def test_on_a_terminal_it_is_a_table_and_markup_in_the_data_stays_text() -> None:
    out = io.StringIO()
    print_table(restatement(), Console(file=out, width=120, force_terminal=False, color_system=None))
    shown = out.getvalue()
    assert "2026-10: version 1 → version 2: 2 reps changed" in shown
    assert f"R1 {MARKUP}" in shown  # printed as written, not turned into bold red
    assert "opportunity O-2 X: stage" in shown and "open" in shown and "won" in shown
    assert any(all(h in line for h in ("rep", "status", "what", "old", "new")) for line in shown.splitlines())
