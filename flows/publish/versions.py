"""The version store (SPEC §9): every publication of a period kept as a numbered version, to compare any two later.

OUT/.versions/P/<n>/ holds what version n published: its scorecards table, the
evidence rows behind every card (one zstd Parquet file per section) and its
manifest; no rendered card, so the store grows with the data, not the renders.
A version is written aside and renamed into place just before its period's
folder is swapped in; a run killed between the two leaves a version that was
never published, which the next holder of the period's lock removes.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

import polars as pl

from scorecards.flows.publish.outputs import write_parquet
from scorecards.flows.shared.layout import PeriodFolder

#: The store's folder under OUT: hidden, like the lock and staging folders, so OUT/P stays as SPEC §6 says.
STORE = ".versions"
#: A version being written: renamed to its number when complete.
STAGED = ".staged-"


@dataclass(frozen=True)
class Version:
    """One publication of a period: its number, when it was published, its scorecards and evidence rows."""

    number: int
    published_at: str
    scorecards: pl.DataFrame
    evidence: dict[str, pl.DataFrame]

    def published_on(self, zone: tzinfo) -> date:
        """The day the version was published where its readers are (`zone`: the team's, the schedule's)."""
        return datetime.fromisoformat(self.published_at).astimezone(zone).date()


def store_folder(out_dir: Path, period: str) -> Path:
    """OUT/.versions/P."""
    return out_dir / STORE / period


def version_numbers(out_dir: Path, period: str) -> list[int]:
    """The numbers of P's versions, oldest first."""
    folder = store_folder(out_dir, period)
    if not folder.is_dir():
        return []
    return sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())


def stage_version(
    out_dir: Path, period: str, number: int, scorecards: pl.DataFrame, evidence: dict[str, pl.DataFrame]
) -> Path:
    """Write version `number` of P aside (its manifest is added by `keep_manifest`); return where."""
    staged = store_folder(out_dir, period) / f"{STAGED}{number}-{os.getpid()}"
    (staged / "evidence").mkdir(parents=True)  # new: the period's lock holder removed any leftover
    _write_parquet(scorecards, PeriodFolder(staged).scorecards_parquet)
    for section, rows in sorted(evidence.items()):
        _write_parquet(rows, staged / "evidence" / f"{section}.parquet")
    return staged


def keep_manifest(staged: Path, period_stage: Path) -> None:
    """Copy the period's manifest (written last, in its staging folder) into the staged version."""
    shutil.copyfile(PeriodFolder(period_stage).manifest, PeriodFolder(staged).manifest)


def commit_version(staged: Path, number: int) -> None:
    """Put a staged version in place as number `number` (just before its period's folder is swapped in)."""
    os.rename(staged, staged.with_name(str(number)))


def drop_unpublished(out_dir: Path, period: str) -> None:
    """Remove staged leftovers and versions newer than the published one (a run killed between the two renames)."""
    folder = store_folder(out_dir, period)
    if not folder.is_dir():
        return
    published = PeriodFolder.of(out_dir, period).publication() or 0
    for child in folder.iterdir():
        if child.name.startswith(STAGED) or (child.name.isdigit() and int(child.name) > published):
            shutil.rmtree(child, ignore_errors=True)


def read_version(out_dir: Path, period: str, number: int) -> Version:
    """Version `number` of P, as the store keeps it."""
    folder = store_folder(out_dir, period) / str(number)
    # A kept version has a period folder's manifest and scorecards table, and its evidence beside them.
    kept = PeriodFolder(folder)
    manifest: dict[str, Any] = json.loads(kept.manifest.read_text(encoding="utf-8"))
    evidence = {p.stem: pl.read_parquet(p) for p in sorted((folder / "evidence").glob("*.parquet"))}
    return Version(number, str(manifest.get("run_at", "")), pl.read_parquet(kept.scorecards_parquet), evidence)


def _write_parquet(frame: pl.DataFrame, path: Path) -> None:
    # zstd level 1: the month's open deals (1.7 M rows at 50 reps / 5 M opportunities) are written in 0.40 s
    # instead of 0.55 s at polars' default level, and the file is no larger (benchmarks/RESULTS.md).
    write_parquet(frame, path, compression_level=1)
