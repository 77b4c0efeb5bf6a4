"""A tiny-scale smoke run of the benchmark harness (the real figures come from `python -m benchmarks.run`)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.generate import TINY, generate
from scorecards.transforms.period import Period

ROOT = Path(__file__).resolve().parents[1]


def test_the_generator_is_deterministic_and_valid(tmp_path: Path) -> None:
    from scorecards.config import load_settings
    from scorecards.flows.sources.ingest import read_inputs
    from scorecards.flows.validate.quarantine import validate_tables

    counts = generate(tmp_path / "a", TINY, Period(2026, 10))
    generate(tmp_path / "b", TINY, Period(2026, 10))
    assert counts == {"reps": 20, "opportunities": 5000, "targets": 360, "leads": 2000, "surveys": 500}
    for name in counts:
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (tmp_path / "b" / f"{name}.csv").read_bytes()
    report = validate_tables(read_inputs(tmp_path / "a"), load_settings()).report
    assert report.ok and all(t.rows_quarantined == 0 for t in report.tables)


def harness(module: str, *args: str, timeout: int = 300) -> str:
    """What `python -m benchmarks.<module> ARGS` prints, run as a user runs it; it must succeed."""
    completed = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


def test_the_harness_prints_every_figure() -> None:
    out = harness("run", "--scale", "tiny", "--months", "2")
    assert "| run, 1 period |" in out and "| backfill, 2 periods |" in out
    for figure in ("the bare read", "rendering 20 cards", "backfill of 2 months", "peak resident memory"):
        assert figure in out


def test_the_backfill_bound_follows_from_the_figures() -> None:
    from benchmarks.floor import backfill_bound

    # The fourth round's large figures: one month 44.73 s, a first 12-month backfill 438.65 s, 2,000 cards.
    spent, floor = backfill_bound(44.73, 438.65, 12, 2000, 2, 0.00645)
    assert "costs 35.81 s beyond the 8.92 s it pays once" in spent and "in ≤ 5.10 s" in spent
    assert "≥ 6.45 s on 2 cores" in floor and "below **5.62×** one month" in floor
    # Twice the cores halve the workbooks' floor: (8.92 + 12 × 3.225) / (8.92 + 3.225) = 3.92.
    assert "below **3.92×**" in backfill_bound(44.73, 438.65, 12, 2000, 4, 0.00645)[1]
    assert backfill_bound(10.0, 20.0, 2, 2000, 2, 0.00645) == []  # two months never cost more than 5× one
    # Twelve months at more than twelve times one month: nothing is paid once, there is no bound to draw.
    assert backfill_bound(1.0, 13.0, 12, 20, 2, 0.00645) == [
        "- the months' figures show no once-paid part (each further month 1.09 s): no bound"
    ]


def test_the_incremental_harness_prints_every_figure() -> None:
    out = harness("incremental", "--scale", "tiny", "--months", "6", timeout=600)
    assert "| first backfill, 6 months |" in out and "| re-publish 6 months after correcting " in out
    assert "one month (target ≤ 1.5×)" in out
    # At this scale a month's figures can be noise, with no once-paid part to fit; then the harness says so.
    bound = "smallest card-shaped workbook" in out and "a first backfill cannot go below" in out
    assert bound or "show no once-paid part" in out


def test_the_floor_prints_its_figures() -> None:
    out = harness("floor", "--reps", "50", "--repeat", "1")
    assert "ms of CPU (best of 1 × 300)" in out and "- 50 of them on " in out


def test_the_versions_comparison_prints_its_figures() -> None:
    out = harness("versions", "--scale", "tiny", "--repeat", "1")
    assert out.startswith("tiny: ") and " deals kept, " in out
    # Each corrected copy is told as exactly the one change made to it.
    assert "one amount doubled (rows in place): " in out and "one deal added (rows moved): " in out
    assert out.count(" s, 1 change rows") == 2
