"""What every page's view is made of: a value as a cell, a line, a table, a link, a restatement notice, and the
wording of one locale that makes them (translation and formatting).

Templates and workbooks receive these objects and only lay them out: every label comes from the message
catalogue, every number from Babel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import polars as pl

from scorecards.flows.shared.columns import COLUMN_WORDS, shown_text
from scorecards.flows.shared.display import ABSENT, Kind, format_change, format_value, language_name, rounded_change
from scorecards.flows.shared.i18n import in_points, translations
from scorecards.flows.shared.layout import language_part
from scorecards.schemas.fields import GRADES
from scorecards.transforms.coverage import MonthCaveats
from scorecards.transforms.restatement import Publication

Value = Decimal | int | str | date | bool | None


@dataclass(frozen=True)
class Cell:
    """A value as Excel stores it and as a reader of the locale reads it (money in `currency` when not the card's).

    `text` is empty for a number that only the Excel card shows (a row past the HTML's cap): the workbook
    formats numbers itself, from `kind`.
    """

    value: Value
    kind: Kind | None
    text: str
    currency: str | None = None
    #: A change (`+0.25`): the workbook's number format shows its sign.
    signed: bool = False
    #: Written after the number by the workbook's number format too (a rank's ` / 8`), so the cell stays a number.
    unit: str = ""
    #: The decimals shown, page and workbook, where not the kind's (a ratio told from the threshold it rounds onto).
    places: int | None = None


@dataclass(frozen=True)
class Line:
    """A labelled value."""

    label: str
    cell: Cell


@dataclass(frozen=True)
class StoredRows:
    """Rows of a table that only the Excel card shows, as columns rather than cells (there can be thousands).

    `frame` has one column per heading: text as a reader of the locale reads it (`Wording.cell`), numbers and
    dates as Excel stores them (the workbook formats them from `kinds`; a null reads `empty`). Money is in the
    card's currency, or in `currencies` where set (a deal's own currency, row by row, in column `money_in`).
    """

    frame: pl.DataFrame
    kinds: list[Kind | None]
    empty: str
    currencies: pl.Series | None = None
    money_in: int | None = None


@dataclass(frozen=True)
class Table:
    """A titled table: headings, then rows of cells.

    The HTML shows `rows`; a table with more rows than the HTML shows (an evidence table past the config's
    `cards.evidence_rows`) has the rest in `stored`, which the Excel card writes after `rows`, and `more`, the
    note that says how many the HTML left to the Excel card.
    """

    title: str
    headings: list[str]
    rows: Sequence[Sequence[Cell]]
    empty_text: str
    more: str | None = None
    stored: StoredRows | None = None

    @property
    def shown(self) -> Sequence[Sequence[Cell]]:
        """The rows the HTML shows."""
        return self.rows

    @property
    def height(self) -> int:
        """How many rows the table has, in the Excel card."""
        return len(self.rows) + (self.stored.frame.height if self.stored is not None else 0)


@dataclass(frozen=True)
class Link:
    """A link as shown: its text and its address."""

    text: str
    href: str


@dataclass(frozen=True)
class Language:
    """A link to the same page in another language: the language's own name (English, 中文), its locale (the
    link's `lang`) and the page's address."""

    name: str
    locale: str
    href: str


def language_links(locales: Sequence[str], locale: str, href: Callable[[str], str]) -> list[Language]:
    """Links from a page in `locale` to the same page in each other language of `locales` (the config's default
    first): `href(part)` is its address for the language's `language_part`."""
    return [
        Language(language_name(other), other, href(language_part(other, locales[0])))
        for other in locales
        if other != locale
    ]


def index_link(gettext: Callable[[str], str], href: str) -> Link:
    """The link back to the period index at `href` (OUT/index.html, or the index of the reader's language), in
    the reader's language."""
    return Link(gettext("All periods"), href)


@dataclass(frozen=True)
class Restated:
    """A restated card's notice: which version this is, of when, and this rep's changes since the one sent."""

    title: str
    lines: list[str]


@dataclass
class Wording:
    """Translation and formatting for one locale."""

    locale: str
    currency: str
    gettext: Callable[[str], str] = field(init=False)
    ngettext: Callable[[str, str, int], str] = field(init=False)
    #: How N/A reads.
    na: str = field(init=False)

    def __post_init__(self) -> None:
        self.gettext = translations(self.locale).gettext
        self.ngettext = translations(self.locale).ngettext
        self.na = self.gettext("N/A")

    def cell(self, value: Value, kind: Kind | None, currency: str | None = None, *, column: str = "") -> Cell:
        """A value as the card shows it; text as `shown_text` gives it for its `column`."""
        if kind is None:  # text: shown (and written to Excel) as `text`
            text = str(value).lower() if isinstance(value, bool) else value
            if text is None:
                return Cell(value, None, self.na)
            return Cell(value, None, shown_text(str(text), column, self.gettext))
        if currency is not None and currency != self.currency:  # money in another currency than the card's
            return Cell(value, kind, format_value(value, kind, self.locale, self.na, currency), currency)
        return Cell(value, kind, format_value(value, kind, self.locale, self.na, self.currency))

    def stored(self, frame: pl.DataFrame, columns: Sequence[tuple[str, str, Kind | None]]) -> StoredRows:
        """The rows of `frame` that only the Excel card shows: text translated as `cell` gives it, the rest
        as values. A column `amount` is in each row's `currency` when the frame has one."""
        kinds = [kind for _name, _heading, kind in columns]
        texts = []
        for name, _heading, kind in columns:
            column = frame[name]
            if kind is not None:
                texts.append(column)
            elif name in COLUMN_WORDS:  # a boolean as `cell` reads it: "true" → "yes"
                words = {word: self.gettext(message) for word, message in COLUMN_WORDS[name].items()}
                texts.append(column.cast(pl.String).replace(words).fill_null(ABSENT))
            elif column.dtype == pl.String:
                texts.append(column.fill_null(ABSENT))
            else:
                texts.append(pl.Series(name, [evidence_cell(value, None, self).text for value in column], pl.String))
        names = [name for name, _heading, _kind in columns]
        money_in = names.index("amount") if "amount" in names and "currency" in frame.columns else None
        currencies = None
        if money_in is not None:
            currency = pl.col("currency")
            currencies = frame.select(pl.when(currency != self.currency).then(currency)).to_series()
        return StoredRows(pl.DataFrame(texts), kinds, ABSENT, currencies, money_in)


def grade_class(grade: str | None) -> str:
    """The CSS class of a grade's badge: `A` … `D`, `na` for no grade."""
    return grade if grade in GRADES else "na"


def caveat_lines(caveats: MonthCaveats | None, t: Wording) -> list[str]:
    """What a month's pages say its data may not (a month not over when it was scored, nothing dated in it), in
    the page's language; none for a month without such a caveat."""
    if caveats is None:
        return []
    lines = []
    if caveats.not_begun:
        lines.append(
            t.gettext(
                "Not final: this month had not begun when these figures were made, on %(date)s. These pages are "
                "sent to no one."
            )
            % {"date": format_value(caveats.not_over_on, "date", t.locale, t.na)}
        )
    elif caveats.not_over_on is not None:
        lines.append(
            t.gettext(
                "Not final: this month had not ended when these figures were made, on %(date)s. They show the "
                "month so far, and are sent to no one until the month is published again after its end."
            )
            % {"date": format_value(caveats.not_over_on, "date", t.locale, t.na)}
        )
    if caveats.no_activity:
        lines.append(
            t.gettext(
                "Not final: the input has no deal, lead or survey answer dated in this month, so every figure "
                "shows no activity. These pages are sent to no one."
            )
        )
    return lines


def restated_title(publication: Publication, sent: int | None, t: Wording) -> str:
    return t.gettext(
        "Restated: this is version %(version)d, published %(date)s; it replaces version %(sent)d, which was sent."
    ) % {
        "version": publication.version,
        "date": format_value(publication.published_on, "date", t.locale, t.na),
        "sent": sent,
    }


def change_cell(value: Decimal | int | None, kind: Kind, t: Wording) -> Cell:
    """A change since last month, signed, a percentage's in percentage points; the workbook keeps it rounded as
    shown, so its sign agrees with the page."""
    if kind == "percent":  # 115.4 % → 118.9 % is +3.5 pp: "+3.5%" would read as a rise of 3.5 % of 115.4 %
        value, kind = (None if value is None else value * 100), "points"
    text = format_change(value, kind, t.locale, t.na)
    unit = in_points("", t.locale) if kind == "points" else ""
    if unit and value is not None:
        text = in_points(text, t.locale)
    return Cell(rounded_change(value, kind), kind, text, signed=True, unit=unit)


def evidence_cell(value: Value, kind: Kind | None, t: Wording, currency: str | None = None, column: str = "") -> Cell:
    """An evidence value as `Wording.cell` shows it; one the data left empty reads ABSENT."""
    return Cell(None, kind, ABSENT) if value is None else t.cell(value, kind, currency, column=column)
