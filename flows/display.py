"""Locale-aware display of the scorecard's values (Babel), shared by the HTML and Excel renderers."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from babel.numbers import format_decimal, format_percent

Kind = Literal["money", "percent", "count", "score", "days"]

#: Excel number formats per kind of value (the cell keeps the exact number).
EXCEL_FORMATS: dict[Kind, str] = {
    "money": "#,##0.00",
    "percent": "0.0%",
    "count": "0",
    "score": "0.00",
    "days": "0.0",
}
_PATTERNS: dict[Kind, str] = {
    "money": "#,##0.00",
    "count": "#,##0",
    "score": "#,##0.00",
    "days": "#,##0.0",
}


def babel_locale(locale: str) -> str:
    """The Babel name of a card locale (`zh-CN` → `zh_CN`)."""
    return locale.replace("-", "_")


def format_value(value: Decimal | int | None, kind: Kind, locale: str, not_available: str) -> str:
    """The value as a reader of that locale writes it; `not_available` for N/A."""
    if value is None:
        return not_available
    if kind == "percent":
        return format_percent(value, format="#,##0.0%", locale=babel_locale(locale))
    return format_decimal(value, format=_PATTERNS[kind], locale=babel_locale(locale))
