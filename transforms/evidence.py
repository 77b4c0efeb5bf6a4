"""The rows behind each number on a card, so a rep who disputes a grade can see exactly why."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from scorecards.schemas.tables import InputTables
from scorecards.transforms.activity import contacted_within_a_day, cycle_days
from scorecards.transforms.conversion import is_closed
from scorecards.transforms.credit import deals, in_cents
from scorecards.transforms.customers import first_won_deals
from scorecards.transforms.period import Period
from scorecards.transforms.satisfaction import answer_score_100

#: What a deal's evidence row says of shared credit and other currencies (SPEC §8): its currency, the rate
#: and its date, its amount in the reporting currency, whether it is split, the rep's share and credited cents.
CREDIT_COLUMNS: tuple[str, ...] = (
    "currency",
    "rate",
    "rate_date",
    "amount_reporting",
    "is_split",
    "share",
    "credited_amount",
)


#: The first columns of each deal section (the credit columns come after).
_DEAL = ("rep_id", "opportunity_id", "account_id", "account_name")


def evidence_tables(
    tables: InputTables, period: Period, reporting_currency: str, skills: Sequence[str] = ()
) -> dict[str, pl.DataFrame]:
    """Per evidence section, the rows of P behind the card's numbers (each with rep_id), in a stable order: a
    rep's skill ratings in the order of `skills` (the config's, which follows a sale), any other skill after."""
    # Every deal section reads deals closed in P or open: they are collected once, with their credit in cents,
    # sorted by rep_id, then opportunity_id (plain character order) in the query, so that the rows (1.7 M open
    # deals at 50 reps / 5 M opportunities) are not held twice, once collected and once sorted.
    credited = (
        deals(tables, reporting_currency)
        .filter(period.contains("close_date") | (pl.col("stage") == "open"))
        .with_columns(credited_amount=in_cents(pl.col("credited_amount")))
        .select(*_DEAL, _text("stage"), "amount", "created_date", "close_date", *CREDIT_COLUMNS)
        .sort(_rep_then_opportunity())
    )
    firsts = first_won_deals(tables.opportunities.lazy(), [period]).select("opportunity_id")
    leads = tables.leads.lazy()
    others = {
        "closed_leads": leads.filter(period.contains("closed_date") & is_closed())
        .select("rep_id", "lead_id", _text("status"), "created_date", "closed_date")
        .sort("rep_id", "closed_date", "lead_id"),
        "new_leads": leads.filter(period.contains("created_date"))
        .select(
            "rep_id",
            "lead_id",
            "created_date",
            "first_contact_date",
            contacted_within_1d=contacted_within_a_day(),
        )
        .sort("rep_id", "created_date", "lead_id"),
        "survey_answers": tables.surveys.lazy()
        .filter(period.contains("submitted_date"))
        .select(
            "rep_id",
            "response_id",
            "account_id",
            "submitted_date",
            "score",
            "scale_max",
            score_100=answer_score_100(),
            comment="comment",
        )
        .sort("rep_id", "submitted_date", "response_id"),
        "skill_ratings": tables.skill_ratings.lazy()
        .filter(pl.col("period") == str(period))
        .select("rep_id", "skill", "rating")
        .sort("rep_id", _listed_first("skill", skills), "skill"),
    }
    # The in-memory engine hands the sort its rows in one piece: the streaming engine's pieces (one per
    # ~100,000 rows) made gathering the sorted rows from them cost several times more.
    relevant = credited.collect(engine="in-memory")
    new, *rest = pl.collect_all([firsts, *others.values()])
    won = relevant.filter((pl.col("stage") == "won") & period.contains("close_date"))
    return {
        # Every deal of the rep that P's numbers could read: closed in P, or open. Not on the card:
        # kept with each version so that a restatement can say "O-2: stage open → won".
        "deals": relevant,
        "won_deals": won.select(
            *_DEAL,
            "amount",
            "created_date",
            "close_date",
            *CREDIT_COLUMNS,
            cycle_days=cycle_days(),
        ).sort("rep_id", "close_date", "opportunity_id"),
        "new_customers": won.join(new, on="opportunity_id", how="semi")
        .select("rep_id", "account_id", "account_name", "opportunity_id", "amount", "close_date", *CREDIT_COLUMNS)
        .sort("rep_id", "close_date", "account_id"),
        **dict(zip(others, rest, strict=True)),
    }


def _rep_then_opportunity() -> pl.Expr:
    """One integer per deal row that orders the rows by rep_id, then opportunity_id (plain character order).

    The rep's place among the distinct rep_ids (a binary search among them) times the
    row count, plus the opportunity's ordinal rank: polars sorts by two text columns several times slower
    than by one integer. A rep credits an opportunity once, so each pair, and each number, is unique and
    the order is the two-column sort's; both columns are required, never null.
    """
    place = pl.col("rep_id").unique().sort().search_sorted(pl.col("rep_id")).cast(pl.UInt64)
    return place * pl.len().cast(pl.UInt64) + pl.col("opportunity_id").rank("ordinal").cast(pl.UInt64)


def _text(choice: str) -> pl.Expr:
    """A choice column (an Enum in the input tables) as the text the cards show and each version keeps."""
    return pl.col(choice).cast(pl.String)


def _listed_first(column: str, order: Sequence[str]) -> pl.Expr:
    """Each value's place in `order`; a value not in it after all that are."""
    return pl.col(column).replace_strict(
        list(order), list(range(len(order))), default=len(order), return_dtype=pl.UInt32
    )
