"""How a change between two versions of a period reads (SPEC §9): one wording for restated cards and corrections.

What changed arrives as exact text (transforms.restatement). A value is shown
as the cards show it: a number of the scorecards table in the reporting
currency, an evidence amount in its row's currency, a date in the reader's
form, a word (a deal's stage) translated, other text as the data spells it.
Every label is the cards' own; text from the data is kept on one line.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import polars as pl

from scorecards.flows.shared.columns import (
    EVIDENCE_COLUMNS,
    EVIDENCE_KINDS,
    EVIDENCE_ROW_NAMES,
    GRADE_COLUMNS,
    GRADE_LABEL,
    SCORECARD_LABELS,
    shown_text,
)
from scorecards.flows.shared.counting import counted
from scorecards.flows.shared.display import ABSENT, Kind, format_month, format_value
from scorecards.flows.shared.i18n import remark, translations
from scorecards.flows.shared.inert_text import one_line
from scorecards.transforms.period import Period
from scorecards.transforms.restatement import EVIDENCE_KEYS, EVIDENCE_ONLY


def reps_changed(status: pl.DataFrame, since: str = "") -> str:
    """`4 reps changed{since}`, or `0 reps changed{since}, 1 more with changed evidence rows only`: the reps that
    changed as SPEC §9 counts them (added, gone, a number), then those whose evidence rows alone did (rep_status)."""
    only = status.filter(pl.col("status") == EVIDENCE_ONLY).height
    count = status.filter(pl.col("status") != "unchanged").height - only
    changed = f"{counted(count, 'rep')} changed{since}"
    return f"{changed}, {only} more with changed evidence rows only" if only else changed


def number_change(column: str, old: str | None, new: str | None, locale: str, currency: str) -> tuple[str, str, str]:
    """A changed scorecards column as (label, old, new): named and shown as the card shows it, with the exact
    values beside when the card's rounding would hide the change."""
    _ = translations(locale).gettext
    kind: Kind | None = None
    if column in GRADE_COLUMNS:
        label = _(GRADE_LABEL) % {"dimension": _(GRADE_COLUMNS[column])}
    elif column in SCORECARD_LABELS:
        msgid, kind = SCORECARD_LABELS[column]
        label = _(msgid)
    else:  # a column the cards do not name: its own name, never looked up (it is no catalogue id)
        label = one_line(column)
    na = _("N/A")  # a metric without a value
    if kind is None:
        return label, _text(old, column, locale, na), _text(new, column, locale, na)
    return label, *_shown(old, new, kind, locale, (currency, currency), na)


def total_change(msgid: str, kind: Kind, old: object, new: object, locale: str, currency: str) -> tuple[str, str, str]:
    """A changed team total (team_summary's value, None for none) as (label, old, new): named and shown as the
    rollup shows it, with the exact values beside when the rollup's rounding would hide the change."""
    _ = translations(locale).gettext
    exact = (None if old is None else str(old)), (None if new is None else str(new))
    return _(msgid), *_shown(*exact, kind, locale, (currency, currency), _("N/A"))


def number_line(change: tuple[str, str, str], locale: str) -> str:
    """A number_change as one line: `Won amount: CN¥3,000.30 → CN¥3,300.30`."""
    label, old, new = change
    return translations(locale).gettext("%(label)s: %(old)s → %(new)s") % {"label": label, "old": old, "new": new}


def evidence_change(
    section: str,
    key: str,
    change: str,
    column: str | None,
    old: str | None,
    new: str | None,
    old_currency: str | None,
    new_currency: str | None,
    locale: str,
    currency: str,
) -> str:
    """A changed evidence row, its values shown as the card shows them (an amount in its row's currency, else
    the card's): `Opportunity O-1: Amount CN¥1,000.10 → CN¥1,200.10`, `Survey answer S-2: appeared`."""
    _ = translations(locale).gettext
    row_name = _(EVIDENCE_ROW_NAMES[section]) if section in EVIDENCE_ROW_NAMES else section
    key_column = EVIDENCE_KEYS.get(section, "")
    # A month (a trend month, the period of fairness figures) as the card names months; a skill as a word.
    shown_key = format_month(Period.parse(key).start, locale) if key_column == "period" else None
    what = {"what": one_line(row_name), "key": shown_key or _text(key, key_column, locale, ABSENT)}
    if change == "appeared":
        return _("%(what)s %(key)s: appeared") % what
    if change == "disappeared":
        return _("%(what)s %(key)s: disappeared") % what
    column = column or ""
    if section == "trend":  # a month's scorecards column, named and shown as the card's trend shows it
        named, *shown = number_change(column, old, new, locale, currency)
    else:
        named = _(EVIDENCE_COLUMNS[(section, column)]) if (section, column) in EVIDENCE_COLUMNS else one_line(column)
        kind = EVIDENCE_KINDS.get((section, column))
        if kind is None:
            shown = [_text(old, column, locale, ABSENT), _text(new, column, locale, ABSENT)]
        else:
            # A deal's own amount is in its own currency, as on the card; every other amount in the card's.
            own = column == "amount"
            currencies = (old_currency or currency, new_currency or currency) if own else (currency, currency)
            shown = list(_shown(old, new, kind, locale, currencies, ABSENT))
    return _("%(what)s %(key)s: %(column)s %(old)s → %(new)s") % {
        **what,
        "column": named,
        "old": shown[0],
        "new": shown[1],
    }


def _shown(
    old: str | None, new: str | None, kind: Kind, locale: str, currencies: tuple[str, str], empty: str
) -> tuple[str, str]:
    """Two exact values as a card shows them (`empty` for none), with the exact values beside when the card's
    rounding hides the change."""
    shown = _value(old, kind, locale, currencies[0], empty), _value(new, kind, locale, currencies[1], empty)
    if shown[0] == shown[1] and old is not None and new is not None:
        # Rounded for display, a small change would read as none (`100.0% → 100.0%`): the exact values tell it.
        return f"{shown[0]}{remark(one_line(old), locale)}", f"{shown[1]}{remark(one_line(new), locale)}"
    return shown


def _value(text: str | None, kind: Kind, locale: str, currency: str, empty: str) -> str:
    """An exact value (as transforms.restatement writes it) as a card of the locale shows it."""
    if text is None:
        return empty
    value = int(text) if kind == "count" else date.fromisoformat(text) if kind == "date" else Decimal(text)
    return format_value(value, kind, locale, empty, currency)


def _text(text: str | None, column: str, locale: str, empty: str) -> str:
    _ = translations(locale).gettext
    return empty if text is None else one_line(shown_text(text, column, _))
