"""Locale-aware display of the scorecard's values (Babel), shared by the HTML and Excel renderers."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import cache, lru_cache
from typing import Literal

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import (
    format_currency,
    format_decimal,
    format_percent,
    get_currency_precision,
    get_currency_symbol,
    parse_pattern,
)

#: `points`: a change of a percentage, in percentage points (a value of 3.5 for 115.4 % → 118.9 %).
#: `rate`: an exchange rate, every decimal it has (4 to 10). `ratio`: one amount over another, read by a person
#: (a target over a run rate), to the hundredth; its file keeps 6 decimals.
Kind = Literal["money", "percent", "share", "rate", "ratio", "count", "score", "days", "date", "points"]

#: How an evidence value the data left empty reads (a survey answer's comment, a lead not yet contacted): not
#: N/A, which says that a metric has no value.
ABSENT = "—"

_PATTERNS: dict[Kind, str] = {
    "percent": "#,##0.0%",
    "share": "#,##0.00%",  # a split's share, 0.3333: to the hundredth of a percent
    "count": "#,##0",
    "score": "#,##0.00",
    "days": "#,##0.0",
    "rate": "#,##0.0000######",
    "ratio": "#,##0.00",
    "points": "#,##0.0",
}
_EXCEL_FORMATS: dict[Kind, str] = {
    "percent": "0.0%",
    "share": "0.00%",
    "count": "#,##0",
    "score": "0.00",
    "days": "0.0",
    "date": "yyyy-mm-dd",
    "rate": "0.0000######",
    "ratio": "#,##0.00",
    "points": "#,##0.0",
}


def babel_locale(locale: str) -> str:
    """The Babel name of a card locale (`zh-CN` → `zh_CN`)."""
    return locale.replace("-", "_")


@cache
def _babel(locale: str) -> Locale:
    # Parsed once: Babel would otherwise look the locale up again for every value formatted.
    return Locale.parse(babel_locale(locale))


def language_name(locale: str) -> str:
    """The name of a locale's language in that language (`English`, `中文`), as a link to its pages reads."""
    return str(_babel(locale).get_language_name())


def format_value(
    value: Decimal | int | date | None,
    kind: Kind,
    locale: str,
    not_available: str,
    currency: str | None = None,
    places: int | None = None,
) -> str:
    """The value as a reader of that locale writes it; `not_available` for N/A; `currency`: money's (required
    for it); `places`: the decimals shown instead of the kind's (a number kind other than money)."""
    if value is None:
        return not_available
    # Keyed by type and text too: 1.0 and 1.00 are equal Decimals, and a date is not a datetime.
    return _formatted(type(value), str(value), value, kind, locale, currency, places)


def _money_currency(currency: str | None) -> str:
    """An amount's currency; a programming error when it has none (it would show in some other currency)."""
    if not currency:
        raise ValueError("an amount of money is formatted without its currency")
    return currency


def _with_places(pattern: str, places: int | None) -> str:
    """A number pattern (Babel's or Excel's) showing exactly `places` decimals, what follows its digits (`%`)
    kept; the pattern itself for None."""
    if places is None:
        return pattern
    whole, _point, fraction = pattern.partition(".")
    after = fraction.lstrip("0#")
    return f"{whole}.{'0' * places}{after}" if places else f"{whole}{after}"


# Evidence tables repeat the same dates and amounts thousands of times a period, and Babel takes ~0.1 ms each.
@lru_cache(maxsize=1 << 16)
def _formatted(
    _type: type,
    _text: str,
    value: Decimal | int | date,
    kind: Kind,
    locale: str,
    currency: str | None,
    places: int | None,
) -> str:
    where = _babel(locale)
    # Babel rounds to the shown places in the thread's decimal context (half even by default): 2.125 would
    # show as 2.12 on a page and 2.13 in the workbook, whose number format rounds half up, as the project does.
    with localcontext(rounding=ROUND_HALF_UP):
        if kind in ("percent", "share"):
            return format_percent(value, format=_PATTERNS[kind], locale=where)
        if kind == "money":
            # Here, not on every call: a formatted amount is cached, and an exception never is.
            currency = _money_currency(currency)
            shape = _money_shape(locale, currency)
            if shape is not None and isinstance(value, Decimal) and value.as_tuple().exponent == -2 and value:
                return _money_text(value, shape)
            # An amount with cents in a currency written without them (a JPY deal of 1234.56, SPEC §2.2 allows two
            # decimals) keeps its cents, to the locale's usual two places: it is the amount the data gave.
            cents = isinstance(value, Decimal) and value != value.to_integral_value()
            return format_currency(value, currency, locale=where, currency_digits=not cents)
        if kind == "date":
            return format_date(value, format="medium", locale=where)  # type: ignore[arg-type]
        return format_decimal(value, format=_with_places(_PATTERNS[kind], places), locale=where)


#: How a locale writes money in a currency of two decimals: signs, symbol and separators around the digits.
_MoneyShape = tuple[str, str, str, str, str, str]
_PROBE = re.compile(r"1(?P<group>\D+?)234(?P=group)567(\D+?)89")


