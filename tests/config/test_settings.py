"""The config file is validated on load with messages that name the field (exit status 2 at the CLI)."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import get_args

import pytest

from scorecards.config import ConfigError, config_hash, load_settings
from scorecards.config.settings import Grade, Locale, default_config_path
from scorecards.schemas.fields import GRADES, LOCALES


def test_the_shipped_config_holds_the_spec_defaults() -> None:
    settings = load_settings()
    assert {d: (b.A, b.B, b.C) for d, b in settings.bands.items()} == {
        "attainment": (Decimal("1.00"), Decimal("0.80"), Decimal("0.60")),
        "conversion_rate": (Decimal("0.40"), Decimal("0.25"), Decimal("0.15")),
        "new_customers": (6, 3, 1),
        "satisfaction": (90, 80, 70),
        "skills_score": (Decimal("4.5"), Decimal("3.5"), Decimal("2.5")),
    }
    assert settings.composite.weights == {
        "attainment": Decimal("0.4"),
        "conversion_rate": Decimal("0.2"),
        "new_customers": Decimal("0.2"),
        "satisfaction": Decimal("0.2"),
        "skills_score": Decimal("0"),
    }
    assert settings.composite.points == {"A": 4, "B": 3, "C": 2, "D": 1}
    assert (
        Decimal("3.5"),
        Decimal("2.5"),
        Decimal("1.5"),
    ) == (settings.composite.overall_bands.A, settings.composite.overall_bands.B, settings.composite.overall_bands.C)
    assert settings.satisfaction.min_responses == 3
    assert settings.quarantine.ceiling == Decimal("0.05")
    assert settings.defaults.survey_scale_max == 100
    assert (settings.fairness.high, settings.fairness.low) == (Decimal("1.5"), Decimal("0.67"))
    assert settings.skills.names == ["plan", "prospecting", "presentation", "negotiation", "closing"]


def edited(tmp_path: Path, old: str, new: str) -> Path:
    text = default_config_path().read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "scorecards.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('A = "1.00"\nB = "0.80"', 'A = "0.70"\nB = "0.80"', "bands.attainment: Value error, thresholds must not rise"),
        ("ceiling = 0.05", "ceiling = 2", "quarantine.ceiling: Input should be less than or equal to 1"),
        ('locale = "en"', 'locale = "fr"', "defaults.locale: Input should be 'en' or 'zh-CN'"),
        (
            "min_responses = 3",
            "min_responses = 0",
            "satisfaction.min_responses: Input should be greater than or equal to 1",
        ),
        ('attainment = "0.4"', 'attainmnet = "0.4"', "unknown dimension(s) ['attainmnet']"),
        ("[satisfaction]", "[satisfactoin]", "satisfactoin: Extra inputs are not permitted"),
        (
            'satisfaction = "0.2"',
            'satisfaction = "-0.2"',
            "composite.weights.satisfaction: Input should be greater than or equal to 0",
        ),
        ("min_responses = 3", "min_responses = [", "cannot read config"),
        (  # found in a trial: every composite and overall grade empty, exit 0
            'attainment = "0.4", conversion_rate = "0.2", new_customers = "0.2", satisfaction = "0.2"',
            'attainment = "0", conversion_rate = "0", new_customers = "0", satisfaction = "0"',
            "composite: Value error, at least one dimension needs a weight above 0",
        ),
        ('high = "1.5"', 'high = "0"', "fairness.high: Input should be greater than 0"),
        ('low = "0.67"', 'low = "-1"', "fairness.low: Input should be greater than 0"),
        ('low = "0.67"', 'low = "1.5"', "fairness: Value error, low must be below high (got low=1.5, high=1.5)"),
        (
            '"negotiation", "closing"]',
            '"negotiation", "plan"]',
            "skills: Value error, a skill is named more than once: plan",
        ),
    ],
)
def test_a_wrong_config_names_file_and_field(tmp_path: Path, old: str, new: str, message: str) -> None:
    path = edited(tmp_path, old, new)
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_missing_config_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_the_config_hash_follows_the_rules_not_the_layout(tmp_path: Path) -> None:
    same = edited(tmp_path, "ceiling = 0.05 ", 'ceiling = "0.050"')
    (tmp_path / "other").mkdir()
    changed = edited(tmp_path / "other", "min_responses = 3", "min_responses = 4")
    assert config_hash(load_settings(same)) == config_hash(load_settings())
    assert config_hash(load_settings(changed)) != config_hash(load_settings())


def test_the_schedule_does_not_change_the_config_hash(tmp_path: Path) -> None:
    later = edited(tmp_path, 'cron = "0 6 1 * *"', 'cron = "0 9 2 * *"')
    assert config_hash(load_settings(later)) == config_hash(load_settings())


def test_fairness_thresholds_count_in_the_config_hash_only_when_they_differ_from_the_defaults(tmp_path: Path) -> None:
    """Periods published before the [fairness] section existed stay up to date; a changed threshold does not."""
    text = default_config_path().read_text(encoding="utf-8")
    start = text.index("[fairness]")
    without = tmp_path / "without.toml"
    without.write_text(text[:start] + text[text.index("# Feedback notes", start) :], encoding="utf-8")
    (tmp_path / "other").mkdir()
    stricter = edited(tmp_path / "other", 'high = "1.5"', 'high = "1.4"')
    assert "[fairness]" not in without.read_text(encoding="utf-8")
    assert config_hash(load_settings(without)) == config_hash(load_settings())
    assert config_hash(load_settings(stricter)) != config_hash(load_settings())


def test_the_configs_grades_and_locales_are_the_schemas() -> None:
    assert get_args(Grade) == GRADES
    assert get_args(Locale) == LOCALES


def test_a_config_that_leaves_a_section_out_gets_the_shipped_values(tmp_path: Path) -> None:
    # The model's defaults and the shipped file say the same, so which of the two a reader looks at does not matter.
    kept, sections = [], re.split(r"(?m)^(?=\[)", default_config_path().read_text(encoding="utf-8"))
    for section in sections:  # the required sections, as the shipped file writes them (a table and its subtables)
        header = re.match(r"\[+([a-z_]+)", section)
        if header and header.group(1) in ("bands", "composite", "skills"):
            kept.append(section)
    minimal = tmp_path / "minimal.toml"
    minimal.write_text("".join(kept), encoding="utf-8")
    assert set(tomllib.loads(minimal.read_text(encoding="utf-8"))) == {"bands", "composite", "skills"}
    given, full = load_settings(minimal), load_settings()
    assert given.feedback.rules == [] and full.feedback.rules
    assert given.model_copy(update={"feedback": full.feedback}) == full
