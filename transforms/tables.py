"""The validated canonical input tables, as the transforms receive them."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class InputTables:
    """One validated, typed frame per canonical table; an absent optional table is an empty frame."""

    reps: pl.DataFrame
    opportunities: pl.DataFrame
    targets: pl.DataFrame
    leads: pl.DataFrame
    surveys: pl.DataFrame
    manager_notes: pl.DataFrame
    skill_ratings: pl.DataFrame
