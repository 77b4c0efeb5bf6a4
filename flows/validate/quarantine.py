"""The validate stage: split each raw table into typed rows to use and rows to quarantine.

Every rule is a polars expression that marks the rows breaking it with a
reason; one lazy query per table, no Python loop over rows. The kept rows are
then checked against the table's pandera schema (generated from the same rules
in schemas/canonical.py), on a DataFrame so that data checks run, not only names
and types: every row of a table up to FULL_CHECK_ROWS, an evenly spaced sample
of a larger one (the rules have proved each of its rows already).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import reduce

import pandera.polars as pa
import polars as pl

from scorecards.config import Settings
from scorecards.flows.shared.counting import and_more, rows_named
from scorecards.flows.shared.inert_text import one_line
from scorecards.schemas.canonical import MODELS
from scorecards.schemas.fields import PERIOD_PATTERN, Field
from scorecards.schemas.results import (
    REASON,
    SOURCE_ROW,
    RawTable,
    TableReport,
    UnreadableTable,
    Validated,
    ValidationReport,
)
from scorecards.schemas.tables import (
    CANONICAL_SUFFIXES,
    SET_ASIDE_TARGETS_SCHEMA,
    TABLES,
    InputTables,
    TableSpec,
    empty_frame,
)
from scorecards.transforms.credit import value_date, with_reporting_amounts
from scorecards.transforms.teams import teams_with_several_managers


def validate_tables(
    raw: Mapping[str, RawTable | UnreadableTable | None], settings: Settings, unread: Sequence[str] = ()
) -> Validated:
    """Validate every canonical table; reps first, since the others must name a rep in it. `unread`: the input
    folder's files that no table was read from, for the report."""
    problems: list[str] = []
    reports: list[TableReport] = []
    used: dict[str, pl.DataFrame] = {}
    quarantine: dict[str, pl.DataFrame] = {}
    reporting = settings.display.reporting
    defaults = {
        "locale": pl.lit(settings.defaults.locale),
        "scale_max": pl.lit(settings.defaults.survey_scale_max, dtype=pl.Decimal(38, 6)),
        "currency": pl.lit(reporting),
    }
    rep_ids: pl.Series | None = None
    checked: set[str] = set()  # tables whose rows are known: only they judge another table's rows
    absent: set[str] = set()
    for name, spec in TABLES.items():
        table = raw.get(name)
        if isinstance(table, UnreadableTable):
            problems.append(f"{table.source}: {table.problem}")
            used[name] = empty_frame(name)
            continue
        if table is None:
            if spec.required:
                expected = f"{name}{', '.join(CANONICAL_SUFFIXES[:-1])} or {CANONICAL_SUFFIXES[-1]}"
                problems.append(f"{name}: required table missing (expected {expected})")
            else:
                checked.add(name)  # an optional table left out is known to be empty
                absent.add(name)
            used[name] = empty_frame(name)
            continue
        missing = [f.name for f in spec.fields if not f.optional_column and f.name not in table.frame.columns]
        if missing:
            header = table.frame.columns
            problems += [f"{table.source}: column {column!r}: {_missing(column, header)}" for column in missing]
            if (separator := _other_separator(header)) is not None:
                problems.append(f"{table.source}: its header is one column holding {separator!r}: {_SEPARATOR_HINT}")
            used[name] = empty_frame(name)
            continue
        if spec.has_rep and rep_ids is None and "reps" in checked:
            rep_ids = used["reps"]["rep_id"]
        later = _cross_table_rules(name, {t: used[t] for t in checked}, reporting)
        kept, rejected = _split(table, spec, defaults, rep_ids if spec.has_rep else None, later)
        used[name], quarantine[name] = kept, rejected
        checked.add(name)
        report = TableReport(
            table=name,
            source=table.source,
            sha256=table.sha256,
            rows_read=table.rows_read,
            rows_used=kept.height,
            rows_quarantined=rejected.height,
            reasons=_count_reasons(rejected),
            first_rows=_first_rows(rejected),
            joined=table.joined,
            skipped=table.skipped,
        )
        reports.append(report)
        problem = _over_ceiling(report, settings.quarantine.ceiling, rejected)
        if problem:
            problems.append(problem)
    tables = (
        None
        if problems
        else InputTables(
            **used, absent=frozenset(absent), set_aside_targets=_set_aside_targets(quarantine.get("targets"))
        )
    )
    # A folder can hold any name: the report's are printed and logged on one line each.
    notices = _several_managers(used["reps"], raw.get("reps")) if tables is not None else []
    report = ValidationReport(reports, problems, [one_line(name) for name in unread], notices)
    return Validated(tables, {k: v for k, v in quarantine.items() if v.height}, report)


