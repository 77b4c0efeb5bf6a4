"""The Prefect flows: one period (`run`) and a range of periods (`backfill`).

Both read and validate the input once, then publish each period on its own:
compute → write → publish, under a per-period lock, into a folder swapped in whole.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import shutil
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, Literal, NamedTuple
from zoneinfo import ZoneInfo

import polars as pl
from prefect import Flow, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.exceptions import MissingContextError
from prefect.futures import PrefectFuture
from prefect.states import Failed, State

from scorecards.config import Settings, config_hash
from scorecards.config.profiles import CANONICAL_PROFILE, Profile, config_and_profile_hash
from scorecards.flows.cards.index_view import render_index_pages
from scorecards.flows.cards.render import render_period, renderer_version, source_digest
from scorecards.flows.progress import Tracker
from scorecards.flows.publish.index import index_lock, read_published, write_index
from scorecards.flows.publish.manifest import (
    is_up_to_date,
    published_pages,
    unchanged_publication,
    write_manifest,
)
from scorecards.flows.publish.outputs import write_fairness, write_quarantine, write_scorecards
from scorecards.flows.publish.restating import publication_of, version_news
from scorecards.flows.publish.staging import (
    carry_over_sent_log,
    failed_write_named,
    period_lock,
    refuse_a_file_in_place,
    staging_folder,
    swap_into_place,
)
from scorecards.flows.publish.versions import (
    commit_version,
    keep_manifest,
    stage_version,
    version_numbers,
)
from scorecards.flows.run_summary import scorecards_table, summary_markdown
from scorecards.flows.shared.cores import usable_cores
from scorecards.flows.shared.errors import PublishError, ScorecardsError
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.pages import PublishedPages, RenderedPages, carry_published
from scorecards.flows.sources.ingest import files_not_read, read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.schemas.results import UNREAD_WHY, RawTable, UnreadableTable, Validated, ValidationReport
from scorecards.schemas.tables import InputTables
from scorecards.transforms.coverage import month_caveats
from scorecards.transforms.period import Period, period_range
from scorecards.transforms.relevance import period_input_digests
from scorecards.transforms.report import PeriodReport, period_report
from scorecards.transforms.restatement import Publication, kept_rows
from scorecards.transforms.trend import trend_scorecards

# Frames are passed in memory between tasks: nothing to cache or persist.
_TASK = {"cache_policy": NO_CACHE, "persist_result": False}

Status = Literal["published", "up to date", "failed"]


class _NamedFailureWithoutTraceback(logging.Filter):
    """Log a named failure (ScorecardsError) by its message alone: it says all there is, a traceback would bury it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], ScorecardsError):
            record.exc_info, record.exc_text = None, None
        return True


# Prefect logs every exception a task or a deployment's flow run raises with its traceback; bugs keep theirs.
logging.getLogger("prefect.task_runs").addFilter(_NamedFailureWithoutTraceback())
logging.getLogger("prefect.flow_runs").addFilter(_NamedFailureWithoutTraceback())


def _log() -> logging.Logger | logging.LoggerAdapter:
    """The run's logger inside Prefect; the module's logger outside a run (a task body called directly, the
    benchmarks' stages)."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodOutcome:
    """What happened to one period: published (with how many cards), already up to date, or failed (why)."""

    period: str
    status: Status
    folder: Path
    reps: int = 0
    message: str = ""
    #: The version number a publication got (SPEC §9).
    version: int | None = None
    #: What that version is: `version 2; 1 rep changed since version 1`, `no change: still version 2`.
    news: str = ""
    #: What a reader of the month's cards should know of its data (a month not over yet, one without activity).
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RunResult:
    """A run's validation report and the outcome of each period it covered."""

    report: ValidationReport
    outcomes: list[PeriodOutcome] = field(default_factory=list)
    #: Why the period index could not be rebuilt after the run's months (it keeps its previous content then).
    index_problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.report.ok and all(o.status != "failed" for o in self.outcomes)


@task(name="read and check the input files", **_TASK)
def read_and_check_inputs(input_dir: Path, profile: Profile, settings: Settings) -> Validated:
    """Read every canonical table in the input folder as the source profile maps it, validate the tables and set
    bad rows aside."""
    # One task, not a task that reads and one that checks: Prefect keeps a task's parameters and result until the
    # task's events are sent, which under load was after the month's compute, and the raw text tables (~400 MB at
    # 5 M opportunities) then stayed in memory through it. Here they are gone once validated.
    return check_input_rules(read_inputs(input_dir, profile), settings, files_not_read(input_dir, profile))


