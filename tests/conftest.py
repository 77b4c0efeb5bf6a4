"""Shared fixtures: input folders written from a few literal rows, and one Prefect test server."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from builders import BASE_TABLES, write_tables
from smtp_server import flows_mailbox, mail_server  # noqa: F401 - a real SMTP server on loopback, for the send tests


@pytest.fixture
def make_inputs(tmp_path: Path) -> Callable[..., Path]:
    """Write an input folder: BASE_TABLES overridden per table by keyword (None drops a table)."""

    def make(folder: str = "input", **tables: list[dict[str, str]] | None) -> Path:
        return write_tables(tmp_path / folder, {**BASE_TABLES, **tables})

    return make


@pytest.fixture(scope="session")
def prefect_harness() -> object:
    """One temporary Prefect API for the session's end-to-end flow tests (its start-up costs ~15 s)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        _follow_current_stderr()
        yield


class _CurrentStderr:
    """Writes to whatever sys.stderr is now (CliRunner swaps and closes it on every invoke)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def _follow_current_stderr() -> None:
    """Point Prefect's console log handlers at the current stderr instead of the one they first saw."""
    import logging

    from prefect.logging.configuration import setup_logging
    from prefect.logging.handlers import PrefectConsoleHandler

    setup_logging()  # Prefect would otherwise set its handlers up lazily, inside the first CliRunner invoke

    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    for handler in {h for logger in loggers for h in getattr(logger, "handlers", [])}:
        if isinstance(handler, PrefectConsoleHandler):
            handler.stream = _CurrentStderr()  # type: ignore[assignment]
            handler.console.file = handler.stream
