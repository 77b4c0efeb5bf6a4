"""The period manifest: what was read, with which rules and version, and what was written."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from scorecards.flows.publish.staging import file_sha256
from scorecards.flows.publish.versions import version_numbers
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.pages import PublishedPages, RenderedPages
from scorecards.schemas.results import ValidationReport


def project_version() -> str:
    """The installed version of scorecards."""
    return version("scorecards")


def manifest_inputs(report: ValidationReport) -> list[dict[str, Any]]:
    """Each input file with its sha256 and rows read / used / quarantined (/ skipped by the profile, when any)."""
    return [
        {
            "table": t.table,
            "file": t.source,
            "sha256": t.sha256,
            "rows_read": t.rows_read,
            "rows_used": t.rows_used,
            "rows_quarantined": t.rows_quarantined,
            **({"rows_skipped": t.rows_skipped, "skipped": t.skipped} if t.rows_skipped else {}),
            **({"joined": [{"file": f, "sha256": h} for f, h in t.joined]} if t.joined else {}),
        }
        for t in report.tables
    ]


def _joined(entry: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple((j["file"], j["sha256"]) for j in entry.get("joined", []))


def write_manifest(
    stage: Path,
    period: str,
    config_sha256: str,
    report: ValidationReport,
    publication: int,
    pages: RenderedPages | None = None,
    period_inputs: str | None = None,
    known: Mapping[str, str] | None = None,
    warnings: Sequence[str] = (),
) -> None:
    """Write manifest.json: inputs, config hash, project version, which publication of P it is, run time, outputs;
    given the rendered `pages`, the renderer's version and each card's and rollup's view hash; given
    `period_inputs`, the digest of the input rows the period was computed from. `known`: the sha256 of outputs
    copied after a check of their bytes (relative path → sha256), not read again. `warnings`: what the month's
    data may not say that its cards should (`MonthCaveats.warnings`), which keeps `send` from mailing them."""
    target = PeriodFolder(stage).manifest
    found = sorted(p for p in stage.rglob("*") if p.is_file() and p != target)
    outputs = [p.relative_to(stage).as_posix() for p in found]
    hashes = dict(known or {})
    manifest = {
        "period": period,
        "publication": publication,
        "version": project_version(),
        "config_sha256": config_sha256,
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "inputs": manifest_inputs(report),
        "outputs": [{"path": path, "sha256": hashes.get(path) or file_sha256(stage / path)} for path in outputs],
        **(
            {
                "renderer": pages.renderer,
                "views": {
                    "reps": dict(sorted(pages.cards.items())),
                    "teams": dict(sorted(pages.rollups.items())),
                    "rep_inputs": dict(sorted(pages.card_inputs.items())),
                },
            }
            if pages is not None
            else {}
        ),
        **({"period_inputs": period_inputs} if period_inputs is not None else {}),
        **({"warnings": list(warnings)} if warnings else {}),
    }
    target.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def is_up_to_date(folder: Path, config_sha256: str, report: ValidationReport) -> bool:
    """True when the published period was made from the same input files, config and version, without a warning
    (one may no longer hold, as a month not over when published: it is looked at again, and `send` waits)."""
    published = PeriodFolder(folder).manifest_data()
    if published is None or published.get("warnings"):
        return False

    def files(inputs: list[dict[str, Any]]) -> list[tuple[str, str, str, tuple[tuple[str, str], ...]]]:
        return sorted((i["table"], i["file"], i["sha256"], _joined(i)) for i in inputs)

    return (
        published.get("config_sha256") == config_sha256
        and published.get("version") == project_version()
        and files(published.get("inputs", [])) == files(manifest_inputs(report))
    )


def published_pages(folder: Path) -> PublishedPages | None:
    """What the published period's manifest records of its pages (renderer, view hashes, file hashes); None when
    the folder has no readable manifest or its manifest predates view hashes."""
    return _pages_of(folder, PeriodFolder(folder).manifest_data())


def unchanged_publication(folder: Path, config_sha256: str, period_inputs: str, renderer: str) -> PublishedPages | None:
    """The published period when publishing it again would write the same pages and tables: it was made from the
    same input rows of the period (`period_inputs`), config, project version and renderer, without a warning (its
    pages name the day they were made: such a month is made again, as it is never up to date), and it is the
    latest version kept. Its manifest and quarantine files, which describe the whole input, are the only things
    to renew.
    """
    published = PeriodFolder(folder).manifest_data()
    if not (
        published is not None
        and not published.get("warnings")
        and published.get("period_inputs") == period_inputs
        and published.get("config_sha256") == config_sha256
        and published.get("version") == project_version()
        and published.get("renderer") == renderer
    ):
        return None
    pages = _pages_of(folder, published)
    latest = version_numbers(folder.parent, folder.name)[-1:]
    return pages if pages is not None and [pages.publication] == latest else None


def _pages_of(folder: Path, published: Any) -> PublishedPages | None:
    try:
        views = published["views"]
        pages = RenderedPages(
            str(published["renderer"]), dict(views["reps"]), dict(views["teams"]), 0, dict(views["rep_inputs"])
        )
        files = {str(o["path"]): str(o["sha256"]) for o in published["outputs"]}
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    number = published.get("publication")
    return PublishedPages(folder, pages, files, number if isinstance(number, int) else None)
