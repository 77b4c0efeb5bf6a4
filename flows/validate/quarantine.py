"""The validate stage: split each raw table into typed rows to use and rows to quarantine.

Every rule is a polars expression that marks the rows breaking it with a
reason; one pass per table, no Python loop over rows. The kept rows are then
checked against the table's pandera schema (generated from the same rules in
schemas/canonical.py), on a DataFrame so that data checks run, not only names
and types.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pandera.polars as pa
import polars as pl

from scorecards.config import Settings
from scorecards.schemas.canonical import MODELS, InputTables, empty_frame
from scorecards.schemas.results import (
    REASON,
    SOURCE_ROW,
    RawTable,
    TableReport,
    UnreadableTable,
    Validated,
    ValidationReport,
)
from scorecards.schemas.tables import TABLES, TableSpec


def validate_tables(raw: Mapping[str, RawTable | UnreadableTable | None], settings: Settings) -> Validated:
    """Validate every canonical table; reps first, since the others must name a rep in it."""
    problems: list[str] = []
    reports: list[TableReport] = []
    used: dict[str, pl.DataFrame] = {}
    quarantine: dict[str, pl.DataFrame] = {}
    defaults = {
        "locale": pl.lit(settings.defaults.locale),
        "scale_max": pl.lit(settings.defaults.survey_scale_max, dtype=pl.Decimal(38, 6)),
    }
    rep_ids: pl.Series | None = None
    for name, spec in TABLES.items():
        table = raw.get(name)
        if isinstance(table, UnreadableTable):
            problems.append(f"{table.source}: {table.problem}")
            used[name] = empty_frame(name)
            continue
        if table is None:
            if spec.required:
                problems.append(f"{name}: required table missing (expected {name}.csv, .xlsx or .parquet)")
            used[name] = empty_frame(name)
            continue
        missing = [f.name for f in spec.fields if not f.optional_column and f.name not in table.frame.columns]
        if missing:
            problems += [f"{table.source}: column {column!r}: required column missing" for column in missing]
            used[name] = empty_frame(name)
            continue
        if spec.has_rep and rep_ids is None:
            rep_ids = used["reps"]["rep_id"] if "reps" in used else pl.Series("rep_id", [], pl.String)
        kept, rejected = _split(table, spec, defaults, rep_ids if spec.has_rep else None)
        used[name], quarantine[name] = kept, rejected
        report = TableReport(
            table=name,
            source=table.source,
            sha256=table.sha256,
            rows_read=table.frame.height,
            rows_used=kept.height,
            rows_quarantined=rejected.height,
            reasons=_count_reasons(rejected),
            joined=table.joined,
        )
        reports.append(report)
        problem = _over_ceiling(report, settings.quarantine.ceiling)
        if problem:
            problems.append(problem)
    tables = None if problems else InputTables(**used)
    return Validated(tables, {k: v for k, v in quarantine.items() if v.height}, ValidationReport(reports, problems))


def _split(
    table: RawTable, spec: TableSpec, defaults: Mapping[str, pl.Expr], rep_ids: pl.Series | None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    raw = table.frame
    text = raw.select(
        [
            pl.col(f.name).cast(pl.String).str.strip_chars().replace("", None)
            if f.name in raw.columns
            else pl.lit(None, dtype=pl.String).alias(f.name)
            for f in spec.fields
        ]
    )
    typed = text.select(
        [
            (
                f.parse(pl.col(f.name)).fill_null(defaults[f.name]) if f.config_default else f.parse(pl.col(f.name))
            ).alias(f.name)
            for f in spec.fields
        ]
    )
    cell_rules = [rule for f in spec.fields for rule in f.problems(pl.col(f.name), f.parse(pl.col(f.name)))]
    cell = text.with_columns(_reasons(cell_rules))[REASON].alias("cell")
    row = typed.with_columns(_reasons(list(spec.row_rules)))[REASON].alias("row")
    whole_rows: list[tuple[str, pl.Expr]] = []
    if spec.key:
        key = " + ".join(spec.key)
        has_key = pl.all_horizontal([pl.col(k).is_not_null() for k in spec.key])
        whole_rows.append(
            (f"{key}: duplicate (all rows sharing it are quarantined)", has_key & pl.struct(spec.key).is_duplicated())
        )
    if rep_ids is not None:
        whole_rows.append(
            ("rep_id: not a rep in reps", pl.col("rep_id").is_not_null() & ~pl.col("rep_id").is_in(rep_ids.implode()))
        )
    shared = text.with_columns(_reasons(whole_rows))[REASON].alias("shared")
    reason = (
        pl.DataFrame({"cell": cell, "row": row, "shared": shared})
        .select(
            pl.concat_str(
                [pl.col("cell").fill_null(pl.col("row")), pl.col("shared")], separator="; ", ignore_nulls=True
            )
            .replace("", None)
            .alias(REASON)
        )
        .to_series()
    )
    kept = typed.filter(reason.is_null())
    kept, late = _check_model(spec.name, kept)
    is_bad = reason.is_not_null()
    if late is not None:
        # Rows only the pandera schema caught: their positions among the kept rows map back to the input.
        kept_rows = pl.arg_where(~is_bad, eager=True)
        late_rows = kept_rows.gather(late["index"])
        reason = reason.scatter(late_rows, late[REASON])
        is_bad = reason.is_not_null()
    rejected = _numbered(table).with_columns(reason).filter(is_bad)
    return kept, rejected


def _numbered(table: RawTable) -> pl.DataFrame:
    """The raw rows with their row number in the file first; a file's own column named like ours is renamed aside."""
    raw = table.frame.rename({name: _aside(name, table.frame.columns) for name in (SOURCE_ROW, REASON)}, strict=False)
    if table.row_numbers is None:
        return raw.with_row_index(SOURCE_ROW, offset=table.first_row).with_columns(pl.col(SOURCE_ROW).cast(pl.Int64))
    return raw.select(table.row_numbers.cast(pl.Int64).alias(SOURCE_ROW), pl.all())


