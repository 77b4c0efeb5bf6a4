"""Progress of long work: months of a backfill and the cards of each month, on a terminal and in Prefect's UI.

The command line picks how progress is shown (`showing_progress`): live bars when stdout is a
terminal, plain lines on stderr when it is not (a log file or a pipe gets one line per step, not
a redrawn bar). The flows report each step to a `Tracker`, which also keeps a Prefect progress
artifact up to date when it runs inside a flow run, so the UI shows the same figure.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol, TextIO
from uuid import UUID

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn


class Display(Protocol):
    """Where a run's progress is shown: the months done of how many, and the current month's cards."""

    def start(self, months: int) -> None:
        """A run of `months` months begins."""

    def month(self, period: str, cards: int) -> None:
        """A month's `cards` cards start to be written."""

    def cards(self, period: str, done: int, cards: int) -> None:
        """`done` of the month's `cards` cards are written."""

    def month_done(self, period: str, status: str, done: int, months: int) -> None:
        """A month is finished (`status`): `done` of `months`."""

    def stop(self) -> None:
        """The run is over: leave the display as it is."""


class Silent:
    """Shows nothing: a deployment's run, a test calling the flow, a worker of a cluster."""

    def start(self, months: int) -> None:
        pass

    def month(self, period: str, cards: int) -> None:
        pass

    def cards(self, period: str, done: int, cards: int) -> None:
        pass

    def month_done(self, period: str, status: str, done: int, months: int) -> None:
        pass

    def stop(self) -> None:
        pass


class PlainLines:
    """One line per month started and finished, and per tenth of a month's cards: for logs and pipes."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self._months = 0
        self._shown = 0

    def _say(self, text: str) -> None:
        stream = self._stream or sys.stderr
        print(f"progress: {text}", file=stream, flush=True)

    def start(self, months: int) -> None:
        self._months = months

    def month(self, period: str, cards: int) -> None:
        self._shown = 0
        self._say(f"{period}: writing {cards:,} cards")

    def cards(self, period: str, done: int, cards: int) -> None:
        tenth = done * 10 // cards if cards else 10
        if tenth > self._shown and done < cards:
            self._shown = tenth
            self._say(f"{period}: {done:,} of {cards:,} cards written")

    def month_done(self, period: str, status: str, done: int, months: int) -> None:
        self._say(f"{period}: {status} ({done} of {months} months)")

    def stop(self) -> None:
        pass


class LiveBars:
    """Two bars redrawn in place on a terminal: months of the run, cards of the current month."""

    def __init__(self, console: Console | None = None) -> None:
        self._bars = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console or Console(file=sys.stdout),
        )
        self._months: TaskID | None = None
        self._cards: TaskID | None = None

    def start(self, months: int) -> None:
        self._bars.start()
        self._months = self._bars.add_task("months", total=months)
        self._cards = self._bars.add_task("cards", total=None, visible=False)

    def month(self, period: str, cards: int) -> None:
        assert self._cards is not None
        self._bars.reset(self._cards, total=cards, description=f"cards of {period}", visible=True)

    def cards(self, period: str, done: int, cards: int) -> None:
        assert self._cards is not None
        self._bars.update(self._cards, completed=done)

    def month_done(self, period: str, status: str, done: int, months: int) -> None:
        assert self._months is not None
        self._bars.update(self._months, completed=done, description=f"months ({period})")

    def stop(self) -> None:
        self._bars.stop()


_display: Display = Silent()


@contextmanager
def showing_progress(display: Display) -> Iterator[None]:
    """Show the progress of the flows run inside the block on `display` (the command line's choice)."""
    global _display
    previous, _display = _display, display
    try:
        yield
    finally:
        display.stop()
        _display = previous


def terminal_display(stdout: TextIO | None = None) -> Display:
    """Live bars when stdout is a terminal, plain lines on stderr when it is not."""
    stream = stdout or sys.stdout
    return LiveBars(Console(file=stream)) if stream.isatty() else PlainLines()


class Tracker:
    """A run's progress: months done of the run's months, cards written of the current month.

    Each step goes to the display the command line chose, and to a Prefect progress artifact
    (0–100 %) when the tracker was made inside a flow run.
    """

    def __init__(self, months: int, what: str) -> None:
        self.months = months
        self._done = 0
        self._period = ""
        self._cards = 0
        self._written = 0
        self._display = _display
        self._artifact = _progress_artifact(what)
        self._display.start(months)

    def month(self, period: str, cards: int) -> None:
        """A month's cards start to be written."""
        self._period, self._cards, self._written = period, cards, 0
        self._display.month(period, cards)

    def cards_written(self, count: int) -> None:
        """`count` more cards of the current month are written."""
        self._written += count
        self._display.cards(self._period, self._written, self._cards)
        self._report()

    def month_done(self, period: str, status: str) -> None:
        """A month is finished: published, up to date or failed."""
        self._done += 1
        self._period, self._cards, self._written = "", 0, 0
        self._display.month_done(period, status, self._done, self.months)
        self._report()

    @property
    def percent(self) -> float:
        """How much of the run is done, 0–100: whole months, plus the share of the current month's cards."""
        current = self._written / self._cards if self._cards else 0.0
        return round(100 * (self._done + current) / self.months, 1) if self.months else 100.0

    def _report(self) -> None:
        if self._artifact is not None:
            from prefect.artifacts import update_progress_artifact

            update_progress_artifact(self._artifact, self.percent)


def _progress_artifact(what: str) -> UUID | None:
    """A Prefect progress artifact at 0 % for the current flow run; None outside one."""
    from prefect.artifacts import create_progress_artifact
    from prefect.context import FlowRunContext

    if FlowRunContext.get() is None:
        return None
    return create_progress_artifact(0.0, description=what)
