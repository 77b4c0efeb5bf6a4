"""Incremental re-publishing (issue 18): `python -m benchmarks.incremental [--scale tiny|small|large] [--record]`.

Generates canonical data at the scale, then measures, each in a fresh process:

- one month published into an empty folder (the yardstick),
- a first 12-month backfill into an empty folder,
- after one won deal of the latest month is corrected, the 12 months re-published
  into the folder the first backfill left (unchanged cards are carried over),

and, for the first backfill, what its figures and openpyxl's smallest workbook
(benchmarks/floor.py) say about the lowest ratio it can reach on this machine.

Periods are published as `backfill` does (a month whose input rows are unchanged is
published again from its own pages; the index is rebuilt once, after the months), through the
flows' task bodies (`task.fn`), without the fixed cost of a Prefect server.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import polars as pl

from benchmarks.floor import backfill_bound, card_workbook_floor_s
from benchmarks.fresh_process import measured
from benchmarks.generate import LARGE, SMALL, TINY, Scale, generate
from scorecards.flows.shared.cores import usable_cores
from scorecards.transforms.period import Period

SCALES: dict[str, Scale] = {"tiny": TINY, "small": SMALL, "large": LARGE}
RESULTS = Path(__file__).with_name("RESULTS.md")
STAGES = ("ingest", "validate", "compute", "render", "publish")


def measure(input_dir: Path, out_dir: Path, first: Period, last: Period) -> dict[str, object]:
    """Publish each month of first..last as `publish_month` does, timing each stage; skip months up to date."""
    from scorecards.config import config_hash, load_settings
    from scorecards.config.profiles import CANONICAL_PROFILE
    from scorecards.flows.period_flow import (
        check_input_rules,
        compute_period,
        compute_trend_months,
        fingerprint_months,
        publish_period,
        rebuild_index,
        republish_unchanged,
        unchanged_month,
        write_period,
    )
    from scorecards.flows.publish.manifest import is_up_to_date, published_pages
    from scorecards.flows.publish.restating import publication_of
    from scorecards.flows.publish.staging import period_lock, staging_folder
    from scorecards.flows.sources.ingest import read_inputs
    from scorecards.transforms.period import period_range

    settings = load_settings()
    rules = config_hash(settings)
    times: dict[str, float] = dict.fromkeys(STAGES, 0.0)

    def timed(stage: str, action):  # noqa: ANN001, ANN202
        start = time.perf_counter()
        result = action()
        times[stage] += time.perf_counter() - start
        return result

    raw = [timed("ingest", lambda: read_inputs(input_dir, CANONICAL_PROFILE))]
    # As in the flows, the raw tables are not kept past validation.
    validated = timed("validate", lambda: check_input_rules(raw.pop(), settings))
    assert validated.tables is not None, validated.report.problems
    computed: dict = {}
    cards = carried = 0
    inputs = timed("compute", partial(fingerprint_months.fn, validated.tables, period_range(first, last)))
    for period in period_range(first, last):
        target = out_dir / str(period)
        if is_up_to_date(target, rules, validated.report):
            continue
        with period_lock(out_dir, str(period)):
            unchanged = unchanged_month(out_dir, period, rules, inputs[period])
            if unchanged is not None:
                again = partial(republish_unchanged.fn, validated, target, rules, unchanged, inputs[period])
                done = timed("publish", again)
                if done is not None:
                    cards, carried = cards + len(done.pages.cards), carried + done.pages.carried
                    continue
            computed |= timed("compute", partial(compute_trend_months.fn, validated.tables, period, settings, computed))
            report = timed("compute", partial(compute_period.fn, validated.tables, period, settings, computed))
            publication = publication_of(out_dir, period, report, settings)
            published = published_pages(target)
            with staging_folder(out_dir, str(period)) as stage:
                write = partial(write_period.fn, stage, report, validated, period, settings, "cores", publication)
                pages = timed("render", partial(write, published))
                number = publication.version
                timed(
                    "publish",
                    partial(
                        publish_period.fn, stage, target, rules, validated.report, report, number, pages, inputs[period]
                    ),
                )
        cards += len(pages.cards)
        carried += pages.carried
    timed("publish", partial(rebuild_index.fn, out_dir, settings))  # once, as a backfill does
    return {"stages_s": times, "cards": cards, "carried": carried, "months": len(period_range(first, last))}


def correct_one_deal(input_dir: Path, period: Period) -> str:
    """Add 1.00 to the amount of the first won deal (by id) closed in `period`; return its id."""
    path = input_dir / "opportunities.csv"
    deals = pl.read_csv(path, infer_schema=False)
    won = deals.filter(
        (pl.col("stage") == "won") & pl.col("close_date").is_between(pl.lit(str(period.start)), pl.lit(str(period.end)))
    ).sort("opportunity_id")
    deal = won["opportunity_id"][0]
    corrected = (pl.col("amount").cast(pl.Decimal(18, 2)) + 1).cast(pl.String)
    deals.with_columns(
        pl.when(pl.col("opportunity_id") == deal).then(corrected).otherwise(pl.col("amount")).alias("amount")
    ).write_csv(path)
    return deal


def _scenario(input_dir: Path, out_dir: Path, first: Period, last: Period) -> dict:
    arguments = ("--measure", str(input_dir), str(out_dir), str(first), str(last))
    return measured("benchmarks.incremental", *arguments, what=f"{first}..{last}")


def _lines(name: str, scale: Scale, month: dict, first: dict, again: dict, deal: str, floor_s: float) -> list[str]:
    def total(result: dict) -> float:
        return sum(result["stages_s"].values())

    lines = [
        f"### {name}: {scale.reps:,} reps, {scale.opportunities:,} opportunities",
        "",
        f"Machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores.",
        "",
        "| scenario | " + " | ".join(STAGES) + " | total | cards | carried over |",
        "|---|" + "---:|" * (len(STAGES) + 3),
    ]
    for label, result in (
        ("one month, empty folder", month),
        (f"first backfill, {first['months']} months", first),
        (f"re-publish {again['months']} months after correcting {deal}", again),
    ):
        lines.append(
            f"| {label} | "
            + " | ".join(f"{result['stages_s'][s]:.2f} s" for s in STAGES)
            + f" | {total(result):.2f} s | {result['cards']:,} | {result['carried']:,} |"
        )
    lines += [
        "",
        f"- first backfill of {first['months']} months: {total(first):.2f} s = "
        f"**{total(first) / total(month):.2f}×** one month (target ≤ 5× at 2,000 reps)",
        *backfill_bound(total(month), total(first), first["months"], month["cards"], usable_cores(), floor_s),
        f"- re-publishing {again['months']} months after one corrected deal: {total(again):.2f} s = "
        f"**{total(again) / total(month):.2f}×** one month (target ≤ 1.5×)",
    ]
    return lines


def main() -> None:
    """Generate, measure, print; with --record also append the figures to benchmarks/RESULTS.md."""
    if sys.argv[1:2] == ["--measure"]:
        input_dir, out_dir, first, last = sys.argv[2:6]
        print(json.dumps(measure(Path(input_dir), Path(out_dir), Period.parse(first), Period.parse(last))))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--period", default="2026-10", help="the latest month (default 2026-10)")
    parser.add_argument("--months", type=int, default=12, help="months in the backfill (default 12)")
    parser.add_argument("--record", action="store_true", help="append the results to benchmarks/RESULTS.md")
    args = parser.parse_args()
    scale, last = SCALES[args.scale], Period.parse(args.period)
    first = last.back(args.months - 1)[0]
    work = Path(tempfile.mkdtemp(prefix="scorecards-incremental-"))
    try:
        generate(work / "input", scale, last)
        month = _scenario(work / "input", work / "out-month", last, last)
        backfill = _scenario(work / "input", work / "out", first, last)
        deal = correct_one_deal(work / "input", last)
        again = _scenario(work / "input", work / "out", first, last)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    lines = _lines(args.scale, scale, month, backfill, again, deal, card_workbook_floor_s())
    print("\n".join(lines))
    if args.record:
        with RESULTS.open("a", encoding="utf-8") as handle:
            handle.write("\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
