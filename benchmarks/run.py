"""The benchmark harness: `python -m benchmarks.run [--scale tiny|small|large] [--record]`.

Generates canonical data at the scale, then measures in fresh processes one
period (`run`) and a 12-month `backfill`, printing wall time per stage, rows
per second, peak resident memory, and the ratio of ingest+validate+compute to
a bare polars read of the same CSV files.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.generate import LARGE, SMALL, TINY, Scale, generate
from scorecards.transforms.period import Period

SCALES: dict[str, Scale] = {"tiny": TINY, "small": SMALL, "large": LARGE}
RESULTS = Path(__file__).with_name("RESULTS.md")


def _scenario(mode: str, data: Path, out: Path, periods: list[Period]) -> dict[str, object]:
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.stages", mode, str(data), str(out), *map(str, periods)],
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise SystemExit(f"{mode} failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result


def _lines(name: str, scale: Scale, generated_s: float, run: dict, backfill: dict | None) -> list[str]:
    def total(result: dict) -> float:
        return sum(result["stages_s"].values())

    core = sum(run["stages_s"][s] for s in ("ingest", "validate", "compute"))
    lines = [
        f"### {name}: {scale.reps:,} reps, {scale.opportunities:,} opportunities, {scale.leads:,} leads, "
        f"{scale.surveys:,} surveys",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores. "
        f"Data generated in {generated_s:.1f} s.",
        "",
        "| scenario | ingest | validate | compute | render | publish | total | rows/s | cards | peak RSS |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    scenarios = [("run, 1 period", run)] + (
        [(f"backfill, {backfill['periods']} periods", backfill)] if backfill else []
    )
    for label, result in scenarios:
        stages = result["stages_s"]
        lines.append(
            f"| {label} | "
            + " | ".join(f"{stages[s]:.2f} s" for s in ("ingest", "validate", "compute", "render", "publish"))
            + f" | {total(result):.2f} s | {result['rows'] / total(result):,.0f} | {result['cards']:,}"
            + f" | {result['peak_rss_mb']:,.0f} MB |"
        )
    lines += [
        "",
        f"- bare `polars.scan_csv(...).collect()` of the same files: {run['bare_read_s']:.2f} s",
        f"- ingest + validate + compute of one period: {core:.2f} s = "
        f"**{core / run['bare_read_s']:.2f}×** the bare read (target ≤ 1.5×)",
        f"- rendering {run['cards']:,} cards and the team rollups: {run['stages_s']['render']:.2f} s (target ≤ 60 s)",
        f"- peak resident memory, one period: {run['peak_rss_mb']:,.0f} MB (target ≤ 3,072 MB)",
    ]
    if backfill:
        lines.append(
            f"- backfill of {backfill['periods']} months: {total(backfill):.2f} s = "
            f"**{total(backfill) / total(run):.2f}×** one month (target ≤ 3×)"
        )
    return lines


def main() -> None:
    """Generate, measure, print; with --record also append the figures to benchmarks/RESULTS.md."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--period", default="2026-10", help="the month scored (default 2026-10)")
    parser.add_argument("--months", type=int, default=12, help="months in the backfill (default 12)")
    parser.add_argument("--record", action="store_true", help="append the results to benchmarks/RESULTS.md")
    parser.add_argument("--skip-backfill", action="store_true", help="measure one period only")
    args = parser.parse_args()
    scale, last = SCALES[args.scale], Period.parse(args.period)
    work = Path(tempfile.mkdtemp(prefix="scorecards-bench-"))
    try:
        start = time.perf_counter()
        generate(work / "input", scale, last)
        generated = time.perf_counter() - start
        run = _scenario("run", work / "input", work / "out-run", [last])
        backfill = (
            None
            if args.skip_backfill
            else _scenario("backfill", work / "input", work / "out-backfill", [last.back(args.months - 1)[0], last])
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = _lines(args.scale, scale, generated, run, backfill)
    print("\n".join(lines))
    if args.record:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
