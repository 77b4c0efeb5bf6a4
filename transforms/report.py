"""Everything a period's publication shows, computed in one place from the validated tables."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass

import polars as pl

from scorecards.config import Settings
from scorecards.schemas.canonical import InputTables
from scorecards.transforms.evidence import evidence_tables
from scorecards.transforms.feedback import feedback_notes, training_topics
from scorecards.transforms.period import Period
from scorecards.transforms.scorecard import compute_scorecards
from scorecards.transforms.teams import team_summary
from scorecards.transforms.trend import history


@dataclass(frozen=True)
class PeriodReport:
    """P's scorecards and what the cards and rollups need beside them."""

    scorecards: pl.DataFrame
    history: pl.DataFrame
    notes: pl.DataFrame
    manager_notes: pl.DataFrame
    evidence: dict[str, pl.DataFrame]
    teams: pl.DataFrame
    topics: pl.DataFrame


def period_report(
    tables: InputTables,
    period: Period,
    settings: Settings,
    computed: MutableMapping[Period, pl.DataFrame] | None = None,
) -> PeriodReport:
    """Scorecards, 6-month history, feedback notes, evidence rows, team totals and training topics of P.

    `computed` keeps each month's scorecards once computed, so that a backfill
    computes each month once rather than once per trend it appears in.
    """
    computed = {} if computed is None else computed
    scorecards = computed[period] if period in computed else compute_scorecards(tables, period, settings)
    trend = history(tables, period, settings, scorecards, computed)
    notes = feedback_notes(trend, period, settings.feedback)
    return PeriodReport(
        scorecards=scorecards,
        history=trend,
        notes=notes,
        manager_notes=tables.manager_notes.filter(pl.col("period") == str(period)).select("rep_id", "note"),
        evidence=evidence_tables(tables, period),
        teams=team_summary(scorecards),
        topics=training_topics(notes, scorecards),
    )
