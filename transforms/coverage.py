"""Whether the input holds anything that happened in a period, and whether the period is over, before its cards
are made."""

from __future__ import annotations

from datetime import date

import polars as pl

from scorecards.schemas.tables import InputTables
from scorecards.transforms.period import Period


def rows_dated_in(tables: InputTables, period: Period) -> int:
    """How many deals, leads and survey answers have a date in the period: created or closed (a deal or a
    lead), submitted (an answer). 0 means every card of the period would show a month without activity."""
    dated = (
        (tables.opportunities, ("created_date", "close_date")),
        (tables.leads, ("created_date", "closed_date")),
        (tables.surveys, ("submitted_date",)),
    )
    return sum(
        frame.select(pl.any_horizontal(period.contains(column) for column in columns).fill_null(False).sum()).item()
        for frame, columns in dated
    )


def month_warnings(tables: InputTables, period: Period, today: date) -> tuple[str, ...]:
    """What the month's data may not say that its cards should: that the month is not over yet on `today` (the
    schedule's day), or that the input has nothing dated in it (a mistyped period, a backfill that starts before
    the data). The month is published all the same: SPEC §7 gives no other exit."""
    warnings = []
    if period.end >= today:
        warnings.append(f"the month has not ended yet (today is {today}): its cards show it so far")
    if not rows_dated_in(tables, period):
        warnings.append("the input has no deal, lead or survey answer dated in it: every card shows no activity")
    return tuple(warnings)
