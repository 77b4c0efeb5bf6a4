"""Parquet files are the same bytes for the same rows, however polars happened to chunk the frame."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from scorecards.flows.publish.outputs import PARQUET_ROW_GROUP, write_parquet


def test_the_same_rows_in_other_chunks_write_the_same_bytes(tmp_path: Path) -> None:
    rows = 2 * PARQUET_ROW_GROUP + 12_345
    whole = pl.DataFrame(
        {"deal": pl.int_range(rows, eager=True).cast(pl.String), "stage": ["open", "won"] * (rows // 2) + ["lost"]}
    )
    # Chunks that end where a query's threads might have ended them: nowhere near a row group's end.
    chunked = pl.concat([whole.slice(0, 70_001), whole.slice(70_001, 133_333), whole.slice(203_334)], rechunk=False)
    assert (whole.n_chunks(), chunked.n_chunks()) == (1, 3)
    write_parquet(whole, tmp_path / "whole.parquet")
    write_parquet(chunked, tmp_path / "chunked.parquet", compression_level=None)
    assert (tmp_path / "whole.parquet").read_bytes() == (tmp_path / "chunked.parquet").read_bytes()
    groups = pq.read_metadata(tmp_path / "whole.parquet")
    assert [groups.row_group(i).num_rows for i in range(groups.num_row_groups)] == [
        PARQUET_ROW_GROUP,
        PARQUET_ROW_GROUP,
        12_345,
    ]
    assert pl.read_parquet(tmp_path / "chunked.parquet").equals(whole)
