"""The typed model of config/scorecards.toml, validated once on load."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scorecards.config.dimensions import DIMENSION_NAMES
from scorecards.schemas.fields import GRADES

# Spelled out for the type checker; a test keeps them equal to schemas.fields' GRADES and LOCALES.
Grade = Literal["A", "B", "C", "D"]
Locale = Literal["en", "zh-CN"]
NonNegative = Annotated[Decimal, Field(ge=0, decimal_places=6)]


class ConfigError(Exception):
    """The configuration file (or a source profile) is missing, unreadable or breaks a rule."""

    #: The CLI exits with this status: a wrong config is wrong usage, like a wrong option.
    exit_status = 2


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Band(_Model):
    """Thresholds of one dimension: the lowest value that still earns A, B and C."""

    A: NonNegative
    B: NonNegative
    C: NonNegative

    @model_validator(mode="after")
    def _descending(self) -> Band:
        if not self.A >= self.B >= self.C:
            raise ValueError(f"thresholds must not rise from A to C (got A={self.A}, B={self.B}, C={self.C})")
        return self


class Defaults(_Model):
    locale: Locale = "en"
    survey_scale_max: Annotated[Decimal, Field(gt=0, decimal_places=6)] = Decimal(100)


class Quarantine(_Model):
    ceiling: Annotated[Decimal, Field(ge=0, le=1)] = Decimal("0.05")


class Composite(_Model):
    weights: dict[str, NonNegative]
    points: dict[Grade, Annotated[int, Field(ge=0)]] = {"A": 4, "B": 3, "C": 2, "D": 1}
    overall_bands: Band

    @model_validator(mode="after")
    def _known_dimensions(self) -> Composite:
        unknown = sorted(set(self.weights) - set(DIMENSION_NAMES))
        if unknown:
            raise ValueError(f"unknown dimension(s) {unknown}; known: {list(DIMENSION_NAMES)}")
        if set(self.points) != set(GRADES):
            raise ValueError(f"points must give {', '.join(GRADES[:-1])} and {GRADES[-1]}")
        if not any(weight > 0 for weight in self.weights.values()):
            # Σ weight would be 0 for every rep: no composite, no overall grade, every rank by attainment alone.
            raise ValueError("at least one dimension needs a weight above 0")
        return self

    def weight(self, dimension: str) -> Decimal:
        """The dimension's weight in the composite (0 when the file leaves it out)."""
        return self.weights.get(dimension, Decimal(0))


class Satisfaction(_Model):
    min_responses: Annotated[int, Field(ge=1)] = 3


class Skills(_Model):
    names: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]

    @model_validator(mode="after")
    def _once_each(self) -> Skills:
        twice = sorted({name for name in self.names if self.names.count(name) > 1})
        if twice:  # the names give the cards' order of skill ratings: one place each
            raise ValueError(f"a skill is named more than once: {', '.join(twice)}")
        return self


#: Metrics a feedback rule may test (columns of the scorecards table).
FEEDBACK_METRICS: tuple[str, ...] = (
    *DIMENSION_NAMES,
    "composite_score",
    "first_contact_within_1d",
    "win_rate",
    "avg_cycle_days",
)


class Condition(_Model):
    """When a feedback rule fires: a dimension's grade in a set, or a metric below / at least a value / falling."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    grade: str | None = None
    grades: list[Grade] | None = Field(default=None, alias="in")
    metric: str | None = None
    below: Decimal | None = None
    at_least: Decimal | None = None
    falling_months: Annotated[int, Field(ge=1, le=5)] | None = None

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = {
            "grade + in": self.grade is not None and self.grades is not None,
            "metric + below": self.metric is not None and self.below is not None,
            "metric + at_least": self.metric is not None and self.at_least is not None,
            "metric + falling_months": self.metric is not None and self.falling_months is not None,
        }
        given = sum(
            v is not None
            for v in (self.grade, self.grades, self.metric, self.below, self.at_least, self.falling_months)
        )
        if sum(forms.values()) != 1 or given != 2:
            raise ValueError(f"use exactly one of: {', '.join(forms)}")
        if self.grade is not None and self.grade not in DIMENSION_NAMES:
            raise ValueError(f"grade must name a dimension {list(DIMENSION_NAMES)}, not {self.grade!r}")
        if self.metric is not None and self.metric not in FEEDBACK_METRICS:
            raise ValueError(f"metric must be one of {list(FEEDBACK_METRICS)}, not {self.metric!r}")
        return self


class FeedbackRule(_Model):
    """A condition on a rep's metrics and grades that yields a message and, for a weakness, a training topic."""

    id: Annotated[str, Field(min_length=1)]
    kind: Literal["weakness", "strength"]
    when: Condition
    message: Annotated[str, Field(min_length=1)]
    topic: str | None = None


