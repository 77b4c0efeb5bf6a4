"""The pandera schema of each canonical input table, as the transforms receive it (SPEC §2).

The schemas are generated from the TableSpecs (schemas/tables.py), the one home of every
table's columns and rules: the validated type of each column's kind (a choice column's, an
Enum of its choices, holds no other value), where nulls may stay, the key's uniqueness, and
one check per row rule. The validate stage (flows/validate/quarantine.py) removes the rows
that break a rule first; a row a schema still rejects is quarantined with the schema's check
as its reason.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

from scorecards.schemas.fields import Field
from scorecards.schemas.tables import TABLES, TableSpec


def table_schema(spec: TableSpec) -> pa.DataFrameSchema:
    """The pandera schema of the table's validated rows: its columns, key and row rules."""
    return pa.DataFrameSchema(
        {field.name: _column(field, unique=spec.key == (field.name,)) for field in spec.fields},
        checks=[_row_check(rule, broken) for rule, broken in spec.row_rules],
        unique=list(spec.key) if len(spec.key) > 1 else None,
        strict=True,
        name=spec.name,
        description=spec.description,
    )


def _column(field: Field, *, unique: bool) -> pa.Column:
    return pa.Column(
        field.dtype,
        nullable=not field.required and not field.config_default,
        unique=unique,
        description=field.description,
    )


def _row_check(rule: str, broken: pl.Expr) -> pa.Check:
    """A check that fails the rows breaking the rule; a null 'broken' is not broken, as when rows are marked."""

    def holds(data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~broken.fill_null(False))

    return pa.Check(holds, error=rule)


MODELS: dict[str, pa.DataFrameSchema] = {name: table_schema(spec) for name, spec in TABLES.items()}
