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


def _allocator_setting(current: str | None) -> str:
    """What `_RJEM_MALLOC_CONF` holds for the flows' processes, given its value: an operator's own value, whole;
    else ALLOCATOR (polars' own defaults, inherited from a parent process that imported polars, count as unset)."""
    if current is None or current.removesuffix(",thp:always,metadata_thp:always") in ("", POLARS_DEFAULT):
        return ALLOCATOR
    return current


# Set here, before any module of the flows imports polars, which appends the variable to its defaults when it loads
# (a later option winning); child processes (render workers, Dask's, serve's flow runs) inherit it.
os.environ["_RJEM_MALLOC_CONF"] = _allocator_setting(os.environ.get("_RJEM_MALLOC_CONF"))
