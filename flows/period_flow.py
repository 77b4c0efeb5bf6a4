"""The Prefect flow of one period: ingest → validate → compute → render → publish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Failed, State

from scorecards.config import Settings, config_hash
from scorecards.flows.ingest import read_inputs
from scorecards.flows.outputs import write_quarantine, write_scorecards
from scorecards.flows.publish import carry_over_sent_log, staging_folder, swap_into_place, write_manifest
from scorecards.flows.render import write_cards, write_team_rollups
from scorecards.flows.views import build_cards, build_team_rollups
from scorecards.schemas.quarantine import (
    RawTable,
    UnreadableTable,
    Validated,
    ValidationReport,
    validate_tables,
)
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport, period_report
from scorecards.transforms.tables import InputTables

# Frames are passed in memory between tasks: nothing to cache or persist.
_TASK = {"cache_policy": NO_CACHE, "persist_result": False}


@dataclass(frozen=True)
class PeriodResult:
    """What a published period holds: where, how many cards, and the validation counts."""

    period: str
    folder: Path
    published: bool
    reps: int
    report: ValidationReport


@task(name="read input files", **_TASK)
def read_input_files(input_dir: Path) -> dict[str, RawTable | UnreadableTable | None]:
    """Read every canonical table in the input folder."""
    return read_inputs(input_dir)


@task(name="check input rules", **_TASK)
def check_input_rules(raw: dict[str, RawTable | UnreadableTable | None], settings: Settings) -> Validated:
    """Validate the tables and set bad rows aside."""
    validated = validate_tables(raw, settings)
    logger = get_run_logger()
    for table in validated.report.tables:
        logger.info(
            "%s: %d read, %d used, %d quarantined",
            table.source,
            table.rows_read,
            table.rows_used,
            table.rows_quarantined,
        )
    for problem in validated.report.problems:
        logger.error("%s", problem)
    return validated


@task(name="compute scorecards", **_TASK)
def compute_period(tables: InputTables, period: Period, settings: Settings) -> PeriodReport:
    """Compute every metric, grade, rank, trend and feedback note of the period."""
    return period_report(tables, period, settings)


@task(name="write scorecards", **_TASK)
def write_period(stage: Path, report: PeriodReport, validated: Validated, period: Period, settings: Settings) -> int:
    """Write the scorecards table, each rep's card, each team's rollup and the quarantine files."""
    write_scorecards(report.scorecards, stage)
    write_quarantine(validated.quarantine, stage)
    currency = settings.display.currency
    cards = build_cards(
        report.scorecards, report.history, report.notes, report.manager_notes, report.evidence, period, settings
    )
    write_cards(cards, stage / "reps", currency)
    rollups = build_team_rollups(report.scorecards, report.history, report.teams, report.topics, period, settings)
    write_team_rollups(rollups, stage / "teams", currency)
    return len(cards)


@task(name="publish period", **_TASK)
def publish_period(stage: Path, target: Path, manifest: dict[str, object]) -> None:
    """Record the manifest, then put the period's folder in place whole."""
    write_manifest(stage, manifest)
    carry_over_sent_log(target, stage)
    swap_into_place(stage, target)


@flow(name="scorecards-period", flow_run_name="scorecards-{period}", validate_parameters=False)
def period_flow(input_dir: Path, period: str, out_dir: Path, settings: Settings) -> PeriodResult | State:
    """Score every rep for one month and publish the period's outputs.

    Data that fails validation ends the run Failed, with the report as its
    result and nothing published; it is not an exception (no traceback).
    """
    month = Period.parse(period)
    raw = read_input_files(input_dir)
    validated = check_input_rules(raw, settings)
    if not validated.report.ok:
        result = PeriodResult(str(month), out_dir / str(month), False, 0, validated.report)
        return Failed(message=f"{month}: data failed validation, nothing published", data=result)
    report = compute_period(validated.tables, month, settings)
    with staging_folder(out_dir, str(month)) as stage:
        reps = write_period(stage, report, validated, month, settings)
        publish_period(stage, out_dir / str(month), _manifest(month, settings, validated.report))
    get_run_logger().info("published %d scorecards to %s", reps, out_dir / str(month))
    return PeriodResult(str(month), out_dir / str(month), True, reps, validated.report)


def _manifest(period: Period, settings: Settings, report: ValidationReport) -> dict[str, object]:
    return {
        "period": str(period),
        "version": version("scorecards"),
        "config_sha256": config_hash(settings),
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": [
            {
                "table": t.table,
                "file": t.source,
                "sha256": t.sha256,
                "rows_read": t.rows_read,
                "rows_used": t.rows_used,
                "rows_quarantined": t.rows_quarantined,
            }
            for t in report.tables
        ],
    }
