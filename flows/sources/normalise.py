"""Applying a source profile to an export read as text: the canonical columns, values in canonical text.

Renames, joins, value maps, dates and numbers, all as polars expressions.
A value the profile cannot normalise is passed through as the text it was, so
that the validate stage quarantines its row with the rule it breaks; no row is
added or dropped here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from scorecards.config.profiles import (
    CANONICAL_PROFILE,
    EXCEL_SERIAL,
    Column,
    FileFormat,
    Join,
    Keep,
    Labels,
    Profile,
    TableSource,
)
from scorecards.flows.shared.counting import and_more
from scorecards.flows.shared.errors import InputError
from scorecards.schemas.results import RawTable, UnreadableTable
from scorecards.schemas.tables import TABLES, TableSpec

_KEY = "__join_key__"
_EXCEL_EPOCH = pl.date(1899, 12, 30)
_MAX_LISTED = 8
#: The kinds of canonical column whose text is a number the profile's separators and currency apply to.
NUMBER_KINDS = ("money", "number", "share", "rate")


class SourceMismatch(InputError):
    """A file does not have the shape its profile describes (a column or a lookup key is missing or ambiguous)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(problem)
        self.source = source
        self.problem = problem


@dataclass(frozen=True)
class Lookup:
    """A joined file as read: its name (for messages) and its text columns."""

    source: str
    frame: pl.DataFrame
    sha256: str = ""


@dataclass(frozen=True)
class UnknownLabel:
    """A value of a choice column (stage, status, locale) that is none of the canonical ones, and its count."""

    table: str
    source: str
    column: str
    source_column: str | None
    value: str
    count: int
    profile: str

    def message(self) -> str:
        """One line for the validation report: file, column, value, count and where to map it."""
        where = f"column {self.source_column!r} ({self.column})" if self.source_column else f"column {self.column!r}"
        choices = next(f for f in TABLES[self.table].fields if f.name == self.column).choices
        meant = [choice for choice in choices if choice.casefold() == self.value.casefold()]
        if self.source_column:
            hint = f"; map it under [tables.{self.table}.columns.{self.column}.values] in profile {self.profile!r}"
        elif meant:  # a canonical file's choices are spelled exactly; a profile's labels are matched in any case
            hint = f"; did you mean {meant[0]!r}? (a canonical file spells them exactly)"
        else:
            hint = ""
        return f"{self.source}: {where}: {self.value!r} × {self.count} is not one of {', '.join(choices)}{hint}"


def normalise_table(
    frame: pl.DataFrame, source: TableSource, fmt: FileFormat, spec: TableSpec, file: str, lookups: Mapping[str, Lookup]
) -> pl.DataFrame:
    """The export's rows as the canonical table: canonical column names, every value canonical text or as it was."""
    columns = _present(_columns(source, spec, frame.columns), frame.columns, source, lookups)
    _check_references(frame.columns, columns, source, file, lookups)
    joined = frame
    for alias, join in source.joins.items():
        joined = _join(joined, alias, join, lookups[alias])
    kinds = {f.name: f.kind for f in spec.fields}
    exprs = {name: _column(kinds[name], column, joined.columns, fmt) for name, column in columns.items()}
    return joined.with_columns(**exprs).select(list(exprs))


def unknown_labels(
    raw: Mapping[str, RawTable | UnreadableTable | None], profile: Profile = CANONICAL_PROFILE
) -> list[UnknownLabel]:
    """Per table and choice column, each value that is none of the canonical choices, with its count.

    These are the labels a profile's value maps did not cover (they reach the
    validate stage as they were and are quarantined): what to add to the profile.
    """
    found: list[UnknownLabel] = []
    for name, table in raw.items():
        if not isinstance(table, RawTable):
            continue
        source = profile.tables.get(name)
        for field in TABLES[name].fields:
            if field.kind != "choice" or field.name not in table.frame.columns:
                continue
            origin = source.columns.get(field.name) if source is not None else None
            counts = (
                table.frame.select(pl.col(field.name).str.strip_chars().alias("value"))
                .filter(pl.col("value").is_not_null() & (pl.col("value") != "") & ~pl.col("value").is_in(field.choices))
                .group_by("value")
                .len()
                .sort(["len", "value"], descending=[True, False])
            )
            found += [
                UnknownLabel(name, table.source, field.name, _origin_name(origin), value, count, profile.name)
                for value, count in counts.iter_rows()
            ]
    return found


