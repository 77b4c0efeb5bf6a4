"""Feedback notes: config rules matched against a rep's metrics, grades and trend (SPEC §4a)."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from scorecards.config import DIMENSION_NAMES, dimension
from scorecards.config.settings import Condition, Feedback, FeedbackRule
from scorecards.transforms.period import Period

NOTE_COLUMNS = ("rep_id", "rule_id", "kind", "message", "topic", "signal", "rule_order", "shown")
#: A grade's place on a fixed 1–4 scale for a grade rule's signal (docs/decisions.md, "Feedback order"): not the
#: composite's points, which the config may change, so that changing them never reorders feedback.
_GRADE_RANK = {"A": 4, "B": 3, "C": 2, "D": 1}
#: Signals are exact decimals of 18 places, so that equal signals of different rules (1/3 from a grade, from a
#: threshold and from a fall) are equal and keep the config's order, as a float's last bit would not.
SIGNAL = pl.Decimal(38, 18)


def feedback_notes(history: pl.DataFrame, period: Period, feedback: Feedback) -> pl.DataFrame:
    """Every rule that fires for each rep in P, in card order: weaknesses first, strongest signal first.

    `shown` marks the first max_notes of each rep, the ones its card shows;
    training needs count every weakness, shown or not.

    `history` is the trend table (rep_id, period, graded metrics, grades) for
    P and the months before. `signal` is in [0, 1]: how far the rep is past
    the rule's line (a D counts more than a C; a value far below a threshold
    more than one just below it).
    """
    current = history.filter(pl.col("period") == str(period))
    matched = [_match(rule, order, current, history, period) for order, rule in enumerate(feedback.rules)]
    notes = pl.concat(matched, how="vertical") if matched else _empty().drop("shown")
    return (
        notes.sort(
            ["rep_id", pl.col("kind") == "strength", "signal", "rule_order"],
            descending=[False, False, True, False],
        )
        .with_columns(shown=pl.int_range(pl.len()).over("rep_id") < feedback.max_notes)
        .select(NOTE_COLUMNS)
    )


def training_topics(notes: pl.DataFrame, scorecards: pl.DataFrame) -> pl.DataFrame:
    """Per team: each training topic of its reps' weaknesses and how many reps need it, most needed first."""
    return (
        notes.filter((pl.col("kind") == "weakness") & pl.col("topic").is_not_null())
        .join(scorecards.select("rep_id", "team"), on="rep_id")
        .group_by("team", "topic")
        .agg(reps=pl.col("rep_id").n_unique().cast(pl.Int64))
        .sort(["team", "reps", "topic"], descending=[False, True, False])
    )


def _match(
    rule: FeedbackRule, order: int, current: pl.DataFrame, history: pl.DataFrame, period: Period
) -> pl.DataFrame:
    when = rule.when
    if when.falling_months is not None:
        hits = _falling(history, period, when)
    else:
        fires, signal = _threshold(when, rule.kind)
        hits = current.filter(fires.fill_null(False)).select("rep_id", signal=signal)
    return hits.select(
        "rep_id",
        rule_id=pl.lit(rule.id),
        kind=pl.lit(rule.kind),
        message=pl.lit(rule.message),
        topic=pl.lit(rule.topic, dtype=pl.String),
        signal=pl.col("signal").cast(SIGNAL).clip(_exact(0), _exact(1)),
        rule_order=pl.lit(order, dtype=pl.Int64),
    )


def _threshold(when: Condition, kind: str) -> tuple[pl.Expr, pl.Expr]:
    """(fires, signal) for a grade-set or threshold condition on P's values."""
    if when.grade is not None:
        graded = pl.col(dimension(when.grade).grade_column)
        points = graded.replace_strict(_GRADE_RANK, default=None, return_dtype=pl.Int64).cast(SIGNAL)
        signal = (_exact(4) - points) / _exact(3) if kind == "weakness" else points / _exact(4)
        return graded.is_in(when.grades or []), signal
    value = pl.col(when.metric).cast(SIGNAL)
    if when.below is not None:
        line = _exact(when.below)
        return value < line, (line - value) / line if when.below else _exact(1)
    line = _exact(when.at_least)  # type: ignore[arg-type]
    return value >= line, (value - line) / line if when.at_least else _exact(1)


def _falling(history: pl.DataFrame, period: Period, when: Condition) -> pl.DataFrame:
    """Reps whose metric fell in each of the last `falling_months` months, ending with P; a graded dimension's
    value counts only in the months it has a grade."""
    months = [str(m) for m in period.back(when.falling_months or 1)]
    value = pl.col(when.metric).cast(SIGNAL)
    if when.metric in DIMENSION_NAMES:
        # A value too thin to grade (satisfaction from fewer than min_responses answers, SPEC §4) is too thin to
        # call a fall: a card's "fell two months running" would rest on one customer's answer.
        value = pl.when(pl.col(dimension(when.metric).grade_column).is_not_null()).then(value)
    first, last = pl.col("values").list.first(), pl.col("values").list.last()
    return (
        history.filter(pl.col("period").is_in(months))
        .sort("rep_id", "period")
        .group_by("rep_id", maintain_order=True)
        .agg(values=value)
        .filter(
            (pl.col("values").list.len() == len(months))
            & (pl.col("values").list.drop_nulls().list.len() == len(months))
            & pl.col("values").list.diff(null_behavior="drop").list.eval(pl.element() < 0).list.all()
        )
        .select("rep_id", signal=pl.when(first != 0).then((first - last) / first.abs()).otherwise(_exact(1)))
    )


def _exact(number: object) -> pl.Expr:
    """A number as a signal: an exact decimal of SIGNAL's places."""
    return pl.lit(Decimal(str(number)), dtype=SIGNAL)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "rep_id": pl.String,
            "rule_id": pl.String,
            "kind": pl.String,
            "message": pl.String,
            "topic": pl.String,
            "signal": SIGNAL,
            "rule_order": pl.Int64,
            "shown": pl.Boolean,
        }
    )
