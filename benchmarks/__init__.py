"""Benchmarks: a scale data generator and the harness that times each stage (`python -m benchmarks.run`)."""

import os

#: `_RJEM_MALLOC_CONF` as the benchmark was started with it (None: unset). polars, once imported here, rewrites the
#: variable with its own allocator defaults, which a process started from a shell would not inherit.
ALLOCATOR_AT_START = os.environ.get("_RJEM_MALLOC_CONF")
