"""The layout of OUT: the period folders OUT/P and the index over them; the one place that says what lives where."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scorecards.flows.shared.naming import safe_stem
from scorecards.schemas.fields import LOCALES


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

    def fairness(self, suffix: str, part: str = "") -> Path:
        """fairness<part><suffix>: the fairness page (`.html`, `.xlsx`) and its per-rep figures (`.csv`), SPEC §10;
        `part` is `language_part` of a page in another language than the config's default."""
        return self.path / f"fairness{part}{suffix}"

    def fairness_files(self) -> list[Path]:
        """The fairness files the folder holds: fairness.csv, and the page and workbook in each language."""
        return sorted(self.path.glob("fairness*"))

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
        return self.index_in("")

    @property
    def people(self) -> Path:
        """people/: a page per rep, listing the rep's cards across periods."""
        return self.people_in("")

    def index_in(self, part: str) -> Path:
        """index<part>.html: the index in the language `part` names (`language_part`; index.html for the default)."""
        return self.path / f"index{part}.html"

    def people_in(self, part: str) -> Path:
        """people<part>/: the rep pages in the language `part` names (`language_part`; people/ for the default)."""
        return self.path / f"people{part}"

    @property
    def index_lock(self) -> Path:
        """The lock a rebuild of the index and the people pages holds (hidden, like the period locks)."""
        return self.path / ".index.lock"

    def index_pages(self, default: str) -> list[Path]:
        """The index in each language it is written in: index.html first (in the config's `default` locale), then
        index.zh-CN.html … (not the default's copy under its own language's name, `write_index`)."""
        parts = ("", *(part for part in NAMED_PARTS if part != named_part(default)))
        return [page for page in map(self.index_in, parts) if page.is_file()]

    def person(self, rep_id: str, part: str = "") -> Path:
        """people<part>/<stem>.html: a rep's page (in the language `part` names, `language_part`)."""
        return self.people_in(part) / f"{person_stem(rep_id)}.html"

    def periods(self) -> list[PeriodFolder]:
        """The published period folders: named YYYY-MM and holding a manifest, oldest first."""
        if not self.path.is_dir():
            return []
        return [
            PeriodFolder(child)
            for child in sorted(self.path.iterdir())
            if _PERIOD_NAME.match(child.name) and not child.is_symlink() and PeriodFolder(child).manifest.is_file()
        ]


def language_part(locale: str, default: str) -> str:
    """What the names of a page in `locale` carry for its language: nothing in the config's `default` locale
    (index.html, people/, fairness.html), `.zh-CN` in another (index.zh-CN.html, people.zh-CN/, fairness.zh-CN.html).

    A page links the index, the rep pages and the fairness page of its own language.
    """
    return "" if locale == default else named_part(locale)


def named_part(locale: str) -> str:
    """The part of a page's names that names its language, `.zh-CN`: what `language_part` gives a locale other
    than the default."""
    return f".{locale}"


#: The named part of every language a page can be in (the default's own too: the default may have been
#: another language when a page was published, and that page links the index by this name).
NAMED_PARTS = tuple(named_part(locale) for locale in LOCALES)


# The links are made of the layout's own names, read once (a Path per link cost ~7 µs, thousands per index).
_PERIOD = PeriodFolder(Path())
_REPS, _TEAMS = _PERIOD.cards.name, _PERIOD.rollups.name
_FAIRNESS, _FAIRNESS_XLSX = _PERIOD.fairness(".html", "{part}").name, _PERIOD.fairness(".xlsx", "{part}").name
_OUT = OutFolder(Path())
_PEOPLE, _INDEX = _OUT.people_in("{part}").name, _OUT.index_in("{part}").name


def card_link_from_index(period: str, rep_id: str) -> str:
    """The relative address of a rep's HTML card of `period` from an index page (a card is in its rep's language)."""
    return f"{period}/{_REPS}/{card_stem(rep_id)}.html"


def rollup_link_from_index(period: str, team: str) -> str:
    """The relative address of a team's HTML rollup of `period` from an index page."""
    return f"{period}/{_TEAMS}/{rollup_stem(team)}.html"


def fairness_link_from_index(period: str, part: str) -> str:
    """The relative address of a period's fairness page in the language `part` names, from an index page."""
    return f"{period}/{_FAIRNESS.format(part=part)}"


def person_link_from_index(rep_id: str, part: str) -> str:
    """The relative address of a rep's page in the language `part` names, from the index page of that language."""
    return f"{_PEOPLE.format(part=part)}/{person_stem(rep_id)}.html"


def index_link_from_index(part: str) -> str:
    """The relative address of the index page in the language `part` names, from the index page in another."""
    return _INDEX.format(part=part)


def card_link_from_person(period: str, rep_id: str) -> str:
    """The relative address of a rep's HTML card of `period` from the rep's page (people/ to P/reps/)."""
    return f"../{card_link_from_index(period, rep_id)}"


def index_link_from_person(part: str) -> str:
    """The relative address of the index page in the language `part` names, from a rep's page."""
    return f"../{_INDEX.format(part=part)}"


def person_link_from_person(rep_id: str, part: str) -> str:
    """The relative address of the rep's page in the language `part` names, from the rep's page in another."""
    return f"../{person_link_from_index(rep_id, part)}"


def index_link_from_fairness(part: str) -> str:
    """The relative address of the index page in the language `part` names, from a fairness page (P/ to OUT/)."""
    return f"../{_INDEX.format(part=part)}"


def index_link_from_card_or_rollup(part: str) -> str:
    """The relative address of the index page in the language `part` names, from a rep's card or a team's
    rollup (P/reps/ or P/teams/ to OUT/)."""
    return f"../{index_link_from_fairness(part)}"


def person_link_from_card(rep_id: str, part: str) -> str:
    """The relative address of the rep's page in the language `part` names, from the rep's card (P/reps/ to
    OUT/people/)."""
    return f"../{person_link_from_person(rep_id, part)}"


def card_link_from_rollup(rep_id: str) -> str:
    """The relative address of a rep's HTML card from a team rollup's page (teams/ to reps/)."""
    return f"../{_REPS}/{card_stem(rep_id)}.html"


def fairness_file_names(part: str) -> tuple[str, str]:
    """The names of a period's fairness page and its workbook in the language `part` names, in P/, as a reader
    looks for them there."""
    return _FAIRNESS.format(part=part), _FAIRNESS_XLSX.format(part=part)


def fairness_link_from_fairness(part: str) -> str:
    """The relative address of the period's fairness page in the language `part` names, from the page in another."""
    return _FAIRNESS.format(part=part)


def fairness_link_from_rollup(part: str) -> str:
    """The relative address of the period's fairness page in the language `part` names, from a team rollup's page
    (teams/ to P/)."""
    return f"../{_FAIRNESS.format(part=part)}"


def card_stem(rep_id: str) -> str:
    """The file stem of a rep's card, in reps/."""
    return safe_stem(rep_id)


def rollup_stem(team: str) -> str:
    """The file stem of a team's rollup, in teams/."""
    return safe_stem(team)


def person_stem(rep_id: str) -> str:
    """The file stem of a rep's page, in people/ (and people.zh-CN/ …)."""
    return safe_stem(rep_id)
