"""The period index (SPEC §11): what is published, read back as plain frames, and the index's pages put in place.

OUT/index.html is replaced by one rename of a complete file; OUT/people/ is
built beside itself and swapped in whole, like a period's folder. So are the
same pages in each other language a card is in (index.zh-CN.html, people.zh-CN/).
A rebuild holds OUT/.index.lock, so that two periods published side by side
rebuild one after the other and the last rebuild sees both.
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
from scorecards.flows.shared.layout import NAMED_PARTS, OutFolder, PeriodFolder, card_stem, named_part, rollup_stem

#: The columns of the scorecards table the index shows.
_REP_COLUMNS = ("rep_id", "rep_name", "team", "overall_grade", "rank_in_team")
#: The languages the index is written in; a table without it (not SPEC §6's, not made by this project) reads as
#: in the config's default locale.
_LOCALE = "locale"

PERIODS_SCHEMA = {
    "period": pl.String,
    "publication": pl.Int64,
    "fairness_pages": pl.List(pl.String),
    "warned": pl.Boolean,
}
REPS_SCHEMA = {
    "period": pl.String,
    "rep_id": pl.String,
    "rep_name": pl.String,
    "team": pl.String,
    "overall_grade": pl.String,
    "rank_in_team": pl.Int64,
    "locale": pl.String,
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
    `fairness_pages` (the `language_part` of each fairness page the folder holds: "" for fairness.html,
    ".zh-CN" for fairness.zh-CN.html), `warned` (its manifest records a warning: a month not over, nothing dated
    in it). reps: one row per rep of each period's scorecards table,
    `period, rep_id, rep_name, team, overall_grade, rank_in_team, locale` (null in a table without it), with
    `has_card` and `has_rollup` saying whether the rep's HTML card and its team's HTML rollup are in the folder.
    """
    periods, reps = [], []
    for folder in OutFolder(out_dir).periods():
        fairness = [part for part in ("", *NAMED_PARTS) if folder.fairness(".html", part).is_file()]
        periods.append(
            {
                "period": folder.period,
                "publication": folder.publication(),
                "fairness_pages": fairness,
                "warned": bool(folder.warnings()),
            }
        )
        reps.append(_reps_of(folder))
    return (
        pl.DataFrame(periods, schema=PERIODS_SCHEMA),
        pl.concat(reps) if reps else pl.DataFrame(schema=REPS_SCHEMA),
    )


def _reps_of(folder: PeriodFolder) -> pl.DataFrame:
    try:
        with_locale = _LOCALE in pl.read_parquet_schema(folder.scorecards_parquet)
        columns = [*_REP_COLUMNS, _LOCALE] if with_locale else list(_REP_COLUMNS)
        table = pl.read_parquet(folder.scorecards_parquet, columns=columns)
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
        (pl.col(_LOCALE) if with_locale else pl.lit(None)).cast(pl.String).alias(_LOCALE),
        pl.Series("has_card", [f"{card_stem(r)}.html" in cards for r in table["rep_id"]], pl.Boolean),
        pl.Series("has_rollup", [f"{rollup_stem(t)}.html" in rollups for t in table["team"]], pl.Boolean),
    )


def write_index(out_dir: Path, pages: Mapping[str, tuple[str, Mapping[str, str]]], default: str) -> bool:
    """Put the index's pages in place, each file and each folder whole; under index_lock.

    `pages`: for each language's `language_part` ("" for the config's `default` locale), the index page and
    the rep pages by rep id: OUT/index<part>.html and OUT/people<part>/. The pages of a language no longer in
    `pages` are removed, but for the default's under its named part (index.zh-CN.html and people.zh-CN/ when
    the default is zh-CN), which stay, as copies of index.html and people/, once they exist: pages published
    while the default was another language link them. Nothing is written when the files already hold these
    pages (returns False then, True when written). A failure leaves each file and folder whole, the old one or
    the new.
    """
    layout = OutFolder(out_dir)
    people = {
        part: {layout.person(rep_id).name: html.encode("utf-8") for rep_id, html in pages_of.items()}
        for part, (_index, pages_of) in pages.items()
    }
    indexes = {part: index.encode("utf-8") for part, (index, _people) in pages.items()}
    alias = named_part(default)
    with failed_write_named(layout.index):
        for part in ("", *NAMED_PARTS):  # first: a killed swap may have left a rep folder displaced
            _clean_leftovers(layout, part)
        # The same links: index.html and index.<default>.html are side by side, as are people/ and people.<default>/.
        if alias not in indexes and layout.index_in(alias).is_file():
            indexes[alias] = indexes[""]
        if alias not in people and layout.people_in(alias).is_dir():
            people[alias] = people[""]
        stale = [part for part in NAMED_PARTS if part not in people]
        if (
            all(_holds(layout.people_in(part), written) for part, written in people.items())
            and all(_same(layout.index_in(part), data) for part, data in indexes.items())
            and not any(layout.people_in(part).exists() for part in stale)
            and not any(layout.index_in(part).exists() for part in stale if part not in indexes)
        ):
            return False
        stages = {}
        try:
            for part, written in people.items():
                stages[part] = stage = new_folder(out_dir, _building(layout.people_in(part)))
                for name, data in sorted(written.items()):  # not synced one by one, as a period's own pages are not
                    _write(stage / name, data)
        except BaseException:
            for stage in stages.values():
                shutil.rmtree(stage, ignore_errors=True)
            raise
    # People first: a new index may link pages the old people folder lacks, never the reverse.
    for part, stage in stages.items():
        swap_into_place(stage, layout.people_in(part))
    for part, data in indexes.items():
        target = layout.index_in(part)
        with failed_write_named(target):
            staged = out_dir / f".{target.name}.part-{os.getpid()}"
            try:
                _write(staged, data, sync=True)
                os.replace(staged, target)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
    for part in stale:  # the index first: nothing links the rep pages then
        if part not in indexes:
            layout.index_in(part).unlink(missing_ok=True)
        shutil.rmtree(layout.people_in(part), ignore_errors=True)
    return True


def _building(people: Path) -> str:
    """The hidden name prefix a language's rep folder is built under, e.g. `.people.zh-CN.building-`."""
    return f".{people.name}.building-"


def _holds(people: Path, pages: Mapping[str, bytes]) -> bool:
    """Whether the rep pages' folder holds exactly these pages."""
    if not people.is_dir():
        return False
    present = {p.name for p in people.iterdir()}
    return present == set(pages) and all((people / name).read_bytes() == data for name, data in pages.items())


def _same(path: Path, data: bytes) -> bool:
    """Whether the file holds exactly these bytes."""
    return path.is_file() and path.read_bytes() == data


def _write(path: Path, data: bytes, *, sync: bool = False) -> None:
    with path.open("wb", buffering=0) as handle:  # unbuffered: a full disk fails the write, not the close
        handle.write(data)
        if sync:
            os.fsync(handle.fileno())


def _clean_leftovers(layout: OutFolder, part: str) -> None:
    """Put back a people folder an interrupted swap displaced; remove half-built folders and files (of one
    language's pages)."""
    out_dir, people, index = layout.path, layout.people_in(part), layout.index_in(part)
    for old in sorted(out_dir.glob(f".{people.name}.old-*")):  # swap_into_place's name for the displaced folder
        if not people.exists():
            os.rename(old, people)
        else:
            shutil.rmtree(old, ignore_errors=True)
    for stale in out_dir.glob(f"{_building(people)}*"):
        shutil.rmtree(stale, ignore_errors=True)
    for staged in out_dir.glob(f".{index.name}.part-*"):
        staged.unlink(missing_ok=True)
