"""Whether the input holds anything dated in a period."""

from __future__ import annotations

from builders import BASE_TABLES, write_csv

from scorecards.config import load_settings
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.coverage import rows_dated_in
from scorecards.transforms.period import Period


def test_rows_dated_in_a_period_count_deals_created_or_closed_in_it(tmp_path) -> None:  # noqa: ANN001
    for name, rows in BASE_TABLES.items():
        write_csv(tmp_path / f"{name}.csv", rows)
    validated = validate_tables(read_inputs(tmp_path), load_settings())
    assert validated.tables is not None
    # October: O1, O2, O4 and O6 closed in it (O6 was also created in it); September: O3 closed, O1, O2 created.
    assert rows_dated_in(validated.tables, Period(2026, 10)) == 4
    assert rows_dated_in(validated.tables, Period(2026, 9)) == 3
    assert rows_dated_in(validated.tables, Period(2026, 8)) == 3  # O3, O4, O5 created
    assert rows_dated_in(validated.tables, Period(2024, 12)) == 0
