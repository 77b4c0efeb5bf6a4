"""The render stage: write each rep's card and each team's rollup as HTML and Excel files."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from multiprocessing import get_context
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scorecards.config import Settings
from scorecards.flows.i18n import translations
from scorecards.flows.views import Card, TeamRollup, build_cards, build_team_rollups
from scorecards.flows.workbooks import write_card_workbook, write_rollup_workbook
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport


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


#: Below this many reps, starting worker processes costs more than it saves.
PARALLEL_FROM = 400


def render_period(report: PeriodReport, period: Period, settings: Settings, stage: Path, workers: int = 1) -> int:
    """Write every rep's card and every team's rollup of a period into `stage`; return the number of cards.

    With more than one worker and enough reps, cards are rendered in worker
    processes (every n-th rep to each); the files are the same bytes either way.
    """
    rep_ids = report.scorecards["rep_id"].to_list()
    chunks = (
        [rep_ids[i::workers] for i in range(workers)] if workers > 1 and len(rep_ids) >= PARALLEL_FROM else [rep_ids]
    )
    jobs = [(report, period, settings, stage / "reps", chunk) for chunk in chunks if chunk]
    if len(jobs) > 1:
        with ProcessPoolExecutor(len(jobs), mp_context=get_context("spawn")) as pool:
            written = sum(pool.map(_render_cards, *zip(*jobs, strict=True)))
    else:
        written = sum(_render_cards(*job) for job in jobs)
    rollups = build_team_rollups(report.scorecards, report.history, report.teams, report.topics, period, settings)
    write_team_rollups(rollups, stage / "teams", settings.display.currency)
    return written


def _render_cards(report: PeriodReport, period: Period, settings: Settings, folder: Path, rep_ids: list[str]) -> int:
    cards = build_cards(
        report.scorecards,
        report.history,
        report.notes,
        report.manager_notes,
        report.evidence,
        period,
        settings,
        only=rep_ids,
    )
    write_cards(cards, folder, settings.display.currency)
    return len(cards)
