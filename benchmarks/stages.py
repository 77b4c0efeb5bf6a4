"""One measured scenario in its own process (so its peak memory is its own): print stage times as JSON.

    python -m benchmarks.stages run INPUT OUT 2026-10
    python -m benchmarks.stages backfill INPUT OUT 2025-11 2026-10

Stages call the period flow's task bodies (`task.fn`): the same code as a
Prefect run, without the orchestration overhead (reported separately).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import polars as pl

from scorecards.config import config_hash, load_settings
from scorecards.config.profiles import CANONICAL_PROFILE
from scorecards.flows.period_flow import (
    check_input_rules,
    compute_period,
    compute_trend_months,
    fingerprint_months,
    publish_period,
    write_period,
)
from scorecards.flows.publish.staging import period_lock, staging_folder
from scorecards.flows.publish.versions import version_numbers
from scorecards.flows.sources.ingest import read_inputs
from scorecards.transforms.period import Period, period_range
from scorecards.transforms.report import PeriodReport


class _Clock:
    def __init__(self) -> None:
        self.stages: dict[str, float] = {}

    def time(self, stage: str, action):  # noqa: ANN001, ANN201
        start = time.perf_counter()
        result = action()
        self.stages[stage] = self.stages.get(stage, 0.0) + time.perf_counter() - start
        return result


def bare_read(input_dir: Path) -> float:
    """Seconds for polars to read every CSV of the input folder, and nothing else: the floor of a CSV-fed run."""
    start = time.perf_counter()
    for path in sorted(input_dir.glob("*.csv")):
        pl.scan_csv(path).collect()
    return time.perf_counter() - start


def measure(mode: str, input_dir: Path, out_dir: Path, first: Period, last: Period) -> dict[str, object]:
    """Time each stage of a run (one period) or a backfill (a range) and report rows, cards and peak memory."""
    settings = load_settings()
    rules = config_hash(settings)
    clock = _Clock()
    floor = bare_read(input_dir)
    raw = [clock.time("ingest", lambda: read_inputs(input_dir, CANONICAL_PROFILE))]
    # As in the period flow, the raw tables are not kept past validation.
    validated = clock.time("validate", lambda: check_input_rules(raw.pop(), settings))
    assert validated.tables is not None, validated.report.problems
    cards = 0
    computed: dict = {}

    def compute(period: Period) -> PeriodReport:
        computed.update(compute_trend_months.fn(validated.tables, period, settings, computed))
        return compute_period.fn(validated.tables, period, settings, computed)

    periods = period_range(first, last) if mode == "backfill" else [last]
    # The steps of period_flow.publish_month, spelled out so that each stage can be timed apart: keep them in step
    # with it. Left out (the whole runs in run.py time them): the month's warnings, the checks for an unchanged
    # month and its published pages (every month here is new), the version's notice and news (version 1 here),
    # the run summary's artifacts and the index.
    # As the flows do, each month's input rows are fingerprinted (a month published again unchanged skips compute).
    inputs = clock.time("compute", lambda: fingerprint_months.fn(validated.tables, periods))
    for period in periods:
        report = clock.time("compute", lambda p=period: compute(p))
        with period_lock(out_dir, str(period)), staging_folder(out_dir, str(period)) as stage:
            pages = clock.time(
                "render", lambda p=period, r=report, s=stage: write_period.fn(s, r, validated, p, settings)
            )
            cards += len(pages.cards)
            number = (version_numbers(out_dir, str(period)) or [0])[-1] + 1
            clock.time(
                "publish",
                lambda p=period, r=report, s=stage, n=number, pg=pages: publish_period.fn(
                    s, out_dir / str(p), rules, validated.report, r, n, pg, inputs[p]
                ),
            )
    rows = sum(t.rows_read for t in validated.report.tables)
    return {
        "mode": mode,
        "periods": len(period_range(first, last)) if mode == "backfill" else 1,
        "rows": rows,
        "cards": cards,
        "bare_read_s": floor,
        "stages_s": clock.stages,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


if __name__ == "__main__":
    mode, input_dir, out_dir, *periods = sys.argv[1:]
    first, last = Period.parse(periods[0]), Period.parse(periods[-1])
    print(json.dumps(measure(mode, Path(input_dir), Path(out_dir), first, last)))
