"""Text a spreadsheet would evaluate (formula or CSV injection), and how each output keeps it inert."""

from __future__ import annotations

import re
import unicodedata

import polars as pl

from scorecards.schemas.fields import PLAIN_NUMBER

#: Excel, LibreOffice and Sheets read a cell starting with one of these as a formula or a command.
FORMULA_PREFIXES = ("=", "@", "\t", "\r")
#: A sign starts a formula too (`-2+3+cmd|…`), unless the whole text is a plain number.
SIGN_PREFIXES = ("+", "-")
#: Every start that may make a formula (a workbook cell stores all of them as quoted text).
LIVE_PREFIXES = FORMULA_PREFIXES + SIGN_PREFIXES
#: What a spreadsheet reads as "the rest of this cell is text", and does not show.
CSV_ESCAPE = "'"


def looks_live(text: str) -> bool:
    """Whether a spreadsheet opening this text as a cell would evaluate it rather than show it."""
    if text.startswith(FORMULA_PREFIXES):
        return True
    return text.startswith(SIGN_PREFIXES) and re.fullmatch(PLAIN_NUMBER, text) is None


def inert_csv_text(column: str) -> pl.Expr:
    """A String column as written to a CSV for people: each text that `looks_live` gets a leading apostrophe."""
    text = pl.col(column)
    live = pl.any_horizontal([text.str.starts_with(p) for p in FORMULA_PREFIXES]) | (
        pl.any_horizontal([text.str.starts_with(p) for p in SIGN_PREFIXES])
        & ~text.str.contains(f"^(?:{PLAIN_NUMBER})$")
    )
    return pl.when(live).then(pl.lit(CSV_ESCAPE) + text).otherwise(text).alias(column)


def one_line(text: str) -> str:
    """Text from the data made safe for a header, a file name or a table cell: no line breaks or control characters."""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"  # invisible format characters (e.g. right-to-left overrides)
    )
    return " ".join(kept.split())
