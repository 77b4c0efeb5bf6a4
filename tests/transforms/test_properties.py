"""Property tests (hypothesis): grades, exact ratios, attainment and ranks against Python references."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecards.config import DIMENSION_NAMES, load_settings
from scorecards.transforms.exact import rounded_ratio
from scorecards.transforms.grading import grade, with_ranks

SETTINGS = load_settings()
ORDER = {"D": 1, "C": 2, "B": 3, "A": 4}
SIX = Decimal("0.000001")


def _reference_grade(value: Decimal, dimension: str) -> str:
    band = SETTINGS.bands[dimension]
    v = value.quantize(SIX, rounding=ROUND_HALF_UP)
    for letter, threshold in (("A", band.A), ("B", band.B), ("C", band.C)):
        if v >= threshold:
            return letter
    return "D"


def _reference_ratio(num: int, den: int, places: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 100
        return (Decimal(num) / Decimal(den)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


values = st.decimals(min_value=0, max_value=120, places=8, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None, database=None)
@given(dimension=st.sampled_from(DIMENSION_NAMES), xs=st.lists(values, min_size=1, max_size=40))
def test_grade_is_monotone_and_matches_reference(dimension: str, xs: list[Decimal]) -> None:
    xs = sorted(xs)
    df = pl.DataFrame({"v": xs}, schema={"v": pl.Decimal(38, 8)})
    got = df.select(g=grade(pl.col("v"), SETTINGS.bands[dimension])).get_column("g").to_list()
    points = [ORDER[g] for g in got]
    assert points == sorted(points)
    assert got == [_reference_grade(x, dimension) for x in xs]


pairs = st.lists(
    st.tuples(st.integers(min_value=0, max_value=10**20), st.integers(min_value=1, max_value=10**20)),
    min_size=1,
    max_size=30,
)


@settings(max_examples=80, deadline=None, database=None)
@given(pairs=pairs, places=st.sampled_from([6, 2]))
def test_rounded_ratio_equals_decimal_half_up(pairs: list[tuple[int, int]], places: int) -> None:
    df = pl.DataFrame({"n": [n for n, _ in pairs], "d": [d for _, d in pairs]}, schema={"n": pl.Int128, "d": pl.Int128})
    got = df.select(r=rounded_ratio(pl.col("n"), pl.col("d"), places)).get_column("r").to_list()
    assert got == [_reference_ratio(n, d, places) for n, d in pairs]


@settings(max_examples=80, deadline=None, database=None)
@given(
    cents=st.lists(st.integers(min_value=0, max_value=10**13), min_size=1, max_size=6),
    target_cents=st.integers(min_value=0, max_value=10**13),
)
def test_attainment_end_to_end_matches_reference(make_tables, run, cents: list[int], target_cents: int) -> None:
    amounts = [str(Decimal(c).scaleb(-2)) for c in cents]
    tables = make_tables(
        reps=[{"rep_id": "R1"}],
        opportunities=[
            {"opportunity_id": f"O{i}", "rep_id": "R1", "stage": "won", "amount": a, "close_date": "2024-03-15"}
            for i, a in enumerate(amounts)
        ],
        targets=[{"rep_id": "R1", "period": "2024-03", "target_amount": str(Decimal(target_cents).scaleb(-2))}],
    )
    row = run(tables).row(0, named=True)
    assert row["won_amount"] == Decimal(sum(cents)).scaleb(-2)
    if target_cents == 0:
        assert row["attainment"] is None and row["attainment_grade"] is None
    else:
        expected = _reference_ratio(sum(cents), target_cents, 6)
        assert row["attainment"] == expected
        assert row["attainment_grade"] == _reference_grade(expected, "attainment")


ratio_or_none = st.one_of(
    st.none(), st.decimals(min_value=0, max_value=4, places=6, allow_nan=False, allow_infinity=False)
)
rep_rows = st.lists(
    st.tuples(
        st.text(alphabet="AaBbRr019_- é", min_size=1, max_size=4),
        st.sampled_from(["East", "West", "North"]),
        ratio_or_none,
        ratio_or_none,
    ),
    min_size=1,
    max_size=25,
    unique_by=lambda row: row[0],
)


def _reference_key(row: tuple[str, str, Decimal | None, Decimal | None]) -> tuple:
    rep_id, _, composite, attainment = row
    return (
        composite is None,
        -(composite or 0),
        attainment is None,
        -(attainment or 0),
        rep_id,
    )


@settings(max_examples=80, deadline=None, database=None)
@given(rows=rep_rows)
def test_ranks_are_a_permutation_in_reference_order(rows: list[tuple]) -> None:
    df = pl.DataFrame(
        rows,
        schema={
            "rep_id": pl.String,
            "team": pl.String,
            "composite_score": pl.Decimal(38, 6),
            "attainment": pl.Decimal(38, 6),
        },
        orient="row",
    )
    ranked = with_ranks(df)
    n = len(rows)
    # rows come back in rank order, ranks 1..n, never shared
    assert ranked.get_column("rank_overall").to_list() == list(range(1, n + 1))
    expected_order = [r[0] for r in sorted(rows, key=_reference_key)]
    assert ranked.get_column("rep_id").to_list() == expected_order
    for team, group in ranked.group_by("team"):
        ranks = group.get_column("rank_in_team").to_list()
        assert ranks == list(range(1, len(ranks) + 1)), team
    # rank_in_team follows the overall order within each team
    seen: dict[str, int] = {}
    for team, rank in ranked.select("team", "rank_in_team").iter_rows():
        seen[team] = seen.get(team, 0) + 1
        assert rank == seen[team]
