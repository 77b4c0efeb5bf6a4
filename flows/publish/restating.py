"""Which version a publication of a period is, and what its cards say of the versions before it (SPEC §9)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from scorecards.config import Settings
from scorecards.flows.publish.versions import Version, read_version, version_numbers
from scorecards.flows.shared.changes import reps_changed
from scorecards.flows.shared.sent_log import address_key, read_last_sent_versions, read_sent_versions
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport
from scorecards.transforms.restatement import (
    Publication,
    compared_sections,
    evidence_changes,
    kept_rows,
    rep_status,
    scorecard_changes,
)


def publication_of(out_dir: Path, period: Period, report: PeriodReport, settings: Settings) -> Publication:
    """Which version publishing `report` makes, and what its cards say of it (SPEC §9).

    The same scorecards and evidence as the latest version keep its number, so that a re-run on the
    same input gives the same files. After a version was sent, a new one restates it.
    """
    numbers = version_numbers(out_dir, str(period))
    latest = read_version(out_dir, str(period), numbers[-1]) if numbers else None
    questions_to = settings.display.questions_to
    zone = ZoneInfo(settings.schedule.timezone)  # the day a card gives its version is the team's day
    if latest is not None and _same(latest, report):
        sent = [n for n in read_sent_versions(out_dir / str(period)) if n in numbers and n != latest.number]
        return _restating(out_dir, period, latest.number, latest.published_on(zone), report, questions_to, sent)
    number = latest.number + 1 if latest is not None else 1
    sent = [n for n in read_sent_versions(out_dir / str(period)) if n in numbers]
    return _restating(out_dir, period, number, datetime.now(zone).date(), report, questions_to, sent)


def _restating(
    out_dir: Path,
    period: Period,
    number: int,
    published_on: date,
    report: PeriodReport,
    questions_to: str | None,
    sent: list[int],
) -> Publication:
    if not sent:
        return Publication(number, published_on, questions_to)
    # Each card restates the version its rep's manager last received (managers whose team did not change get no
    # correction, so they can hold an older one); a manager who received none, the latest sent to anyone.
    latest_sent = max(sent)
    kept = set(version_numbers(out_dir, str(period)))
    received = {
        manager: version
        for manager, version in read_last_sent_versions(out_dir / str(period), before=number).items()
        if version in kept
    }
    managers = report.scorecards["manager_email"].to_list()
    sent_to_reps = pl.DataFrame(
        {
            "rep_id": report.scorecards["rep_id"],
            "restates": [received.get(address_key(manager or ""), latest_sent) for manager in managers],
        },
        schema={"rep_id": pl.String, "restates": pl.Int64},
    )
    changes, evidence = [], []
    for version in sorted(set(sent_to_reps["restates"])):
        old = read_version(out_dir, str(period), version)
        reps = sent_to_reps.filter(pl.col("restates") == version).select("rep_id")
        changes.append(scorecard_changes(old.scorecards, report.scorecards).join(reps, on="rep_id", how="semi"))
        evidence.append(evidence_changes(old.evidence, kept_rows(report)).join(reps, on="rep_id", how="semi"))
    return Publication(
        number,
        published_on,
        questions_to,
        restates=latest_sent,
        changes=pl.concat(changes).sort("rep_id", maintain_order=True),
        evidence=pl.concat(evidence).sort("rep_id", maintain_order=True),
        sent_to_reps=sent_to_reps,
    )


def _same(version: Version, report: PeriodReport) -> bool:
    """Whether a report publishes what a version holds: the same scorecards, and kept rows (evidence, trend months,
    run rates) in which `diff` would find no change (evidence_changes): in any order, a column one version lacks
    or types otherwise (kept by older code) compared as `diff` compares it. So a new version is always one that
    `diff` can say something of."""
    if not version.scorecards.equals(report.scorecards):
        return False
    rows = kept_rows(report)
    sections = compared_sections(version.evidence, rows)
    if all(
        name in version.evidence and name in rows and version.evidence[name].equals(rows[name]) for name in sections
    ):
        return True  # the usual case: the same rows in the same order, told without a comparison
    return evidence_changes(version.evidence, rows).is_empty()


def version_news(out_dir: Path, period: Period, number: int, *, new: bool = True) -> str:
    """`version 3; 4 reps changed since version 2` (or `version 1`), with `, 1 more with changed evidence rows
    only` as `diff` counts them; for a publication that made no new version (`new` False: the same numbers and
    evidence as the latest), `no change: still version 3`."""
    if not new:
        return f"no change: still version {number}"
    news = f"version {number}"
    numbers = version_numbers(out_dir, str(period))
    if number == 1 or (number - 1) not in numbers:
        return news
    # A version can differ from the one before in its evidence rows alone (an earlier month its trend shows was
    # corrected): counting only the numbers would say `0 reps changed` of a new version.
    old, latest = read_version(out_dir, str(period), number - 1), read_version(out_dir, str(period), number)
    status = rep_status(old.scorecards, latest.scorecards, evidence_changes(old.evidence, latest.evidence))
    return f"{news}; {reps_changed(status, f' since version {number - 1}')}"