def _several_managers(reps: pl.DataFrame, source: RawTable | UnreadableTable | None) -> list[str]:
    """A notice for each team whose reps name more than one manager e-mail: `send` mails it to none of them."""
    file = source.source if isinstance(source, RawTable) else "reps"
    several = teams_with_several_managers(reps)
    notices = []
    for team, rows in several.group_by("team", maintain_order=True):
        named = "; ".join(
            f"{one_line(address)} ({and_more([one_line(r) for r in rep_ids[:3]], len(rep_ids))})"
            for address, rep_ids in rows.select("manager_email", "rep_id").iter_rows()
        )
        notices.append(
            f"{file}: team {one_line(str(team[0]))!r}: its reps name several manager e-mails: {named}; `send` mails"
            " it to none of them for a month whose cards name more than one"
        )
    return notices


def _set_aside_targets(rejected: pl.DataFrame | None) -> pl.DataFrame:
    """The rep and month of each quarantined targets row, as the rules read its cells, once each; the month is null
    where the cell is none (`Oct-26`, a date): such a row may be any month's."""
    if rejected is None or not rejected.height:
        return pl.DataFrame(schema=SET_ASIDE_TARGETS_SCHEMA)
    month = _text(pl.col("period"), clean=False)
    keys = rejected.select(
        _text(pl.col("rep_id"), clean=False), pl.when(month.str.contains(PERIOD_PATTERN)).then(month).alias("period")
    )
    return keys.unique().sort("rep_id", "period", nulls_last=True)


def _missing(column: str, header: Sequence[str]) -> str:
    """Why a required column is missing, naming a header cell that differs from it only in case."""
    alike = [name for name in header if name.casefold() == column.casefold()]
    if alike:
        return f"required column missing (the header has {alike[0]!r}: names must match exactly)"
    return "required column missing"


#: A rule over the rows that passed every other: their reason to be quarantined (null where they are kept).
LaterRule = Callable[[pl.DataFrame], pl.Series]


def _cross_table_rules(table: str, checked: Mapping[str, pl.DataFrame], reporting: str) -> list[LaterRule]:
    """The rules of SPEC §8 that need another table's kept rows, or the kept rows of the same table.

    `checked` holds the tables whose rows are known. A table that could not be read judges no other
    table's rows: its own problem stops the run, and their rows would only repeat it.
    """
    rules: list[LaterRule] = []
    if table == "fx_rates":
        rules.append(
            lambda kept: _when(kept["currency"] == reporting, f"currency: {reporting} is the reporting currency")
        )
    if table == "opportunities" and "fx_rates" in checked:
        rules.append(lambda kept: _without_rate(kept, checked["fx_rates"], reporting))
    if table == "opportunity_splits" and "opportunities" in checked:
        rules.append(lambda kept: _unknown_opportunity(kept, checked["opportunities"]))
    if table == "opportunity_splits":
        rules.append(_shares_not_one)
    return rules


def _when(broken: pl.Series, reason: str) -> pl.Series:
    return pl.select(pl.when(broken).then(pl.lit(reason))).to_series().alias(REASON)


