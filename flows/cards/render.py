"""The render stage: write each rep's card, each team's rollup and the fairness page as HTML and Excel files."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor
from functools import cache
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scorecards.config import Settings
from scorecards.flows.cards.fairness_view import FairnessPage, build_fairness_page
from scorecards.flows.cards.fairness_workbook import write_fairness_workbook
from scorecards.flows.cards.views import Card, TeamRollup, build_cards, build_team_rollups
from scorecards.flows.cards.workbooks import write_card_workbook, write_rollup_workbook
from scorecards.flows.shared.i18n import translations
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport
from scorecards.transforms.restatement import Publication


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


def write_cards(cards: Iterable[Card], folder: PeriodFolder, currency: str) -> list[Path]:
    """Write each card as reps/<stem>.html and .xlsx into the period's folder; return the files written."""
    return _write_pages(
        ((card, lambda suffix, rep_id=card.rep_id: folder.card(rep_id, suffix)) for card in cards),
        "rep_card.html.j2",
        "card",
        lambda card, path: write_card_workbook(card, path, currency),
    )


def write_team_rollups(rollups: Iterable[TeamRollup], folder: PeriodFolder, currency: str) -> list[Path]:
    """Write each rollup as teams/<stem>.html and .xlsx into the period's folder; return the files written."""
    return _write_pages(
        ((rollup, lambda suffix, team=rollup.team: folder.rollup(team, suffix)) for rollup in rollups),
        "team_rollup.html.j2",
        "rollup",
        lambda rollup, path: write_rollup_workbook(rollup, path, currency),
    )


def write_fairness_page(page: FairnessPage, folder: PeriodFolder, currency: str) -> list[Path]:
    """Write the period's fairness page as fairness.html and fairness.xlsx into its folder; return the files."""
    html, xlsx = folder.fairness(".html"), folder.fairness(".xlsx")
    template = template_environment(page.locale).get_template("fairness.html.j2")
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(
        template.render({"page": page, "lang": page.locale, "title": f"{page.title} · {page.subtitle}"}), "utf-8"
    )
    write_fairness_workbook(page, xlsx, currency)
    return [html, xlsx]


def _write_pages(
    pages: Iterable[tuple[Card | TeamRollup, Callable[[str], Path]]],
    template_name: str,
    name: str,
    write_workbook: Callable[[Any, Path], None],
) -> list[Path]:
    written: list[Path] = []
    for page, place in pages:
        template = template_environment(page.locale).get_template(template_name)
        html, xlsx = place(".html"), place(".xlsx")
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(
            template.render({name: page, "lang": page.locale, "title": f"{page.title} · {page.subtitle}"}), "utf-8"
        )
        write_workbook(page, xlsx)
        written += [html, xlsx]
    return written


#: Below this many reps, starting worker processes costs more than it saves.
PARALLEL_FROM = 400
#: Cards written per chunk: the step in which progress is reported.
CHUNK = 100


def render_period(
    report: PeriodReport,
    period: Period,
    settings: Settings,
    folder: PeriodFolder,
    workers: int = 1,
    executor: Executor | None = None,
    publication: Publication | None = None,
    on_cards: Callable[[int], None] | None = None,
) -> int:
    """Write every rep's card, every team's rollup and the fairness page of a period into its folder.

    Returns the number of cards. The fairness page is one file for the period,
    in the config's default locale.

    Cards are rendered in chunks, in worker processes when there are enough
    reps to pay for them, or on the given executor (e.g. a Dask cluster's,
    one chunk per worker); the files are the same bytes either way.
    `on_cards(n)` is told each time n more cards are written.
    """
    rep_ids = report.scorecards["rep_id"].to_list()
    job = (report, period, settings, folder, publication)
    if executor is not None and workers > 1:
        chunks = [rep_ids[i::workers] for i in range(workers)]
        results = executor.map(_render_cards, *zip(*[(*job, chunk) for chunk in chunks if chunk], strict=True))
        written = _count(results, on_cards)
    elif workers > 1 and len(rep_ids) >= PARALLEL_FROM:
        # Each worker receives the report once; the chunks then name only their reps.
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_receive, initargs=job) as pool:
            written = _count(pool.map(_render_received, _chunks(rep_ids)), on_cards)
    else:
        written = _count((_render_cards(*job, chunk) for chunk in _chunks(rep_ids)), on_cards)
    rollups = build_team_rollups(report, period, settings, publication)
    write_team_rollups(rollups, folder, settings.display.reporting)
    fairness = build_fairness_page(report, period, settings, settings.defaults.locale)
    write_fairness_page(fairness, folder, settings.display.reporting)
    return written


def _chunks(rep_ids: list[str]) -> list[list[str]]:
    return [rep_ids[i : i + CHUNK] for i in range(0, len(rep_ids), CHUNK)]


def _count(results: Iterable[int], on_cards: Callable[[int], None] | None) -> int:
    written = 0
    for count in results:
        written += count
        if on_cards is not None:
            on_cards(count)
    return written


_received: tuple[PeriodReport, Period, Settings, PeriodFolder, Publication | None] | None = None


def _receive(
    report: PeriodReport, period: Period, settings: Settings, folder: PeriodFolder, publication: Publication | None
) -> None:
    global _received
    _received = (report, period, settings, folder, publication)


def _render_received(rep_ids: list[str]) -> int:
    assert _received is not None, "a worker renders only after it has received the period's report"
    return _render_cards(*_received, rep_ids)


def _render_cards(
    report: PeriodReport,
    period: Period,
    settings: Settings,
    folder: PeriodFolder,
    publication: Publication | None,
    rep_ids: list[str],
) -> int:
    cards = build_cards(report, period, settings, only=rep_ids, publication=publication)
    write_cards(cards, folder, settings.display.reporting)
    return len(cards)
