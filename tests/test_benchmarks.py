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


def test_the_harness_prints_every_figure() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.run", "--scale", "tiny", "--months", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    out = completed.stdout
    assert "| run, 1 period |" in out and "| backfill, 2 periods |" in out
    for figure in ("the bare read", "rendering 20 cards", "backfill of 2 months", "peak resident memory"):
        assert figure in out
