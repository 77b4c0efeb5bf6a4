"""I/O and orchestration. The modules here are the orchestration: the period and backfill flows, the monthly
deployment and `serve`, sending a period, the CLI and the demo. The stage rooms below hold the steps, in the
order data moves: sources (ingest) → validate → cards (render) → publish → mail (deliver), with shared helpers.
"""
