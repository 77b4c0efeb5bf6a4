"""What changed between two versions of a period (SPEC §9): per rep, the scorecard columns and the evidence rows."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

import polars as pl

from scorecards.transforms.coverage import MonthCaveats
from scorecards.transforms.report import PeriodReport
from scorecards.transforms.trend import TREND_COLUMNS

#: The key of each evidence section's rows within one rep's card.
EVIDENCE_KEYS: dict[str, str] = {
    "deals": "opportunity_id",  # won deals are among them: no second list of the same rows
    "new_customers": "account_id",
    "closed_leads": "lead_id",
    "new_leads": "lead_id",
    "survey_answers": "response_id",
    "skill_ratings": "skill",
    # What P's pages show that earlier months' numbers make: each trend month before P on a rep's card, and
    # fairness.csv's run rate with what it makes of the target (SPEC §10). Keyed by month, and by P for fairness.
    "trend": "period",
    "fairness": "period",
}
#: Sections a version keeps only since the twenty-fourth session: compared only when both versions keep them, so
#: that a version kept before is not said to have had no trend.
LATER_SECTIONS = frozenset({"trend", "fairness"})


def compared_sections(old: Collection[str], new: Collection[str]) -> list[str]:
    """The sections of kept rows two versions are compared on: every section either keeps, but a section of
    LATER_SECTIONS only when both keep it."""
    return sorted(name for name in {*old, *new} if name not in LATER_SECTIONS or (name in old and name in new))


#: The fairness.csv columns a version keeps: those that read earlier months (the others follow P's scorecards).
FAIRNESS_KEPT: tuple[str, ...] = ("rep_id", "period", "run_rate", "target_ratio", "target_flag")


def kept_rows(report: PeriodReport) -> dict[str, pl.DataFrame]:
    """The rows a version of P keeps beside its scorecards (SPEC §9), by section (EVIDENCE_KEYS): the evidence
    behind each card, then what P's pages show of earlier months, so that a correction of an earlier month that
    changes them makes a new version of P too, which says what changed."""
    period = report.scorecards["period"].first() if report.scorecards.height else None
    trend = report.history.filter(
        (pl.col("period") != period) & pl.any_horizontal(pl.col(TREND_COLUMNS).is_not_null())
    ).select("rep_id", "period", *TREND_COLUMNS)  # a month without the rep's card is no row
    return {**report.evidence, "trend": trend, "fairness": report.fairness.reps.select(FAIRNESS_KEPT)}


@dataclass(frozen=True)
class Publication:
    """What the cards of a publication say of it (SPEC §9): its version and, when it restates one that was
    sent, what changed since that one (`scorecard_changes` and `evidence_changes` of the sent version to this)."""

    version: int
    published_on: date
    #: Where a card's "question a number" link writes to: this address, else the rep's manager.
    questions_to: str | None = None
    restates: int | None = None
    changes: pl.DataFrame | None = None
    evidence: pl.DataFrame | None = None
    #: rep_id and restates: the version each rep's card restates, the one last sent to the rep's manager (else
    #: `restates`, the latest sent to anyone); `changes` and `evidence` hold each rep's changes since it.
    sent_to_reps: pl.DataFrame | None = None
    #: What the month's data may not say that its pages should (a month not over, nothing dated in it).
    caveats: MonthCaveats = MonthCaveats(None, no_activity=False)

    def restates_for(self, rep_ids: Collection[str]) -> int | None:
        """The version the cards of these reps restate (the newest of theirs, for a team's rollup)."""
        if self.sent_to_reps is None:
            return self.restates
        theirs = self.sent_to_reps.filter(pl.col("rep_id").is_in(list(rep_ids)))["restates"]
        return int(theirs.max()) if theirs.len() else self.restates  # type: ignore[arg-type]


#: Evidence columns computed from others: a change shows in the column it comes from.
DERIVED_COLUMNS = frozenset({"amount_reporting", "credited_amount", "is_split", "cycle_days", "score_100"})

CHANGE_SCHEMA = {"rep_id": pl.String, "column": pl.String, "old": pl.String, "new": pl.String}
EVIDENCE_CHANGE_SCHEMA = {
    "rep_id": pl.String,
    "section": pl.String,
    "key": pl.String,
    "change": pl.String,
    "column": pl.String,
    "old": pl.String,
    "new": pl.String,
    # A changed value of a section with a `currency` column (a deal's amount is in its own): each side's currency.
    "old_currency": pl.String,
    "new_currency": pl.String,
}


def _as_text(frame: pl.DataFrame, keep: list[str]) -> pl.DataFrame:
    """Every column but `keep` as exact text (decimals keep their scale; null stays null)."""
    return frame.with_columns(pl.exclude(keep).cast(pl.String))


def scorecard_changes(old: pl.DataFrame, new: pl.DataFrame) -> pl.DataFrame:
    """One row per rep and scorecards column that differs (rep_id, column, old, new), as text.

    A rep in only one version has every column listed, with a null on the
    missing side, so that "added" and "gone" read from the same rows. Sorted by
    rep_id, then the table's column order. Period is left out: it is the same.
    """
    columns = [c for c in new.columns if c not in ("period", "rep_id")]
    long_old = _long(_as_text(old, ["rep_id"]), columns, "old")
    long_new = _long(_as_text(new, ["rep_id"]), columns, "new")
    order = pl.DataFrame({"column": columns, "_order": list(range(len(columns)))})
    return (
        long_old.join(long_new, on=["rep_id", "column"], how="full", coalesce=True)
        .filter(pl.col("old").ne_missing(pl.col("new")) | pl.col("_in_old").is_null() | pl.col("_in_new").is_null())
        .join(order, on="column")
        .sort("rep_id", "_order")
        .select(list(CHANGE_SCHEMA))
        .cast(CHANGE_SCHEMA)
    )


def _long(frame: pl.DataFrame, columns: list[str], side: str, index: tuple[str, ...] = ("rep_id",)) -> pl.DataFrame:
    """One row per (index, column): the value as `side`, and `_in_<side>` true to tell a null from a missing row."""
    return (
        frame.select(*index, *columns)
        .unpivot(index=list(index), on=columns, variable_name="column", value_name=side)
        .with_columns(pl.lit(True).alias(f"_in_{side}"))
    )


#: The status of a rep whose numbers are the same in both versions but whose evidence rows are not.
EVIDENCE_ONLY = "evidence only"


def rep_status(old: pl.DataFrame, new: pl.DataFrame, evidence: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per rep of either version: `added`, `gone`, `changed` (any scorecards column, ranks too) or `unchanged`; with
    the versions' `evidence` changes (evidence_changes), EVIDENCE_ONLY for an unchanged rep that has some."""
    changed = scorecard_changes(old, new)["rep_id"].unique()
    both = old.select("rep_id").join(new.select("rep_id"), on="rep_id", how="inner")["rep_id"]
    rows = (evidence if evidence is not None else pl.DataFrame(schema=EVIDENCE_CHANGE_SCHEMA))["rep_id"]
    return (
        pl.concat([old.select("rep_id"), new.select("rep_id")])
        .unique()
        .with_columns(
            status=pl.when(~pl.col("rep_id").is_in(new["rep_id"].implode()))
            .then(pl.lit("gone"))
            .when(~pl.col("rep_id").is_in(old["rep_id"].implode()))
            .then(pl.lit("added"))
            .when(pl.col("rep_id").is_in(changed.implode()) & pl.col("rep_id").is_in(both.implode()))
            .then(pl.lit("changed"))
            # Versions that differ only in evidence rows (a corrected comment, an account's name) are not the same.
            .when(pl.col("rep_id").is_in(rows.implode()))
            .then(pl.lit(EVIDENCE_ONLY))
            .otherwise(pl.lit("unchanged"))
        )
        .sort("rep_id")
    )


def evidence_changes(old: Mapping[str, pl.DataFrame], new: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """The evidence rows that appeared, disappeared or changed, per rep and section (one row per changed column).

    Rows are matched by rep and the section's key (EVIDENCE_KEYS): a deal that
    moved from one rep to another disappears from the first and appears at the
    second. Values are compared as exact text.
    """
    compared = compared_sections(old, new)
    parts = [
        _section_changes(section, key, old.get(section), new.get(section))
        for section, key in EVIDENCE_KEYS.items()
        if section in compared
    ]
    return (
        pl.concat(parts, how="vertical").sort("rep_id", "section", "key", "column", nulls_last=False)
        if parts
        else pl.DataFrame(schema=EVIDENCE_CHANGE_SCHEMA)
    )


def _differing_keys(old: pl.DataFrame, new: pl.DataFrame, ids: list[str], columns: list[str]) -> pl.DataFrame:
    """The keys (`ids`, unique within a version and never null) whose row is in one version only, or differs in one
    of `columns`.

    A column both versions type alike is compared as typed (equal values print as equal text), any other as text,
    as the changes are told; a float as text too (0.0 and -0.0 are equal, their text is not).
    """

    def alike(column: str) -> bool:
        return old.schema[column] == new.schema[column] and not old.schema[column].is_float()

    def comparable(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.select(*ids, *(pl.col(c) if alike(c) else pl.col(c).cast(pl.String) for c in columns))

    before, after = comparable(old), comparable(new)
    if before.height == after.height and before.select(ids).equals(after.select(ids)):
        # The usual correction (an amount, a stage) leaves the rows where they were: compared in place, no join.
        return before.filter(
            pl.any_horizontal(pl.col(c).ne_missing(pl.lit(after[c])) for c in columns) if columns else pl.lit(False)
        ).select(ids)
    joined = before.with_columns(_in_old=pl.lit(True)).join(
        after.with_columns(_in_new=pl.lit(True)), on=ids, how="full", coalesce=True, suffix="_new"
    )
    differs = pl.any_horizontal(
        pl.col("_in_old").is_null(),
        pl.col("_in_new").is_null(),
        *(pl.col(column).ne_missing(pl.col(f"{column}_new")) for column in columns),
    )
    return joined.filter(differs).select(ids)


def _section_changes(section: str, key: str, old: pl.DataFrame | None, new: pl.DataFrame | None) -> pl.DataFrame:
    template = new if new is not None else old
    assert template is not None
    empty = template.clear()
    old, new = (old if old is not None else empty), (new if new is not None else empty)
    ids = ["rep_id", key]
    # A column one version lacks (a section that gained a column since) is not compared: its values are new.
    shared = set(old.columns) & set(new.columns)
    columns = [c for c in template.columns if c in shared and c not in ids and c not in DERIVED_COLUMNS]
    # Rows the same in both versions are set aside first: a correction changes a few of a month's 1.7 M deals,
    # and the unpivoted comparison of every row took ~20 s at 2,000 reps.
    differing = _differing_keys(old, new, ids, columns)
    before = _as_text(old.join(differing, on=ids, how="semi"), ids)
    after = _as_text(new.join(differing, on=ids, how="semi"), ids)
    appeared = after.join(before, on=ids, how="anti").select(
        "rep_id", pl.col(key).cast(pl.String).alias("key"), change=pl.lit("appeared")
    )
    gone = before.join(after, on=ids, how="anti").select(
        "rep_id", pl.col(key).cast(pl.String).alias("key"), change=pl.lit("disappeared")
    )
    changed = (
        _long(before.rename({key: "_key"}), columns, "old", ("rep_id", "_key"))
        .join(_long(after.rename({key: "_key"}), columns, "new", ("rep_id", "_key")), on=["rep_id", "_key", "column"])
        .filter(pl.col("old").ne_missing(pl.col("new")))
        .select("rep_id", pl.col("_key").cast(pl.String).alias("key"), "column", "old", "new", change=pl.lit("changed"))
    )
    if "currency" in shared:
        currencies = before.select(ids + ["currency"]).join(after.select(ids + ["currency"]), on=ids, suffix="_new")
        changed = changed.join(
            currencies.select(
                "rep_id",
                key=pl.col(key).cast(pl.String),
                old_currency=pl.col("currency"),
                new_currency=pl.col("currency_new"),
            ),
            on=["rep_id", "key"],
            how="left",
        )
    else:
        changed = changed.with_columns(old_currency=pl.lit(None, pl.String), new_currency=pl.lit(None, pl.String))
    whole = pl.concat([appeared, gone], how="vertical").with_columns(
        column=pl.lit(None, pl.String),
        old=pl.lit(None, pl.String),
        new=pl.lit(None, pl.String),
        old_currency=pl.lit(None, pl.String),
        new_currency=pl.lit(None, pl.String),
    )
    return (
        pl.concat([whole.select(changed.columns), changed], how="vertical")
        .with_columns(section=pl.lit(section))
        .select(list(EVIDENCE_CHANGE_SCHEMA))
        .cast(EVIDENCE_CHANGE_SCHEMA)
    )