def _origin_name(column: Column | None) -> str | None:
    return " / ".join(column.references) or None if column is not None else None


def _columns(source: TableSource, spec: TableSpec, headers: list[str]) -> dict[str, Column]:
    """Each canonical column the table will have: as the profile maps it, else a header of the same name."""
    columns: dict[str, Column] = {}
    for field in spec.fields:
        if field.name in source.columns:
            columns[field.name] = source.columns[field.name]
        elif _find(field.name, headers) is not None:
            columns[field.name] = Column.model_validate({"from": field.name})
    return columns


def _present(
    columns: Mapping[str, Column], headers: list[str], source: TableSource, lookups: Mapping[str, Lookup]
) -> dict[str, Column]:
    """The columns with each optional one narrowed to the headers the file has, and left out when it has none."""
    present: dict[str, Column] = {}
    for name, column in columns.items():
        if not column.optional:
            present[name] = column
            continue
        found = [ref for ref in column.references if _resolve(ref, headers, source, lookups) is not None]
        if found:
            present[name] = column.model_copy(update={"source": found})
    return present


def skipped_rows(frame: pl.DataFrame, keep: Keep, file: str) -> pl.Series:
    """True for each row the profile skips: its `keep.column` holds none of `keep.values` (case and spaces ignored)."""
    header = _find(keep.column, frame.columns)
    if header is None:
        unexpected = f"; the header has: {_listed(frame.columns)}"
        raise SourceMismatch(file, f"column(s) not in the header: {keep.column!r} (keep){unexpected}")
    wanted = [value.strip().casefold() for value in keep.values]
    kept = pl.col(header).str.strip_chars().str.to_lowercase().is_in(wanted).fill_null(False)
    return frame.select((~kept).alias("skipped")).to_series()


def _check_references(
    headers: list[str], columns: Mapping[str, Column], source: TableSource, file: str, lookups: Mapping[str, Lookup]
) -> None:
    """Stop with one line naming every source column the profile reads that the file lacks."""
    missing: list[str] = []
    used: set[str] = set()
    for alias, join in source.joins.items():
        found = _find(join.column, headers)
        if found is None:
            missing.append(f"{join.column!r} (key of join {alias!r})")
        used.add(found or "")
        lookup = lookups[alias]
        if _find(join.key, lookup.frame.columns) is None:
            header = _listed(lookup.frame.columns)
            problem = f"column {join.key!r} (key of join {alias!r}) not in the header: {header}"
            raise SourceMismatch(lookup.source, problem)
    for canonical, column in columns.items():
        for reference in column.references:
            found = _resolve(reference, headers, source, lookups)
            if found is None:
                missing.append(f"{reference!r} ({canonical})")
            used.add(found or "")
    if missing:
        unexpected = [h for h in headers if h not in used]
        extra = f"; unexpected: {_listed(unexpected)}" if unexpected else ""
        raise SourceMismatch(file, f"column(s) not in the header: {', '.join(missing)}{extra}")


def _resolve(reference: str, headers: list[str], source: TableSource, lookups: Mapping[str, Lookup]) -> str | None:
    """The header a reference names: a column of the file, or `alias.column` of a joined file."""
    found = _find(reference, headers)
    if found is not None:
        return found
    alias, _, column = reference.partition(".")
    if alias in source.joins and column and _find(column, lookups[alias].frame.columns) is not None:
        return reference
    return None


