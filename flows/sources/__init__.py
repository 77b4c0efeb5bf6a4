"""Ingest: read each input file (CSV, xlsx, parquet) and apply its source profile (rename, map, parse, nothing else).

Hands on raw tables (schemas.results.RawTable). May import: schemas, config, flows.shared.
"""
