"""polars' allocator returns freed pages promptly in every process the flows run in (docs/decisions.md)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from scorecards.flows import ALLOCATOR, POLARS_DEFAULT

#: Prints `_RJEM_MALLOC_CONF` as it is at the moment polars is imported (its allocator reads it then).
_PROBE = """
import importlib.abc, os, sys
seen = []
class Probe(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "polars" and not seen:
            seen.append(os.environ.get("_RJEM_MALLOC_CONF"))
        return None
sys.meta_path.insert(0, Probe())
import scorecards.flows.cli
import polars
print(seen[0] if seen else "polars was not loaded")
"""


def _without_the_setting() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}


def _at_polars_import(given: str | None) -> str:
    env = _without_the_setting()
    if given is not None:
        env["_RJEM_MALLOC_CONF"] = given
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_polars_default_is_what_polars_writes() -> None:
    env = _without_the_setting()
    code = "import os, polars; print(os.environ['_RJEM_MALLOC_CONF'])"
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == POLARS_DEFAULT


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, ALLOCATOR),
        ("", ALLOCATOR),
        # Inherited from a parent process that imported polars (a test runner, a notebook): not a choice.
        (POLARS_DEFAULT, ALLOCATOR),
        (f"{POLARS_DEFAULT},thp:always,metadata_thp:always", ALLOCATOR),
        # A parent that had a setting passes it on after polars' defaults: it still wins.
        (f"{POLARS_DEFAULT},{ALLOCATOR}", f"{POLARS_DEFAULT},{ALLOCATOR}"),
        ("dirty_decay_ms:5000", "dirty_decay_ms:5000"),  # an operator's own setting is kept
    ],
)
def test_the_allocator_setting_is_in_place_before_polars_loads(given: str | None, expected: str) -> None:
    assert _at_polars_import(given) == expected
