"""Run the `scorecards` command line, killing this process with SIGKILL at a chosen step of publishing.

    python kill_at.py STEP scorecards-arguments...

Each step wraps the real function it names: the process dies exactly there,
with no chance to clean up, as it would under `kill -9` or the OOM killer.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scorecards.flows import period_flow
from scorecards.flows.cards import workbooks
from scorecards.flows.cli import main
from scorecards.flows.publish import staging


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def kill_on_call(module: Any, name: str, when: Callable[..., bool] = lambda *a, **k: True, after: bool = False) -> None:  # noqa: ANN401
    """Replace module.name by a wrapper that kills the process before (or after) a call that `when` picks."""
    real = getattr(module, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        picked = when(*args, **kwargs)
        if picked and not after:
            die()
        result = real(*args, **kwargs)
        if picked:
            die()
        return result

    setattr(module, name, wrapper)


def nth_call(n: int) -> Callable[..., bool]:
    calls = [0]

    def pick(*_: Any, **__: Any) -> bool:  # noqa: ANN401
        calls[0] += 1
        return calls[0] == n

    return pick


def named(part: str) -> Callable[..., bool]:
    """Picks a call whose first argument is a path whose name holds `part`."""
    return lambda path, *_, **__: part in Path(path).name


def renamed_to(part: str) -> Callable[..., bool]:
    """Picks a rename to a path whose name holds `part`."""
    return lambda source, destination, *_, **__: part in Path(destination).name


def cut_short_removal(part: str) -> None:
    """Make removing a folder whose name holds `part` stop after three files, killed."""
    real = shutil.rmtree

    def rmtree(path: str | Path, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        if part in Path(path).name:
            for file in sorted(p for p in Path(path).rglob("*") if p.is_file())[:3]:
                file.unlink()
            die()
        real(path, *args, **kwargs)

    shutil.rmtree = rmtree  # type: ignore[assignment]


def no_exchange() -> None:
    """A file system without renameat2's exchange: publishing falls back to two renames."""
    staging._exchange = lambda a, b: False  # type: ignore[attr-defined]


STEPS: dict[str, Callable[[], None]] = {
    "writing cards": lambda: kill_on_call(workbooks, "save_deterministic", nth_call(3)),
    "manifest written": lambda: kill_on_call(period_flow, "carry_over_sent_log"),
    "before the swap": lambda: kill_on_call(period_flow, "swap_into_place"),
    "after the exchange": lambda: kill_on_call(shutil, "rmtree", named(".building-")),
    "between the two renames": lambda: (no_exchange(), kill_on_call(os, "rename", renamed_to(".old-"), after=True)),
    "after the two renames": lambda: (no_exchange(), kill_on_call(shutil, "rmtree", named(".old-"))),
    "removing the old folder": lambda: (no_exchange(), cut_short_removal(".old-")),
}

if __name__ == "__main__":
    STEPS[sys.argv[1]]()
    sys.argv = ["scorecards", *sys.argv[2:]]
    main()
