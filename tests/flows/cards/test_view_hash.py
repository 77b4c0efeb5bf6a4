"""What decides whether a card is rendered again: the hash of its finished view and the renderer's version."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from scorecards.config import load_settings
from scorecards.flows.cards import render
from scorecards.flows.cards.card_view import Card, build_cards
from scorecards.flows.cards.page_parts import Cell, Line
from scorecards.flows.cards.render import card_inputs, renderer_version, view_hash
from scorecards.flows.cards.rollup_view import build_team_rollups
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.pages import PublishedPages
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report
from scorecards.transforms.restatement import Publication

P = Period(2026, 10)


@pytest.fixture
def cards(make_inputs) -> list[Card]:  # noqa: ANN001
    settings = load_settings()
    validated = validate_tables(read_inputs(make_inputs()), settings)
    assert validated.tables is not None
    report = period_report(validated.tables, P, settings)
    return build_cards(report, P, settings, publication=Publication(1, P.end, None))


def test_equal_views_hash_equal_and_any_shown_difference_changes_the_hash(cards: list[Card]) -> None:
    first = cards[0]
    rebuilt = dataclasses.replace(first, header=list(first.header))
    assert view_hash(rebuilt, "CNY") == view_hash(first, "CNY")
    assert len({view_hash(card, "CNY") for card in cards}) == len(cards)

    line = first.header[0]
    changes = [
        dataclasses.replace(first, title=first.title + " "),
        dataclasses.replace(first, header=[Line(line.label, Cell("R1 ", None, line.cell.text)), *first.header[1:]]),
        # The same text and value, another scale: Excel could store it differently, so the view is another.
        dataclasses.replace(first, header=[Line("x", Cell(Decimal("1.0"), "ratio", "1")), *first.header[1:]]),
        dataclasses.replace(first, question=None),
    ]
    scaled = dataclasses.replace(first, header=[Line("x", Cell(Decimal("1.00"), "ratio", "1")), *first.header[1:]])
    hashes = {view_hash(view, "CNY") for view in [first, *changes, scaled]}
    assert len(hashes) == 2 + len(changes)
    assert view_hash(first, "EUR") != view_hash(first, "CNY")  # the workbook formats money in this currency


def test_a_value_and_the_text_it_prints_as_hash_apart(cards: list[Card]) -> None:
    # A workbook stores a date, a number and a text differently even where they print alike.
    first = cards[0]
    values = [date(2026, 10, 1), "2026-10-01", Decimal("5"), "5", 5, True, 1, None, "None"]
    views = [
        dataclasses.replace(first, header=[Line("x", Cell(value, None, "t")), *first.header[1:]]) for value in values
    ]
    assert len({view_hash(view, "CNY") for view in views}) == len(values)


def test_rollups_hash_too(make_inputs) -> None:  # noqa: ANN001
    settings = load_settings()
    validated = validate_tables(read_inputs(make_inputs()), settings)
    assert validated.tables is not None
    rollups = build_team_rollups(period_report(validated.tables, P, settings), P, settings)
    assert len({view_hash(rollup, "CNY") for rollup in rollups}) == len(rollups) == 2


def test_the_renderer_version_covers_the_templates_catalogues_and_renderer_modules() -> None:
    assert len(renderer_version()) == 64 and renderer_version() == renderer_version()
    templates = dict(render._package_files(resources.files("scorecards.templates")))
    assert {"rep_card.html.j2", "team_rollup.html.j2", "base.html.j2", "locale/zh_CN/LC_MESSAGES/messages.po"} <= set(
        templates
    )
    modules = {
        name
        for package in ("scorecards.flows.cards", "scorecards.flows.shared")
        for name in (f"{package}/{n}" for n, _ in render._package_files(resources.files(package)))
    }
    assert {"scorecards.flows.cards/card_view.py", "scorecards.flows.cards/workbooks.py"} <= modules
    assert {"scorecards.flows.shared/display.py", "scorecards.flows.shared/i18n.py"} <= modules
    assert not [name for name in modules if "__pycache__" in name or name.endswith(".pyc")]


def test_worker_processes_carry_unchanged_views_over_byte_for_byte(
    make_inputs,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = load_settings()
    validated = validate_tables(read_inputs(make_inputs()), settings)
    assert validated.tables is not None
    report = period_report(validated.tables, P, settings)
    publication = Publication(1, P.end, None)
    first = render.render_period(report, P, settings, PeriodFolder(tmp_path / "first"), publication=publication)
    files = {
        p.relative_to(tmp_path / "first").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (tmp_path / "first").rglob("*")
        if p.is_file()
    }
    published = PublishedPages(tmp_path / "first", first, files)

    # Inputs that look new send every card to the workers, which build its view, hash it, and find it unchanged.
    inputs = render.card_inputs
    monkeypatch.setattr(render, "card_inputs", lambda *args: dict.fromkeys(inputs(*args), "other inputs"))
    monkeypatch.setattr(render, "PARALLEL_FROM", 2)
    again = render.render_period(
        report, P, settings, PeriodFolder(tmp_path / "again"), 2, publication=publication, published=published
    )

    assert again.cards == first.cards and again.rollups == first.rollups
    assert again.carried == 3 + 2  # every card and both rollups
    assert {
        p.relative_to(tmp_path / "again").as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (tmp_path / "again").rglob("*")
        if p.is_file()
    } == files


def test_a_cards_inputs_follow_its_own_rows_and_what_every_card_shares(make_inputs) -> None:  # noqa: ANN001
    settings = load_settings()
    validated = validate_tables(read_inputs(make_inputs()), settings)
    assert validated.tables is not None
    report = period_report(validated.tables, P, settings)
    publication = Publication(1, P.end, None)
    reps = ["R1", "R2", "R3"]

    def changed(other: object, **kwargs: object) -> set[str]:
        before = card_inputs(report, P, settings, publication, reps)
        after = card_inputs(other, P, settings, kwargs.get("publication", publication), reps)  # type: ignore[arg-type]
        return {rep_id for rep_id in reps if after[rep_id] != before[rep_id]}

    assert changed(report) == set()
    mine, others = pl.col("rep_id") == "R1", pl.col("rep_id") != "R1"
    fewer = pl.concat([report.history.filter(others), report.history.filter(mine).head(1)])
    assert changed(dataclasses.replace(report, history=fewer)) == {"R1"}
    won = report.evidence["won_deals"]
    assert won.filter(pl.col("rep_id") == "R3").height > 0
    without_r3 = {**report.evidence, "won_deals": won.filter(pl.col("rep_id") != "R3")}
    assert changed(dataclasses.replace(report, evidence=without_r3)) == {"R3"}
    frames = {f.name: getattr(report, f.name) for f in dataclasses.fields(report)}
    shared = next(name for name, f in frames.items() if isinstance(f, pl.DataFrame) and "rep_id" not in f.columns)
    assert changed(dataclasses.replace(report, **{shared: getattr(report, shared).head(0)})) == set(reps)
    assert changed(report, publication=Publication(2, P.end, None)) == set(reps)
