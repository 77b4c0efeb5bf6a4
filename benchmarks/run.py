"""The benchmark harness: `python -m benchmarks.run [--scale tiny|small|large|evidence] [--record]`.

Generates canonical data at the scale, then measures in fresh processes one
period (`run`) and a 12-month `backfill`, printing wall time per stage, rows
per second, peak resident memory, and the ratio of ingest+validate+compute to
a bare polars read of the same CSV files. Beside them, in the same run: the
pandas peer (benchmarks/pandas_peer.py), whose numbers must agree with ours,
and with --whole-run (the default at the evidence scale) the installed
`scorecards run` against a running Prefect server (benchmarks/peers.py).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from benchmarks.fresh_process import measured
from benchmarks.generate import EVIDENCE, LARGE, SMALL, TINY, Scale, generate
from benchmarks.peers import check_agrees, pandas_peer, whole_run
from scorecards.transforms.period import Period

SCALES: dict[str, Scale] = {"tiny": TINY, "small": SMALL, "large": LARGE, "evidence": EVIDENCE}
RESULTS = Path(__file__).with_name("RESULTS.md")


def _scenario(mode: str, data: Path, out: Path, periods: list[Period]) -> dict[str, object]:
    return measured("benchmarks.stages", mode, str(data), str(out), *map(str, periods), what=mode)


def _lines(
    name: str, scale: Scale, generated_s: float, run: dict, backfill: dict | None, peer: dict, whole: dict | None
) -> list[str]:
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
        f"**{core / run['bare_read_s']:.2f}×** the bare read (target ≤ 3×)",
        f"- rendering {run['cards']:,} cards and the team rollups: {run['stages_s']['render']:.2f} s (target ≤ 60 s)",
        f"- peak resident memory, one period: {run['peak_rss_mb']:,.0f} MB (target ≤ 2,048 MB)",
        f"- pandas peer (pandas + pyarrow, one period, same numbers): {peer['wall_s']:.2f} s, "
        f"{peer['peak_rss_mb']:,.0f} MB peak; agrees with our scorecards on every column it computes",
    ]
    if whole:
        lines.append(
            f"- whole `scorecards run` against a running Prefect server: {whole['wall_s']:.2f} s = "
            f"**{whole['wall_s'] / peer['wall_s']:.2f}×** the peer (target ≤ 0.5×), "
            f"{whole['peak_rss_mb']:,.0f} MB peak over its process tree = "
            f"**{whole['peak_rss_mb'] / peer['peak_rss_mb']:.2f}×** the peer's (target ≤ 1×)"
        )
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
    parser.add_argument(
        "--whole-run",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also time the installed `scorecards run` against a running Prefect server (default: at --scale evidence)",
    )
    args = parser.parse_args()
    scale, last = SCALES[args.scale], Period.parse(args.period)
    work = Path(tempfile.mkdtemp(prefix="scorecards-bench-"))
    try:
        start = time.perf_counter()
        generate(work / "input", scale, last)
        generated = time.perf_counter() - start
        run = _scenario("run", work / "input", work / "out-run", [last])
        peer, peer_numbers = pandas_peer(work / "input", str(last), work)
        check_agrees(peer_numbers, work / "out-run" / str(last) / "scorecards.parquet", "the measured run")
        whole = None
        if args.whole_run or (args.whole_run is None and args.scale == "evidence"):
            whole = whole_run(work / "input", work / "out-whole", str(last), work)
            check_agrees(peer_numbers, work / "out-whole" / str(last) / "scorecards.parquet", "`scorecards run`")
        backfill = (
            None
            if args.skip_backfill
            else _scenario("backfill", work / "input", work / "out-backfill", [last.back(args.months - 1)[0], last])
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = _lines(args.scale, scale, generated, run, backfill, peer, whole)
    print("\n".join(lines))
    if args.record:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