def check_input_rules(
    raw: dict[str, RawTable | UnreadableTable | None], settings: Settings, unread: Sequence[str] = ()
) -> Validated:
    """Validate the tables and set bad rows aside, logging each table's counts, every problem and each file of
    the folder that was not read."""
    validated = validate_tables(raw, settings, unread)
    logger = _log()
    for name in validated.report.unread:
        logger.warning("%s: not read (%s)", name, UNREAD_WHY)
    for notice in validated.report.notices:
        logger.warning("%s", notice)
    for table in validated.report.tables:
        logger.info(
            "%s: %d read, %d used, %d quarantined",
            table.source,
            table.rows_read,
            table.rows_used,
            table.rows_quarantined,
        )
        for why, count in table.skipped.items():
            logger.info("%s: %d %s", table.source, count, why)
    for problem in validated.report.problems:
        logger.error("%s", problem)
    return validated


@task(name="compute the trend's months", **_TASK)
def compute_trend_months(
    tables: InputTables, period: Period, settings: Settings, known: Mapping[Period, pl.DataFrame]
) -> dict[Period, pl.DataFrame]:
    """Compute the scorecards of the period and of the months of its trend not known yet."""
    return trend_scorecards(tables, period, settings, known)


@task(name="compute the month's scorecards", **_TASK)
def compute_period(
    tables: InputTables, period: Period, settings: Settings, known: Mapping[Period, pl.DataFrame] | None = None
) -> PeriodReport:
    """Compute every metric, grade, rank, trend and feedback note of the period."""
    return period_report(tables, period, settings, known)


@task(name="write scorecards", **_TASK)
def write_period(
    stage: Path,
    report: PeriodReport,
    validated: Validated,
    period: Period,
    settings: Settings,
    render_on: Literal["cores", "cluster", "here"] = "cores",
    publication: Publication | None = None,
    published: PublishedPages | None = None,
    progress: Tracker | None = None,
) -> RenderedPages:
    """Write the scorecards and fairness tables, the cards, rollups and fairness page, and the quarantine files.

    Cards render on the cores this process may use, on the Dask cluster the flow runs
    on, or serially here (a backfill on Dask already spreads whole months).
    Cards and rollups whose view is unchanged since `published` are carried over from it.
    """
    on_cards = progress.cards_written if progress is not None else None
    if progress is not None:
        progress.month(str(period), report.scorecards.height)
    with failed_write_named(stage.with_name(str(period))):
        folder = PeriodFolder(stage)
        write_scorecards(report.scorecards, folder)
        write_fairness(report.fairness.reps, folder)
        write_quarantine(validated.quarantine, folder)
        if render_on == "cluster":
            from prefect_dask import get_dask_client

            with get_dask_client() as client:
                workers = sum(client.nthreads().values())
                executor = client.get_executor()
                return render_period(
                    report, period, settings, folder, workers, executor, publication, published, on_cards
                )
        workers = usable_cores() if render_on == "cores" else 1
        return render_period(
            report, period, settings, folder, workers, publication=publication, published=published, on_cards=on_cards
        )


@task(name="publish period", **_TASK)
def publish_period(
    stage: Path,
    target: Path,
    config_sha256: str,
    validation: ValidationReport,
    report: PeriodReport | None,
    number: int,
    pages: RenderedPages | None = None,
    period_inputs: str | None = None,
    known: Mapping[str, str] | None = None,
    warnings: Sequence[str] = (),
) -> None:
    """Record the manifest and keep this publication as version `number`, then put the period's folder in place.

    `report` may be None only when version `number` is kept already (a period published again unchanged).
    """
    out_dir, period = target.parent, target.name
    refuse_a_file_in_place(target)  # before a version is kept of what could not be published
    with failed_write_named(target):
        write_manifest(stage, period, config_sha256, validation, number, pages, period_inputs, known, warnings)
        carry_over_sent_log(target, stage)
        if number not in version_numbers(out_dir, period):  # else a re-run of the same numbers: kept as it is
            if report is None:  # a month published again unchanged keeps a version already kept
                raise PublishError(f"{target}: version {number} is new, so it needs its report")
            staged = stage_version(out_dir, period, number, report.scorecards, kept_rows(report))
            keep_manifest(staged, stage)
            commit_version(staged, number)
    swap_into_place(stage, target)


