"""The `scorecards` command line: parse arguments, call a stage or a flow, map the outcome to an exit status.

Exit status: 0 done; 1 the data failed validation, or a period or message
failed (nothing half-done is left); 2 wrong usage or configuration. Prefect is
imported only by commands that orchestrate.
"""

from __future__ import annotations

import atexit
import gc
import os
import signal
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.cells import cell_len
from typer.core import TyperGroup

from scorecards.config import ConfigError, load_settings
from scorecards.config.profiles import CANONICAL, list_profiles, load_profile, shipped_profiles_folder
from scorecards.flows.shared.cores import usable_cores
from scorecards.flows.shared.counting import rows_named
from scorecards.flows.shared.errors import ScorecardsError, UsageError
from scorecards.flows.shared.layout import OutFolder, PeriodFolder
from scorecards.schemas.results import UNREAD_WHY, ValidationReport
from scorecards.transforms.period import Period, last_complete_month
from scorecards.transforms.trend import check_scorable

if TYPE_CHECKING:
    from scorecards.flows.period_flow import RunResult


class _NamedFailures(TyperGroup):
    """Every command's named failure becomes `error: <message>` and its exit status; other errors keep a traceback."""

    def invoke(self, ctx: click.Context) -> Any:  # noqa: ANN401 - whatever the command returns
        try:
            return super().invoke(ctx)
        except (ScorecardsError, ConfigError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(exc.exit_status) from None


app = typer.Typer(
    cls=_NamedFailures,
    help="Monthly per-rep sales scorecards from CRM exports and survey results.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

InputDir = Annotated[Path, typer.Option("--input", help="Folder holding the input tables.")]
OutDir = Annotated[Path, typer.Option("--out", help="Output folder; each period is published in OUT/YYYY-MM.")]
ConfigFile = Annotated[
    Path | None, typer.Option("--config", help="Config file (bands, weights, rules); the shipped one by default.")
]
RunnerName = Annotated[
    str,
    typer.Option("--runner", help="Where tasks run: 'local' (this machine's cores) or 'dask' (a Dask cluster)."),
]
DaskAddress = Annotated[
    str | None,
    typer.Option("--dask-address", help="An existing Dask scheduler, tcp://host:8786 (with --runner dask)."),
]
ProfileName = Annotated[
    str,
    typer.Option("--profile", help="Source profile: a shipped name (see `scorecards profiles`) or a .toml/.yaml file."),
]


@app.command()
def run(
    input_dir: InputDir,
    period: Annotated[str, typer.Option("--period", help="Month to score, YYYY-MM.")],
    out_dir: OutDir = Path("out"),
    config: ConfigFile = None,
    profile: ProfileName = CANONICAL,
    runner: RunnerName = "local",
    dask_address: DaskAddress = None,
) -> None:
    """Score one period and publish its outputs (a re-run replaces them)."""
    settings = load_settings(config)
    source = load_profile(profile)
    month = _period(period, "--period")
    _check_input(input_dir)
    _check_out(out_dir)
    _check_apart(input_dir, out_dir)
    from scorecards.flows.period_flow import period_flow

    result = _orchestrate(
        _on_runner(period_flow, runner, dask_address),
        input_dir=input_dir,
        period=str(month),
        out_dir=out_dir,
        settings=settings,
        profile=source,
        on_dask=runner == "dask",
    )
    _finish(result, out_dir, settings.defaults.locale)


@app.command()
def backfill(
    input_dir: InputDir,
    first: Annotated[str, typer.Option("--from", help="First month, YYYY-MM.")],
    last: Annotated[str, typer.Option("--to", help="Last month, YYYY-MM.")],
    out_dir: OutDir = Path("out"),
    config: ConfigFile = None,
    force: Annotated[bool, typer.Option("--force", help="Publish periods that are already up to date too.")] = False,
    profile: ProfileName = CANONICAL,
    runner: RunnerName = "local",
    dask_address: DaskAddress = None,
) -> None:
    """Publish every period of a range from one read of the input; skip periods already up to date."""
    settings = load_settings(config)
    source = load_profile(profile)
    start, end = _period(first, "--from"), _period(last, "--to")
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    _check_input(input_dir)
    _check_out(out_dir)
    _check_apart(input_dir, out_dir)
    from scorecards.flows.period_flow import backfill_flow

    result = _orchestrate(
        _on_runner(backfill_flow, runner, dask_address),
        input_dir=input_dir,
        first=str(start),
        last=str(end),
        out_dir=out_dir,
        settings=settings,
        profile=source,
        force=force,
        on_dask=runner == "dask",
    )
    _finish(result, out_dir, settings.defaults.locale)


@app.command()
def validate(input_dir: InputDir, config: ConfigFile = None, profile: ProfileName = CANONICAL) -> None:
    """Check the input tables and print the report; publish nothing."""
    from scorecards.flows.sources.ingest import files_not_read, read_inputs
    from scorecards.flows.sources.normalise import unknown_labels
    from scorecards.flows.validate.quarantine import validate_tables

    settings = load_settings(config)
    source = load_profile(profile)
    _check_input(input_dir)
    raw = read_inputs(input_dir, source)
    validated = validate_tables(raw, settings, files_not_read(input_dir, source))
    typer.echo(format_report(validated.report))
    labels = unknown_labels(raw, source)
    if labels:
        mapped = source.name != CANONICAL  # a canonical file has no value map to extend
        typer.echo(
            ("Labels no value map covers" if mapped else "Values that are none of their column's choices")
            + " (their rows are quarantined):"
        )
        typer.echo("\n".join(f"  - {label.message()}" for label in labels))
    if not validated.report.ok:
        raise typer.Exit(1)


@app.command()
def profiles() -> None:
    """List the source profiles: the canonical tables and the shipped CRM exports."""
    listed = list_profiles()
    width = max(len(name) for name, _ in listed)
    typer.echo("\n".join(f"{name:<{width}}  {description}" for name, description in listed))
    typer.echo(f"(shipped in {shipped_profiles_folder()}; copy one to start your own, see docs/profiles.md)")


@app.command()
def demo(out_dir: OutDir = Path("demo-out"), config: ConfigFile = None) -> None:
    """Make a realistic sample data set and score its latest complete month."""
    from scorecards.flows.demo_data import generate_demo_inputs
    from scorecards.flows.period_flow import period_flow

    settings = load_settings(config)
    month = last_complete_month(date.today())
    _check_out(out_dir)
    inputs = out_dir / "input"
    counts = generate_demo_inputs(inputs, str(month))
    typer.echo(f"sample data: {sum(counts.values())} rows in {inputs}")
    result = _orchestrate(period_flow, input_dir=inputs, period=str(month), out_dir=out_dir, settings=settings)
    _finish(result, out_dir, settings.defaults.locale)
    typer.echo(f"the fairness page: {PeriodFolder.of(out_dir, str(month)).fairness('.html')}")


@app.command()
def send(
    period: Annotated[str, typer.Option("--period", help="Published month to send, YYYY-MM.")],
    out_dir: OutDir = Path("out"),
    config: ConfigFile = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write the messages to OUT/P/outbox as .eml; send nothing.")
    ] = False,
    resend: Annotated[
        bool, typer.Option("--resend", help="Send every message again, even those already delivered.")
    ] = False,
) -> None:
    """Email each manager their teams' scorecards (only what was not delivered yet).

    The server comes from the environment: SCORECARDS_SMTP_HOST, _PORT, _USER, _PASSWORD (or
    _PASSWORD_BLOCK, a Prefect Secret block), _FROM and _TLS (starttls, the default, ssl or none).
    """
    from scorecards.flows.mail.smtp import SmtpSettingsError, load_smtp_settings
    from scorecards.flows.sending import send_period

    settings = load_settings(config)
    month = _period(period, "--period")
    try:
        smtp = load_smtp_settings()
    except SmtpSettingsError:
        if not dry_run:
            raise
        smtp = None  # a dry run writes the messages without a server
    sent = send_period(out_dir, str(month), settings, smtp, dry_run=dry_run, resend=resend)
    typer.echo(sent.describe())
    if not sent.ok:
        raise typer.Exit(1)


@app.command()
def diff(
    period: Annotated[str, typer.Option("--period", help="Month whose versions to compare, YYYY-MM.")],
    out_dir: OutDir = Path("out"),
    first: Annotated[
        int | None, typer.Option("--from", help="Older version (default: the one last sent, else the previous).")
    ] = None,
    last: Annotated[int | None, typer.Option("--to", help="Newer version (default: the latest).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text (people), csv or json (programs).")] = "text",
) -> None:
    """Show what changed for each rep between two versions of a published period."""
    from scorecards.flows.restatements import compare, default_versions, print_table, render

    if fmt not in ("text", "csv", "json"):
        raise UsageError(f"--format {fmt!r}: use text, csv or json")
    month = str(_period(period, "--period"))
    try:
        _there(out_dir)
    except OSError as exc:  # a name too long, a folder this user may not look into
        raise UsageError(f"{out_dir}: cannot read it ({exc.strerror or exc})") from None
    default_from, default_to = default_versions(out_dir, month)
    old = default_from if first is None else first  # `--from 0` is a version that does not exist, not "unset"
    restatement = compare(out_dir, month, old, default_to if last is None else last)
    if fmt == "text" and sys.stdout.isatty():
        print_table(restatement)
        return
    typer.echo(render(restatement, fmt), nl=False)  # type: ignore[arg-type]


@app.command()
def serve(config: ConfigFile = None) -> None:
    """Serve the monthly deployment on the schedule the config sets; runs until stopped.

    The config's [schedule] sets the cron, its time zone, the input and output folders (relative ones
    from the folder serve starts in), the profile and whether to send. Needs PREFECT_API_URL and a
    running `prefect server start`.
    """
    settings = load_settings(config)
    load_profile(settings.schedule.profile)  # a wrong profile is a usage error now, not a failed run next month
    _check_out(settings.schedule.out, "[schedule] out")  # and so is an output folder that cannot be one
    _check_apart(settings.schedule.input, settings.schedule.out, "[schedule] out")
    from scorecards.flows.serving import serve_monthly

    serve_monthly(settings, config)


def format_report(report: ValidationReport) -> str:
    """The validation report as a plain-text table, reasons counted, then the problems."""
    lines = [f"{'file':<28}{'read':>9}{'used':>9}{'quarantined':>13}"]
    for table in report.tables:
        lines.append(f"{_padded(table.source, 28)}{table.rows_read:>9}{table.rows_used:>9}{table.rows_quarantined:>13}")
        lines += [f"    {count:>6} {why}" for why, count in table.skipped.items()]
        lines += [
            f"    {count:>6} × {rule}{_rows(table.first_rows.get(rule, ()), count)}"
            for rule, count in table.reasons.items()
        ]
    if report.unread:
        lines.append(f"Files not read ({UNREAD_WHY}):")
        lines += [f"  - {name}" for name in report.unread]
    if report.notices:
        lines.append("To mend in the data (the run goes on):")
        lines += [f"  - {notice}" for notice in report.notices]
    if report.problems:
        lines.append("FAILED, nothing published:")
        lines += [f"  - {problem}" for problem in report.problems]
    else:
        lines.append("OK")
    return "\n".join(lines)


def _padded(text: str, width: int) -> str:
    """`text` and the spaces that make it `width` columns wide on a terminal (a Chinese character takes two)."""
    return text + " " * max(0, width - cell_len(text))


def _rows(first: tuple[int, ...], count: int) -> str:
    """`  (rows 11, 12, 13)`: where in the file a reason's rows are, the first few of them."""
    if not first:
        return ""
    return f"  ({rows_named(first, count)})"


def format_outcomes(result: RunResult) -> str:
    """One line per period: published (cards), up to date, or failed (why)."""
    lines = [f"{'period':<9}{'status':<12}{'cards':>7}  where / why"]
    for o in result.outcomes:
        detail = o.message if o.status == "failed" else f"{o.folder} ({o.news})" if o.news else str(o.folder)
        cards = str(o.reps) if o.status == "published" else ""
        lines.append(f"{o.period:<9}{o.status:<12}{cards:>7}  {detail}")
        lines += [f"{'':<9}warning: {warning}" for warning in o.warnings]
    return "\n".join(lines)


def _on_runner(flow: Any, runner: str, address: str | None) -> Any:  # noqa: ANN401 - a Prefect flow
    """The flow as given (local), or with a Dask task runner: a local cluster, or the one at `address`."""
    if runner == "local":
        if address:
            raise UsageError("--dask-address needs --runner dask")
        return flow
    if runner != "dask":
        raise UsageError(f"--runner {runner!r}: use 'local' or 'dask'")
    from prefect_dask import DaskTaskRunner

    if address:
        return flow.with_options(task_runner=DaskTaskRunner(address=address))
    cluster = {"n_workers": usable_cores(), "threads_per_worker": 1}
    return flow.with_options(task_runner=DaskTaskRunner(cluster_kwargs=cluster))


def _orchestrate(flow: Any, **parameters: Any) -> RunResult:  # noqa: ANN401 - a Prefect flow
    """Run a flow (Prefect's temporary server when no PREFECT_API_URL is set) and return its result.

    A named failure the flow raised is reported with its exit status; anything else is a bug, with its traceback.
    """
    from scorecards.flows.period_flow import run_for_result
    from scorecards.flows.progress import showing_progress, terminal_display
    from scorecards.flows.shared.temporary_server import start_temporary_server

    start_temporary_server()
    with showing_progress(terminal_display()):
        return run_for_result(flow, **parameters)


def _finish(result: RunResult, out_dir: Path, default: str) -> None:
    """Print what happened (each file's rows read, used and quarantined, then each period, then where the index
    is, in the config's `default` locale and the others) and exit 1 when anything failed."""
    # On stdout either way, as `validate` prints it: the report is what the command answers (SPEC §2.8, §7).
    typer.echo(format_report(result.report))
    if not result.report.ok:
        raise typer.Exit(1)
    typer.echo(format_outcomes(result))
    if result.index_problem:
        typer.echo(f"warning: {result.index_problem}")
    elif any(o.status != "failed" for o in result.outcomes) and (pages := OutFolder(out_dir).index_pages(default)):
        typer.echo(format_index_hint(pages))
    if not result.ok:
        raise typer.Exit(1)


def format_index_hint(pages: Sequence[Path]) -> str:
    """Where to start reading what was published: the index, then its twins in the other languages."""
    index, *others = pages
    lines = [f"open {index} in a browser: every published month, its cards and team rollups"]
    lines += [f"  the same index in another language: {other}" for other in others]
    return "\n".join(lines)


def _period(text: str, option: str) -> Period:
    try:
        return check_scorable(Period.parse(text))
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _check_input(input_dir: Path) -> None:
    if input_dir.is_file():
        raise UsageError(f"{input_dir}: is a file; --input names the folder that holds the input files")
    if not input_dir.is_dir():
        raise UsageError(f"{input_dir}: input folder not found")


def _check_apart(input_dir: Path, out_dir: Path, option: str = "--out") -> None:
    """OUT is not the input folder: the periods would sit among the exports, and every later read would list
    its pages as files not read."""
    try:  # the same folder by another path too (a bind mount, a case-insensitive share)
        same = out_dir.exists() and out_dir.samefile(input_dir)
    except OSError:
        same = False
    if same or out_dir.resolve() == input_dir.resolve():
        raise UsageError(f"{out_dir}: {option} is the input folder; name another folder to publish in")


def _there(path: Path) -> bool:
    """Whether something is at `path`: a link that leads nowhere is (no folder can be made in its place); any
    error but "not there" is raised."""
    try:
        path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    return True


def _check_out(out_dir: Path, option: str = "--out") -> None:
    """OUT is a folder this user can write, or one that can be made there: a run publishes into it. Nothing is
    made here: a run whose data fails validation leaves no trace."""
    where = out_dir.absolute()
    try:
        existing = next(folder for folder in (where, *where.parents) if _there(folder))
        is_folder = existing.is_dir()
    except OSError as exc:  # a name too long, a folder this user may not look into
        raise UsageError(f"{out_dir}: cannot publish there ({exc.strerror or exc})") from None
    if not is_folder:
        raise UsageError(f"{existing}: not a folder; {option} names the folder the periods are published in")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"{out_dir}: cannot publish there ({existing} is not writable by this user)")


def main() -> None:
    """Console-script entry point."""
    # Without PREFECT_API_URL Prefect starts a temporary server; its first start
    # creates a database and can take longer than Prefect's 20 s default.
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    # At exit, after Prefect has sent its logs and events (its workers drain before atexit handlers run): the
    # interpreter's last garbage collections then skip the hundreds of thousands of objects of Prefect, pydantic
    # and pandera, which took ~0.45 s of every command's exit (docs/decisions.md).
    atexit.register(gc.freeze)
    # SIGTERM (a service manager's stop, `timeout`, `kill`) unwinds as Ctrl-C does, so that the temporary Prefect
    # server a command started is stopped with it; by default the process would end at once and leave that server
    # running for good. `serve` installs its own handler.
    signal.signal(signal.SIGTERM, _stopped)
    app(prog_name="scorecards")


def _stopped(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)
