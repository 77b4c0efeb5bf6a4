"""The fast path of validation gives exactly what the full rules give (issue 18).

A date or number cell in its plain form is typed by a cast alone (Field.plain), a date column of few
distinct cells is read once per distinct cell, a column of known values needs no look for blanks, and a
key's duplicates are found through hashes: every typed value, quarantined row and reason must be the one
the full rules give when every cell goes through them.
"""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from scorecards.flows.validate import quarantine
from scorecards.schemas.fields import Field
from scorecards.schemas.results import RawTable
from scorecards.schemas.tables import TABLES

DATES = [
    "2026-02-28", "2026-02-30", "2026-1-5", "2026-01-5", "２０２６-01-05", "2026-01-05T10:00", "2026-01-05 23:59:59.5+02:00",
    "2026-01-05 25:00", "2026-01-05T", " 2026-01-05", "2026-01-05 ", "\u30002026-01-05\u00a0", "20260105", "2026/01/05",
    "2026-13-01", "0000-01-01", "9999-12-31", "+026-01-05", " 026-01-05", "-026-01-05", "2026- 1-05", "2026-01- 5",
    "+2026-1-05", "2026-0a-05", "2026-01-05Z", "2024-02-29", "2023-02-29", "", " ", None,
]  # fmt: skip
NUMBERS = [
    "5", "+5", ".5", "5.", "-.5", "-5.", "+.5", "1e3", "1E2", " 5", "5 ", "\t5", "5.000", "5.001", "5.0000000000001",
    "1,000", "1 000", "1_000", "-", "+", ".", "--5", "+-5", "5-", "1.2.3", "abc", "0x10", "NaN", "inf", "-inf", "１２",
    "٣", "-0", "-0.00", "00012.30", "0.12", "0.123", "0.1234", "0.12345", "3.14159", "0.1234567", "0.12345678901",
    "99999999999999999999999999999999999999", "9999999999999999999999999999999999.99",
    "999999999999999999999999999999999999.99", "123456789012345678901234567890123456.5", "", " ", None,
]  # fmt: skip
PARSED = [
    Field("day", "date", description="A date."),
    *(Field(kind, kind, description=kind) for kind in ("money", "number", "share", "rate")),  # type: ignore[arg-type]
]


def _full(field: Field, cells: pl.Series) -> pl.DataFrame:
    """The full rules' reading of each cell: its trimmed text's parse, and each rule it breaks."""
    text = pl.col("cell").str.strip_chars().replace("", None)
    rules = field.problems(text, field.parse(text))
    return pl.DataFrame({"cell": cells}).select(
        field.parse(text).alias("value"), *(broken.alias(rule) for rule, broken in rules)
    )


def _plain(field: Field, cells: pl.Series) -> pl.DataFrame:
    value, is_plain = field.plain(pl.col("cell"))
    return pl.DataFrame({"cell": cells}).select(value.alias("value"), is_plain.alias("plain"))


def _same_where_plain(field: Field, cells: pl.Series) -> pl.Series:
    """Asserts that each plain cell reads as the full rules read it, breaking none; returns which are plain."""
    full, plain = _full(field, cells), _plain(field, cells)
    is_plain = plain["plain"].fill_null(False)
    assert_series_equal(plain["value"].filter(is_plain), full["value"].filter(is_plain))
    broken = full.drop("value").filter(is_plain).select(pl.any_horizontal(pl.all()).any()).item()
    assert not broken
    # An empty cell is read as the full rules read it too: no value, and only `required` broken.
    empty = cells.is_null()
    assert plain["value"].filter(empty).null_count() == empty.sum()
    return is_plain


def test_plain_dates_are_the_iso_days_alone() -> None:
    is_plain = _same_where_plain(PARSED[0], pl.Series(DATES, dtype=pl.String))
    assert [d for d, p in zip(DATES, is_plain, strict=True) if p] == [
        "2026-02-28",
        "0000-01-01",
        "9999-12-31",
        "2024-02-29",
    ]


