"""Progress of long runs: what the plain lines say, how far a tracker is, and which display a terminal gets."""

from __future__ import annotations

import io
import os
import pty

from scorecards.flows.progress import LiveBars, PlainLines, Silent, Tracker, showing_progress, terminal_display


def test_plain_lines_say_each_month_and_each_tenth_of_its_cards() -> None:
    stream = io.StringIO()
    with showing_progress(PlainLines(stream)):
        tracker = Tracker(2, "Scorecards 2026-09 to 2026-10")
        tracker.month_done("2026-09", "up to date")
        tracker.month("2026-10", 250)
        for _ in range(5):
            tracker.cards_written(50)
        tracker.month_done("2026-10", "published")
    assert stream.getvalue().splitlines() == [
        "progress: 2026-09: up to date (1 of 2 months)",
        "progress: 2026-10: writing 250 cards",
        "progress: 2026-10: 50 of 250 cards written",
        "progress: 2026-10: 100 of 250 cards written",
        "progress: 2026-10: 150 of 250 cards written",
        "progress: 2026-10: 200 of 250 cards written",
        "progress: 2026-10: published (2 of 2 months)",
    ]


def test_a_tracker_counts_whole_months_and_the_share_of_the_current_month() -> None:
    with showing_progress(Silent()):
        tracker = Tracker(4, "Scorecards")
        assert tracker.percent == 0.0
        tracker.month_done("2026-07", "published")
        tracker.month("2026-08", 200)
        tracker.cards_written(100)
        assert tracker.percent == 37.5  # (1 + 100/200) of 4
        tracker.month_done("2026-08", "failed")
        assert tracker.percent == 50.0


def test_a_month_without_cards_counts_as_nothing_written_yet() -> None:
    with showing_progress(Silent()):
        tracker = Tracker(1, "Scorecards")
        tracker.month("2026-10", 0)
        assert tracker.percent == 0.0


def test_bars_on_a_terminal_lines_elsewhere() -> None:
    assert isinstance(terminal_display(io.StringIO()), PlainLines)
    primary, secondary = pty.openpty()
    try:
        with os.fdopen(secondary, "w") as terminal:
            assert isinstance(terminal_display(terminal), LiveBars)
    finally:
        os.close(primary)
