"""The rows behind each number on a card, so a rep who disputes a grade can see exactly why."""

from __future__ import annotations

import polars as pl

from scorecards.schemas.canonical import InputTables
from scorecards.transforms.customers import first_won_deals
from scorecards.transforms.exact import rounded_ratio, unscaled
from scorecards.transforms.period import Period


def evidence_tables(tables: InputTables, period: Period) -> dict[str, pl.DataFrame]:
    """Per evidence section, the rows of P behind the card's numbers (each with rep_id), in a stable order."""
    opportunities = tables.opportunities.lazy()
    leads = tables.leads.lazy()
    sections = {
        "won_deals": opportunities.filter((pl.col("stage") == "won") & period.contains("close_date"))
        .select(
            "rep_id",
            "opportunity_id",
            "account_id",
            "account_name",
            "amount",
            "created_date",
            "close_date",
            cycle_days=(pl.col("close_date") - pl.col("created_date")).dt.total_days(),
        )
        .sort("rep_id", "close_date", "opportunity_id"),
        "new_customers": first_won_deals(opportunities)
        .filter(period.contains("close_date"))
        .select("rep_id", "account_id", "account_name", "opportunity_id", "amount", "close_date")
        .sort("rep_id", "close_date", "account_id"),
        "closed_leads": leads.filter(
            period.contains("closed_date") & pl.col("status").is_in(["converted", "disqualified"])
        )
        .select("rep_id", "lead_id", "status", "created_date", "closed_date")
        .sort("rep_id", "closed_date", "lead_id"),
        "new_leads": leads.filter(period.contains("created_date"))
        .select(
            "rep_id",
            "lead_id",
            "created_date",
            "first_contact_date",
            contacted_within_1d=(
                (pl.col("first_contact_date") - pl.col("created_date")).dt.total_days() <= 1
            ).fill_null(False),
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
            score_100=rounded_ratio(unscaled(pl.col("score"), 6) * 100, unscaled(pl.col("scale_max"), 6)),
            comment="comment",
        )
        .sort("rep_id", "submitted_date", "response_id"),
        "skill_ratings": tables.skill_ratings.lazy()
        .filter(pl.col("period") == str(period))
        .select("rep_id", "skill", "rating")
        .sort("rep_id", "skill"),
    }
    return dict(zip(sections, pl.collect_all(sections.values()), strict=True))