@task(name="rebuild the period index", **_TASK)
def rebuild_index(out_dir: Path, settings: Settings) -> None:
    """Rebuild OUT/index.html and the rep pages from every published period (SPEC §11), in each language a
    published card is in."""
    with index_lock(out_dir):
        periods, reps = read_published(out_dir)
        if periods.is_empty():
            return
        write_index(out_dir, render_index_pages(periods, reps, settings.defaults.locale), settings.defaults.locale)


def refresh_index(out_dir: Path, settings: Settings) -> str | None:
    """Rebuild the index; a named failure is logged and returned, not raised: the periods it follows are published
    all the same."""
    try:
        rebuild_index(out_dir, settings)
    except ScorecardsError as exc:
        problem = f"{exc}; the previous index is unchanged"
        _log().error("%s", problem)
        return problem
    return None


@task(name="record run summary", **_TASK)
def record_summary(
    period: Period, folder: Path, scorecards: pl.DataFrame, validation: ValidationReport, news: str
) -> None:
    """Publish the period's summary and scorecards as Prefect artifacts."""
    key = f"scorecards-{period}"
    create_markdown_artifact(
        summary_markdown(str(period), folder, scorecards, validation, news),
        key=key,
        description=f"Scorecards {period}",
    )
    create_table_artifact(scorecards_table(scorecards), key=f"{key}-table", description=f"Scorecards {period}")


@task(name="fingerprint each month's input", **_TASK)
def fingerprint_months(tables: InputTables, periods: list[Period]) -> dict[Period, str]:
    """Per month, a digest of the input rows its scorecards can read and of the code that publishes them: an
    equal digest means nothing to recompute."""
    code = publishing_code()
    return {
        period: hashlib.sha256(f"{rows} {code}".encode()).hexdigest()
        for period, rows in period_input_digests(tables, periods).items()
    }


@cache
def publishing_code() -> str:
    """A digest of the code a published month's files depend on besides its rows: the renderer (libraries,
    templates, config, schemas, transforms) and every module of the flows (tables, manifests, versions)."""
    return hashlib.sha256(f"{renderer_version()} {source_digest('scorecards.flows')}".encode()).hexdigest()


def unchanged_month(out_dir: Path, period: Period, config_sha256: str, inputs: str | None) -> PublishedPages | None:
    """The published month when its input rows, config and renderer are those it was made from (see
    `unchanged_publication`); None when it must be computed."""
    if inputs is None:
        return None
    return unchanged_publication(out_dir / str(period), config_sha256, inputs, renderer_version())


@task(name="publish a month", **_TASK)
def publish_month(
    validated: Validated,
    period: Period,
    out_dir: Path,
    settings: Settings,
    config_sha256: str,
    known: Mapping[Period, pl.DataFrame] | None = None,
    render_on: Literal["cores", "cluster", "here"] = "cores",
    progress: Tracker | None = None,
    inputs: str | None = None,
    recompute: bool = False,
) -> PeriodOutcome:
    """Compute, write and publish one month under its lock; a named failure becomes a failed outcome.

    Given the digest of the month's `inputs` (`fingerprint_months`, recorded in the manifest), a published
    month made from the same rows is published again from its own pages, with the manifest and quarantine
    of this input, unless `recompute`. The flow rebuilds the period index afterwards (a backfill once, after its
    months).
    """
    assert validated.tables is not None
    target = out_dir / str(period)
    caveats = month_caveats(validated.tables, period, datetime.now(ZoneInfo(settings.schedule.timezone)).date())
    warnings = caveats.warnings
    for warning in warnings:
        _log().warning("%s: %s", period, warning)
    try:
        with period_lock(out_dir, str(period)):
            versions_before = version_numbers(out_dir, str(period))
            unchanged = None if recompute else unchanged_month(out_dir, period, config_sha256, inputs)
            done = None
            if unchanged is not None and inputs is not None:
                done = republish_unchanged(validated, target, config_sha256, unchanged, inputs, progress, warnings)
            if done is None:
                report = compute_period(validated.tables, period, settings, known)
                publication = dataclasses.replace(publication_of(out_dir, period, report, settings), caveats=caveats)
                published = published_pages(target)  # its unchanged cards are carried over, not rendered again
                with staging_folder(out_dir, str(period)) as stage:
                    pages = write_period(
                        stage, report, validated, period, settings, render_on, publication, published, progress
                    )
                    publish_period(
                        stage,
                        target,
                        config_sha256,
                        validated.report,
                        report,
                        publication.version,
                        pages,
                        inputs,
                        warnings=warnings,
                    )
                done = _Published(pages, publication.version, report.scorecards)
    except ScorecardsError as exc:
        _log().error("%s", exc)
        if progress is not None:
            progress.month_done(str(period), "failed")
        return PeriodOutcome(str(period), "failed", target, message=str(exc))
    news = version_news(out_dir, period, done.version, new=done.version not in versions_before)
    record_summary(period, target, done.scorecards, validated.report, news)
    reps, carried = len(done.pages.cards), done.pages.carried
    _log().info("%s: published %d scorecards to %s (%d pages carried over): %s", period, reps, target, carried, news)
    if progress is not None:
        progress.month_done(str(period), "published")
    return PeriodOutcome(str(period), "published", target, reps, version=done.version, news=news, warnings=warnings)


