"""`scorecards diff`: what changed between two versions of a period (SPEC §9), from the version store alone.

For people: per rep, each changed number (old → new) and the evidence rows behind it;
for programs: the same as CSV rows or as JSON (a list of rep objects keyed by rep_id).
"""

from __future__ import annotations

import io
import json
from collections.abc import Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import polars as pl

from scorecards.flows.publish.outputs import write_csv_for_people
from scorecards.flows.publish.versions import Version, read_version, version_numbers
from scorecards.flows.shared.changes import reps_changed
from scorecards.flows.shared.columns import EVIDENCE_ROW_NAMES
from scorecards.flows.shared.errors import UsageError
from scorecards.flows.shared.inert_text import one_line
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.sent_log import read_sent_versions
from scorecards.transforms.restatement import EVIDENCE_ONLY, evidence_changes, rep_status, scorecard_changes

if TYPE_CHECKING:
    from rich.console import Console

Format = Literal["text", "csv", "json"]
#: The scorecards columns that say where a rep is: they do not compare across teams.
PLACE_COLUMNS = ("team", "manager_name", "manager_email", "rank_in_team")
#: Words for an evidence row's key in the report, by section (`opportunity O-1: amount 10000.00 → 12000.00`): the
#: cards' names of the rows, in English, in lower case.
KEY_NAMES = {section: name.lower() for section, name in EVIDENCE_ROW_NAMES.items()}


@dataclass(frozen=True)
class Restatement:
    """Two versions of a period and what changed between them, per rep."""

    period: str
    old: Version
    new: Version
    #: rep_id, rep_name and status of every rep that is not unchanged: added, gone, changed (a scorecards column
    #: differs, SPEC §9), or EVIDENCE_ONLY (the same numbers, but evidence rows that appeared, went or changed);
    #: seen by one manager (`for_teams`), also joined or left, and other_team.
    reps: pl.DataFrame
    changes: pl.DataFrame
    evidence: pl.DataFrame

    @property
    def unchanged(self) -> bool:
        """True when the two versions hold the same scorecards and the same evidence rows."""
        return self.reps.is_empty()

    def changed_reps(self) -> Restatement:
        """Only the reps that changed as SPEC §9 counts them (added, gone, or a scorecards column differs), as
        corrections go out for them: a rep whose evidence alone changed is left out."""
        changed = self.reps.filter(pl.col("status") != EVIDENCE_ONLY)
        theirs = pl.col("rep_id").is_in(changed["rep_id"].implode())
        return replace(self, reps=changed, changes=self.changes.filter(theirs), evidence=self.evidence.filter(theirs))

    @property
    def _places(self) -> pl.DataFrame:
        """rep_id and team of each rep in either version."""
        return pl.concat([self.old.scorecards.select("rep_id", "team"), self.new.scorecards.select("rep_id", "team")])

    @property
    def teams(self) -> set[str]:
        """The teams of the changed reps, in either version."""
        return set(self._places.filter(pl.col("rep_id").is_in(self.reps["rep_id"].implode()))["team"].to_list())

    def for_teams(self, teams: Collection[str]) -> Restatement:
        """Only the reps of these teams, as their manager sees them: a rep belongs to its team in either version.

        Each rep's `team` is the one of these it is in now, else the one it was in. A rep who moved between one
        of these teams and another is `joined` or `left` rather than changed, with the other team in
        `other_team`: one that left keeps no numbers or evidence rows (they are another team's now); one that
        joined keeps the numbers that compare across teams (not the team, its manager or the rank in it) and the
        evidence rows. A rep who moved between two of these teams keeps its new team, but not its rank, which is
        in another team.
        """
        ours = list(teams)
        members = self._places.filter(pl.col("team").is_in(ours))["rep_id"].unique().implode()
        mine = pl.col("rep_id").is_in(members)
        teams_of = self.old.scorecards.select("rep_id", old_team="team").join(
            self.new.scorecards.select("rep_id", new_team="team"), on="rep_id"
        )
        other_rank = pl.col("rep_id").is_in(
            teams_of.filter(pl.col("old_team") != pl.col("new_team"))["rep_id"].implode()
        ) & (pl.col("column") == "rank_in_team")
        came, was = pl.col("new_team").is_in(ours), pl.col("old_team").is_in(ours)
        moved = teams_of.filter(came != was).select(
            "rep_id",
            moved=pl.when(came).then(pl.lit("joined")).otherwise(pl.lit("left")),
            other_team=pl.when(came).then(pl.col("old_team")).otherwise(pl.col("new_team")),
        )
        ours_in = {
            version: scorecards.filter(pl.col("team").is_in(ours)).select("rep_id", pl.col("team").alias(version))
            for version, scorecards in (("now", self.new.scorecards), ("was", self.old.scorecards))
        }
        reps = (
            self.reps.filter(mine)
            .join(ours_in["now"], on="rep_id", how="left")
            .join(ours_in["was"], on="rep_id", how="left")
            .with_columns(team=pl.coalesce("now", "was"))
            .drop("now", "was")
            .join(moved, on="rep_id", how="left")
            .with_columns(status=pl.coalesce("moved", "status"))
            .drop("moved")
        )
        left = pl.col("rep_id").is_in(moved.filter(pl.col("moved") == "left")["rep_id"].implode())
        joined = pl.col("rep_id").is_in(moved.filter(pl.col("moved") == "joined")["rep_id"].implode())
        places = pl.col("column").is_in(list(PLACE_COLUMNS))
        return replace(
            self,
            reps=reps,
            changes=self.changes.filter(mine & ~left & ~(joined & places) & ~other_rank),
            evidence=self.evidence.filter(mine & ~left),
        )


