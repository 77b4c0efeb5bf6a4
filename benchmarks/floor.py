"""What a month of cards cannot cost less than: `python -m benchmarks.floor [--reps 2000] [--repeat 3]`.

Every card is an xlsx written by openpyxl, and openpyxl builds and serialises a workbook's
object model (styles, theme, content types, the chart's drawing) however little the sheets
hold. This times the smallest workbook shaped like a card (a sheet with one row and a line
chart, a second sheet with one cell), saved as cards are saved (`save_deterministic`), and
prints what `--reps` of them cost on the cores this process may use. benchmarks/incremental.py
uses it to bound the ratio a first backfill can reach while each card is saved by openpyxl
(`backfill_bound`).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference, Series

from scorecards.flows.cards.excel import save_deterministic
from scorecards.flows.shared.cores import usable_cores


def _smallest_card_workbook(path: Path) -> None:
    workbook = Workbook(write_only=True)
    scorecard = workbook.create_sheet("Scorecard")
    scorecard.append(["conversion", 0.5, 0.6])
    chart = LineChart()
    chart.series.append(Series(Reference(scorecard, min_col=2, max_col=3, min_row=1, max_row=1), title="trend"))
    scorecard.add_chart(chart, "A3")
    workbook.create_sheet("Evidence").append(["none"])
    save_deterministic(workbook, path)


def card_workbook_floor_s(count: int = 300, repeat: int = 3) -> float:
    """CPU seconds of one smallest card-shaped workbook: the best of `repeat` runs of `count` workbooks."""
    with tempfile.TemporaryDirectory(prefix="scorecards-floor-") as folder:
        _smallest_card_workbook(Path(folder) / "warm.xlsx")
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            for number in range(count):
                _smallest_card_workbook(Path(folder) / f"{number}.xlsx")
            best = min(best, (time.process_time() - start) / count)
    return best


def backfill_bound(
    month_s: float, backfill_s: float, months: int, cards: int, cores: int, floor_s: float, target: float = 5.0
) -> list[str]:
    """What the figures of one month and of a first backfill of `months` months say about the backfill's ratio.

    Fitted as `one month = F + m` and `backfill = F + months × m` (F: what a backfill pays once,
    m: each month's own cost), the ratio is at most `target` only when m ≤ (target − 1) F / (months − target);
    with each month's cards costing at least their workbooks at `floor_s` spread over `cores`, it is at
    least (F + months × w) / (F + w).
    """
    if months <= target:  # no month can cost more than one month alone: the target holds whatever they cost
        return []
    per_month = (backfill_s - month_s) / (months - 1)
    once = month_s - per_month
    if once <= 0:  # no once-paid part (a noisy run at a tiny scale): the fit bounds nothing
        return [f"- the months' figures show no once-paid part (each further month {per_month:.2f} s): no bound"]
    allowed = (target - 1) * once / (months - target)
    workbooks = cards * floor_s / cores
    least = (once + months * workbooks) / (once + workbooks)
    return [
        f"- each further month of the backfill costs {per_month:.2f} s beyond the {once:.2f} s it pays once; "
        f"≤ {target:g}× one month needs a month in ≤ {allowed:.2f} s",
        f"- a month's {cards:,} card workbooks alone take ≥ {workbooks:.2f} s on {cores} cores (openpyxl's "
        f"smallest card-shaped workbook: {floor_s * 1000:.2f} ms of CPU): with openpyxl, on this machine and with "
        f"today's once-paid {once:.2f} s, a first backfill cannot go below **{least:.2f}×** one month",
    ]


def main() -> None:
    """Time the smallest card workbook; print it, and what `--reps` of them cost on this machine's usable cores."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=2000, help="cards in a month (default 2000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs of 300 workbooks (default 3)")
    args = parser.parse_args()
    floor, cores = card_workbook_floor_s(repeat=args.repeat), usable_cores()
    print(f"- openpyxl's smallest card-shaped workbook: {floor * 1000:.2f} ms of CPU (best of {args.repeat} × 300)")
    print(f"- {args.reps:,} of them on {cores} usable cores: ≥ {args.reps * floor / cores:.2f} s")


if __name__ == "__main__":
    main()