class _Published(NamedTuple):
    """A month as published: its pages, its version number and its scorecards."""

    pages: RenderedPages
    version: int
    scorecards: pl.DataFrame


@task(name="publish an unchanged month again", **_TASK)
def republish_unchanged(
    validated: Validated,
    target: Path,
    config_sha256: str,
    published: PublishedPages,
    inputs: str,
    progress: Tracker | None = None,
    warnings: Sequence[str] = (),
) -> _Published | None:
    """Publish a month whose input rows are unchanged from its own pages and tables, with this input's manifest and
    quarantine files (they describe the whole input); None, having published nothing, when a file was changed."""
    out_dir, period, folder = target.parent, target.name, PeriodFolder(target)
    number = published.publication
    if number is None:  # unchanged_publication never gives one without its version
        raise PublishError(f"{target}: the published month names no version")
    kept = [path for path in published.files if not path.startswith(f"{folder.quarantine.name}/")]
    with staging_folder(out_dir, period) as stage:
        with failed_write_named(target):
            if not carry_published(published, stage, kept):
                shutil.rmtree(stage, ignore_errors=True)
                return None
            write_quarantine(validated.quarantine, PeriodFolder(stage))
            scorecards = pl.read_parquet(PeriodFolder(stage).scorecards_parquet)
        cards = len(published.pages.cards)
        if progress is not None:
            progress.month(period, cards)
            progress.cards_written(cards)
        pages = dataclasses.replace(published.pages, carried=cards + len(published.pages.rollups))
        # The body, not a task of its own: this task is the month's publication, and a task run is not free.
        known = {path: published.files[path] for path in kept}  # each carried over after its sha256 was checked
        publish_period.fn(stage, target, config_sha256, validated.report, None, number, pages, inputs, known, warnings)
    return _Published(pages, number, scorecards)


#: Where a flow run started by `run_for_result` leaves what it returns (unset: nobody asked).
_RETURNED: ContextVar[list[RunResult] | None] = ContextVar("scorecards_returned", default=None)


def run_for_result(flow: Flow[..., RunResult | State], **parameters: Any) -> RunResult:  # noqa: ANN401
    """Run a scoring flow in this process and return its RunResult; what the flow raised is raised again."""
    # Handed over in memory: the state the API answers with has no result when its first answer was lost and the
    # client's repeat was rejected as a duplicate (docs/decisions.md, "A run's result reaches the command").
    returned: list[RunResult] = []
    token = _RETURNED.set(returned)
    try:
        flow(**parameters)
    except Exception:
        # Prefect raises for the Failed state a flow returns, whose data (the RunResult) is not an exception:
        # expected. Raised as it is: what the flow raised, or a failure to record a run that went well.
        if len(returned) != 1 or returned[0].ok:
            raise
    finally:
        _RETURNED.reset(token)
    if len(returned) != 1:
        raise RuntimeError(f"flow {flow.name!r} returned {len(returned)} results through _ended, not one")
    return returned[0]


def _ended(result: RunResult, failure: str) -> RunResult | State:
    """What a scoring flow returns: its result, or a Failed state that carries it (handed to `run_for_result` too)."""
    returned = _RETURNED.get()
    if returned is not None:
        returned.append(result)
    return result if result.ok else Failed(message=failure, data=result)


