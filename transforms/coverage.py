"""Whether the input holds anything that happened in a period, and whether the period is over, before its cards
are made."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class MonthCaveats:
    """What a month's data may not say that its cards should: that the month was not over yet on the day it was
    scored (`not_over_on`, else None), or that the input has nothing dated in it (`no_activity`: a mistyped
    period, a backfill that starts before the data). The month is published all the same (SPEC §7 gives no other
    exit), with these on its pages, and is sent to nobody."""

    not_over_on: date | None
    no_activity: bool
    #: The month had not even begun on `not_over_on`: a mistyped period, most likely.
    not_begun: bool = False

    @property
    def warnings(self) -> tuple[str, ...]:
        """The caveats as the run's log, its table and the manifest say them (empty when there are none)."""
        warnings = []
        if self.not_begun:
            warnings.append(f"the month has not begun yet (today is {self.not_over_on}): is the period mistyped?")
        elif self.not_over_on is not None:
            warnings.append(f"the month has not ended yet (today is {self.not_over_on}): its cards show it so far")
        if self.no_activity:
            warnings.append("the input has no deal, lead or survey answer dated in it: every card shows no activity")
        return tuple(warnings)


def month_caveats(tables: InputTables, period: Period, today: date) -> MonthCaveats:
    """The caveats of `period` scored on `today` (the schedule's day)."""
    return MonthCaveats(
        today if period.end >= today else None, not rows_dated_in(tables, period), not_begun=period.start > today
    )
