"""Render workers and a local Dask cluster size themselves to the cores the process may use, not the host's."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

#: Run with the process pinned to one of its cores, as `taskset -c 0` or a cpuset would.
_PINNED = """
import os
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
from scorecards.flows.cli import _on_runner
from scorecards.flows.period_flow import period_flow
from scorecards.flows.shared.cores import usable_cores
dask = _on_runner(period_flow, "dask", None).task_runner
print(os.cpu_count(), usable_cores(), dask.cluster_kwargs["n_workers"])
"""


@pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2, reason="needs two cores to pin to one"
)
def test_a_process_pinned_to_one_core_counts_one_core_for_its_workers() -> None:
    done = subprocess.run([sys.executable, "-c", _PINNED], capture_output=True, text=True, check=True)
    host, usable, dask_workers = map(int, done.stdout.split())
    assert host >= 2
    assert (usable, dask_workers) == (1, 1)