@cache
def _money_shape(locale: str, currency: str) -> _MoneyShape | None:
    """(prefix, suffix, negative prefix, negative suffix, group, decimal) of the locale's money, learnt from
    Babel itself; None when its pattern is not plain groups of three with two decimals (Babel formats then)."""
    where = _babel(locale)
    if get_currency_precision(currency) != 2:
        return None
    found = [(text, _PROBE.search(text)) for text in (format_currency(v, currency, locale=where) for v in _PROBES)]
    if any(match is None for _text, match in found):
        return None
    (plus, up), (minus, down) = found
    assert up is not None and down is not None
    shape = (plus[: up.start()], plus[up.end() :], minus[: down.start()], minus[down.end() :], *up.groups())
    checks = (Decimal("0.50"), Decimal("999.99"), Decimal("1000.00"), Decimal("-12345.60"), Decimal("123456789012.34"))
    if any(format_currency(v, currency, locale=where) != _money_text(v, shape) for v in checks):
        return None
    return shape


_PROBES = (Decimal("1234567.89"), Decimal("-1234567.89"))


def _money_text(value: Decimal, shape: _MoneyShape) -> str:
    """A nonzero amount of two decimals as `format_currency` writes it, in the locale's `_money_shape`."""
    prefix, suffix, minus_prefix, minus_suffix, group, point = shape
    digits = f"{abs(value):,.2f}".replace(",", "\0").replace(".", point).replace("\0", group)
    return f"{minus_prefix}{digits}{minus_suffix}" if value < 0 else f"{prefix}{digits}{suffix}"


def format_change(value: Decimal | int | None, kind: Kind, locale: str, not_available: str) -> str:
    """A month-over-month change with its sign (`+0.25` for a score, `+1.2` for percentage points)."""
    if value is None:
        return not_available
    where = _babel(locale)
    pattern = _PATTERNS[kind]
    write = format_percent if kind == "percent" else format_decimal
    with localcontext(rounding=ROUND_HALF_UP):  # as format_value
        shown = rounded_change(value, kind)
        if not shown:  # no change at the places shown: no sign either
            return write(shown, format=pattern, locale=where)
        return write(value, format=f"+{pattern};-{pattern}", locale=where)


@cache
def _change_places(kind: Kind) -> int:
    """The decimal places of the number format_change shows (a percent's 0.1 % is three places of the ratio)."""
    pattern = parse_pattern(_PATTERNS[kind])
    return pattern.frac_prec[1] + pattern.scale


def format_month(period_start: date, locale: str, *, short: bool = False) -> str:
    """A month as people of the locale write it: `October 2026`, `2026年10月`."""
    return format_skeleton("yMMM" if short else "yMMMM", period_start, locale=_babel(locale))


def months_with_year(starts: list[date]) -> list[bool]:
    """Which of consecutive months a narrow row's heading names with its year: the first and each January."""
    return [i == 0 or start.month == 1 for i, start in enumerate(starts)]


def format_months_in_a_row(starts: list[date], locale: str) -> list[str]:
    """Consecutive months as headings of a narrow row: the year with the months `months_with_year` names only
    (`2026年5月`, `6月`, … or `May 2026`, `Jun`, …), so that each heading fits its column unbroken."""
    return [
        format_month(start, locale, short=True) if with_year else format_skeleton("MMM", start, locale=_babel(locale))
        for start, with_year in zip(starts, months_with_year(starts), strict=True)
    ]


def excel_format(
    kind: Kind,
    locale: str,
    currency: str | None = None,
    *,
    signed: bool = False,
    unit: str = "",
    places: int | None = None,
) -> str:
    """The Excel number format of a kind of value (the cell keeps the exact number); `signed` for a change
    stored by `rounded_change`, whose sign then shows as format_change shows it (`+0.25`, `-0.25`, `0.00`);
    `unit` written after the number (percentage points' ` pp`, a rank's ` / 8`); `places` as format_value's."""
    if kind == "money":
        currency = _money_currency(currency)
        symbol = get_currency_symbol(currency, locale=_babel(locale)).replace('"', "")
        return f'"{symbol}"#,##0.00'
    unsigned = _with_places(_EXCEL_FORMATS[kind], places)
    if unit:
        unsigned += '"' + unit.replace('"', "") + '"'
    # Excel shows the negative section's number without its minus sign, and the zero section only for 0.
    return f"+{unsigned};-{unsigned};{unsigned}" if signed else unsigned


def rounded_change(value: Decimal | int | None, kind: Kind) -> Decimal | int | None:
    """A change rounded half up to the places format_change shows: stored so in a workbook, a change too small to
    show is 0 and reads without a sign, as on the page."""
    if value is None or isinstance(value, int):
        return value
    with localcontext(rounding=ROUND_HALF_UP):
        return value.quantize(Decimal(1).scaleb(-_change_places(kind))) + 0  # + 0: a negative zero is zero
