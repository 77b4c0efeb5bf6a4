"""What a run tells operators: a markdown summary per period and the scorecards as a table (Prefect artifacts)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from scorecards.flows.shared.layout import PeriodFolder
from scorecards.schemas.fields import GRADES
from scorecards.schemas.results import UNREAD_WHY, ValidationReport
from scorecards.transforms.grading import grade_distribution


def summary_markdown(
    period: str, folder: Path, scorecards: pl.DataFrame, report: ValidationReport, news: str = ""
) -> str:
    """A period's run in markdown: its version's news, rows read/used/quarantined (and skipped) per file, grades,
    outputs."""
    layout = PeriodFolder(folder)
    files = (layout.scorecards_csv, layout.scorecards_parquet, *layout.fairness_files())
    contents = [*(f"`{path.name}`" for path in files), f"`{layout.cards.name}/`", f"`{layout.rollups.name}/`"]
    lines = [
        f"# Scorecards {period}",
        "",
        *([f"{news[0].upper()}{news[1:]}.", ""] if news else []),  # "Version 2; 1 rep changed since …"
        f"{scorecards.height} scorecards published in `{folder}`:",
        ", ".join([*contents, f"`{layout.manifest.name}`"]) + ".",
        "",
        "| file | read | used | quarantined | reasons |",
        "|---|---:|---:|---:|---|",
    ]
    for table in report.tables:
        reasons = "; ".join(f"{rule} ({count})" for rule, count in table.reasons.items()) or "–"
        lines.append(
            f"| {table.source} | {table.rows_read} | {table.rows_used} | {table.rows_quarantined} | {reasons} |"
        )
    skipped = [(t.source, why, count) for t in report.tables for why, count in t.skipped.items()]
    if skipped:
        lines += ["", "Not rows of the tables (read = used + quarantined + skipped):"]
        lines += [f"- {source}: {count} {why}" for source, why, count in skipped]
    if report.unread:
        lines += ["", f"Files of the input folder not read ({UNREAD_WHY}):"]
        # A backquote in a name would end its code span.
        lines += ["- `" + name.replace("`", "'") + "`" for name in report.unread]
    if report.notices:
        lines += ["", "To mend in the data (the run went on):"]
        lines += [f"- {notice}" for notice in report.notices]
    if any(t.rows_quarantined for t in report.tables):
        lines += ["", f"Rejected rows are in `{layout.quarantine}`."]
    headings = (*GRADES, "N/A")
    lines += ["", "| grade | " + " | ".join(headings) + " |", "|---|" + "---:|" * len(headings)]
    distribution = grade_distribution(scorecards).sort(pl.col("dimension") != "overall", maintain_order=True)
    for label, *counts in distribution.select("dimension", *GRADES, "na").iter_rows():
        lines.append(f"| {label} | " + " | ".join(str(count) for count in counts) + " |")
    return "\n".join(lines) + "\n"


def scorecards_table(scorecards: pl.DataFrame) -> list[dict[str, Any]]:
    """The scorecards as JSON-ready rows (exact decimals as text)."""
    return scorecards.select(pl.all().cast(pl.String)).to_dicts()