def default_versions(out_dir: Path, period: str) -> tuple[int, int]:
    """(from, to) when not given: the version last sent against the latest; else the previous against the latest."""
    numbers = version_numbers(out_dir, period)
    if not numbers:
        raise UsageError(f"{period}: no versions in {out_dir} (publish the period with `scorecards run` first)")
    sent = [n for n in read_sent_versions(PeriodFolder.of(out_dir, period).path) if n in numbers]
    latest = numbers[-1]
    return (max(sent) if sent else numbers[-2] if len(numbers) > 1 else latest), latest


def compare(out_dir: Path, period: str, old_number: int, new_number: int) -> Restatement:
    """What changed for each rep from version `old_number` of P to version `new_number`."""
    numbers = version_numbers(out_dir, period)
    for number in (old_number, new_number):
        if number not in numbers:
            known = ", ".join(map(str, numbers)) or "none"
            raise UsageError(f"{period}: no version {number} (versions: {known})")
    old, new = read_version(out_dir, period, old_number), read_version(out_dir, period, new_number)
    names = pl.concat([new.scorecards.select("rep_id", "rep_name"), old.scorecards.select("rep_id", "rep_name")])
    evidence = evidence_changes(old.evidence, new.evidence)
    reps = (
        rep_status(old.scorecards, new.scorecards, evidence)
        .filter(pl.col("status") != "unchanged")
        .join(names.unique("rep_id", keep="first"), on="rep_id", how="left")
        .select("rep_id", "rep_name", "status")
    )
    return Restatement(period, old, new, reps, scorecard_changes(old.scorecards, new.scorecards), evidence)


def as_json(restatement: Restatement) -> str:
    """The period, the two versions compared, and a list of rep objects keyed by rep_id: status, changed
    columns, evidence rows (values as exact text)."""
    reps = [
        {
            "rep_id": rep["rep_id"],
            "rep_name": rep["rep_name"],
            "status": rep["status"],
            "changes": _rows(restatement.changes, rep["rep_id"], ("column", "old", "new")),
            "evidence": _rows(
                restatement.evidence, rep["rep_id"], ("section", "key", "change", "column", "old", "new")
            ),
        }
        for rep in restatement.reps.iter_rows(named=True)
    ]
    compared = {"period": restatement.period, **_versions(restatement)}
    return json.dumps({**compared, "reps": reps}, ensure_ascii=False, indent=2) + "\n"


