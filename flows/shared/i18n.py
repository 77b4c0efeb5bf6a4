"""Message catalogues: English is the source language, others are gettext catalogues in templates/locale."""

from __future__ import annotations

import io
from collections.abc import Iterable
from functools import cache
from gettext import GNUTranslations, NullTranslations
from importlib import resources
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from scorecards.config import Settings
from scorecards.flows.shared.display import babel_locale

#: Locales cards can be written in (SPEC §2.1).
LOCALES: tuple[str, ...] = ("en", "zh-CN")


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


def message_ids(settings: Settings) -> set[str]:
    """Every message the cards can show: gettext calls in code and templates, plus the config's feedback texts.

    A plural message (ngettext) is named by its singular.
    """
    code = [Path(str(resources.files(package))) for package in ("scorecards.config", "scorecards.flows")]
    templates = Path(str(resources.files("scorecards.templates")))
    found = {
        message if isinstance(message, str) else message[0]  # a plural message (ngettext) by its singular
        for folder, method in (*((root, "python") for root in code), (templates, "jinja2.ext:babel_extract"))
        for _file, _line, message, _comments, _context in extract_from_dir(
            folder, method_map=[("**.py" if method == "python" else "**.j2", method)], options_map={"**.j2": {}}
        )
        if isinstance(message, (str, tuple))
    }
    feedback = {text for rule in settings.feedback.rules for text in (rule.message, rule.topic) if text}
    return found | feedback
