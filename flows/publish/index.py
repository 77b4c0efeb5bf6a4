"""The period index (SPEC §11): what is published, read back as plain frames, and the index's pages put in place.

OUT/index.html is replaced by one rename of a complete file; OUT/people/ is
built beside itself and swapped in whole, like a period's folder. A rebuild
holds OUT/.index.lock, so that two periods published side by side rebuild one
after the other and the last rebuild sees both.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from scorecards.flows.publish.staging import failed_write_named, new_folder, swap_into_place
from scorecards.flows.shared.errors import PublishError
from scorecards.flows.shared.layout import OutFolder, PeriodFolder, card_stem, rollup_stem

#: The columns of the scorecards table the index shows.
_REP_COLUMNS = ("rep_id", "rep_name", "team", "overall_grade", "rank_in_team")
#: Staging names of the people folder and of index.html (hidden; removed or restored by the next rebuild).
_PEOPLE_BUILDING = ".people.building-"
_PEOPLE_OLD = ".people.old-"
_INDEX_PART = ".index.html.part-"

PERIODS_SCHEMA = {"period": pl.String, "publication": pl.Int64, "has_fairness": pl.Boolean}
REPS_SCHEMA = {
    "period": pl.String,
    "rep_id": pl.String,
    "rep_name": pl.String,
    "team": pl.String,
    "overall_grade": pl.String,
    "rank_in_team": pl.Int64,
    "has_card": pl.Boolean,
    "has_rollup": pl.Boolean,
}


@contextmanager
def index_lock(out_dir: Path) -> Iterator[None]:
    """Hold OUT/.index.lock while the index is rebuilt; wait for a rebuild in progress to finish."""
    path = OutFolder(out_dir).index_lock
    with failed_write_named(OutFolder(out_dir).index):
        out_dir.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+b", buffering=0)
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # a rebuild takes well under a second: waiting is right
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def read_published(out_dir: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every published period of OUT, read back: (periods, reps) as plain frames, oldest period first.

    periods: `period`, `publication` (the version number its manifest records; null when it has none),
    `has_fairness` (the folder holds fairness.html). reps: one row per rep of each period's scorecards
    table, `period, rep_id, rep_name, team, overall_grade, rank_in_team`, with `has_card` and
    `has_rollup` saying whether the rep's HTML card and its team's HTML rollup are in the folder.
    """
    periods, reps = [], []
    for folder in OutFolder(out_dir).periods():
        fairness = folder.fairness(".html").is_file()
        periods.append({"period": folder.period, "publication": folder.publication(), "has_fairness": fairness})
        reps.append(_reps_of(folder))
    return (
        pl.DataFrame(periods, schema=PERIODS_SCHEMA),
        pl.concat(reps) if reps else pl.DataFrame(schema=REPS_SCHEMA),
    )


def _reps_of(folder: PeriodFolder) -> pl.DataFrame:
    try:
        table = pl.read_parquet(folder.scorecards_parquet, columns=list(_REP_COLUMNS))
    except (OSError, pl.exceptions.PolarsError) as exc:  # a folder copied in by hand, half of it missing
        raise PublishError(
            f"{folder.scorecards_parquet}: cannot be read for the index ({type(exc).__name__}); "
            "put the period back whole or publish it again"
        ) from None
    cards = {p.name for p in folder.cards.glob("*.html")}
    rollups = {p.name for p in folder.rollups.glob("*.html")}
    return table.select(
        pl.lit(folder.period).alias("period"),
        pl.col("rep_id", "rep_name", "team", "overall_grade").cast(pl.String),
        pl.col("rank_in_team").cast(pl.Int64),
        pl.Series("has_card", [f"{card_stem(r)}.html" in cards for r in table["rep_id"]], pl.Boolean),
        pl.Series("has_rollup", [f"{rollup_stem(t)}.html" in rollups for t in table["team"]], pl.Boolean),
    )


def write_index(out_dir: Path, index_html: str, people: Mapping[str, str]) -> bool:
    """Put OUT/index.html and OUT/people/ (one page per rep id in `people`) in place, each whole; under index_lock.

    Nothing is written when the files already hold these pages (returns False then, True when written).
    A failure leaves the previous index and pages as they were.
    """
    layout = OutFolder(out_dir)
    pages = {layout.person(rep_id).name: html.encode("utf-8") for rep_id, html in people.items()}
    index = index_html.encode("utf-8")
    with failed_write_named(layout.index):
        _clean_leftovers(layout)
        if _holds(layout, index, pages):
            return False
        stage = new_folder(out_dir, _PEOPLE_BUILDING)
        try:
            for name, data in sorted(pages.items()):  # not synced one by one, as a period's own pages are not
                _write(stage / name, data)
        except BaseException:
            shutil.rmtree(stage, ignore_errors=True)
            raise
    # People first: the new index may link pages the old people folder lacks, never the reverse.
    swap_into_place(stage, layout.people)
    with failed_write_named(layout.index):
        part = out_dir / f"{_INDEX_PART}{os.getpid()}"
        try:
            _write(part, index, sync=True)
            os.replace(part, layout.index)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    return True


def _holds(layout: OutFolder, index: bytes, pages: Mapping[str, bytes]) -> bool:
    """Whether index.html and people/ are exactly these bytes already."""
    if not layout.index.is_file() or layout.index.read_bytes() != index or not layout.people.is_dir():
        return False
    present = {p.name for p in layout.people.iterdir()}
    return present == set(pages) and all((layout.people / name).read_bytes() == data for name, data in pages.items())


def _write(path: Path, data: bytes, *, sync: bool = False) -> None:
    with path.open("wb", buffering=0) as handle:  # unbuffered: a full disk fails the write, not the close
        handle.write(data)
        if sync:
            os.fsync(handle.fileno())


def _clean_leftovers(layout: OutFolder) -> None:
    """Put back a people folder an interrupted swap displaced; remove half-built folders and files."""
    out_dir = layout.path
    for old in sorted(out_dir.glob(f"{_PEOPLE_OLD}*")):
        if not layout.people.exists():
            os.rename(old, layout.people)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for stale in out_dir.glob(f"{_PEOPLE_BUILDING}*"):
        shutil.rmtree(stale, ignore_errors=True)
    for part in out_dir.glob(f"{_INDEX_PART}*"):
        part.unlink(missing_ok=True)
