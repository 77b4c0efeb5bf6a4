"""Publishing periods as the period flow does, with its tasks' bodies (no Prefect), and reading back what was published."""

from __future__ import annotations

import json
from pathlib import Path

from builders import snapshot, write_tables

from scorecards.config import Settings, config_hash
from scorecards.flows.period_flow import publish_period, rebuild_index, write_period
from scorecards.flows.publish.restating import publication_of
from scorecards.flows.publish.staging import period_lock, staging_folder
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report


def publish(
    root: Path, tables: dict[str, list[dict[str, str]]], periods: list[str], settings: Settings, out: Path
) -> None:
    """Publish each period from these tables into `out` as the period flow does: under its lock, then the index."""
    folder = write_tables(root / "input", tables)
    validated = validate_tables(read_inputs(folder), settings)
    assert validated.report.ok and validated.tables is not None, validated.report.problems
    for text in periods:
        period = Period.parse(text)
        with period_lock(out, text):
            report = period_report(validated.tables, period, settings)
            publication = publication_of(out, period, report, settings)
            with staging_folder(out, text) as stage:
                write_period.fn(stage, report, validated, period, settings, "here", publication)
                publish_period.fn(
                    stage, out / text, config_hash(settings), validated.report, report, publication.version
                )
        rebuild_index.fn(out, settings)


def outputs(out: Path) -> dict[str, bytes]:
    """Every file under OUT (the version store too) but the period locks, with each manifest's `run_at` left out:
    the one wall-clock value in the outputs."""
    return {
        name: _without_run_at(data) if Path(name).name == "manifest.json" else data
        for name, data in snapshot(out).items()
        if not name.endswith(".lock")
    }


def _without_run_at(manifest_json: bytes) -> bytes:
    manifest = json.loads(manifest_json)
    assert manifest.pop("run_at")
    return json.dumps(manifest, indent=2, ensure_ascii=False).encode()
