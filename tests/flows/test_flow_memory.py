"""What a Prefect run keeps in memory: the raw text tables are gone before a month is computed."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref
from pathlib import Path

import pytest
from prefect.events.worker import EventsWorker
from typer.testing import CliRunner

import scorecards.flows.period_flow as period_flow
from scorecards.flows.cli import app
from scorecards.schemas.results import RawTable

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]


def test_the_raw_tables_are_gone_before_the_month_is_computed(
    make_inputs,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Prefect keeps a task's parameters and result until the task's events are sent. Under load (a large input on
    # two cores) they were sent after the month's compute, and the raw tables, a task's result and the next task's
    # parameter, stayed in memory through it (~400 MB at 5 M opportunities). Here the events wait until the month
    # is computed, so a raw table that is ever a task's parameter or result is still alive then. (What is watched
    # is each raw table's DataFrame; columns that validation passes on unchanged are shared, and live on anyway.)
    folder = make_inputs()
    raw_frames: list[weakref.ref] = []
    read = period_flow.read_inputs

    def read_and_watch(*args: object) -> dict:
        raw = read(*args)
        raw_frames.extend(weakref.ref(table.frame) for table in raw.values() if isinstance(table, RawTable))
        return raw

    computed = threading.Event()
    handle = EventsWorker._handle
    held_back: list[object] = []

    async def held(self: EventsWorker, event: object) -> None:
        if not computed.is_set():
            held_back.append(event)
        while not computed.is_set():
            await asyncio.sleep(0.01)
        await handle(self, event)

    alive_when_computed: list[int] = []
    report = period_flow.period_report

    def count_then_compute(*args: object, **kwargs: object) -> object:
        gc.collect()
        alive_when_computed.append(sum(frame() is not None for frame in raw_frames))
        computed.set()
        return report(*args, **kwargs)

    monkeypatch.setattr(period_flow, "read_inputs", read_and_watch)
    monkeypatch.setattr(EventsWorker, "_handle", held)
    monkeypatch.setattr(period_flow, "period_report", count_then_compute)
    try:
        result = CliRunner().invoke(
            app, ["run", "--input", str(folder), "--period", "2026-10", "--out", str(tmp_path / "out")]
        )
    finally:
        computed.set()
    assert result.exit_code == 0, result.output
    assert len(raw_frames) == len(list(folder.glob("*.csv")))  # every table was read
    assert held_back  # events were held back until the month was computed
    assert alive_when_computed == [0]