def _find(name: str, headers: list[str]) -> str | None:
    """The header that names a column: exactly, else ignoring case and surrounding spaces."""
    if name in headers:
        return name
    wanted = name.strip().casefold()
    return next((h for h in headers if h.strip().lstrip("\ufeff").casefold() == wanted), None)


def _listed(names: list[str]) -> str:
    return and_more([repr(n) for n in names[:_MAX_LISTED]], len(names))


def _join(frame: pl.DataFrame, alias: str, join: Join, lookup: Lookup) -> pl.DataFrame:
    """The frame with the lookup's columns as `alias.column`, matched on the key; no match leaves them null."""
    key = _find(join.key, lookup.frame.columns)
    right = lookup.frame.select(
        _blank_is_null(pl.col(key)).alias(_KEY),
        *[pl.col(c).alias(f"{alias}.{c}") for c in lookup.frame.columns],
    ).filter(pl.col(_KEY).is_not_null())
    repeated = right.filter(pl.col(_KEY).is_duplicated())[_KEY].unique(maintain_order=True).to_list()
    if repeated:
        raise SourceMismatch(
            lookup.source,
            f"column {join.key!r}: {_listed(repeated)} appear(s) more than once; a join key must be unique",
        )
    left_key = map_labels(_blank_is_null(pl.col(_find(join.column, frame.columns))), join.values)
    return frame.with_columns(left_key.alias(_KEY)).join(right, on=_KEY, how="left", maintain_order="left").drop(_KEY)


def _column(kind: str, column: Column, headers: list[str], fmt: FileFormat) -> pl.Expr:
    """One canonical column: its source text, labels mapped, dates and numbers normalised, then its default."""
    if column.value is not None:
        return pl.lit(column.value, dtype=pl.String)
    if column.template is not None:
        text = _template(column.template, headers)
    else:
        text = pl.coalesce([_blank_is_null(pl.col(_find_any(ref, headers))) for ref in column.references])
    text = map_labels(text, column.values)
    if kind == "date":
        text = date_text(text, fmt.date_formats)
    elif kind in NUMBER_KINDS:
        text = percent_text(text, fmt) if column.percent else number_text(text, fmt)
    return text.fill_null(pl.lit(column.default, dtype=pl.String)) if column.default is not None else text


def _find_any(reference: str, headers: list[str]) -> str:
    found = _find(reference, headers)
    return found if found is not None else reference


def _template(template: str, headers: list[str]) -> pl.Expr:
    parts: list[pl.Expr] = []
    for i, piece in enumerate(_split_template(template)):
        parts.append(pl.col(_find_any(piece, headers)).fill_null("") if i % 2 else pl.lit(piece, dtype=pl.String))
    return _blank_is_null(pl.concat_str(parts))


def _split_template(template: str) -> list[str]:
    """Literal text and column names, alternating: 'a{X}b' → ['a', 'X', 'b']."""
    return re.split(r"\{([^{}]+)\}", template)


def _blank_is_null(text: pl.Expr) -> pl.Expr:
    return text.cast(pl.String).str.strip_chars().replace("", None)


def map_labels(text: pl.Expr, labels: Labels) -> pl.Expr:
    """The canonical value of each label (matched ignoring case and surrounding spaces); other text unchanged."""
    if not labels:
        return text
    pairs = {label.strip().casefold(): target for target, sources in labels.items() for label in sources}
    mapped = text.str.strip_chars().str.to_lowercase().replace_strict(pairs, default=None, return_dtype=pl.String)
    return pl.coalesce(mapped, text)


def date_text(text: pl.Expr, formats: tuple[str, ...]) -> pl.Expr:
    """ISO `YYYY-MM-DD` for text in one of the formats (tried in order); other text unchanged."""
    if not formats:
        return text
    parsed = pl.coalesce(
        [_excel_date(text) if f == EXCEL_SERIAL else text.str.to_date(f, strict=False) for f in formats]
    )
    return pl.when(parsed.is_not_null()).then(parsed.dt.to_string("%Y-%m-%d")).otherwise(text)


