"""One rep card with a very long evidence: `python -m benchmarks.cards [--rows 20000] [--repeat 5]`.

Writes canonical input in which one rep (R1, and R2 in Chinese) has about `--rows` evidence rows
(won deals, some in euros and some shared, their new customers, leads created and closed, survey
answers), runs it through ingest, validation and the period report, then times the real render
code for that one card: the view model (`build_cards`), the HTML and the Excel file. Prints the
best and the median of each over the repeats (wall time, and the process's CPU time for the whole card,
which other processes on a shared machine do not inflate as much), and the sizes of the files.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import polars as pl

from scorecards.config import Settings, load_settings
from scorecards.flows.cards.card_view import Card, build_cards
from scorecards.flows.cards.render import template_environment
from scorecards.flows.cards.workbooks import write_card_workbook
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport, period_report

PERIOD = Period(2026, 10)


def _ids(prefix: str, width: int = 6) -> pl.Expr:
    return pl.lit(prefix) + pl.col("i").cast(pl.String).str.zfill(width)


def _day(offset: pl.Expr, start: str = "2026-10-01") -> pl.Expr:
    return (pl.lit(start).str.to_date() + pl.duration(days=offset)).dt.strftime("%Y-%m-%d")


def write_input(folder: Path, rows: int) -> dict[str, int]:
    """Canonical CSV files in which R1 and R2 each have about `rows` evidence rows in October 2026.

    The split: 35 % won deals (every 7th in euros, every 10th shared half and half by R1 and R2),
    15 % new customers, 15 % closed leads, 30 % new leads, 5 % survey answers.
    """
    folder.mkdir(parents=True, exist_ok=True)
    deals, accounts, leads, closed = rows * 35 // 100, rows * 15 // 100, rows * 30 // 100, rows * 15 // 100
    surveys = rows - deals - accounts - leads - closed

    def numbered(n: int) -> pl.DataFrame:
        return pl.DataFrame({"i": pl.int_range(n, eager=True, dtype=pl.Int64)})

    owner = pl.when(pl.col("i") % 2 == 0).then(pl.lit("R1")).otherwise(pl.lit("R2"))
    frames = {
        "reps": pl.DataFrame(
            {
                "rep_id": ["R1", "R2"],
                "rep_name": ["Ann Lee", "王芳"],
                "email": ["ann@example.com", "wang@example.com"],
                "team": ["East", "East"],
                "manager_name": ["Mia Wong", "Mia Wong"],
                "manager_email": ["mia@example.com", "mia@example.com"],
                "hire_date": ["2020-01-01", "2020-01-01"],
                "locale": ["en", "zh-CN"],
            }
        ),
        # Each rep's deals: `deals` of them, over `accounts` accounts first won this month.
        "opportunities": numbered(2 * deals).select(
            opportunity_id=_ids("O"),
            rep_id=owner,
            account_id=pl.lit("A") + (pl.col("i") % (2 * accounts)).cast(pl.String).str.zfill(6),
            account_name=pl.lit("Account ") + (pl.col("i") % (2 * accounts)).cast(pl.String),
            stage=pl.lit("won"),
            amount=((pl.col("i").hash(seed=4) % 20_000_000) + 100_000).cast(pl.String).str.replace(r"(\d\d)$", ".$1"),
            created_date=_day(pl.col("i") % 60, "2026-08-01"),
            close_date=_day(pl.col("i") % 31),
            currency=pl.when(pl.col("i") % 7 == 0).then(pl.lit("EUR")).otherwise(pl.lit("")),
        ),
        "opportunity_splits": numbered(2 * deals)
        .filter(pl.col("i") % 10 == 0)
        .select(opportunity_id=_ids("O"), rep_id=pl.lit("R1,R2").str.split(","), share=pl.lit("0.5"))
        .explode("rep_id"),
        "fx_rates": pl.DataFrame({"currency": ["EUR"], "rate_date": ["2026-09-30"], "rate": ["7.8125"]}),
        "leads": numbered(2 * leads).select(
            lead_id=_ids("L"),
            rep_id=owner,
            created_date=_day(pl.col("i") % 20),
            status=pl.when(pl.col("i") < 2 * closed)
            .then(pl.when(pl.col("i") % 3 == 0).then(pl.lit("converted")).otherwise(pl.lit("disqualified")))
            .otherwise(pl.lit("open")),
            closed_date=pl.when(pl.col("i") < 2 * closed).then(_day(pl.col("i") % 20 + 5)),
            first_contact_date=_day(pl.col("i") % 20 + pl.col("i") % 3),
        ),
        "surveys": numbered(2 * surveys).select(
            response_id=_ids("S"),
            rep_id=owner,
            account_id=pl.lit("A000001"),
            submitted_date=_day(pl.col("i") % 31),
            score=(pl.col("i") % 5 + 1).cast(pl.String),
            scale_max=pl.lit("5"),
            comment=pl.lit('=HYPERLINK("http://evil.example")'),  # stays text in every output
        ),
    }
    for name, frame in frames.items():
        frame.write_csv(folder / f"{name}.csv")
    return {name: frame.height for name, frame in frames.items()}


def report_for(folder: Path, settings: Settings) -> PeriodReport:
    """P's report of the input folder (not timed)."""
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.tables is not None, validated.report.problems
    return period_report(validated.tables, PERIOD, settings)


