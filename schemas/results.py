"""What the validate stage hands on: raw tables as read, the validated tables, and the report of what was kept.

Rows read = rows used + rows quarantined (+ rows a source profile skipped), per
file; quarantined rows carry their row number in the file and the rules they broke.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from scorecards.schemas.tables import InputTables

#: Columns added to quarantined rows: the row's number in its file (header = row 1) and the rules it broke.
SOURCE_ROW = "source_row"
REASON = "reason"


@dataclass(frozen=True)
class RawTable:
    """A table as read from its file: every column as text, plus where it came from."""

    table: str
    source: str
    sha256: str
    frame: pl.DataFrame
    #: The file's row number of the frame's first row (the header is the row above it).
    first_row: int = 2
    #: (file, sha256) of each other file a source profile joined into this table.
    joined: tuple[tuple[str, str], ...] = ()
    #: The file's row number of each frame row, when they do not run on from first_row (blank rows skipped).
    row_numbers: pl.Series | None = None
    #: Rows of the file a source profile left out of the table (not in frame), counted by why.
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def rows_read(self) -> int:
        """The file's data rows: those in the table and those the profile skipped."""
        return self.frame.height + sum(self.skipped.values())


@dataclass(frozen=True)
class UnreadableTable:
    """A table's file that could not be read as a table at all, and why."""

    table: str
    source: str
    problem: str


@dataclass(frozen=True)
class TableReport:
    """Counts for one input file: rows read = rows used + rows quarantined + rows skipped by its profile."""

    table: str
    source: str
    sha256: str
    rows_read: int
    rows_used: int
    rows_quarantined: int
    reasons: dict[str, int] = field(default_factory=dict)
    #: The first rows of the file (row numbers, as the quarantine file's) that each reason quarantined.
    first_rows: dict[str, tuple[int, ...]] = field(default_factory=dict)
    #: (file, sha256) of each other file a source profile joined into this table.
    joined: tuple[tuple[str, str], ...] = ()
    #: Rows the source profile left out of the table, counted by why (`skipped by the profile (…)`).
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def rows_skipped(self) -> int:
        """Rows of the file that are not rows of the table: the profile left them out."""
        return sum(self.skipped.values())


#: Why a file of the input folder was not read, as the report and the log say it.
UNREAD_WHY = "no table of the source profile is in a file so named"


@dataclass(frozen=True)
class ValidationReport:
    """Per-table counts plus the problems that stop the run (empty when it may publish)."""

    tables: list[TableReport]
    problems: list[str]
    #: Files of the input folder that no table of the source profile is read from (a misnamed export): the
    #: run goes on without them, and says so.
    unread: list[str] = field(default_factory=list)
    #: What the run goes on with but a person should mend in the data (a team that names two managers).
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Validated:
    """The validate stage's result: typed tables (None when the run must stop), quarantined rows, report."""

    tables: InputTables | None
    quarantine: dict[str, pl.DataFrame]
    report: ValidationReport
