"""Shared deals and other currencies (SPEC §8): what each opportunity is worth in the reporting currency,
and which reps it credits with what share."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from scorecards.schemas.tables import InputTables
from scorecards.transforms.exact import MONEY, MONEY_PLACES, rounded_ratio, unscaled

#: Decimal places of a split share (0.3333) and of an exchange rate.
SHARE_PLACES = 4
RATE_PLACES = 10
SHARE = pl.Decimal(38, SHARE_PLACES)
RATE = pl.Decimal(38, RATE_PLACES)
#: Decimal places of a credited amount before it is summed: cents × a 4-place share, exact.
CREDITED_PLACES = MONEY_PLACES + SHARE_PLACES
CREDITED = pl.Decimal(38, CREDITED_PLACES)


def value_date() -> pl.Expr:
    """The day an opportunity's amount is converted on: close_date when won or lost, created_date when open."""
    return pl.when(pl.col("stage") == "open").then(pl.col("created_date")).otherwise(pl.col("close_date"))


def with_reporting_amounts(
    opportunities: pl.LazyFrame, fx_rates: pl.LazyFrame, reporting_currency: str
) -> pl.LazyFrame:
    """Each opportunity (in its order) with `rate`, `rate_date` and `amount_reporting` (SPEC §8.2).

    `currency` must be filled (the reporting currency where the input left it
    empty). The rate is the latest fx_rates row of the opportunity's currency
    dated on or before its value date; in the reporting currency it is 1 with no
    date. amount_reporting = amount × rate rounded half up to cents, once per
    opportunity. Both are null when no rate exists (validation quarantines that row).
    """
    rates = fx_rates.select(
        "currency", pl.col("rate_date").alias("_value_date"), pl.col("rate").cast(RATE), "rate_date"
    ).sort("_value_date")
    joined = (
        opportunities.with_row_index("_row")
        .with_columns(_value_date=value_date())
        .sort("_value_date")
        .join_asof(rates, on="_value_date", by="currency", strategy="backward", check_sortedness=False)
        .sort("_row")
    )
    in_reporting = pl.col("currency") == reporting_currency
    converted = rounded_ratio(
        unscaled(pl.col("amount"), MONEY_PLACES) * unscaled(pl.col("rate"), RATE_PLACES),
        pl.lit(10 ** (MONEY_PLACES + RATE_PLACES)),
        MONEY_PLACES,
    )
    return joined.with_columns(
        rate=pl.when(in_reporting).then(pl.lit(Decimal(1), dtype=RATE)).otherwise(pl.col("rate")),
        rate_date=pl.when(in_reporting).then(None).otherwise(pl.col("rate_date")),
        amount_reporting=pl.when(in_reporting).then(pl.col("amount")).otherwise(converted).cast(MONEY),
    ).drop("_row", "_value_date")


def credited_deals(opportunities: pl.LazyFrame, splits: pl.LazyFrame) -> pl.LazyFrame:
    """One row per opportunity and rep it credits (SPEC §8.1): the opportunity, credited to `rep_id`.

    An opportunity with kept split rows credits each rep its row names with
    that row's share (the owner only if a row names the owner); one without
    credits its owner with 1. Adds `owner_id` (opportunities.rep_id), `share`,
    `is_split` and `credited_amount` = amount_reporting × share, exact (not rounded).
    """
    split = splits.select("opportunity_id", "rep_id", pl.col("share").cast(SHARE))
    whole = opportunities.join(split.select("opportunity_id").unique(), on="opportunity_id", how="anti").with_columns(
        owner_id=pl.col("rep_id"), share=pl.lit(Decimal(1), dtype=SHARE), is_split=pl.lit(False)
    )
    shared = (
        opportunities.rename({"rep_id": "owner_id"})
        .join(split, on="opportunity_id", how="inner")
        .with_columns(is_split=pl.lit(True))
    )
    deals = pl.concat([whole, shared.select(whole.collect_schema().names())], how="vertical")
    credited = unscaled(pl.col("amount_reporting"), MONEY_PLACES) * unscaled(pl.col("share"), SHARE_PLACES)
    return deals.with_columns(credited_amount=credited.cast(CREDITED) / 10**CREDITED_PLACES).with_columns(
        pl.col("credited_amount").cast(CREDITED)
    )


def deals(tables: InputTables, reporting_currency: str) -> pl.LazyFrame:
    """Every opportunity once per rep it credits, with its amount in the reporting currency and the credit.

    This is what "r's deals" means in SPEC §8.3: every money and deal metric
    reads it. Without splits and rates each opportunity credits its owner once,
    with its own amount.
    """
    opportunities = tables.opportunities.lazy()
    if tables.fx_rates.is_empty():  # every kept opportunity is in the reporting currency
        converted = opportunities.with_columns(
            rate=pl.lit(Decimal(1), dtype=RATE),
            rate_date=pl.lit(None, dtype=pl.Date),
            amount_reporting=pl.col("amount"),
        )
    else:
        converted = with_reporting_amounts(opportunities, tables.fx_rates.lazy(), reporting_currency)
    if tables.opportunity_splits.is_empty():  # every opportunity credits its owner in full
        return converted.with_columns(
            owner_id=pl.col("rep_id"),
            share=pl.lit(Decimal(1), dtype=SHARE),
            is_split=pl.lit(False),
            credited_amount=pl.col("amount_reporting").cast(CREDITED),
        )
    return credited_deals(converted, tables.opportunity_splits.lazy())


def in_cents(credited: pl.Expr) -> pl.Expr:
    """An exact credited amount (or a sum of them) rounded half up to cents."""
    return rounded_ratio(unscaled(credited, CREDITED_PLACES), pl.lit(10**CREDITED_PLACES), MONEY_PLACES)


def credited_sum() -> pl.Expr:
    """Σ of the exact credited amounts, rounded half up to cents once (per group)."""
    return in_cents(pl.col("credited_amount").sum())