def _excel_date(text: pl.Expr) -> pl.Expr:
    """An Excel serial day number (a fraction is the time of day) as a date, counted from 1899-12-30."""
    serial = pl.when(text.str.contains(r"^\d{1,7}(\.\d+)?$")).then(text.cast(pl.Float64, strict=False).floor())
    days = pl.when(serial.is_between(1, 2_958_465)).then(serial.cast(pl.Int64))
    return _EXCEL_EPOCH + pl.duration(days=days)


def number_text(text: pl.Expr, fmt: FileFormat) -> pl.Expr:
    """A plain decimal (`1234.56`) for a number written with the profile's separators and currency symbols.

    Text that does not have that exact shape (`1.234,56` under a dot-decimal
    profile, `1,2345`, `12 apples`) is left as it was.
    """
    is_number, plain = _plain_number(_strip_currency(text, fmt.currency), fmt)
    return pl.when(is_number).then(plain).otherwise(text)


def _plain_number(bare: pl.Expr, fmt: FileFormat) -> tuple[pl.Expr, pl.Expr]:
    """(has the shape of a number in the profile's separators, that number as a plain decimal)."""
    decimal, thousands = _escape(fmt.decimal), _escape(fmt.thousands)
    integer = rf"(\d{{1,3}}({thousands}\d{{3}})+|\d+)" if fmt.thousands else r"\d+"
    shape = rf"^[+-]?{integer}({decimal}\d+)?$"
    plain = bare.str.replace_all(fmt.thousands, "", literal=True) if fmt.thousands else bare
    plain = plain.str.replace(fmt.decimal, ".", literal=True) if fmt.decimal != "." else plain
    return bare.str.contains(shape), plain


def percent_text(text: pl.Expr, fmt: FileFormat) -> pl.Expr:
    """The share a percentage means, as exact decimal text: `50.00%` → `0.5`, `33.33 %` → `0.3333`, `100%` → `1`.

    The number before the `%` is written with the profile's separators. A number
    without `%` is taken as the fraction itself (as Excel stores a cell formatted
    as a percentage). Any other text (`50%%`, `1e309%`, `%`) is left as it was.
    """
    trimmed = text.str.strip_chars()
    is_number, plain = _plain_number(trimmed.str.strip_suffix("%").str.strip_chars_end(), fmt)
    # Digits ASCII only: a regex \d also matches other scripts' digits, which the text arithmetic cannot shift.
    parts = plain.str.extract_groups(r"^([+-]?)([0-9]+)(?:\.([0-9]+))?$")
    sign, whole, fraction = (parts.struct.field(name) for name in ("1", "2", "3"))
    padded = whole.str.zfill(3)  # at least one digit stays left of the point once two move right
    left = padded.str.head(-2).str.strip_chars_start("0").replace("", "0")
    right = pl.concat_str([padded.str.tail(2), fraction.fill_null("")]).str.strip_chars_end("0")
    shifted = pl.concat_str([sign, left, pl.when(right != "").then(pl.lit(".") + right).otherwise(pl.lit(""))])
    is_percent = trimmed.str.ends_with("%") & is_number & whole.is_not_null()
    return pl.when(is_percent).then(shifted).otherwise(number_text(text, fmt))


def _strip_currency(text: pl.Expr, symbols: tuple[str, ...]) -> pl.Expr:
    if not symbols:
        return text
    either = "|".join(_escape(s) for s in sorted(symbols, key=len, reverse=True))
    return (
        text.str.replace(rf"^([+-]?)\s*(?:{either})\s*", "${1}").str.replace(rf"\s*(?:{either})$", "").str.strip_chars()
    )


def _escape(text: str) -> str:
    """Text as a literal in a polars (Rust) regular expression."""
    return "".join(f"\\{ch}" if ch in r"\.+*?()|[]{}^$#&-~" else ch for ch in text)
