"""How a profile turns an export's values into canonical text, and leaves what it cannot read as it was."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from scorecards.config.profiles import FileFormat, TableSource
from scorecards.flows.sources.normalise import (
    Lookup,
    SourceMismatch,
    date_text,
    map_labels,
    normalise_table,
    number_text,
    percent_text,
)
from scorecards.schemas.tables import TABLES


def _apply(expr: pl.Expr, values: list[str | None]) -> list[str | None]:
    return pl.DataFrame({"x": values}, schema={"x": pl.String}).select(expr.alias("x"))["x"].to_list()


@pytest.mark.parametrize(
    ("fmt", "given", "expected"),
    [
        (FileFormat(), ["1234.56", "7", "-3.5", "1,234.56", None], ["1234.56", "7", "-3.5", "1,234.56", None]),
        (
            FileFormat(thousands=",", currency=("$", "USD")),
            ["$12,500.00", "USD 1,000,000", "12500", "-$5", "1.234,56", "1,2345", "$ 7"],
            ["12500.00", "1000000", "12500", "-5", "1.234,56", "1,2345", "7"],
        ),
        (
            FileFormat(decimal=",", thousands="."),
            ["1.234,56", "0,5", "1234", "1,234.56", "12.5"],
            ["1234.56", "0.5", "1234", "1,234.56", "12.5"],
        ),
        (
            FileFormat(decimal=",", thousands=" ", currency=("€",)),
            ["1 234,56 €", "12 345", "1\u00a0234,56"],
            ["1234.56", "12345", "1\u00a0234,56"],
        ),
        (
            FileFormat(thousands=",", currency=("￥", "¥", "RMB", "元")),
            ["￥12,345.60", "¥88", "RMB 5,000", "3,000元", "RMB", "abc"],
            ["12345.60", "88", "5000", "3000", "RMB", "abc"],
        ),
    ],
)
def test_numbers_become_plain_decimals_or_stay_as_they_were(
    fmt: FileFormat, given: list[str | None], expected: list[str | None]
) -> None:
    assert _apply(number_text(pl.col("x"), fmt), given) == expected


@pytest.mark.parametrize(
    ("fmt", "given", "expected"),
    [
        (
            FileFormat(thousands=","),
            ["50.00%", "33.33%", "33.33 %", " 100% ", "100.00%", "0%", "66.67%", "12.5%", "+25%", "0.5", "1", None],
            ["0.5", "0.3333", "0.3333", "1", "1", "0", "0.6667", "0.125", "+0.25", "0.5", "1", None],
        ),
        (
            FileFormat(decimal=",", thousands="."),
            ["50,00%", "33,33 %", "1.000%", "0,5", "50.00%"],
            ["0.5", "0.3333", "10", "0.5", "50.00%"],
        ),
        # Not a percentage the text arithmetic can read: passed on as it was, for validation to quarantine.
        (
            FileFormat(thousands=","),
            ["50%%", "1e309%", "%", "fifty %", "５０%", ".5%", "1,2345%"],
            ["50%%", "1e309%", "%", "fifty %", "５０%", ".5%", "1,2345%"],
        ),
        # Read exactly: no float ever holds the value.
        (
            FileFormat(),
            ["-0.5%", "33.333%", "0.0001%", "9" * 40 + ".5%"],
            ["-0.005", "0.33333", "0.000001", "9" * 38 + ".995"],
        ),
    ],
)
def test_percentages_become_exact_shares_or_stay_as_they_were(
    fmt: FileFormat, given: list[str | None], expected: list[str | None]
) -> None:
    assert _apply(percent_text(pl.col("x"), fmt), given) == expected


@pytest.mark.parametrize(
    ("formats", "given", "expected"),
    [
        ((), ["2026-09-01", "9/1/2026"], ["2026-09-01", "9/1/2026"]),
        (("%Y/%m/%d",), ["2026/9/1", "2026/09/01", "2026/2/30"], ["2026-09-01", "2026-09-01", "2026/2/30"]),
        (("%m/%d/%Y",), ["09/01/2026", "9/1/2026", "13/01/2026"], ["2026-09-01", "2026-09-01", "13/01/2026"]),
        (("%d/%m/%Y",), ["09/01/2026"], ["2026-01-09"]),
        (("%Y年%m月%d日",), ["2026年9月1日", "2026年09月01日"], ["2026-09-01", "2026-09-01"]),
        (
            ("excel",),
            ["46266", "46266.75", "61", "0", "-3", "1e5", "2026-09-01"],
            ["2026-09-01", "2026-09-01", "1900-03-01", "0", "-3", "1e5", "2026-09-01"],
        ),
        (
            ("%m/%d/%Y %I:%M %p", "%m/%d/%Y", "%Y-%m-%d %H:%M"),
            ["9/1/2026 3:45 PM", "9/1/2026", "2026-09-01 14:32", "yesterday", None],
            ["2026-09-01", "2026-09-01", "2026-09-01", "yesterday", None],
        ),
    ],
)
def test_dates_become_iso_or_stay_as_they_were(
    formats: tuple[str, ...], given: list[str | None], expected: list[str | None]
) -> None:
    assert _apply(date_text(pl.col("x"), formats), given) == expected


def test_labels_map_ignoring_case_and_spaces_and_unknown_ones_stay() -> None:
    labels = {"won": ["Closed Won", "赢单"], "lost": ["Closed Lost"], "open": ["Prospecting", "Engaging"]}
    given = ["Closed Won", " closed won ", "赢单", "CLOSED LOST", "Engaging", "Negotiation", "won", None]
    expected = ["won", "won", "won", "lost", "open", "Negotiation", "won", None]
    assert _apply(map_labels(pl.col("x"), labels), given) == expected


def _source(**spec: object) -> TableSource:
    return TableSource.model_validate({"files": ["x.csv"], **spec})


def _text(rows: dict[str, list[str | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={k: pl.String for k in rows})


def test_columns_come_from_renames_first_non_empty_templates_constants_and_defaults() -> None:
    source = _source(
        columns={
            "rep_id": "Login",
            "rep_name": {"template": "{First} {Last}"},
            "email": ["Work Email", "Email"],
            "team": {"from": "Team", "default": "Unassigned"},
            "locale": {"value": "zh-CN"},
        }
    )
    frame = _text(
        {
            "Login": ["u1", "u2", "u3"],
            "First": ["Ann", "王", None],
            "Last": ["Lee", "芳", None],
            "Work Email": ["ann@work.example", "", None],
            "Email": ["ann@home.example", "wang@example.com", None],
            "Team": ["East", " ", None],
            "manager_name": ["Mia", "Mia", "Max"],  # a canonical header needs no mapping
            "Ignored": ["x", "y", "z"],
        }
    )
    result = normalise_table(frame, source, FileFormat(), TABLES["reps"], "users.csv", {})
    expected = _text(
        {
            "rep_id": ["u1", "u2", "u3"],
            "rep_name": ["Ann Lee", "王 芳", None],
            "email": ["ann@work.example", "wang@example.com", None],
            "team": ["East", "Unassigned", "Unassigned"],
            "manager_name": ["Mia", "Mia", "Max"],
            "locale": ["zh-CN", "zh-CN", "zh-CN"],
        }
    )
    assert_frame_equal(result, expected)


def test_headers_match_ignoring_case_and_surrounding_spaces() -> None:
    source = _source(columns={"rep_id": "Sales Agent"})
    frame = _text({" sales agent ": ["A"], "REP_NAME": ["Ann"]})
    result = normalise_table(frame, source, FileFormat(), TABLES["reps"], "t.csv", {})
    assert result.to_dicts() == [{"rep_id": "A", "rep_name": "Ann"}]


def _directory() -> Lookup:
    return Lookup(
        "directory.csv", _text({"name": ["Ann", "Mia", "Max"], "email": ["ann@x.example", "mia@x.example", None]})
    )


def test_a_join_adds_columns_row_for_row_and_a_row_without_a_match_keeps_nulls() -> None:
    source = _source(
        columns={"rep_id": "agent", "email": "agent.email", "manager_name": "boss", "manager_email": "boss.email"},
        joins={
            "agent": {"files": ["directory.csv"], "column": "agent", "key": "name", "values": {"Ann": ["Annie"]}},
            "boss": {"files": ["directory.csv"], "column": "boss", "key": "name"},
        },
    )
    frame = _text({"agent": ["Zed", "Annie", "Ann", "Max"], "boss": ["Mia", "Mia", "Nobody", None]})
    result = normalise_table(
        frame, source, FileFormat(), TABLES["reps"], "teams.csv", {"agent": _directory(), "boss": _directory()}
    )
    expected = _text(
        {
            "rep_id": ["Zed", "Annie", "Ann", "Max"],
            "email": [None, "ann@x.example", "ann@x.example", None],
            "manager_name": ["Mia", "Mia", "Nobody", None],
            "manager_email": ["mia@x.example", "mia@x.example", None, None],
        }
    )
    assert_frame_equal(result, expected)


def test_a_join_key_that_repeats_in_the_lookup_file_is_refused() -> None:
    source = _source(
        columns={"email": "d.email"}, joins={"d": {"files": ["dir.csv"], "column": "rep_id", "key": "name"}}
    )
    lookup = Lookup("dir.csv", _text({"name": ["Ann", "Ann", "Bob"], "email": ["a@x.example", "b@x.example", None]}))
    with pytest.raises(SourceMismatch) as caught:
        normalise_table(_text({"rep_id": ["Ann"]}), source, FileFormat(), TABLES["reps"], "t.csv", {"d": lookup})
    assert (caught.value.source, caught.value.problem) == (
        "dir.csv",
        "column 'name': 'Ann' appear(s) more than once; a join key must be unique",
    )


def test_columns_the_file_lacks_are_named_with_the_unexpected_ones() -> None:
    source = _source(
        columns={"rep_id": "Agent", "email": "d.mail", "team": "Team"},
        joins={"d": {"files": ["dir.csv"], "column": "Agent", "key": "name"}},
    )
    frame = _text({"Agent": ["A"], "Teem": ["East"], "Region": ["N"]})
    with pytest.raises(SourceMismatch) as caught:
        normalise_table(frame, source, FileFormat(), TABLES["reps"], "t.csv", {"d": _directory()})
    assert (caught.value.source, caught.value.problem) == (
        "t.csv",
        "column(s) not in the header: 'd.mail' (email), 'Team' (team); unexpected: 'Teem', 'Region'",
    )


def test_values_a_profile_cannot_read_reach_validation_as_they_were() -> None:
    source = _source(
        columns={
            "stage": {"from": "Stage", "values": {"won": ["Closed Won"]}},
            "amount": "Amount",
            "created_date": "Created",
        },
        thousands=",",
        date_formats=["%m/%d/%Y"],
    )
    frame = _text(
        {
            "Stage": ["Closed Won", "Negotiation"],
            "Amount": ["1,234.00", "1.234,56"],
            "Created": ["9/1/2026", "31/12/2026"],
        }
    )
    fmt = FileFormat(thousands=",", date_formats=("%m/%d/%Y",))
    result = normalise_table(frame, source, fmt, TABLES["opportunities"], "o.csv", {})
    assert result.rows() == [("won", "1234.00", "2026-09-01"), ("Negotiation", "1.234,56", "31/12/2026")]
