"""How many cores this process may use, for the card writers and the cluster runner."""

from __future__ import annotations


def usable_cores() -> int:
    """The cores this process may use: the machine's, fewer under a CPU affinity or a container's CPU quota."""
    # os.cpu_count() counts the host's cores: in a container limited to two CPUs on a large host it would start
    # a render worker per host core, each holding the period's report.
    from dask.system import cpu_count  # imported here: dask costs ~0.1 s and most commands never ask

    return cpu_count()
