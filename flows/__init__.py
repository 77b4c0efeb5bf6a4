"""I/O and orchestration. The modules here are the orchestration: the period and backfill flows, the monthly
deployment and `serve`, sending a period, the CLI and the demo. The stage rooms below hold the steps, in the
order data moves: sources (ingest) → validate → cards (render) → publish → mail (deliver), with shared helpers.
"""

import os

#: polars' allocator (jemalloc) setting for the processes the flows run in: freed pages go back within 0.1 s, so
#: that one stage's garbage is not still resident under the next stage's peak (docs/decisions.md).
ALLOCATOR = "background_thread:true,dirty_decay_ms:100,muzzy_decay_ms:0"
#: What polars itself writes into the variable when it loads and finds it unset (`polars/__init__.py`): a process
#: started by one that imported polars inherits it, and it is nobody's choice.
POLARS_DEFAULT = "dirty_decay_ms:500,muzzy_decay_ms:1000"

# Set here, before any module of the flows imports polars (which appends the variable to its defaults, a later
# option winning). An operator's own value is kept, whole.
if os.environ.get("_RJEM_MALLOC_CONF", "").removesuffix(",thp:always,metadata_thp:always") in ("", POLARS_DEFAULT):
    os.environ["_RJEM_MALLOC_CONF"] = ALLOCATOR
