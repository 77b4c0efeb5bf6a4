"""SPEC §8: shared deals credit each rep its share; other currencies convert at the dated rate, half up to cents."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecards.transforms.credit import deals, with_reporting_amounts

D = Decimal
OCTOBER = "2026-10"


def won(opportunity_id: str, rep_id: str, amount: str, **extra: str) -> dict[str, str]:
    row = {"opportunity_id": opportunity_id, "rep_id": rep_id, "stage": "won", "amount": amount}
    return {**row, "created_date": "2026-09-01", "close_date": "2026-10-05", **extra}


def split(opportunity_id: str, rep_id: str, share: str) -> dict[str, str]:
    return {"opportunity_id": opportunity_id, "rep_id": rep_id, "share": share}


def reps(*ids: str) -> list[dict[str, str]]:
    return [{"rep_id": rep_id} for rep_id in ids]


def by_rep(cards: pl.DataFrame, *columns: str) -> dict[str, tuple]:
    return {row[0]: row[1:] for row in cards.select("rep_id", *columns).iter_rows()}


def test_thirds_of_100_credit_33_33_33_33_and_33_34(make_tables, run) -> None:  # noqa: ANN001
    tables = make_tables(
        reps=reps("R1", "R2", "R3"),
        opportunities=[won("O1", "R1", "100.00")],
        opportunity_splits=[split("O1", "R1", "0.3333"), split("O1", "R2", "0.3333"), split("O1", "R3", "0.3334")],
    )
    cards = run(tables, OCTOBER)
    assert by_rep(cards, "won_amount", "won_deals") == {
        "R1": (D("33.33"), 1),
        "R2": (D("33.33"), 1),
        "R3": (D("33.34"), 1),
    }


def test_an_owner_not_named_in_its_splits_gets_no_credit(make_tables, run) -> None:  # noqa: ANN001
    tables = make_tables(
        reps=reps("R1", "R2", "R3"),
        opportunities=[won("O1", "R1", "500.00"), won("O2", "R1", "10.00")],
        opportunity_splits=[split("O1", "R2", "0.6"), split("O1", "R3", "0.4")],
    )
    cards = run(tables, OCTOBER)
    assert by_rep(cards, "won_amount", "won_deals", "avg_deal_size") == {
        "R1": (D("10.00"), 1, D("10.00")),
        "R2": (D("300.00"), 1, D("300.00")),
        "R3": (D("200.00"), 1, D("200.00")),
    }


def test_a_shared_lost_deal_counts_in_each_credited_reps_win_rate(make_tables, run) -> None:  # noqa: ANN001
    lost = {**won("O2", "R1", "80.00"), "stage": "lost"}
    tables = make_tables(
        reps=reps("R1", "R2"),
        opportunities=[won("O1", "R1", "100.00"), lost],
        opportunity_splits=[split("O2", "R1", "0.5"), split("O2", "R2", "0.5")],
    )
    cards = run(tables, OCTOBER)
    assert by_rep(cards, "win_rate", "won_deals") == {"R1": (D("0.5"), 1), "R2": (D("0"), 0)}


def test_a_shared_open_deal_splits_the_pipeline_rounded_once_per_rep(make_tables, run) -> None:  # noqa: ANN001
    open_deals = [{**won(f"O{i}", "R1", "0.01"), "stage": "open", "close_date": None} for i in range(3)]
    tables = make_tables(
        reps=reps("R1", "R2"),
        opportunities=open_deals,
        opportunity_splits=[s for i in range(3) for s in (split(f"O{i}", "R1", "0.5"), split(f"O{i}", "R2", "0.5"))],
    )
    # Each rep holds 3 × 0.005: 0.015 rounds half up to 0.02 once, not 3 × 0.01.
    assert by_rep(run(tables, OCTOBER), "open_pipeline") == {"R1": (D("0.02"),), "R2": (D("0.02"),)}


def test_a_split_first_deal_makes_a_new_customer_of_both_reps(make_tables, run) -> None:  # noqa: ANN001
    tables = make_tables(
        reps=reps("R1", "R2", "R3"),
        opportunities=[won("O1", "R1", "100.00", account_id="A1"), won("O2", "R3", "5.00", account_id="A1")],
        opportunity_splits=[split("O1", "R1", "0.5"), split("O1", "R2", "0.5")],
    )
    # O1 and O2 closed and were created on the same days: the smaller id, O1, is A1's first won deal.
    assert by_rep(run(tables, OCTOBER), "new_customers") == {"R1": (1,), "R2": (1,), "R3": (0,)}


def test_a_rate_dated_on_the_close_date_applies_and_rounds_half_up(frame) -> None:  # noqa: ANN001
    opportunities = frame("opportunities", [won("O1", "R1", "100.01", currency="EUR")])
    rates = frame(
        "fx_rates",
        [
            {"currency": "EUR", "rate_date": "2026-10-04", "rate": "9"},
            {"currency": "EUR", "rate_date": "2026-10-05", "rate": "0.5"},
            {"currency": "EUR", "rate_date": "2026-10-06", "rate": "7"},
        ],
    )
    converted = with_reporting_amounts(opportunities.lazy(), rates.lazy(), "CNY").collect()
    # 100.01 × 0.5 = 50.005, half up to 50.01.
    assert converted.select("rate", "rate_date", "amount_reporting").rows() == [
        (D("0.5"), opportunities["close_date"][0], D("50.01"))
    ]


def test_no_rate_on_or_before_the_value_date_leaves_no_amount(frame) -> None:  # noqa: ANN001
    open_deal = {**won("O2", "R1", "10.00", currency="USD"), "stage": "open", "created_date": "2026-03-02"}
    opportunities = frame("opportunities", [won("O1", "R1", "10.00", currency="EUR"), open_deal])
    rates = frame(
        "fx_rates",
        [
            {"currency": "EUR", "rate_date": "2026-10-06", "rate": "7"},  # the day after the close
            {"currency": "USD", "rate_date": "2026-03-01", "rate": "7.1"},  # open: its created_date counts
        ],
    )
    converted = with_reporting_amounts(opportunities.lazy(), rates.lazy(), "CNY").collect()
    assert converted.select("opportunity_id", "amount_reporting").rows() == [("O1", None), ("O2", D("71.00"))]


def test_money_metrics_use_the_reporting_amount(make_tables, run) -> None:  # noqa: ANN001
    tables = make_tables(
        reps=reps("R1"),
        opportunities=[won("O1", "R1", "100.00", currency="USD"), won("O2", "R1", "1.00")],
        fx_rates=[{"currency": "USD", "rate_date": "2026-01-01", "rate": "7.1234"}],
    )
    assert by_rep(run(tables, OCTOBER), "won_amount", "won_deals") == {"R1": (D("713.34"), 2)}


def test_the_evidence_shows_share_credit_currency_rate_and_reporting_amount(make_tables) -> None:  # noqa: ANN001
    from scorecards.transforms.evidence import evidence_tables
    from scorecards.transforms.period import Period

    tables = make_tables(
        reps=reps("R1", "R2"),
        opportunities=[won("O1", "R1", "100.01", currency="EUR")],
        opportunity_splits=[split("O1", "R1", "0.5"), split("O1", "R2", "0.5")],
        fx_rates=[{"currency": "EUR", "rate_date": "2026-10-05", "rate": "0.5"}],
    )
    rows = evidence_tables(tables, Period.parse(OCTOBER), "CNY")["won_deals"]
    columns = ("rep_id", "amount", "currency", "rate", "amount_reporting", "is_split", "share", "credited_amount")
    assert rows.select(columns).rows() == [
        ("R1", D("100.01"), "EUR", D("0.5"), D("50.01"), True, D("0.5"), D("25.01")),  # 25.005 half up
        ("R2", D("100.01"), "EUR", D("0.5"), D("50.01"), True, D("0.5"), D("25.01")),
    ]


@st.composite
def shared_deals(draw: st.DrawFn) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Up to 8 won deals of up to 4 reps, some split in shares of 1/10,000 that sum to 1."""
    opportunities, splits = [], []
    for i in range(draw(st.integers(1, 8))):
        cents = draw(st.integers(0, 10**9))
        opportunities.append(won(f"O{i}", "R1", f"{cents // 100}.{cents % 100:02d}"))
        named = draw(st.lists(st.sampled_from(["R1", "R2", "R3", "R4"]), min_size=0, max_size=4, unique=True))
        if named:
            cuts = sorted(draw(st.lists(st.integers(1, 9999), min_size=len(named) - 1, max_size=len(named) - 1)))
            edges = [0, *cuts, 10_000]
            if all(b > a for a, b in zip(edges, edges[1:], strict=False)):
                splits += [
                    split(f"O{i}", rep, f"0.{b - a:04d}" if b - a < 10_000 else "1")
                    for rep, a, b in zip(named, edges[:-1], edges[1:], strict=True)
                ]
    return opportunities, splits


@settings(max_examples=60, deadline=None)
@given(case=shared_deals())
def test_credited_won_amounts_add_up_to_the_deals_within_a_cent_per_rep(make_tables, run, case) -> None:  # noqa: ANN001
    opportunities, splits = case
    tables = make_tables(reps=reps("R1", "R2", "R3", "R4"), opportunities=opportunities, opportunity_splits=splits)
    cards = run(tables, OCTOBER)
    whole = sum(D(o["amount"]) for o in opportunities)
    credited = sum(cards["won_amount"].to_list(), D(0))
    assert abs(credited - whole) <= D("0.01") * cards.height


def test_without_splits_or_rates_each_deal_credits_its_owner_with_its_own_amount(make_tables) -> None:  # noqa: ANN001
    tables = make_tables(reps=reps("R1"), opportunities=[won("O1", "R1", "12.34")])
    rows = deals(tables, "CNY").collect()
    assert rows.select("rep_id", "owner_id", "share", "is_split", "amount_reporting", "credited_amount").rows() == [
        ("R1", "R1", D("1"), False, D("12.34"), D("12.34"))
    ]
