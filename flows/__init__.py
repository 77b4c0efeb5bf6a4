"""I/O and orchestration. The modules here are the orchestration: the period and backfill flows, the monthly
deployment and `serve`, sending a period, the CLI and the demo. The stage rooms below hold the steps, in the
order data moves: sources (ingest) → validate → cards (render) → publish → mail (deliver), with shared helpers.
"""

import os

#: polars' allocator (jemalloc) setting for the processes the flows run in. polars keeps freed pages for 0.5-1.5 s,
#: so a stage's garbage can still be resident under the next stage's peak, and one period's peak varied by hundreds
#: of MB from run to run; returned within 0.1 s, it is steady and lower, at no measurable cost in time
#: (docs/decisions.md). polars appends the variable to its own defaults when it loads (a later option wins).
ALLOCATOR = "background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0"
# Set here, before any module of the flows imports polars; a value already in the environment is kept.
os.environ.setdefault("_RJEM_MALLOC_CONF", ALLOCATOR)
