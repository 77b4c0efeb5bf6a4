"""The reporting period: one calendar month, written YYYY-MM."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

_PERIOD = re.compile(r"^([0-9]{4})-([0-9]{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month; `start` and `end` are its first and last day, both included."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 1 <= self.year <= 9999):
            raise ValueError(f"not a month: {self.year:04d}-{self.month:02d}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `YYYY-MM`; ValueError names the expected form."""
        match = _PERIOD.match(text.strip())
        if not match:
            raise ValueError(f"period {text!r} is not of the form YYYY-MM")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: date) -> Period:
        """The month a date falls in."""
        return cls(day.year, day.month)

    @property
    def start(self) -> date:
        return date(self.year, self.month, 1)

    @property
    def end(self) -> date:
        return self.next().start - timedelta(days=1)

    def next(self) -> Period:
        """The month after this one."""
        return Period(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Period:
        """The month before this one."""
        return Period(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def back(self, months: int) -> list[Period]:
        """This month and the `months` before it, oldest first."""
        periods = [self]
        for _ in range(months):
            periods.append(periods[-1].previous())
        return periods[::-1]

    def contains(self, column: str) -> pl.Expr:
        """True where the date (or datetime, by its calendar date) column falls in this month; null stays null."""
        return in_months(column, [self])

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def in_months(column: str, months: Sequence[Period]) -> pl.Expr:
    """True where the date (or datetime, by its calendar date) column falls in one of `months`; null stays null."""
    day = pl.col(column).dt.date()
    wanted = sorted(set(months))
    if not wanted:
        return pl.when(day.is_not_null()).then(False)
    if wanted == period_range(wanted[0], wanted[-1]):  # consecutive months (a trend): one range check
        return day.is_between(wanted[0].start, wanted[-1].end)
    return day.dt.month_start().is_in([m.start for m in wanted])


def per_rep_and_month(rows: pl.LazyFrame, column: str, months: Sequence[Period], **aggs: pl.Expr) -> pl.LazyFrame:
    """Per rep_id and `period` (`YYYY-MM`) that the date `column` falls in, over the rows in one of `months`: `aggs`."""
    return (
        rows.filter(in_months(column, months))
        .group_by("rep_id", period=pl.col(column).dt.date().dt.month_start())
        .agg(**aggs)
        .with_columns(pl.col("period").dt.to_string("%Y-%m"))
    )


def period_range(first: Period, last: Period) -> list[Period]:
    """Every month from first to last, both included; empty when first is after last."""
    periods: list[Period] = []
    current = first
    while current <= last:
        periods.append(current)
        current = current.next()
    return periods


def last_complete_month(today: date) -> Period:
    """The latest month that has ended by `today` (the month before today's)."""
    return Period.containing(today).previous()
