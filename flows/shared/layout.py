"""The layout of OUT: the period folders OUT/P and the index over them; the one place that says what lives where."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        """fairness<suffix>: the fairness page (`.html`, `.xlsx`) and its per-rep figures (`.csv`), SPEC §10."""
        return self.path / f"fairness{suffix}"

    def manifest_data(self) -> dict[str, Any] | None:
        """The folder's manifest as its JSON says; None when it is missing, unreadable or not an object."""
        try:
            data = json.loads(self.manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def publication(self) -> int | None:
        """Which publication (version) of the period the folder holds, from its manifest (None when unknown)."""
        number = (self.manifest_data() or {}).get("publication")
        return number if isinstance(number, int) else None

    def warnings(self) -> tuple[str, ...]:
        """What the period's data may not say that its cards should, as its manifest records it (none when unknown)."""
        said = (self.manifest_data() or {}).get("warnings")
        return tuple(str(warning) for warning in said) if isinstance(said, list) else ()

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


#: A published period's folder name: YYYY-MM (hidden staging and version folders never match).
_PERIOD_NAME = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class OutFolder:
    """OUT: the published periods, the index page over them and a page per rep (SPEC §11)."""

    path: Path

    @property
    def index(self) -> Path:
        """index.html: every published period, newest first."""
        return self.path / "index.html"

    @property
    def people(self) -> Path:
        """people/: a page per rep, listing the rep's cards across periods."""
        return self.path / "people"

    @property
    def index_lock(self) -> Path:
        """The lock a rebuild of the index and the people pages holds (hidden, like the period locks)."""
        return self.path / ".index.lock"

    def person(self, rep_id: str) -> Path:
        """people/<stem>.html: a rep's page."""
        return self.people / f"{person_stem(rep_id)}.html"

    def periods(self) -> list[PeriodFolder]:
        """The published period folders: named YYYY-MM and holding a manifest, oldest first."""
        if not self.path.is_dir():
            return []
        return [
            PeriodFolder(child)
            for child in sorted(self.path.iterdir())
            if _PERIOD_NAME.match(child.name) and not child.is_symlink() and PeriodFolder(child).manifest.is_file()
        ]


# The links are made of the layout's own names, read once (a Path per link cost ~7 µs, thousands per index).
_PERIOD = PeriodFolder(Path())
_REPS, _TEAMS, _FAIRNESS = _PERIOD.cards.name, _PERIOD.rollups.name, _PERIOD.fairness(".html").name
_OUT = OutFolder(Path())
_PEOPLE, _INDEX = _OUT.people.name, _OUT.index.name


def card_link_from_index(period: str, rep_id: str) -> str:
    """The relative address of a rep's HTML card of `period` from OUT/index.html."""
    return f"{period}/{_REPS}/{card_stem(rep_id)}.html"


def rollup_link_from_index(period: str, team: str) -> str:
    """The relative address of a team's HTML rollup of `period` from OUT/index.html."""
    return f"{period}/{_TEAMS}/{rollup_stem(team)}.html"


def fairness_link_from_index(period: str) -> str:
    """The relative address of a period's fairness page from OUT/index.html."""
    return f"{period}/{_FAIRNESS}"


def person_link_from_index(rep_id: str) -> str:
    """The relative address of a rep's page from OUT/index.html."""
    return f"{_PEOPLE}/{person_stem(rep_id)}.html"


def card_link_from_person(period: str, rep_id: str) -> str:
    """The relative address of a rep's HTML card of `period` from the rep's page (people/ to P/reps/)."""
    return f"../{card_link_from_index(period, rep_id)}"


def index_link_from_person() -> str:
    """The relative address of OUT/index.html from a rep's page."""
    return f"../{_INDEX}"


def index_link_from_fairness() -> str:
    """The relative address of OUT/index.html from a period's fairness page (P/ to OUT/)."""
    return f"../{_INDEX}"


def index_link_from_card_or_rollup() -> str:
    """The relative address of OUT/index.html from a rep's card or a team's rollup (P/reps/ or P/teams/ to OUT/)."""
    return f"../{index_link_from_fairness()}"


def card_link_from_rollup(rep_id: str) -> str:
    """The relative address of a rep's HTML card from a team rollup's page (teams/ to reps/)."""
    return f"../{_REPS}/{card_stem(rep_id)}.html"


def fairness_file_names() -> tuple[str, str]:
    """The names of a period's fairness page and its workbook in P/, as a reader looks for them there."""
    return _FAIRNESS, _PERIOD.fairness(".xlsx").name


def fairness_link_from_rollup() -> str:
    """The relative address of the period's fairness page from a team rollup's page (teams/ to P/)."""
    return f"../{_FAIRNESS}"


def card_stem(rep_id: str) -> str:
    """The file stem of a rep's card, in reps/."""
    return safe_stem(rep_id)


def rollup_stem(team: str) -> str:
    """The file stem of a team's rollup, in teams/."""
    return safe_stem(team)


def person_stem(rep_id: str) -> str:
    """The file stem of a rep's page, in people/."""
    return safe_stem(rep_id)
