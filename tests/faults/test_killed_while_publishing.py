"""SIGKILL at each step of re-publishing a period: the folder is the old publication or the new one, whole.

The killed run is a real `scorecards run` in its own process (against the
session's Prefect server); `kill_at.py` kills it at the step named. Whatever
it leaves is put right by the next run that takes the period's lock.
"""

from __future__ import annotations

import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import BASE_TABLES, write_csv, write_tables
from processes import start_scorecards
from publication import leftovers, versions_match, whole_publication
from typer.testing import CliRunner

from scorecards.flows.cli import app
from scorecards.flows.publish.staging import file_sha256, period_lock
from scorecards.flows.shared.layout import PeriodFolder

pytestmark = pytest.mark.flow
runner = CliRunner()

#: Each step, and the publication the period folder holds once the killed run's leftovers are put right.
STEPS = {
    "writing cards": "old",
    "manifest written": "old",
    "before the swap": "old",
    "after the exchange": "new",
    "between the two renames": "old",
    "after the two renames": "new",
    "removing the old folder": "new",
}


@dataclass
class KilledRun:
    folder: Path
    out: Path
    old: str  # sha256 of the opportunities file of the old publication
    new: str  # ... and of the corrected one the killed run was publishing
    process: subprocess.Popen[str]
    output: str = ""


def arguments(folder: Path, out: Path) -> list[str]:
    return ["run", "--input", str(folder), "--period", "2026-10", "--out", str(out)]


@pytest.fixture(scope="module")
def killed_runs(prefect_harness: object, tmp_path_factory: pytest.TempPathFactory) -> dict[str, KilledRun]:
    """For each step: a published period, then a run correcting it killed at that step (all killed side by side)."""
    runs = {}
    for step in STEPS:
        root = tmp_path_factory.mktemp("killed")
        folder, out = root / "input", root / "out"
        write_tables(folder, BASE_TABLES)
        assert runner.invoke(app, arguments(folder, out)).exit_code == 0
        old = file_sha256(folder / "opportunities.csv")
        rows = [dict(row) for row in BASE_TABLES["opportunities"]]
        rows[0]["amount"] = "1100.10"  # a corrected amount: the new publication differs from the old
        write_csv(folder / "opportunities.csv", rows)
        process = start_scorecards(*arguments(folder, out), kill_at=step)
        runs[step] = KilledRun(folder, out, old, file_sha256(folder / "opportunities.csv"), process)
    for run in runs.values():
        run.output = run.process.communicate(timeout=300)[1]
    return runs


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_leaves_one_whole_publication(step: str, killed_runs: dict[str, KilledRun]) -> None:
    run = killed_runs[step]
    assert run.process.returncode == -signal.SIGKILL, run.output[-3000:]
    expected = {"old": run.old, "new": run.new}[STEPS[step]]
    out, period = run.out, run.out / "2026-10"
    if period.exists():  # readers that do not wait for the lock see one whole publication
        assert whole_publication(period) == expected
    else:  # only between the two renames of the fallback: the old publication, whole, set aside
        assert step == "between the two renames"
        (displaced,) = out.glob(".2026-10.old-*")
        assert whole_publication(displaced) == run.old

    with period_lock(out, "2026-10"):  # the next run, or a send, takes the lock and puts things right
        pass
    assert whole_publication(period) == expected
    assert leftovers(out) == []
    # The version store matches: the killed run's version exists only if its folder was swapped in.
    assert versions_match(out, "2026-10") == (["1", "2"] if STEPS[step] == "new" else ["1"])

    again = runner.invoke(app, arguments(run.folder, out))
    assert again.exit_code == 0, again.output
    assert whole_publication(period) == run.new
    assert leftovers(out) == []
    assert versions_match(out, "2026-10")[-1] == str(PeriodFolder(period).publication())