def _aside(name: str, columns: list[str]) -> str:
    """A name for a file's column that no column of the file has: `reason` becomes `reason_in_file`."""
    while name in columns:
        name += "_in_file"
    return name


def _reasons(rules: list[tuple[str, pl.Expr]]) -> pl.Expr:
    """One text column: the rules each row breaks, joined by '; ' (null when it breaks none)."""
    if not rules:
        return pl.lit(None, dtype=pl.String).alias(REASON)
    return (
        pl.concat_str([pl.when(broken).then(pl.lit(rule)) for rule, broken in rules], separator="; ", ignore_nulls=True)
        .replace("", None)
        .alias(REASON)
    )


def _check_model(table: str, kept: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Validate the kept rows against the table's pandera schema; rows it rejects come back as (index, reason)."""
    try:
        return MODELS[table].validate(kept, lazy=True), None
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        if cases["index"].null_count():
            raise  # a schema-level failure (a column or a type) is a bug in the rules, not bad data
        # A table-wide check's error is a rule's reason and names its columns; a column's check does not.
        reason = (
            pl.when(pl.col("schema_context") == "Column")
            .then(pl.col("column") + ": " + pl.col("check"))
            .otherwise(pl.col("check"))
        )
        late = (
            cases.with_columns(reason.alias(REASON))
            .group_by("index")
            .agg(pl.col(REASON).unique().sort().str.join("; "))
            .sort("index")
            .with_columns(pl.col("index").cast(pl.UInt32))
        )
        bad = kept.with_row_index("index").join(late, on="index", how="semi")
        return kept.with_row_index("index").join(bad, on="index", how="anti").drop("index"), late


def _count_reasons(rejected: pl.DataFrame) -> dict[str, int]:
    counts = (
        rejected.select(pl.col(REASON).str.split("; ").explode())
        .group_by(REASON)
        .len()
        .sort(["len", REASON], descending=[True, False])
    )
    return dict(counts.iter_rows())


def _over_ceiling(report: TableReport, ceiling: Decimal) -> str | None:
    if report.rows_read == 0 or Decimal(report.rows_quarantined) <= ceiling * report.rows_read:
        return None
    share = Decimal(report.rows_quarantined) / report.rows_read
    worst = ", ".join(f"{rule} ({count})" for rule, count in list(report.reasons.items())[:3])
    return (
        f"{report.source}: {report.rows_quarantined} of {report.rows_read} rows quarantined "
        f"({share:.1%}), above the {ceiling:.0%} ceiling; most common: {worst}"
    )
