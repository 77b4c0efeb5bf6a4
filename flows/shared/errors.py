"""The named failures a run can end with; the CLI turns each into a message and an exit status."""

from __future__ import annotations


class ScorecardsError(Exception):
    """Base of the failures the CLI reports without a traceback, each with its exit status."""

    exit_status = 1


class UsageError(ScorecardsError):
    """The command was called wrongly (exit status 2)."""

    exit_status = 2


class InputError(ScorecardsError):
    """An input file cannot be read as a table (exit status 1)."""


class PublishError(ScorecardsError):
    """Outputs could not be written; an earlier publication was left as it was (exit status 1)."""


class MonthlyRunFailed(ScorecardsError):
    """A scheduled monthly run did not publish, or not every message went out (its run ends Failed)."""
