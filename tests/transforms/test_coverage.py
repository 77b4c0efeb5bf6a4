"""Whether the input holds anything dated in a period, and what a month's run warns of."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from builders import BASE_TABLES, write_csv

from scorecards.config import load_settings
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.schemas.results import Validated
from scorecards.transforms.coverage import MonthCaveats, month_caveats, rows_dated_in
from scorecards.transforms.period import Period


def _tables(folder: Path) -> Validated:
    for name, rows in BASE_TABLES.items():
        write_csv(folder / f"{name}.csv", rows)
    validated = validate_tables(read_inputs(folder), load_settings())
    assert validated.tables is not None
    return validated


def test_rows_dated_in_a_period_count_deals_created_or_closed_in_it(tmp_path) -> None:  # noqa: ANN001
    validated = _tables(tmp_path)
    # October: O1, O2, O4 and O6 closed in it (O6 was also created in it); September: O3 closed, O1, O2 created.
    assert rows_dated_in(validated.tables, Period(2026, 10)) == 4
    assert rows_dated_in(validated.tables, Period(2026, 9)) == 3
    assert rows_dated_in(validated.tables, Period(2026, 8)) == 3  # O3, O4, O5 created
    assert rows_dated_in(validated.tables, Period(2024, 12)) == 0


def test_a_month_is_warned_of_until_its_last_day_is_over_and_when_nothing_is_dated_in_it(tmp_path) -> None:  # noqa: ANN001
    tables = _tables(tmp_path).tables
    assert tables is not None
    over = month_caveats(tables, Period(2026, 10), date(2026, 11, 1))
    assert over == MonthCaveats(None, no_activity=False) and over.warnings == ()
    not_over = month_caveats(tables, Period(2026, 10), date(2026, 10, 31))
    assert not_over == MonthCaveats(date(2026, 10, 31), no_activity=False)
    assert not_over.warnings == ("the month has not ended yet (today is 2026-10-31): its cards show it so far",)
    # Found in a trial: 2027-03 typed for 2026-03 read "has not ended yet", as if it were under way.
    future = month_caveats(tables, Period(2027, 3), date(2026, 11, 1))
    assert future == MonthCaveats(date(2026, 11, 1), no_activity=True, not_begun=True)
    assert future.warnings[0] == "the month has not begun yet (today is 2026-11-01): is the period mistyped?"
    empty = month_caveats(tables, Period(2024, 12), date(2026, 11, 1))
    assert empty == MonthCaveats(None, no_activity=True)
    assert empty.warnings == ("the input has no deal, lead or survey answer dated in it: every card shows no activity",)
