"""How operators' messages count things: in English, as the logs and the command line speak."""

from __future__ import annotations

from collections.abc import Sequence


def counted(count: int, word: str) -> str:
    """`1 rep`, `2 reps`: a count and its word, in the plural unless the count is 1."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def rows_named(first: Sequence[int], count: int) -> str:
    """`row 8`, `rows 11, 12, 13, …`: the first rows of a file out of `count` (an ellipsis when there are more)."""
    more = ", …" if count > len(first) else ""
    return f"{'row' if count == 1 else 'rows'} {', '.join(map(str, first))}{more}"


def and_more(shown: Sequence[str], total: int) -> str:
    """`a, b, c`, or `a, b, c and 1,204 more` when `total` things are meant: the first of a list, named."""
    return ", ".join(shown) + (f" and {total - len(shown):,} more" if total > len(shown) else "")