class Feedback(_Model):
    """The feedback rules, in tie-break order, and how many notes a card shows at most."""

    max_notes: Annotated[int, Field(ge=1)] = 5
    rules: list[FeedbackRule] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> Feedback:
        ids = [rule.id for rule in self.rules]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"rule ids must be unique; repeated: {duplicates}")
        return self


class Display(_Model):
    """The currency money is reported and shown in (SPEC §8.2): `reporting_currency`, else `currency`."""

    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "CNY"
    reporting_currency: Annotated[str | None, Field(pattern=r"^[A-Z]{3}$")] = None
    #: Where a card's "question a number" link writes to (SPEC §9); the rep's manager when left out.
    questions_to: Annotated[str | None, Field(pattern=r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")] = None

    @property
    def reporting(self) -> str:
        """The currency every money metric is in: `reporting_currency`, else the display currency."""
        return self.reporting_currency or self.currency


class Fairness(_Model):
    """When the fairness page flags a target (SPEC §10): above `high` × or below `low` × the rep's run rate."""

    high: Annotated[Decimal, Field(gt=0, decimal_places=6)] = Decimal("1.5")
    low: Annotated[Decimal, Field(gt=0, decimal_places=6)] = Decimal("0.67")

    @model_validator(mode="after")
    def _low_below_high(self) -> Fairness:
        if not self.low < self.high:
            raise ValueError(f"low must be below high (got low={self.low}, high={self.high})")
        return self


class Cards(_Model):
    """How much of each evidence table a card's HTML shows (the Excel card keeps every row)."""

    evidence_rows: Annotated[int, Field(ge=1)] = 100


class Schedule(_Model):
    """When and on what the monthly deployment runs (`scorecards serve`)."""

    cron: str = "0 6 1 * *"
    timezone: str = "Asia/Shanghai"
    input: Path = Path("input")
    out: Path = Path("out")
    profile: str = "canonical"
    send: bool = True

    @model_validator(mode="after")
    def _valid(self) -> Schedule:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        from cronsim import CronSim, CronSimError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {self.timezone!r} (use an IANA name such as Asia/Shanghai)") from None
        try:
            CronSim(self.cron, datetime(2000, 1, 1))
        except CronSimError as exc:
            raise ValueError(f"cron {self.cron!r} is not a cron expression: {exc}") from None
        return self


class Settings(_Model):
    """Everything the pipeline reads from config: bands, weights, thresholds, defaults."""

    defaults: Defaults = Defaults()
    quarantine: Quarantine = Quarantine()
    bands: dict[str, Band]
    composite: Composite
    satisfaction: Satisfaction = Satisfaction()
    skills: Skills
    feedback: Feedback = Feedback()
    display: Display = Display()
    fairness: Fairness = Fairness()
    cards: Cards = Cards()
    schedule: Schedule = Schedule()

    @model_validator(mode="after")
    def _every_dimension_banded(self) -> Settings:
        missing = [d for d in DIMENSION_NAMES if d not in self.bands]
        unknown = sorted(set(self.bands) - set(DIMENSION_NAMES))
        if missing or unknown:
            raise ValueError(f"bands must cover exactly {list(DIMENSION_NAMES)} (missing {missing}, unknown {unknown})")
        return self


def default_config_path() -> Path:
    """The config file shipped with the package."""
    return Path(str(resources.files("scorecards.config").joinpath("scorecards.toml")))


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate a config file (the shipped default when path is None)."""
    path = path or default_config_path()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    try:
        return Settings.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(top level)'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: invalid config: {problems}") from None


def config_hash(settings: Settings) -> str:
    """sha256 of the rules' canonical JSON: equal for equal rules, whatever the file's layout.

    The schedule is left out: when and where the monthly run happens does not
    change a scorecard, so it must not make published periods stale.
    """
    rules = settings.model_dump(exclude={"schedule"})
    # A reporting currency equal to the display currency is the default spelled out: the same rules.
    rules["display"].pop("reporting_currency")
    if settings.display.questions_to is None:  # left out: the manager, as before the option existed
        rules["display"].pop("questions_to")
    if settings.display.reporting != settings.display.currency:
        rules["display"]["reporting_currency"] = settings.display.reporting
    # A section at its defaults is the rules of every period published before the section existed.
    for name, default in (("fairness", Fairness()), ("cards", Cards())):
        if getattr(settings, name) == default:
            rules.pop(name)
    canonical = json.dumps(rules, sort_keys=True, separators=(",", ":"), default=_plain_decimal)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _plain_decimal(value: object) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 0.050 and 0.05 are the same rule
    raise TypeError(f"cannot hash {type(value).__name__}")