def _without_rate(kept: pl.DataFrame, fx_rates: pl.DataFrame, reporting: str) -> pl.Series:
    """An opportunity in another currency with no rate on or before its value date (SPEC §8.2)."""
    if not (kept["currency"] != reporting).any():  # every amount is in the reporting currency: nothing to look up
        return pl.repeat(None, kept.height, dtype=pl.String, eager=True).alias(REASON)
    converted = with_reporting_amounts(kept.lazy(), fx_rates.lazy(), reporting).collect()
    missing = converted["rate"].is_null()
    return (
        converted.select(
            pl.when(missing).then(
                pl.format("currency: no {} rate on or before {}", pl.col("currency"), value_date().dt.to_string())
            )
        )
        .to_series()
        .alias(REASON)
    )


def _unknown_opportunity(kept: pl.DataFrame, opportunities: pl.DataFrame) -> pl.Series:
    known = kept["opportunity_id"].is_in(opportunities["opportunity_id"].implode())
    return _when(~known, "opportunity_id: not a kept opportunity (unknown, or quarantined)")


def _shares_not_one(kept: pl.DataFrame) -> pl.Series:
    """All split rows of an opportunity whose kept shares do not sum to exactly 1 (SPEC §8.1)."""
    total = pl.col("share").sum().over("opportunity_id")
    return (
        kept.select(pl.when(total != 1).then(pl.format("shares sum to {}, not 1", total.cast(pl.String))))
        .to_series()
        .alias(REASON)
    )


def _split(
    table: RawTable,
    spec: TableSpec,
    defaults: Mapping[str, pl.Expr],
    rep_ids: pl.Series | None,
    later: Sequence[LaterRule] = (),
) -> tuple[pl.DataFrame, pl.DataFrame]:
    raw = table.frame
    typed, reason = _marked(raw, spec, defaults, rep_ids)
    is_bad = reason.is_not_null()
    for rule in later:
        # Reasons found on the kept rows map back to the input by the kept rows' positions.
        late_reason = rule(_kept(typed, is_bad))
        found = late_reason.is_not_null()
        reason = reason.scatter(pl.arg_where(~is_bad, eager=True).filter(found), late_reason.filter(found))
        is_bad = reason.is_not_null()
    kept, late = _check_model(spec.name, _kept(typed, is_bad))
    if late is not None:
        # Rows only the pandera schema caught: their positions among the kept rows map back to the input.
        kept_rows = pl.arg_where(~is_bad, eager=True)
        late_rows = kept_rows.gather(late["index"])
        reason = reason.scatter(late_rows, late[REASON])
        is_bad = reason.is_not_null()
    return kept, _numbered(table, is_bad).with_columns(reason.filter(is_bad))


