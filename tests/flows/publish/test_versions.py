"""The version store's own facts: which day a version was published, as its readers count days."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
from builders import BASE_TABLES, write_tables

from scorecards.config import load_settings
from scorecards.flows.publish.restating import _same
from scorecards.flows.publish.versions import Version
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report


def test_a_version_is_dated_by_the_team_s_day_not_by_utc() -> None:
    version = Version(1, "2026-11-04T20:30:00+00:00", pl.DataFrame(), {})  # the manifest's run_at, in UTC
    assert version.published_on(ZoneInfo("Asia/Shanghai")) == date(2026, 11, 5)  # 04:30 the next morning there
    assert version.published_on(ZoneInfo("UTC")) == date(2026, 11, 4)
    assert version.published_on(ZoneInfo("America/Los_Angeles")) == date(2026, 11, 4)


def test_the_same_evidence_rows_in_another_order_are_the_same_version(tmp_path: Path) -> None:
    """A version kept by code that ordered the rows otherwise (skill ratings were by key) is not restated."""
    skills = [{"rep_id": "R1", "period": "2026-10", "skill": skill, "rating": "4"} for skill in ("closing", "plan")]
    write_tables(tmp_path, {**BASE_TABLES, "skill_ratings": skills})
    settings = load_settings()
    validated = validate_tables(read_inputs(tmp_path), settings)
    assert validated.tables is not None
    report = period_report(validated.tables, Period(2026, 10), settings)
    assert report.evidence["skill_ratings"]["skill"].to_list() == ["plan", "closing"]
    kept = {name: rows.reverse() for name, rows in report.evidence.items()}
    assert _same(Version(1, "2026-11-01T00:00:00+00:00", report.scorecards, kept), report)
    kept["skill_ratings"] = kept["skill_ratings"].with_columns(rating=pl.col("rating") + 1)
    assert not _same(Version(1, "2026-11-01T00:00:00+00:00", report.scorecards, kept), report)


def test_a_version_kept_with_a_column_fewer_or_typed_otherwise_is_the_same_version_when_diff_sees_no_change(
    tmp_path: Path,
) -> None:
    """Found by a review: a version kept before a section gained a column made a new version on the next run,
    which `diff` then called "no changes" and the run "0 reps changed". A new version is one `diff` can tell."""
    write_tables(tmp_path, BASE_TABLES)
    settings = load_settings()
    validated = validate_tables(read_inputs(tmp_path), settings)
    assert validated.tables is not None
    report = period_report(validated.tables, Period(2026, 10), settings)
    older = dict(report.evidence)
    older["deals"] = older["deals"].drop("account_name").with_columns(pl.col("amount").cast(pl.String))
    assert not older["deals"].equals(report.evidence["deals"])
    assert _same(Version(1, "2026-11-01T00:00:00+00:00", report.scorecards, older), report)
    first = older["deals"]["opportunity_id"][0]
    older["deals"] = older["deals"].with_columns(
        amount=pl.when(pl.col("opportunity_id") == first).then(pl.lit("1.00")).otherwise(pl.col("amount"))
    )
    assert not _same(Version(1, "2026-11-01T00:00:00+00:00", report.scorecards, older), report)
