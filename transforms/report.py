"""Everything a period's publication shows, computed in one place from the validated tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from scorecards.config import Settings
from scorecards.schemas.tables import InputTables, of_month
from scorecards.transforms.evidence import evidence_tables
from scorecards.transforms.fairness import Fairness, fairness_report
from scorecards.transforms.feedback import feedback_notes, training_topics
from scorecards.transforms.grading import grade_distribution, na_reasons
from scorecards.transforms.period import Period
from scorecards.transforms.teams import team_summary
from scorecards.transforms.trend import history, month_over_month, movers, trend_scorecards


@dataclass(frozen=True)
class PeriodReport:
    """P's scorecards and what the cards and rollups need beside them."""

    scorecards: pl.DataFrame
    history: pl.DataFrame
    changes: pl.DataFrame
    na_reasons: pl.DataFrame
    notes: pl.DataFrame
    manager_notes: pl.DataFrame
    evidence: dict[str, pl.DataFrame]
    teams: pl.DataFrame
    grade_distribution: pl.DataFrame
    movers: pl.DataFrame
    topics: pl.DataFrame
    #: The fairness page's facts and fairness.csv (SPEC §10).
    fairness: Fairness


def period_report(
    tables: InputTables,
    period: Period,
    settings: Settings,
    known: Mapping[Period, pl.DataFrame] | None = None,
) -> PeriodReport:
    """Everything P's cards and rollups show: scorecards, trend, changes, N/A reasons, notes, evidence, team facts.

    `known` holds months' scorecards already computed (only read): a backfill
    passes them so that each month is computed once, not once per trend it is in.
    """
    months = trend_scorecards(tables, period, settings, known or {})
    scorecards = months[period]
    trend = history(months, period)
    changes = month_over_month(trend, period)
    notes = feedback_notes(trend, period, settings.feedback)
    return PeriodReport(
        scorecards=scorecards,
        history=trend,
        changes=changes,
        na_reasons=na_reasons(
            scorecards,
            tables.absent,
            tables.set_aside_targets.filter(of_month(str(period)))["rep_id"].to_list(),
        ),
        notes=notes,
        manager_notes=tables.manager_notes.filter(pl.col("period") == str(period)).select("rep_id", "note"),
        evidence=evidence_tables(tables, period, settings.display.reporting, settings.skills.names),
        teams=team_summary(scorecards),
        grade_distribution=grade_distribution(scorecards, by=["team"]),
        movers=movers(scorecards, changes),
        topics=training_topics(notes, scorecards),
        fairness=fairness_report(scorecards, months, tables.reps, period, settings),
    )
