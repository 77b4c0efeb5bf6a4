"""Pure polars transforms: canonical tables in, scorecard frames out (no I/O, no Prefect)."""
