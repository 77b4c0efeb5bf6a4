"""The version store's own facts: which day a version was published, as its readers count days."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import polars as pl

from scorecards.flows.publish.versions import Version


def test_a_version_is_dated_by_the_team_s_day_not_by_utc() -> None:
    version = Version(1, "2026-11-04T20:30:00+00:00", pl.DataFrame(), {})  # the manifest's run_at, in UTC
    assert version.published_on(ZoneInfo("Asia/Shanghai")) == date(2026, 11, 5)  # 04:30 the next morning there
    assert version.published_on(ZoneInfo("UTC")) == date(2026, 11, 4)
    assert version.published_on(ZoneInfo("America/Los_Angeles")) == date(2026, 11, 4)
