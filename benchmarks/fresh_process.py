"""Running one benchmark scenario in a fresh Python process, so that its time and peak memory are its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from benchmarks import ALLOCATOR_AT_START
from scorecards.flows import ALLOCATOR


def shell_environment(allocator: str | None = ALLOCATOR_AT_START) -> dict[str, str]:
    """This process's environment with `_RJEM_MALLOC_CONF` as the benchmark was started with it (polars rewrote it
    here), or as `allocator` says: what a process started from a shell gets."""
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if allocator is not None:
        env["_RJEM_MALLOC_CONF"] = allocator
    return env


def measured(module: str, *arguments: str, what: str) -> dict:
    """Run `python -m module arguments`; return the JSON object its last line prints, with `process_s` added.

    A failed run stops the benchmark with `what` and the end of its stderr.
    """
    start = time.perf_counter()
    # A scenario times the flows' stages without the command that loads the flows before polars: it is given the
    # allocator setting the flows give a command's process.
    env = shell_environment(ALLOCATOR_AT_START or ALLOCATOR)
    command = [sys.executable, "-m", module, *arguments]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if completed.returncode:
        raise SystemExit(f"{what} failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result