def _marked(
    raw: pl.DataFrame, spec: TableSpec, defaults: Mapping[str, pl.Expr], rep_ids: pl.Series | None
) -> tuple[pl.DataFrame, pl.Series]:
    """The table's typed columns, and each row's reason to be quarantined (null when it breaks no rule).

    One lazy query per table reads the cells, types them and marks the rules they break. A cell of a
    parsed kind (a date, a number) in its plain form is typed by a cast alone (Field.plain); only the
    rows with a cell that is not go through the full parse and its rules, and their results replace
    the plain reading's. A text column whose cells need no trimming is read as it is, not copied.
    """
    present = [f.name for f in spec.fields if f.name in raw.columns]
    texts = {f.name for f in spec.fields if f.parse_is_identity}
    known = {f.name: pl.Series(f.choices, dtype=pl.String) for f in spec.fields if f.choices and _trimmed(f.choices)}
    if rep_ids is not None:
        known["rep_id"] = rep_ids  # the kept reps' ids: trimmed, none empty
    untouched, among_known = _clean_columns(raw, [name for name in present if name in texts], known)

    def read(name: str) -> pl.Expr:
        if name not in present:
            return pl.lit(None, dtype=pl.String)
        return _text(pl.col(name), clean=name in untouched) if name in texts else pl.col(name).cast(pl.String)

    parsed = [f for f in spec.fields if f.name not in texts]
    # A parsed column's plain value is computed once, into a column of its own that is-plain then reads.
    plain = {f.name: _plain(raw if f.name in present else None, f, pl.col(f"_plain_{f.name}")) for f in parsed}
    cell_rules, full = _cell_rules(spec, texts, present)
    # A clean text column is its own typed column: it is taken from the raw frame as it is (the
    # query's result would be a copy), and the query computes only the columns that change.
    same = {f.name for f in spec.fields if f.name in untouched and not f.config_default}
    cell = {f"_cell{i}": broken for i, (_, broken) in enumerate(cell_rules)}
    row = {f"_row{i}": broken for i, (_, broken) in enumerate(spec.row_rules)}
    # One mark for the rows with a cell not plain, in any parsed column: only they are read again.
    slow = (
        []
        if not plain
        else [pl.any_horizontal(pl.col(name).is_not_null() & ~is_plain for name, (_, is_plain) in plain.items())]
    )
    cells = raw.lazy().select(read(f.name).alias(f.name) for f in spec.fields)
    # A rep_id column found to hold kept reps' ids alone (or nothing) names no unknown rep: no second look.
    whole_rows, shared = _whole_column_marks(cells, spec, texts, None if "rep_id" in among_known else rep_ids)
    # Only the columns that change are computed (a column passed through a query comes back a copy).
    changed = [f for f in spec.fields if f.name in texts and f.name not in same]
    computed = (
        cells.with_columns(value.alias(f"_plain_{name}") for name, (value, _) in plain.items())
        .select(
            *(pl.col(f.name).fill_null(defaults[f.name]) if f.config_default else pl.col(f.name) for f in changed),
            *(pl.col(f"_plain_{name}").alias(name) for name in plain),
            *(broken.fill_null(False).alias(name) for name, broken in cell.items()),
            *(broken.alias(_SLOW) for broken in slow),
        )
        .collect()
        .hstack([mark.fill_null(False).alias(name) for name, mark in shared.items()])
    )
    if slow:
        computed = _parsed_in_full(computed, raw, [f for f in parsed if f.name in present], full)
    filled = [f.name for f in parsed if f.config_default]
    if filled:
        computed = computed.with_columns(
            computed.select(pl.col(name).fill_null(defaults[name]) for name in filled).get_columns()
        )
    values = {f.name: raw.get_column(f.name) if f.name in same else computed.get_column(f.name) for f in spec.fields}
    typed = _with_choices(values, spec)
    if row:
        computed = computed.hstack(
            typed.lazy()
            .select(broken.fill_null(False).alias(name) for name, broken in row.items())
            .collect()
            .get_columns()
        )
    rules = dict(
        zip(
            [*cell, *shared, *row],
            [*(rule for rule, _ in cell_rules), *whole_rows, *(rule for rule, _ in spec.row_rules)],
            strict=True,
        )
    )
    return typed, _reason_column(computed, rules, list(cell), list(shared), list(row))


def _cell_rules(
    spec: TableSpec, texts: set[str], present: list[str]
) -> tuple[list[tuple[str, pl.Expr]], dict[str, pl.Expr]]:
    """Each cell rule and its mark: a text kind's rules on every row; a parsed kind's plain reading on every row,
    and its full rules (the second result, by mark name) on the rows that need them."""
    cell_rules: list[tuple[str, pl.Expr]] = []
    full: dict[str, pl.Expr] = {}
    for f in spec.fields:
        column = pl.col(f.name)
        if f.name in texts:
            cell_rules += f.problems(column, column)
            continue
        if f.name in present:
            full |= {
                f"_cell{len(cell_rules) + i}": broken
                for i, (_, broken) in enumerate(f.problems(column, f.parse(column)))
            }
        cell_rules += f.plain_problems(column)
    return cell_rules, full