@flow(name="scorecards-period", flow_run_name="scorecards-{period}", validate_parameters=False)
def period_flow(
    input_dir: Path,
    period: str,
    out_dir: Path,
    settings: Settings,
    profile: Profile = CANONICAL_PROFILE,
    on_dask: bool = False,
) -> RunResult | State:
    """Score every rep for one month and publish the period's outputs.

    Data that fails validation ends the run Failed, with the report as its
    result and nothing published; it is not an exception (no traceback).
    `on_dask`: the flow runs with a DaskTaskRunner, and renders on its cluster.
    """
    month = Period.parse(period)
    validated = read_and_check_inputs(input_dir, profile, settings)
    if not validated.report.ok:
        return _ended(RunResult(validated.report), f"{month}: data failed validation, nothing published")
    rules = config_and_profile_hash(config_hash(settings), profile)
    inputs = fingerprint_months(validated.tables, [month])[month]
    if on_dask:  # on a worker of the cluster, whose client then renders the cards across it
        outcome = publish_month.submit(
            validated, month, out_dir, settings, rules, render_on="cluster", inputs=inputs
        ).result()
    else:
        progress = Tracker(1, f"Scorecards {month}")
        outcome = publish_month(validated, month, out_dir, settings, rules, progress=progress, inputs=inputs)
    problem = refresh_index(out_dir, settings) if outcome.status == "published" else None
    result = RunResult(validated.report, [outcome], index_problem=problem)
    return _ended(result, result.outcomes[0].message)


@flow(name="scorecards-backfill", flow_run_name="scorecards-{first}-to-{last}", validate_parameters=False)
def backfill_flow(
    input_dir: Path,
    first: str,
    last: str,
    out_dir: Path,
    settings: Settings,
    profile: Profile = CANONICAL_PROFILE,
    force: bool = False,
    on_dask: bool = False,
) -> RunResult | State:
    """Publish each period of a range from one read and validation of the input; skip periods already up to date.

    A month whose input rows are unchanged (only other months' rows changed) is published again from its
    own pages, without computing it. `force` computes and publishes every month.
    With `on_dask` (a DaskTaskRunner), the months are published side by side on the cluster.
    """
    periods = period_range(Period.parse(first), Period.parse(last))
    validated = read_and_check_inputs(input_dir, profile, settings)
    if not validated.report.ok:
        return _ended(RunResult(validated.report), f"{first}..{last}: data failed validation, nothing published")
    rules = config_and_profile_hash(config_hash(settings), profile)
    outcomes: dict[Period, PeriodOutcome | PrefectFuture] = {}
    computed: dict[Period, pl.DataFrame] = {}  # each month's scorecards, computed once for every trend it is in
    inputs = fingerprint_months(validated.tables, periods)
    progress = Tracker(len(periods), f"Scorecards {first} to {last}")  # months on a cluster report when collected
    try:
        for month in periods:
            target = out_dir / str(month)
            if not force and is_up_to_date(target, rules, validated.report):
                _log().info("%s: up to date", month)
                outcomes[month] = PeriodOutcome(str(month), "up to date", target)
                progress.month_done(str(month), "up to date")
                continue
            if on_dask:
                # One month per worker; its cards render there (waiting on the cluster from every worker would
                # deadlock).
                outcomes[month] = publish_month.submit(
                    validated,
                    month,
                    out_dir,
                    settings,
                    rules,
                    render_on="here",
                    inputs=inputs[month],
                    recompute=force,
                )
                continue
            if force or unchanged_month(out_dir, month, rules, inputs[month]) is None:
                computed |= compute_trend_months(validated.tables, month, settings, computed)
            outcomes[month] = publish_month(
                validated,
                month,
                out_dir,
                settings,
                rules,
                computed,
                progress=progress,
                inputs=inputs[month],
                recompute=force,
            )
        done = []
        for outcome in outcomes.values():
            if isinstance(outcome, PrefectFuture):
                outcome = outcome.result()
                progress.month_done(outcome.period, outcome.status)
            done.append(outcome)
    except BaseException:
        # A bug stopped the range: the months still publishing on a cluster finish first, then the index
        # shows every month published; the bug is raised as it is.
        for outcome in outcomes.values():
            if isinstance(outcome, PrefectFuture):
                outcome.wait()
        try:
            refresh_index(out_dir, settings)
        except Exception:
            _log().exception("the index could not be rebuilt after the failed backfill")
        raise
    problem = refresh_index(out_dir, settings)  # once for the range, with every month it published
    result = RunResult(validated.report, done, index_problem=problem)
    failed = [o.period for o in done if o.status == "failed"]
    return _ended(result, f"{len(failed)} period(s) failed: {', '.join(failed)}")
