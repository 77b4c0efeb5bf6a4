"""What every reader of a table file gives back, and the header rules they share."""

from __future__ import annotations

from typing import Any, NamedTuple

import polars as pl

from scorecards.flows.shared.errors import InputError


class Rows(NamedTuple):
    """A file read as a table."""

    #: Its text columns, named by its header row.
    frame: pl.DataFrame
    #: Each row's number in the file, when they do not run on from `first_row` (blank rows, which are not data
    #: rows, were left out).
    row_numbers: pl.Series | None
    #: The file's row number of the row after its header.
    first_row: int


def column_names(cells: list[Any]) -> list[str]:
    """A header's cells as column names: trimmed (as cells are), a blank one named after its position."""
    names = [(cell or "").replace("\ufeff", "").strip() for cell in cells]
    return [name or f"column_{i + 1}" for i, name in enumerate(names)]


def refuse_repeated(header: list[str]) -> None:
    """InputError when a header names a column twice (polars would rename the second one silently)."""
    seen: set[str] = set()
    repeated = [h for h in header if h in seen or seen.add(h)]  # type: ignore[func-returns-value]
    if repeated:
        raise InputError(f"header names a column twice: {', '.join(repr(h) for h in dict.fromkeys(repeated))}")


def first_line(exc: BaseException) -> str:
    """A reader's error as one line: its message's first, or its type's name when it says nothing."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