def time_card(report: PeriodReport, settings: Settings, rep_id: str, out: Path) -> tuple[dict[str, float], Card]:
    """Seconds to build one rep's card, render its HTML and write its Excel file (the render stage's code)."""
    times: dict[str, float] = {}
    cpu = time.process_time()
    start = time.perf_counter()
    (card,) = build_cards(report, PERIOD, settings, only=[rep_id])
    times["view"] = time.perf_counter() - start
    start = time.perf_counter()
    template = template_environment(card.locale).get_template("rep_card.html.j2")
    html = template.render({"card": card, "lang": card.locale, "title": f"{card.title} · {card.subtitle}"})
    (out / f"{rep_id}.html").write_text(html, "utf-8")
    times["html"] = time.perf_counter() - start
    start = time.perf_counter()
    write_card_workbook(card, out / f"{rep_id}.xlsx", settings.display.reporting)
    times["xlsx"] = time.perf_counter() - start
    times["total"] = times["view"] + times["html"] + times["xlsx"]
    times["total, CPU time"] = time.process_time() - cpu  # what a busy machine's other processes do not add
    return times, card


def main() -> None:
    """Generate the input, then time the card of R1 (English) and R2 (Chinese) `--repeat` times each."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000, help="evidence rows of each rep's card (default 20000)")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per card (default 5)")
    args = parser.parse_args()
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="scorecards-cards-") as work:
        write_input(Path(work) / "input", args.rows)
        report = report_for(Path(work) / "input", settings)
        out = Path(work) / "out"
        out.mkdir()
        print("| card | evidence rows | HTML rows | step | best | median | file |")
        print("|---|---:|---:|---|---:|---:|---:|")
        for rep_id in ("R1", "R2"):
            runs = [time_card(report, settings, rep_id, out) for _ in range(args.repeat)]
            card = runs[-1][1]
            rows = sum(table.height for table in card.evidence)
            shown = sum(len(table.shown) for table in card.evidence)
            sizes = {"html": (out / f"{rep_id}.html").stat().st_size, "xlsx": (out / f"{rep_id}.xlsx").stat().st_size}
            for step in ("view", "html", "xlsx", "total", "total, CPU time"):
                figures = [times[step] for times, _card in runs]
                size = f"{sizes[step] / 1024:,.0f} KB" if step in sizes else ""
                print(
                    f"| {rep_id} ({card.locale}) | {rows:,} | {shown:,} | {step} "
                    f"| {min(figures):.3f} s | {statistics.median(figures):.3f} s | {size} |"
                )


if __name__ == "__main__":
    main()
