"""Which input rows a period's report can read, as one digest per period (issue 18: incremental re-publishing).

A period's report (SPEC §3–§5, §8, §10) looks back, never forward: its own month, the
five months of its trend, the run rate's months, and each account's first won deal
over the whole input, which a deal closed after the period cannot be. So a row whose
every date lies after the period cannot change it, with two exceptions that read the
whole input: open deals (open_pipeline counts every open deal, SPEC §3) and exchange
rates (an open deal converts at the rate of its created date, whenever that is, §8.2).
Tables without a date (opportunity splits), the rates and the reps (a rep's row names
the team and manager of every month the rep is on the roster) count whole.

Equal digests (under the same config, code and library versions) therefore mean an
equal report; rows after the period may change freely without touching it. The digest
is deliberately generous: a row with any date up to the period's end counts, even
when the period reads only one of its dates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date

import polars as pl

from scorecards.schemas.tables import TABLES, InputTables, of_month
from scorecards.transforms.period import Period

#: Tables every period reads whole, whatever their dates say (see the module's docstring).
WHOLE_TABLES = frozenset({"fx_rates", "reps"})
#: Rows a period reads whatever their dates: open deals count in every period's open pipeline.
ALWAYS_READ = {"opportunities": pl.col("stage") == "open"}


def period_input_digests(tables: InputTables, periods: Sequence[Period]) -> dict[Period, str]:
    """Per period, a sha256 of the validated input rows its report can read, each with its place in its table.

    Each row is hashed with its position (polars' 64-bit row hash) and a period combines
    its rows' hashes by XOR, with their count, so that one pass serves every period. A row
    moved to another place counts as changed: at worst a period is computed again.
    """
    absent = ",".join(sorted(tables.absent))
    digests = {
        period: hashlib.sha256(
            # The targets rows set aside that may be the month's (sorted): its cards say its rep's target was.
            f"polars {pl.__version__}\nabsent {absent}\n"
            f"set aside {tables.set_aside_targets.filter(of_month(str(period))).rows()}\n".encode()
        )
        for period in periods
    }
    for name in TABLES:
        frame: pl.DataFrame = getattr(tables, name)
        by_day = (
            frame.lazy()
            .select(_earliest_day(name, frame).cast(pl.Int32).alias("since"), pl.lit(_row_hashes(frame)).alias("hash"))
            .group_by("since")
            .agg(pl.col("hash").bitwise_xor(), pl.len())
            .sort("since")
            .collect()
            .rows()
            if frame.height
            else []
        )
        for period, digest in digests.items():
            combined = rows = 0
            for since, hashed, count in by_day:
                if since <= _last_day(period):
                    combined, rows = combined ^ hashed, rows + count
            digest.update(f"{name} {frame.schema} {rows} {combined:016x}\n".encode())
    return {period: digest.hexdigest() for period, digest in digests.items()}


#: Rows hashed at a time: hashing a whole table at once holds a hash per cell of it (+0.7 GB at 5 M deals).
_HASH_ROWS = 100_000


def _row_hashes(frame: pl.DataFrame) -> pl.Series:
    """Each row's 64-bit hash, its position included."""
    parts = [
        frame.slice(start, _HASH_ROWS).with_row_index("_row", offset=start).hash_rows(seed=1)
        for start in range(0, frame.height, _HASH_ROWS)
    ]
    return pl.concat(parts) if parts else pl.Series("hash", [], dtype=pl.UInt64)


def _earliest_day(table: str, frame: pl.DataFrame) -> pl.Expr:
    """The earliest day a row's dates name (days since 1970-01-01): it counts for every period ending on or after it.

    A row of a table read whole, a row without any date and an always-read row count for every period.
    """
    fields = TABLES[table].fields if table in TABLES else ()
    days = [_day(f.name, f.kind) for f in fields if f.kind in ("date", "period") and f.name in frame.columns]
    if table in WHOLE_TABLES or not days:
        return pl.repeat(_ALWAYS, frame.height, dtype=pl.Int32)
    since = pl.min_horizontal(days).fill_null(_ALWAYS)
    if table in ALWAYS_READ:
        since = pl.when(ALWAYS_READ[table]).then(_ALWAYS).otherwise(since)
    return since


#: The `since` of a row that counts for every period.
_ALWAYS = -(2**31)
_EPOCH = date(1970, 1, 1)


def _day(column: str, kind: str) -> pl.Expr:
    # A period cell is validated YYYY-MM text: its first day.
    value = pl.col(column) if kind == "date" else (pl.col(column) + "-01").str.to_date("%Y-%m-%d")
    return value.cast(pl.Int32)


def _last_day(period: Period) -> int:
    return (period.end - _EPOCH).days
