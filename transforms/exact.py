"""Exact arithmetic for money, ratios and means: integers underneath, 6 decimals on top.

Every ratio the contract names is computed from exact integers (cents, counts,
micro-units) and rounded once, half away from zero, to a fixed number of places.
Floats never touch a value that is graded, ranked or written.
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

#: Decimal places of ratios, means and scores in output tables (SPEC §3).
RATIO_PLACES = 6
#: Decimal places of money.
MONEY_PLACES = 2
MONEY = pl.Decimal(38, MONEY_PLACES)
RATIO = pl.Decimal(38, RATIO_PLACES)


def unscaled(expr: pl.Expr, places: int) -> pl.Expr:
    """The decimal value as an Int128 count of 10^-places units (1.50 at 2 places is 150)."""
    return expr.cast(pl.Decimal(38, places)).to_physical().cast(pl.Int128)


def rounded_ratio(numerator: pl.Expr, denominator: pl.Expr, places: int = RATIO_PLACES) -> pl.Expr:
    """numerator / denominator rounded half up to `places` decimals, as Decimal(38, places).

    Both operands are non-negative integers in the same unit. Null when the
    denominator is 0 or null.
    """
    num = numerator.cast(pl.Int128)
    den = denominator.cast(pl.Int128)
    scale = 10**places
    units = (num * (2 * scale) + den) // (2 * den)
    return (
        pl.when(den > 0).then(units.cast(pl.Decimal(38, places)) / scale).otherwise(None).cast(pl.Decimal(38, places))
    )


def decimal_literal(value: Decimal | int, places: int = RATIO_PLACES) -> pl.Expr:
    """A Decimal literal at a fixed scale, for exact comparisons with Decimal columns."""
    return pl.lit(Decimal(value), dtype=pl.Decimal(38, places))