SMALL = ["5", "-0", "-0.00", "00012.30", "0.12"]
LARGE = ["9999999999999999999999999999999999.99", "999999999999999999999999999999999999.99"]


@pytest.mark.parametrize(
    ("field", "plain"),
    [
        # 5.000 has three places: the full rules read it (trailing zeros are no places).
        (PARSED[1], [*SMALL, *LARGE, "123456789012345678901234567890123456.5"]),
        (PARSED[2], ["5", "5.000", "5.001", *SMALL[1:], "0.123", "0.1234", "0.12345", "3.14159"]),
        (PARSED[3], ["5", "5.000", "5.001", *SMALL[1:], "0.123", "0.1234", LARGE[0]]),
        (PARSED[4], ["5", "5.000", "5.001", *SMALL[1:], "0.123", "0.1234", "0.12345", "3.14159", "0.1234567"]),
    ],
    ids=["money", "number", "share", "rate"],
)
def test_plain_numbers_have_a_minus_at_most_and_no_more_places_than_kept(field: Field, plain: list[str]) -> None:
    is_plain = _same_where_plain(field, pl.Series(NUMBERS, dtype=pl.String))
    assert [n for n, p in zip(NUMBERS, is_plain, strict=True) if p] == plain


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="0123456789.+-eE :T\u00a0\u3000", max_size=12), min_size=1, max_size=40))
def test_any_cell_the_plain_path_takes_reads_as_the_full_rules_read_it(cells: list[str]) -> None:
    series = pl.Series(cells, dtype=pl.String)
    for field in PARSED:
        _same_where_plain(field, series)


# --- the whole table: the fast path against the full rules on every row


def _every_cell_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """No cell plain, no column clean, no distinct cells: every row through the full rules."""
    monkeypatch.setattr(Field, "plain", lambda self, cell, value=None: (pl.lit(None, dtype=self.dtype), pl.lit(False)))
    monkeypatch.setattr(quarantine, "_clean_columns", lambda raw, columns, known: (set(), set()))


def _opportunities() -> pl.DataFrame:
    """Opportunities with every edge value in each column, among rows in the plain form."""
    n = 400
    rows = pl.int_range(n, eager=True)
    return pl.DataFrame(
        {
            "opportunity_id": [f"O{i % 390}" if i % 7 else f" O{i}\u00a0" for i in range(n)],
            "rep_id": [["R1", "R2", " R1", "R9", "", None][i % 6] if i % 5 == 0 else "R1" for i in range(n)],
            "account_id": ["A1" if i % 11 else ["", " ", "A\u3000"][i % 3] for i in range(n)],
            "stage": [["open", "won", "lost", " won", "Won", ""][i % 6] if i % 3 == 0 else "won" for i in range(n)],
            "amount": [NUMBERS[i % len(NUMBERS)] if i % 2 else f"{i}.{i % 100:02}" for i in range(n)],
            "created_date": [DATES[i % len(DATES)] if i % 3 == 0 else "2026-09-01" for i in range(n)],
            "close_date": [DATES[(i * 7) % len(DATES)] if i % 4 == 0 else "2026-10-02" for i in range(n)],
            "currency": [["EUR", "USD", " usd", "", None][i % 5] if i % 9 == 0 else None for i in range(n)],
        }
    ).with_columns(pl.Series(rows).alias("unused").cast(pl.String))


def _surveys() -> pl.DataFrame:
    n = 300
    return pl.DataFrame(
        {
            "response_id": [f"S{i}" for i in range(n)],
            "rep_id": ["R1"] * n,
            "submitted_date": [DATES[i % len(DATES)] if i % 2 else "2026-10-02" for i in range(n)],
            "score": [NUMBERS[i % len(NUMBERS)] if i % 3 else "4" for i in range(n)],
            "scale_max": [NUMBERS[(i * 5) % len(NUMBERS)] if i % 4 == 0 else None for i in range(n)],
        }
    )


DEFAULTS = {
    "locale": pl.lit("en"),
    "scale_max": pl.lit(100, dtype=pl.Decimal(38, 6)),
    "currency": pl.lit("EUR"),
}
REPS = pl.Series("rep_id", ["R1", "R2"])


