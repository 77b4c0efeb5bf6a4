"""The `scorecards` command line: parse arguments, call a stage or a flow, map the outcome to an exit status.

Exit status: 0 done; 1 the data failed validation (nothing published); 2 wrong
usage or configuration. Prefect is imported only by commands that orchestrate.
"""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scorecards.config import ConfigError, Settings, load_settings
from scorecards.flows.errors import ScorecardsError, UsageError
from scorecards.schemas.quarantine import ValidationReport
from scorecards.transforms.period import Period

if TYPE_CHECKING:
    from scorecards.flows.period_flow import PeriodResult

app = typer.Typer(
    help="Monthly per-rep sales scorecards from CRM exports and survey results.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

InputDir = Annotated[Path, typer.Option("--input", help="Folder holding the canonical input tables.")]
OutDir = Annotated[Path, typer.Option("--out", help="Output folder; each period is published in OUT/YYYY-MM.")]
ConfigFile = Annotated[
    Path | None, typer.Option("--config", help="Config file (bands, weights, ceilings); the shipped one by default.")
]


@app.command()
def run(
    input_dir: InputDir,
    period: Annotated[str, typer.Option("--period", help="Month to score, YYYY-MM.")],
    out_dir: OutDir = Path("out"),
    config: ConfigFile = None,
) -> None:
    """Score one period and publish its outputs."""
    settings = _settings(config)
    month = _period(period)
    result = _run_flow(input_dir, month, out_dir, settings)
    typer.echo(f"{result.period}: {result.reps} scorecards published in {result.folder}")


@app.command()
def validate(input_dir: InputDir, config: ConfigFile = None) -> None:
    """Check the input tables and print the report; publish nothing."""
    from scorecards.flows.ingest import read_inputs
    from scorecards.schemas.quarantine import validate_tables

    settings = _settings(config)
    try:
        raw = read_inputs(input_dir)
    except UsageError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    validated = validate_tables(raw, settings)
    typer.echo(format_report(validated.report))
    if not validated.report.ok:
        raise typer.Exit(1)


@app.command()
def demo(out_dir: OutDir = Path("demo-out"), config: ConfigFile = None) -> None:
    """Make a realistic sample data set and score its latest complete month."""
    from scorecards.flows.demo_data import generate_demo_inputs

    settings = _settings(config)
    month = Period.containing(date.today()).previous()
    inputs = out_dir / "input"
    counts = generate_demo_inputs(inputs, str(month))
    typer.echo(f"sample data: {sum(counts.values())} rows in {inputs}")
    result = _run_flow(inputs, month, out_dir, settings)
    typer.echo(format_report(result.report))
    typer.echo(f"{result.period}: {result.reps} scorecards published in {result.folder}")
    typer.echo(f"open {result.folder / 'reps'} for the cards, {result.folder / 'scorecards.csv'} for the table")


def format_report(report: ValidationReport) -> str:
    """The validation report as a plain-text table, reasons counted, then the problems."""
    lines = [f"{'file':<28}{'read':>9}{'used':>9}{'quarantined':>13}"]
    for table in report.tables:
        lines.append(f"{table.source:<28}{table.rows_read:>9}{table.rows_used:>9}{table.rows_quarantined:>13}")
        lines += [f"    {count:>6} × {rule}" for rule, count in table.reasons.items()]
    if report.problems:
        lines.append("FAILED, nothing published:")
        lines += [f"  - {problem}" for problem in report.problems]
    else:
        lines.append("OK")
    return "\n".join(lines)


def _run_flow(input_dir: Path, month: Period, out_dir: Path, settings: Settings) -> PeriodResult:
    # Without PREFECT_API_URL Prefect starts a temporary server; its first start
    # creates a database and can take longer than Prefect's 20 s default.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not input_dir.is_dir():
        typer.echo(f"error: {input_dir}: input folder not found", err=True)
        raise typer.Exit(2)
    from scorecards.flows.period_flow import PeriodResult, period_flow

    state = period_flow(input_dir=input_dir, period=str(month), out_dir=out_dir, settings=settings, return_state=True)
    result = state.result(raise_on_failure=False)
    if isinstance(result, PeriodResult):
        if not result.published:
            typer.echo(format_report(result.report), err=True)
            raise typer.Exit(1)
        return result
    if isinstance(result, ScorecardsError):
        typer.echo(f"error: {result}", err=True)
        raise typer.Exit(1)
    raise result  # not a failure we know: a bug, shown with its traceback


def _settings(path: Path | None) -> Settings:
    try:
        return load_settings(path)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValueError as exc:
        typer.echo(f"error: --period: {exc}", err=True)
        raise typer.Exit(2) from None


def main() -> None:
    """Console-script entry point."""
    app(prog_name="scorecards")


if __name__ == "__main__":
    sys.exit(main())
