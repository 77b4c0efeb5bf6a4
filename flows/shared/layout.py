"""The layout of a published period, OUT/P: the one place that says which file lives where."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scorecards.flows.shared.naming import safe_stem


@dataclass(frozen=True)
class PeriodFolder:
    """A period's folder: the published OUT/P, or the staging folder it is built in (the same layout)."""

    path: Path

    @classmethod
    def of(cls, out_dir: Path, period: str) -> PeriodFolder:
        """OUT/P, the published folder of `period` under `out_dir`."""
        return cls(out_dir / period)

    @property
    def period(self) -> str:
        """YYYY-MM of a published folder."""
        return self.path.name

    @property
    def scorecards_csv(self) -> Path:
        return self.path / "scorecards.csv"

    @property
    def scorecards_parquet(self) -> Path:
        return self.path / "scorecards.parquet"

    @property
    def manifest(self) -> Path:
        return self.path / "manifest.json"

    @property
    def sent_log(self) -> Path:
        return self.path / "sent-log.jsonl"

    @property
    def outbox(self) -> Path:
        return self.path / "outbox"

    @property
    def quarantine(self) -> Path:
        return self.path / "quarantine"

    @property
    def cards(self) -> Path:
        return self.path / "reps"

    @property
    def rollups(self) -> Path:
        return self.path / "teams"

    def fairness(self, suffix: str) -> Path:
        """fairness<suffix>: the period's fairness page (`.html`, `.xlsx`) and its per-rep figures (`.csv`), §10."""
        return self.path / f"fairness{suffix}"

    def publication(self) -> int | None:
        """Which publication (version) of the period the folder holds, from its manifest (None when unknown)."""
        try:
            number = json.loads(self.manifest.read_text(encoding="utf-8")).get("publication")
        except (OSError, ValueError, AttributeError):
            return None
        return number if isinstance(number, int) else None

    def quarantined(self, table: str) -> Path:
        """quarantine/<table>.csv: the rows of `table` set aside, with their reasons."""
        return self.quarantine / f"{table}.csv"

    def card(self, rep_id: str, suffix: str) -> Path:
        """reps/<stem><suffix>: a rep's card (`.html` or `.xlsx`)."""
        return self.cards / f"{card_stem(rep_id)}{suffix}"

    def rollup(self, team: str, suffix: str) -> Path:
        """teams/<stem><suffix>: a team's rollup (`.html` or `.xlsx`)."""
        return self.rollups / f"{rollup_stem(team)}{suffix}"

    def outbox_message(self, recipient: str) -> Path:
        """outbox/<stem>.eml: a dry run's message to `recipient`."""
        return self.outbox / f"{safe_stem(recipient)}.eml"


def card_link_from_rollup(rep_id: str) -> str:
    """The relative address of a rep's HTML card from a team rollup's page (teams/ to reps/)."""
    return f"../reps/{card_stem(rep_id)}.html"


def fairness_link_from_rollup() -> str:
    """The relative address of the period's fairness page from a team rollup's page (teams/ to P/)."""
    return "../fairness.html"


def card_stem(rep_id: str) -> str:
    """The file stem of a rep's card, in reps/."""
    return safe_stem(rep_id)


def rollup_stem(team: str) -> str:
    """The file stem of a team's rollup, in teams/."""
    return safe_stem(team)
