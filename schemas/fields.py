"""How each canonical column is read from text, and the rule a cell breaks when it can't be."""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass
from typing import Literal

import polars as pl

#: The letter grades, best first (SPEC §4).
GRADES: tuple[str, ...] = ("A", "B", "C", "D")
#: The languages a card is written in (SPEC §2.1).
LOCALES: tuple[str, ...] = ("en", "zh-CN")

Kind = Literal["text", "email", "date", "money", "number", "share", "rate", "period", "choice", "currency"]

# Digits are ASCII [0-9]: the regex engine's \d also matches full-width and other scripts' digits,
# which no cast reads. A time after a date must be a time of day, although only the date is kept.
#: A plain decimal number, as a spreadsheet reads one too (outputs use it to tell a number from a formula).
PLAIN_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_NUMBER = rf"^{PLAIN_NUMBER}$"
_EMAIL = r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$"
_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?"
_DATE = rf"^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}([T ]{_TIME})?$"
#: A month, YYYY-MM (the output tables use it too).
PERIOD_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
#: An ISO 4217 currency code: three capital letters A-Z.
CURRENCY_PATTERN = r"^[A-Z]{3}$"
# Exact numbers keep this many places: cents for money, micro-units for numbers, a split's
# share in 1/10,000 (SPEC §8.1), an exchange rate in 10 places (SPEC §8.2).
_PLACES = {"money": 2, "number": 6, "share": 4, "rate": 10}
# The plain forms a cast reads as parse does: nothing to trim, no sign but '-', no bare point, no
# more places than the kind keeps; a date alone, without a time.
_PLAIN_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_PLAIN_NUMBER = {kind: rf"^-?[0-9]+(\.[0-9]{{1,{places}}})?$" for kind, places in _PLACES.items()}
_TEXT_KINDS = ("text", "email", "period", "choice", "currency")


@dataclass(frozen=True)
class Field:
    """A canonical column: its kind, whether a value is required, whether the column may be absent, what it holds.

    An empty cell of a `config_default` column takes the default the settings give, so its validated
    column has no nulls although no value is required.
    """

    name: str
    kind: Kind = "text"
    required: bool = True
    optional_column: bool = False
    choices: tuple[str, ...] = ()
    config_default: bool = False
    _: KW_ONLY
    description: str

    @property
    def dtype(self) -> pl.DataType:
        """The polars type of the column's validated values (a choice column's: an Enum of its choices)."""
        if self.kind == "date":
            return pl.Date()
        if self.kind in _PLACES:
            return pl.Decimal(38, _PLACES[self.kind])
        if self.kind == "choice":
            return pl.Enum(self.choices)
        return pl.String()

    @property
    def parse_is_identity(self) -> bool:
        """True when the typed value of a cell is its stripped text (parse changes nothing)."""
        return self.kind in _TEXT_KINDS

    def parse(self, text: pl.Expr) -> pl.Expr:
        """The typed value of a stripped text cell (null where it is empty or unreadable)."""
        if self.kind in _TEXT_KINDS:
            return text
        if self.kind == "date":
            # A datetime counts by its calendar date (SPEC §1).
            well_formed = text.str.contains(_DATE)
            return pl.when(well_formed).then(text.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False))
        return pl.when(text.str.contains(_NUMBER)).then(_decimals(text).cast(self.dtype, strict=False)).cast(self.dtype)

    def plain(self, cell: pl.Expr, value: pl.Expr | None = None) -> tuple[pl.Expr, pl.Expr]:
        """(value, is-plain) of a cell of a parsed kind read as it is, untrimmed.

        Where the cell is null or is-plain is true, the value is the one parse gives and problems are
        plain_problems; elsewhere the value means nothing and the cell must go through parse and problems.
        `value`, when given, names the value already computed, which is-plain then reads instead of
        computing it again.
        """
        if self.kind == "date":
            value = cell.str.to_date("%Y-%m-%d", strict=False, cache=False) if value is None else value
            return value, cell.str.contains(_PLAIN_DATE) & value.is_not_null()
        value = cell.cast(self.dtype, strict=False) if value is None else value
        return value, cell.str.contains(_PLAIN_NUMBER[self.kind]) & value.is_not_null()

    def plain_problems(self, cell: pl.Expr) -> list[tuple[str, pl.Expr]]:
        """problems() of a cell that is empty or in its plain form: only an empty cell breaks one (required)."""
        required = f"{self.name}: required"
        return [(rule, cell.is_null() if rule == required else pl.lit(False)) for rule, _ in self.problems(cell, cell)]

    def problems(self, text: pl.Expr, value: pl.Expr) -> list[tuple[str, pl.Expr]]:
        """(rule, is-broken expression) pairs for one cell; each expression is true where the rule is broken."""
        rules: list[tuple[str, pl.Expr]] = []
        present = text.is_not_null()
        if self.required:
            rules.append(("required", text.is_null()))
        if self.kind == "email":
            rules.append(("not an email address", present & ~text.str.contains(_EMAIL)))
        elif self.kind == "period":
            rules.append(("not a month (YYYY-MM)", present & ~text.str.contains(PERIOD_PATTERN)))
        elif self.kind == "currency":
            rules.append(
                ("not a currency code (three capital letters)", present & ~text.str.contains(CURRENCY_PATTERN))
            )
        elif self.kind == "choice":
            rules.append((f"not one of {', '.join(self.choices)}", present & ~text.is_in(self.choices)))
        elif self.kind == "date":
            rules.append(("not a date (YYYY-MM-DD)", present & value.is_null()))
        elif self.kind in _PLACES:
            places = _PLACES[self.kind]
            is_number = text.str.contains(_NUMBER)
            # The digits after the point without trailing zeros (where the text is a number: one point at most).
            too_precise = text.str.extract(r"\.([0-9]*)$").str.strip_chars_end("0").str.len_bytes() > places
            rules += [
                ("not a number", present & ~is_number),
                (f"more than {places} decimal places", present & is_number & too_precise.fill_null(False)),
                ("too large", present & is_number & ~too_precise.fill_null(False) & value.is_null()),
            ]
        return [(f"{self.name}: {rule}", broken.fill_null(False)) for rule, broken in rules]


def _decimals(text: pl.Expr) -> pl.Expr:
    """The number text with a leading '+' dropped and a bare '.5' or '5.' completed."""
    text = text.str.strip_prefix("+")
    text = pl.when(text.str.starts_with(".")).then(pl.lit("0") + text).otherwise(text)
    text = pl.when(text.str.starts_with("-.")).then(pl.lit("-0") + text.str.slice(1)).otherwise(text)
    return text.str.strip_suffix(".")
