"""Two backfills over overlapping months at once: each month is published whole, by one of them, from the input.

A month is published under its lock: the backfill that finds it taken reports
that month as failed, clearly, and goes on with its other months.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import snapshot
from processes import start_scorecards
from publication import leftovers, whole_publication
from typer.testing import CliRunner

from scorecards.flows.cli import app
from scorecards.flows.publish.staging import file_sha256

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]
LOCKED = "another run is publishing or sending this period"
RANGES = {"first": ("2026-07", "2026-10"), "second": ("2026-09", "2026-12")}


def backfill(folder: Path, out: Path, first: str, last: str) -> list[str]:
    return ["backfill", "--input", str(folder), "--from", first, "--to", last, "--out", str(out)]


def outcome_lines(output: str) -> dict[str, str]:
    return {line[:7]: line for line in output.splitlines() if line[:4].isdigit() and line[4] == "-"}


def test_overlapping_backfills_publish_each_month_whole_once(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    folder, out = make_inputs(), tmp_path / "out"
    processes = {name: start_scorecards(*backfill(folder, out, *months)) for name, months in RANGES.items()}
    outputs = {name: process.communicate(timeout=600) for name, process in processes.items()}

    published: dict[str, list[str]] = {}
    for name, process in processes.items():
        stdout, stderr = outputs[name]
        assert "Traceback" not in stdout + stderr
        lines = outcome_lines(stdout)
        assert len(lines) == 4, stdout + stderr  # a line for every month of its range
        failed = [line for line in lines.values() if " failed " in line]
        assert all(LOCKED in line for line in failed), failed  # the only failure allowed: the other one had it
        assert process.returncode == (1 if failed else 0)
        for period, line in lines.items():
            if " published " in line:
                published.setdefault(period, []).append(name)

    months = ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    assert sorted(published) == months  # every month published by one backfill or both, one after the other
    reference = tmp_path / "reference"
    assert CliRunner().invoke(app, backfill(folder, reference, months[0], months[-1])).exit_code == 0
    used = file_sha256(folder / "opportunities.csv")
    for period in months:
        assert whole_publication(out / period) == used
        mine, theirs = snapshot(out / period), snapshot(reference / period)
        assert {p: mine[p] for p in mine if p != "manifest.json"} == {
            p: theirs[p] for p in theirs if p != "manifest.json"
        }
    assert leftovers(out) == []
