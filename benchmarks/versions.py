"""Comparing two versions of a month: `python -m benchmarks.versions [--scale large] [--repeat 2] [--data DIR]`.

Generates canonical data at the scale (or reads it from --data), computes one month's report and the rows a
version keeps (`kept_rows`: 1.7 M deals at the large scale), then times `evidence_changes` with `rep_status`, as
`diff`, the restated publication and a new version's run line use them, against two corrected copies: one
deal's amount doubled (the rows stay in place) and one deal added (they move). Prints each run's wall time.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

from benchmarks.generate import LARGE, SMALL, TINY, generate
from scorecards.config import load_settings
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report
from scorecards.transforms.restatement import evidence_changes, kept_rows, rep_status

PERIOD = Period(2026, 10)
SCALES = {"tiny": TINY, "small": SMALL, "large": LARGE}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=SCALES, default="large")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--data", type=Path, help="canonical CSV files already generated at the scale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = args.data or Path(scratch)
        if args.data is None:
            generate(data, SCALES[args.scale], PERIOD)
        settings = load_settings()
        validated = validate_tables(read_inputs(data), settings)
        assert validated.tables is not None, validated.report.problems
        report = period_report(validated.tables, PERIOD, settings)
    old = kept_rows(report)
    deals = old["deals"]
    print(f"{args.scale}: {deals.height:,} deals kept, {sum(f.height for f in old.values()):,} rows in all")
    doubled = pl.int_range(pl.len()) == deals.height // 2
    corrected = {
        "one amount doubled (rows in place)": {
            **old,
            "deals": deals.with_columns(amount=pl.when(doubled).then(pl.col("amount") * 2).otherwise("amount")),
        },
        "one deal added (rows moved)": {
            **old,
            "deals": pl.concat([deals.head(1).with_columns(opportunity_id=pl.lit("O-ADDED")), deals]),
        },
    }
    for name, new in corrected.items():
        for _ in range(args.repeat):
            start = time.perf_counter()
            changes = evidence_changes(old, new)
            rep_status(report.scorecards, report.scorecards, changes)
            print(f"{name}: {time.perf_counter() - start:.2f} s, {changes.height} change rows")


if __name__ == "__main__":
    main()