def _whole_column_marks(
    cells: pl.LazyFrame, spec: TableSpec, texts: set[str], rep_ids: pl.Series | None
) -> tuple[list[str], dict[str, pl.Series]]:
    """The rules that need a whole column, and their marks: a key's duplicates; a rep_id not among `rep_ids` (None:
    no such look). Their own query: in the main one the streaming engine would hold every row's text until
    they are known."""
    unknown_rep = (
        pl.col("rep_id").is_not_null() & ~pl.col("rep_id").is_in(rep_ids.implode()) if rep_ids is not None else None
    )
    fields = {f.name: f for f in spec.fields}
    keys = [pl.col(k) if k in texts else _key_value(fields[k]) for k in spec.key]
    columns = cells.select(*keys, *([] if unknown_rep is None else [unknown_rep.alias("_unknown_rep")])).collect()
    rules: list[str] = []
    marks: list[pl.Series] = []
    if spec.key:
        rules.append(f"{' + '.join(spec.key)}: duplicate (all rows sharing it are quarantined)")
        marks.append(_duplicated(columns.select(spec.key)))
    if unknown_rep is not None:
        rules.append("rep_id: not a rep in reps (unknown, or its reps row quarantined)")
        marks.append(columns.get_column("_unknown_rep"))
    return rules, {f"_shared{i}": mark for i, mark in enumerate(marks)}


def _with_choices(values: dict[str, pl.Series], spec: TableSpec) -> pl.DataFrame:
    """The typed table, each choice column an Enum of its choices (a byte a cell, not a 16-byte string view); a
    cell that is none of them is null there (its row is marked already)."""
    choices = [f for f in spec.fields if f.kind == "choice"]
    if choices:  # cast in a query of their own: DataFrame.cast would copy every other column too
        values = values | (
            pl.DataFrame([values[f.name] for f in choices])
            .lazy()
            .select(pl.col(f.name).cast(f.dtype, strict=False) for f in choices)
            .collect()
            .to_dict()
        )
    return pl.DataFrame([values[f.name] for f in spec.fields])


def _reason_column(
    computed: pl.DataFrame, rules: Mapping[str, str], cell: list[str], shared: list[str], row: list[str]
) -> pl.Series:
    """Each row's reason to be quarantined, from its marks (`rules`: mark name → rule), null when it breaks none:
    its cell rules (else its row rules), then its whole-column rules."""
    reason = pl.repeat(None, computed.height, dtype=pl.String, eager=True).alias(REASON)
    if not rules:
        return reason
    broken_any = computed.select(pl.any_horizontal(*rules)).to_series()
    if not broken_any.any():
        return reason

    def said(names: list[str]) -> pl.Expr:
        return _reasons([(rules[name], pl.col(name)) for name in names])

    text_of_bad = (
        computed.filter(broken_any)
        .select(
            pl.concat_str([said(cell).fill_null(said(row)), said(shared)], separator="; ", ignore_nulls=True).replace(
                "", None
            )
        )
        .to_series()
    )
    return reason.scatter(pl.arg_where(broken_any, eager=True), text_of_bad)


#: The computed frame's column marking the rows with a cell of a parsed kind that is not plain.
_SLOW = "_slow"

#: A date column with at most this share of distinct cells has each distinct cell read once.
_FEW_DISTINCT = 0.25


