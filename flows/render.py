"""The render stage: write each rep's card and each team's rollup as HTML and Excel files."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scorecards.flows.i18n import translations
from scorecards.flows.views import Card, TeamRollup
from scorecards.flows.workbooks import write_card_workbook, write_rollup_workbook


@cache
def template_environment(locale: str) -> Environment:
    """The jinja2 environment of one locale: autoescaped, strict, with its gettext catalogue installed."""
    environment = Environment(
        loader=PackageLoader("scorecards.templates", ""),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    return environment


def write_cards(cards: Iterable[Card], folder: Path, currency: str) -> list[Path]:
    """Write each card as <stem>.html and <stem>.xlsx into folder; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for card in cards:
        template = template_environment(card.locale).get_template("rep_card.html.j2")
        html = folder / f"{card.file_stem}.html"
        html.write_text(template.render(card=card, lang=card.locale, title=f"{card.title} · {card.subtitle}"), "utf-8")
        xlsx = folder / f"{card.file_stem}.xlsx"
        write_card_workbook(card, xlsx, currency)
        written += [html, xlsx]
    return written


def write_team_rollups(rollups: Iterable[TeamRollup], folder: Path, currency: str) -> list[Path]:
    """Write each rollup as <stem>.html and <stem>.xlsx into folder; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for rollup in rollups:
        template = template_environment(rollup.locale).get_template("team_rollup.html.j2")
        html = folder / f"{rollup.file_stem}.html"
        html.write_text(
            template.render(rollup=rollup, lang=rollup.locale, title=f"{rollup.title} · {rollup.subtitle}"), "utf-8"
        )
        xlsx = folder / f"{rollup.file_stem}.xlsx"
        write_rollup_workbook(rollup, xlsx, currency)
        written += [html, xlsx]
    return written
