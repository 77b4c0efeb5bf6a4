"""SPEC §9, what changed between two versions: literal two-version scenarios, one per kind of change."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from scorecards.transforms.evidence import evidence_tables
from scorecards.transforms.period import Period
from scorecards.transforms.restatement import (
    CHANGE_SCHEMA,
    EVIDENCE_CHANGE_SCHEMA,
    EVIDENCE_ONLY,
    evidence_changes,
    rep_status,
    scorecard_changes,
)
from scorecards.transforms.scorecard import compute_scorecards

OCTOBER = Period(2026, 10)


def won(opportunity_id: str, rep_id: str, amount: str, stage: str = "won") -> dict[str, str | None]:
    close = None if stage == "open" else "2026-10-05"
    row = {"opportunity_id": opportunity_id, "rep_id": rep_id, "account_id": f"A-{opportunity_id}"}
    return {**row, "stage": stage, "amount": amount, "created_date": "2026-09-01", "close_date": close}


REPS = [{"rep_id": "R1"}, {"rep_id": "R2"}, {"rep_id": "R3"}]
TARGETS = [{"rep_id": r, "period": "2026-10", "target_amount": "10000.00"} for r in ("R1", "R2", "R3")]


def version(make_tables, settings, opportunities, reps=REPS):  # noqa: ANN001, ANN201
    tables = make_tables(reps=reps, opportunities=opportunities, targets=TARGETS)
    return compute_scorecards(tables, OCTOBER, settings), evidence_tables(tables, OCTOBER, "CNY")


def changes(rows: list[tuple[str, str, str | None, str | None]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=CHANGE_SCHEMA, orient="row")


def evidence(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=EVIDENCE_CHANGE_SCHEMA, orient="row")


def test_an_amount_corrected_changes_the_rep_and_names_the_deal(make_tables, settings) -> None:  # noqa: ANN001
    base = [won("O-1", "R1", "10000.00"), won("O-2", "R2", "9000.00"), won("O-3", "R3", "1.00")]
    old_cards, old_evidence = version(make_tables, settings, base)
    new_cards, new_evidence = version(make_tables, settings, [won("O-1", "R1", "12000.00"), *base[1:]])
    got = scorecard_changes(old_cards, new_cards)
    assert_frame_equal(
        got.filter(pl.col("column").is_in(["won_amount", "attainment", "avg_deal_size"])),
        changes(
            [
                ("R1", "won_amount", "10000.00", "12000.00"),
                ("R1", "attainment", "1.000000", "1.200000"),
                ("R1", "avg_deal_size", "10000.00", "12000.00"),
            ]
        ),
    )
    assert set(got["rep_id"]) == {"R1"}  # ranks unchanged: R1 stays first
    deal = evidence_changes(old_evidence, new_evidence).filter(pl.col("key") == "O-1")
    # The amount the data gave, once: the converted and credited amounts follow from it.
    assert deal.select("section", "change", "column", "old", "new", "old_currency", "new_currency").rows() == [
        ("deals", "changed", "amount", "10000.00", "12000.00", "CNY", "CNY")
    ]


def test_a_deal_whose_currency_was_corrected_carries_each_sides_currency(make_tables, settings) -> None:  # noqa: ANN001
    rates = [{"currency": "USD", "rate_date": "2026-10-01", "rate": "7.1"}]
    old_tables = make_tables(reps=REPS, opportunities=[won("O-1", "R1", "100.00")], fx_rates=rates)
    new_tables = make_tables(
        reps=REPS, opportunities=[{**won("O-1", "R1", "110.00"), "currency": "USD"}], fx_rates=rates
    )
    rows = evidence_changes(evidence_tables(old_tables, OCTOBER, "CNY"), evidence_tables(new_tables, OCTOBER, "CNY"))
    # Both changed values of the deal know that the old amount was yuan and the new one dollars.
    deal = rows.filter(pl.col("section") == "deals", pl.col("column").is_in(["amount", "currency"]))
    assert deal.select("column", "old", "new", "old_currency", "new_currency").rows() == [
        ("amount", "100.00", "110.00", "CNY", "USD"),
        ("currency", "CNY", "USD", "CNY", "USD"),
    ]
    customer = rows.filter(pl.col("section") == "new_customers", pl.col("column") == "amount")
    assert customer.select("old", "new", "old_currency", "new_currency").rows() == [("100.00", "110.00", "CNY", "USD")]


def test_a_stage_open_to_won_is_told_as_such(make_tables, settings) -> None:  # noqa: ANN001
    old_cards, old_evidence = version(make_tables, settings, [won("O-2", "R1", "500.00", stage="open")])
    new_cards, new_evidence = version(make_tables, settings, [won("O-2", "R1", "500.00")])
    rows = evidence_changes(old_evidence, new_evidence)
    assert rows.filter(pl.col("section") == "deals").select("key", "change", "column", "old", "new").rows() == [
        ("O-2", "changed", "close_date", None, "2026-10-05"),
        ("O-2", "changed", "stage", "open", "won"),
    ]
    assert "won_deals" in scorecard_changes(old_cards, new_cards)["column"].to_list()


def test_a_deal_moving_to_another_rep_leaves_one_and_reaches_the_other(make_tables, settings) -> None:  # noqa: ANN001
    old_cards, old_evidence = version(make_tables, settings, [won("O-1", "R1", "700.00")])
    new_cards, new_evidence = version(make_tables, settings, [won("O-1", "R2", "700.00")])
    rows = evidence_changes(old_evidence, new_evidence).filter(pl.col("section") == "deals")
    assert_frame_equal(
        rows,
        evidence(
            [
                ("R1", "deals", "O-1", "disappeared", None, None, None, None, None),
                ("R2", "deals", "O-1", "appeared", None, None, None, None, None),
            ]
        ),
    )
    status = dict(rep_status(old_cards, new_cards).iter_rows())
    assert status == {"R1": "changed", "R2": "changed", "R3": "unchanged"}


def test_a_rep_added_and_a_rep_leaving_the_roster(make_tables, settings) -> None:  # noqa: ANN001
    old_cards, _ = version(make_tables, settings, [], reps=REPS[:2])
    new_cards, _ = version(make_tables, settings, [], reps=[REPS[0], REPS[2]])
    assert dict(rep_status(old_cards, new_cards).iter_rows()) == {"R1": "unchanged", "R2": "gone", "R3": "added"}
    gone = scorecard_changes(old_cards, new_cards).filter(pl.col("rep_id") == "R2")
    assert gone.filter(pl.col("column") == "team").rows() == [("R2", "team", "T1", None)]


def test_a_correction_for_one_rep_can_change_only_the_ranks_of_others(make_tables, settings) -> None:  # noqa: ANN001
    base = [won("O-1", "R1", "9000.00"), won("O-2", "R2", "8500.00"), won("O-3", "R3", "100.00")]
    old_cards, _ = version(make_tables, settings, base)
    new_cards, _ = version(make_tables, settings, [*base[:2], won("O-3", "R3", "9500.00")])
    got = scorecard_changes(old_cards, new_cards)
    assert got.filter(pl.col("rep_id") == "R1").rows() == [
        ("R1", "rank_in_team", "1", "2"),
        ("R1", "rank_overall", "1", "2"),
    ]
    assert dict(rep_status(old_cards, new_cards).iter_rows())["R2"] == "changed"  # 2nd → 3rd


def test_a_rep_whose_evidence_rows_alone_changed_is_evidence_only_and_a_changed_number_still_counts_first(
    make_tables,  # noqa: ANN001
    settings,  # noqa: ANN001
) -> None:
    base = [won("O-1", "R1", "9000.00"), won("O-2", "R2", "100.00"), won("O-3", "R3", "50.00")]
    old_cards, old_rows = version(make_tables, settings, base)
    renamed = [{**base[0], "account_name": "Acme Ltd"}, base[1], won("O-3", "R3", "60.00")]
    new_cards, new_rows = version(make_tables, settings, renamed)
    evidence = evidence_changes(old_rows, new_rows)
    assert set(evidence["rep_id"]) == {"R1", "R3"}  # R1's account name, R3's amount
    assert dict(rep_status(old_cards, new_cards, evidence).iter_rows()) == {
        "R1": EVIDENCE_ONLY,
        "R2": "unchanged",
        "R3": "changed",
    }
    assert dict(rep_status(old_cards, new_cards).iter_rows())["R1"] == "unchanged"  # numbers alone


def test_rows_in_another_order_or_typed_otherwise_are_compared_as_the_same_rows(make_tables, settings) -> None:  # noqa: ANN001
    # Rows in place are compared in place; rows that moved go through a join on their keys; a column typed
    # otherwise in one version (kept before a change of type) is compared as the text the changes tell.
    base = [won("O-1", "R1", "10000.00"), won("O-2", "R2", "9000.00", stage="open"), won("O-3", "R3", "1.00")]
    _, old_rows = version(make_tables, settings, base)
    _, new_rows = version(make_tables, settings, [won("O-1", "R1", "12000.00"), won("O-2", "R2", "9000.00"), base[2]])
    told = evidence_changes(old_rows, new_rows)
    assert told.filter(pl.col("section") == "deals").select("key", "column", "old", "new").rows() == [
        ("O-1", "amount", "10000.00", "12000.00"),
        ("O-2", "close_date", None, "2026-10-05"),
        ("O-2", "stage", "open", "won"),
    ]
    assert_frame_equal(evidence_changes(old_rows, {name: rows.reverse() for name, rows in new_rows.items()}), told)
    as_text = {**old_rows, "deals": old_rows["deals"].with_columns(pl.col("amount").cast(pl.String))}
    assert_frame_equal(evidence_changes(as_text, new_rows), told)


def test_a_float_is_compared_as_its_text_in_place_and_after_a_move() -> None:
    # 0.0 and -0.0 are equal numbers with another text, and NaN is unequal to itself with the same text: a change
    # is what the text tells, whichever way the rows are compared.
    schema = {"rep_id": pl.String, "period": pl.String, "x": pl.Float64}
    old = pl.DataFrame(
        {"rep_id": ["R1"] * 3, "period": ["2026-07", "2026-08", "2026-09"], "x": [0.0, float("nan"), 1.5]},
        schema=schema,
    )
    new = old.with_columns(x=pl.Series([-0.0, float("nan"), 1.5]))
    told = [("R1", "2026-07", "changed", "x", "0.0", "-0.0")]
    for rows in (new, new.reverse()):
        got = evidence_changes({"trend": old}, {"trend": rows})
        assert got.select("rep_id", "key", "change", "column", "old", "new").rows() == told


def test_two_identical_versions_have_no_changes(make_tables, settings) -> None:  # noqa: ANN001
    cards, rows = version(make_tables, settings, [won("O-1", "R1", "1.00")])
    assert scorecard_changes(cards, cards).is_empty()
    assert evidence_changes(rows, rows).is_empty()
    assert set(rep_status(cards, cards)["status"]) == {"unchanged"}


def test_a_section_one_version_lacks_or_a_column_it_gained_is_not_told_as_changed_rows(make_tables, settings) -> None:  # noqa: ANN001
    # A version kept before `trend` and `fairness` were kept has neither; a section that gained a column since an
    # older version compares the columns both have (the new one's values are new, not changed).
    trend = pl.DataFrame(
        {"rep_id": ["R1"], "period": ["2026-08"], "new_customers": [0], "win_rate": ["0.5"]},
        schema={"rep_id": pl.String, "period": pl.String, "new_customers": pl.Int64, "win_rate": pl.String},
    )
    older = {"trend": trend.drop("win_rate")}
    newer = {"trend": trend.with_columns(new_customers=pl.lit(1, pl.Int64))}
    assert evidence_changes({}, newer).is_empty() and evidence_changes(newer, {}).is_empty()
    assert evidence_changes(older, newer).select("rep_id", "key", "change", "column", "old", "new").rows() == [
        ("R1", "2026-08", "changed", "new_customers", "0", "1")
    ]
    # A regular evidence section missing on one side is still every row appeared (or gone).
    _, rows = version(make_tables, settings, [won("O-1", "R1", "1.00")])
    assert evidence_changes({}, {"deals": rows["deals"]})["change"].to_list() == ["appeared"]