@pytest.mark.parametrize(
    ("table", "frame"),
    [
        ("opportunities", _opportunities()),
        # A date column of many distinct cells is read cell by cell, of few by distinct cell.
        ("opportunities", _opportunities().head(40)),
        ("surveys", _surveys()),
        (
            "targets",
            pl.DataFrame(
                {
                    "rep_id": ["R1", "R1", " R2", "R2"],
                    "period": ["2026-10", "2026-10", "2026-10", "2026-1"],
                    "target_amount": ["5", "1e3", "7.", "5.555"],
                }
            ),
        ),  # fmt: skip
    ],
    ids=["opportunities", "few rows", "surveys", "targets"],
)
def test_a_table_splits_as_when_every_cell_goes_through_the_full_rules(
    table: str, frame: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = RawTable(table, f"{table}.csv", "0" * 64, frame)
    spec = TABLES[table]
    kept, rejected = quarantine._split(raw, spec, DEFAULTS, REPS)
    assert rejected.height > 0 and kept.height > 0  # both ways are taken
    with monkeypatch.context() as patched:
        _every_cell_in_full(patched)
        full_kept, full_rejected = quarantine._split(raw, spec, DEFAULTS, REPS)
    assert_frame_equal(kept, full_kept)
    assert_frame_equal(rejected, full_rejected)


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", None]), st.sampled_from(["x", "y", None]), st.integers(0, 3)),
        max_size=30,
    )
)
def test_key_duplicates_through_hashes_are_the_rows_sharing_a_whole_key(rows: list[tuple]) -> None:
    keys = pl.DataFrame(rows, schema={"a": pl.String, "b": pl.String, "c": pl.Int64}, orient="row")
    for key in (["a"], ["a", "b"], ["a", "b", "c"]):
        frame = keys.select(key)
        expected = frame.select(pl.all_horizontal(pl.all().is_not_null()) & pl.struct(key).is_duplicated()).to_series()
        assert_series_equal(quarantine._duplicated(frame), expected, check_names=False)


@given(st.lists(st.text(alphabet="ab", max_size=3), max_size=30), st.booleans())
def test_a_one_column_key_in_ascending_order_has_its_duplicates_found_as_any_other(
    cells: list[str], with_empty: bool
) -> None:
    # Strictly ascending cells (sorted, repeats removed) take the path without hashes; sorted cells with
    # repeats, or with an empty cell, take the hashes.
    for ordered in (sorted(cells), sorted(set(cells))):
        frame = pl.DataFrame({"a": [*ordered, None] if with_empty else ordered}, schema={"a": pl.String})
        expected = frame.select(pl.col("a").is_not_null() & pl.col("a").is_duplicated()).to_series()
        assert_series_equal(quarantine._duplicated(frame), expected, check_names=False)


def test_every_unicode_blank_at_either_end_is_trimmed_and_no_other_character() -> None:
    blanks = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and chr(c).isspace()]
    # Python's isspace adds the four separators U+001C..U+001F to Unicode White_Space.
    white_space = [b for b in blanks if b not in "\x1c\x1d\x1e\x1f"]
    others = ["\u200b", "\ufeff", "\u180e", "\x1c", "\x00", "x"]
    names = [f"{b}R{i}{b}" for i, b in enumerate(white_space)] + [f"{o}N{i}{o}" for i, o in enumerate(others)]
    frame = pl.DataFrame({"rep_id": [f"R{i}" for i in range(len(names))], "rep_name": names})
    frame = frame.with_columns(
        email=pl.lit("a@example.com"), team=pl.lit("T"), manager_name=pl.lit("M"), manager_email=pl.lit("m@example.com")
    )
    kept, rejected = quarantine._split(RawTable("reps", "reps.csv", "0" * 64, frame), TABLES["reps"], DEFAULTS, None)
    assert rejected.height == 0
    expected = [f"R{i}" for i in range(len(white_space))] + [f"{o}N{i}{o}" for i, o in enumerate(others)]
    assert kept["rep_name"].to_list() == expected
