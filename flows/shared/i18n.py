"""Message catalogues: English is the source language, others are gettext catalogues in templates/locale."""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cache
from gettext import GNUTranslations, NullTranslations
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from scorecards.flows.shared.display import babel_locale


def catalogue_path(locale: str) -> resources.abc.Traversable:
    """Where a locale's .po catalogue is shipped."""
    return resources.files("scorecards.templates").joinpath(
        "locale", babel_locale(locale), "LC_MESSAGES", "messages.po"
    )


@cache
def translations(locale: str) -> NullTranslations:
    """The gettext translations of a locale; a message missing from its catalogue falls back to English."""
    if locale == "en":
        return NullTranslations()
    with catalogue_path(locale).open("rb") as handle:
        catalog = read_po(handle, locale=babel_locale(locale))
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # compiled in memory: the repository keeps only the readable .po
    compiled.seek(0)
    return GNUTranslations(compiled)


def languages_in_use(default: str, locales: Iterable[str | None]) -> list[str]:
    """The languages a page shared by many readers is written in: the config's `default` locale first, then each
    other one of `locales` (the cards' locales; None, unknown, counts as the default), in order."""
    return [default, *sorted(set(locales) - {default, None})]


def colon(locale: str) -> str:
    """What stands between a label and its value: `: ` in English, a full-width `：` in Chinese."""
    return translations(locale).gettext(": ")


def remark(text: str, locale: str) -> str:
    """A remark in brackets after what it is about: ` (…)` in English, with the space English puts before
    it, and `（…）` in Chinese, whose full-width brackets need none."""
    return translations(locale).gettext(" (%(text)s)") % {"text": text}


def in_points(number: str, locale: str) -> str:
    """A change of a percentage in percentage points: `+3.5 pp`, `+3.5 个百分点` (the unit alone for "")."""
    return translations(locale).gettext("%(points)s pp") % {"points": number}


def listed(items: Iterable[str], locale: str) -> str:
    """Names in a run: `A, B` in English, `A、B` in Chinese."""
    return translations(locale).gettext(", ").join(items)