def as_csv(restatement: Restatement) -> str:
    """One CSV row per change: the period and the two versions compared, rep, status, what (scorecard or an
    evidence section), key, change, column, old, new."""
    numbers = restatement.changes.with_columns(
        what=pl.lit("scorecard"), key=pl.lit(None, pl.String), change=pl.lit("changed")
    )
    rows = pl.concat(
        [
            numbers.select("rep_id", "what", "key", "change", "column", "old", "new"),
            restatement.evidence.select(
                "rep_id", pl.col("section").alias("what"), "key", "change", "column", "old", "new"
            ),
        ]
    )
    table = restatement.reps.join(rows, on="rep_id", how="left").sort("rep_id", maintain_order=True)
    compared = [pl.lit(restatement.period).alias("period")]
    compared += [pl.lit(number, pl.Int64).alias(name) for name, number in _versions(restatement).items()]
    table = table.select(*compared, pl.all())
    buffer = io.BytesIO()
    write_csv_for_people(table, buffer)
    return buffer.getvalue().decode("utf-8")


def _versions(restatement: Restatement) -> dict[str, int]:
    """The two versions compared, as a saved csv or json names them: the text says them in its first line."""
    return {"from_version": restatement.old.number, "to_version": restatement.new.number}


#: A row of the text report: (rep, status, what, old, new), every cell one line of text.
Row = tuple[str, str, str, str, str]


def report_rows(restatement: Restatement) -> list[Row]:
    """The text report's rows: a rep's own row (rep and status), then one per changed number and evidence row."""
    rows: list[Row] = []
    for rep in restatement.reps.iter_rows(named=True):
        rows.append((f"{one_line(rep['rep_id'])} {one_line(rep['rep_name'] or '')}", rep["status"], "", "", ""))
        if rep["status"] == "changed":
            for change in restatement.changes.filter(pl.col("rep_id") == rep["rep_id"]).iter_rows(named=True):
                rows.append(("", "", f"{change['column']}:", _shown(change["old"]), _shown(change["new"])))
        for row in restatement.evidence.filter(pl.col("rep_id") == rep["rep_id"]).iter_rows(named=True):
            what = f"{KEY_NAMES.get(row['section'], row['section'])} {one_line(row['key'])}"
            if row["change"] == "changed":
                rows.append(("", "", f"{what}: {row['column']}", _shown(row["old"]), _shown(row["new"])))
            else:
                rows.append(("", "", f"{what}:", "", row["change"]))
    return rows


def _header(restatement: Restatement) -> str:
    header = f"{restatement.period}: version {restatement.old.number} → version {restatement.new.number}"
    if restatement.unchanged:
        number = restatement.new.number
        if restatement.old.number == number and number > 1:
            # The default after a correction was sent: the version sent is the latest (found by a manager's trial).
            return f"{header}: no changes (the same version; `--from {number - 1}` compares it with the one before)"
        return f"{header}: no changes"
    return f"{header}: {reps_changed(restatement.reps)}"


def as_text(restatement: Restatement) -> str:
    """Per rep, a line per changed number and per evidence row, for people; `no changes` when there are none."""
    lines = [_header(restatement)]
    for rep, status, what, old, new in report_rows(restatement):
        if not what:
            lines.append(f"{rep} ({status})")
        else:
            lines.append(f"    {what} {old} → {new}" if old else f"    {what} {new}")
    return "\n".join(lines) + "\n"


def print_table(restatement: Restatement, console: Console | None = None) -> None:
    """The text report as a table on a terminal (rich); every text from the data shown as text, never markup."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = console or Console()
    if restatement.unchanged:
        console.print(Text(_header(restatement)))
        return
    table = Table(title=Text(_header(restatement)))
    for heading in ("rep", "status", "what", "old", "new"):
        table.add_column(heading)
    for row in report_rows(restatement):
        table.add_row(*(Text(cell) for cell in row))
    console.print(table)


def render(restatement: Restatement, fmt: Format) -> str:
    """The restatement in the format asked for."""
    return {"text": as_text, "csv": as_csv, "json": as_json}[fmt](restatement)


def _rows(frame: pl.DataFrame, rep_id: str, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    return frame.filter(pl.col("rep_id") == rep_id).select(columns).to_dicts()


def _shown(value: str | None) -> str:
    return "–" if value is None else one_line(value)
