"""Running one benchmark scenario in a fresh Python process, so that its time and peak memory are its own."""

from __future__ import annotations

import json
import subprocess
import sys
import time

# The flows set polars' allocator for the processes they run in (flows/__init__.py), replacing the defaults polars
# writes into this process's environment when the harness imports it; a scenario's process inherits the setting,
# as a command's process has it, although the stages it times import polars before the flows.
import scorecards.flows  # noqa: F401


def measured(module: str, *arguments: str, what: str) -> dict:
    """Run `python -m module arguments`; return the JSON object its last line prints, with `process_s` added.

    A failed run stops the benchmark with `what` and the end of its stderr.
    """
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", module, *arguments], capture_output=True, text=True, check=False)
    if completed.returncode:
        raise SystemExit(f"{what} failed:\n{completed.stderr[-3000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["process_s"] = time.perf_counter() - start
    return result