def _plain(raw: pl.DataFrame | None, field: Field, computed: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Field.plain of a column (`raw`: the table, when it has the column), is-plain reading the value from `computed`.

    A date column of few distinct cells has each distinct cell worked out once: a few hundred days
    stand for millions of rows, and looking each row's cell up in the distinct cells' readings costs
    less than reading every cell.
    """
    cell = pl.col(field.name)
    value, is_plain = field.plain(cell)
    if raw is None or field.kind != "date":
        return value, field.plain(cell, computed)[1]
    distinct = raw.lazy().select(pl.col(field.name).cast(pl.String).unique().drop_nulls()).collect().to_series()
    if distinct.is_empty() or distinct.len() > _FEW_DISTINCT * raw.height:
        return value, field.plain(cell, computed)[1]
    known = pl.DataFrame([distinct]).select(pl.when(is_plain).then(value)).to_series()
    return cell.replace_strict(distinct, known, default=None, return_dtype=field.dtype), computed.is_not_null()


def _key_value(field: Field) -> pl.Expr:
    """A key cell of a parsed kind as keys are compared: its value where it has one (` 2026-01-05`, `2026-01-05`
    and `2026-01-05T09:00` are one day, SPEC §1), else its trimmed text."""
    text = _text(pl.col(field.name), clean=False)
    return pl.coalesce(field.parse(text).cast(pl.String), text).alias(field.name)


def _duplicated(keys: pl.DataFrame) -> pl.Series:
    """Whether each row's key, every part of it present, is another row's too.

    Rows are compared by a hash of their key first: a sort of the hashes finds the few that repeat
    without holding every key in a hash table, and only the rows with such a hash are compared by
    their keys themselves (equal keys always have equal hashes). A one-column key without an empty cell
    whose cells ascend strictly from row to row (an export in the order of its ids) repeats none: one
    comparison of each cell with the one before tells it, without the hashes.
    """
    shared = pl.repeat(False, keys.height, dtype=pl.Boolean, eager=True)
    if keys.width == 1 and keys.height > 1 and not keys.null_count().item():
        key = pl.col(keys.columns[0])
        if keys.lazy().select((key > key.shift(1)).all()).collect().item():
            return shared
    hashed = keys.select(
        reduce(operator.xor, [pl.col(k).hash(seed=i) for i, k in enumerate(keys.columns)]).alias("hash")
    ).to_series()
    ordered = hashed.sort()
    repeated = ordered.filter(ordered == ordered.shift(1))
    if repeated.is_empty():
        return shared
    maybe = hashed.is_in(repeated.implode())
    has_key = pl.all_horizontal(pl.all().is_not_null())
    found = keys.filter(maybe).select(has_key & pl.struct(keys.columns).is_duplicated()).to_series()
    return shared.scatter(pl.arg_where(maybe, eager=True), found)


def _parsed_in_full(
    computed: pl.DataFrame, raw: pl.DataFrame, parsed: list[Field], full: Mapping[str, pl.Expr]
) -> pl.DataFrame:
    """The computed frame, its parsed columns and their marks read in full on the rows with a cell not plain.

    Only those rows are read again, from their trimmed text, by the full parse and rules (`full`:
    mark name → is-broken); their values and marks replace the plain reading's.
    """
    slow = computed.drop_in_place(_SLOW)  # in place: `drop` would copy every other column
    if not slow.any():
        return computed
    rows = pl.arg_where(slow, eager=True)
    again = (
        raw.select(f.name for f in parsed)
        .filter(slow)
        .lazy()
        .select(_text(pl.col(f.name), clean=False) for f in parsed)
        .select(
            *(f.parse(pl.col(f.name)).alias(f.name) for f in parsed),
            *(broken.fill_null(False).alias(name) for name, broken in full.items()),
        )
        .collect()
    )
    return computed.with_columns(
        computed.get_column(name).scatter(rows, again.get_column(name)) for name in again.columns
    )


def _text(column: pl.Expr, *, clean: bool) -> pl.Expr:
    """A cell as the rules read it: trimmed, an empty cell null (a clean column is read as it is)."""
    text = column.cast(pl.String)
    return text if clean else text.str.strip_chars().replace("", None)


def _clean_columns(raw: pl.DataFrame, columns: list[str], known: Mapping[str, pl.Series]) -> tuple[set[str], set[str]]:
    """The text columns none of whose cells has a blank at either end or is empty: trimming them changes nothing;
    and those of them each of whose non-empty cells is one of its `known` values.

    A column each of whose cells is one of its `known` values (all trimmed, none empty: the choices,
    the kept reps' ids) or null is clean without a look for blanks.
    """
    text = [c for c in columns if raw.schema[c] == pl.String]
    within = [c for c in text if c in known]
    clean: set[str] = set()
    if within:
        inside = [(pl.col(c).is_in(known[c].implode()) | pl.col(c).is_null()).all() for c in within]
        found = raw.lazy().select(inside).collect().row(0)
        clean = {c for c, is_inside in zip(within, found, strict=True) if is_inside}
    among_known = set(clean)
    rest = [c for c in text if c not in clean]
    if rest:
        # Trimming strips what regex \s matches at either end: Unicode White_Space.
        length = [pl.col(c).str.len_bytes() for c in rest]
        # A query, not an eager select (polars' in-memory engine): its collect, which picks the engine, was faster.
        dirty = (
            raw.lazy()
            .select(
                ((pl.col(c).str.strip_chars().str.len_bytes() != n) | (n == 0)).any()
                for c, n in zip(rest, length, strict=True)
            )
            .collect()
            .row(0)
        )
        clean |= {c for c, unclean in zip(rest, dirty, strict=True) if not unclean}
    return clean, among_known


def _trimmed(values: Sequence[str]) -> bool:
    return all(value and value == value.strip() for value in values)


def _kept(typed: pl.DataFrame, is_bad: pl.Series) -> pl.DataFrame:
    """The rows not marked bad (the frame itself when none is: no copy of a large table)."""
    return typed.filter(~is_bad) if is_bad.any() else typed


def _numbered(table: RawTable, rows: pl.Series) -> pl.DataFrame:
    """The raw rows marked in `rows`, their row number in the file first (a file's own column named so moves aside)."""
    frame = table.frame.filter(rows)
    raw = frame.rename({name: _aside(name, frame.columns) for name in (SOURCE_ROW, REASON)}, strict=False)
    positions = pl.arg_where(rows, eager=True)
    if table.row_numbers is None:
        numbers = (positions.cast(pl.Int64) + table.first_row).alias(SOURCE_ROW)
    else:
        numbers = table.row_numbers.gather(positions).cast(pl.Int64).alias(SOURCE_ROW)
    return raw.select(numbers, pl.all())


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


#: pandera checks every kept row of a table up to this many; a larger table has its names and types checked
#: and the schema's data checks run on an evenly spaced sample of about this many rows, since the rule
#: expressions the schema is generated from have already been applied to every row (docs/decisions.md).
FULL_CHECK_ROWS = 100_000


def _check_model(table: str, kept: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Validate the kept rows against the table's pandera schema; rows it rejects come back as (index, reason)."""
    checked, positions = kept, None
    if kept.height > FULL_CHECK_ROWS:
        step = -(-kept.height // FULL_CHECK_ROWS)
        positions = pl.int_range(0, kept.height, step, dtype=pl.UInt32, eager=True)
        checked = kept.gather(positions)
    try:
        MODELS[table].validate(checked, lazy=True)
        return kept, None
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
        if positions is not None:
            late = late.with_columns(positions.gather(late["index"]).alias("index"))
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


#: How many of a failed table's quarantined rows its message names by their row in the file.
_ROWS_NAMED = 5


_SEPARATOR_HINT = "a canonical CSV file is separated by commas (a source profile can name another delimiter)"


def _other_separator(header: list[str]) -> str | None:
    """The separator a one-column header seems to be split by (`;` or a tab), if any."""
    if len(header) != 1:
        return None
    return next((separator for separator in (";", "\t", "|") if separator in header[0]), None)


def _first_rows(rejected: pl.DataFrame) -> dict[str, tuple[int, ...]]:
    """The first rows of the file (their row numbers) that each reason quarantined, _ROWS_NAMED at most."""
    if rejected.is_empty():
        return {}
    firsts = (
        rejected.select(pl.col(REASON).str.split("; "), SOURCE_ROW)
        .explode(REASON)
        .group_by(REASON)
        .agg(pl.col(SOURCE_ROW).sort().head(_ROWS_NAMED))
    )
    return {reason: tuple(rows) for reason, rows in firsts.iter_rows()}


def _over_ceiling(report: TableReport, ceiling: Decimal, rejected: pl.DataFrame) -> str | None:
    # The ceiling is a share of the table's rows: rows the profile skipped are none of them.
    rows = report.rows_read - report.rows_skipped
    if rows == 0 or Decimal(report.rows_quarantined) <= ceiling * rows:
        return None
    share = Decimal(report.rows_quarantined) / rows
    worst = ", ".join(f"{rule} ({count})" for rule, count in list(report.reasons.items())[:3])
    # Nothing is published, so no quarantine file shows the rows: the message names the first of them.
    first = rejected[SOURCE_ROW].head(_ROWS_NAMED).to_list()
    return (
        f"{report.source}: {report.rows_quarantined} of {rows} rows quarantined "
        f"({share:.1%}), above the {ceiling:.0%} ceiling; most common: {worst}; "
        f"{rows_named(first, rejected.height)}"
    )
