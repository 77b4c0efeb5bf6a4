"""Whether the input holds anything that happened in a period, before its cards are made."""

from __future__ import annotations

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
