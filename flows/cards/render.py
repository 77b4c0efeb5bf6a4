"""The render stage: write each rep's card, each team's rollup and the fairness page as HTML and Excel files.

A page whose view is unchanged since the published period (same view hash, same
renderer version) is carried over from there instead, byte for byte (issue 18).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from importlib.resources.abc import Traversable
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import orjson
import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scorecards.config import Settings
from scorecards.flows.cards.card_view import Card, build_cards
from scorecards.flows.cards.fairness_view import FairnessPage, build_fairness_pages
from scorecards.flows.cards.fairness_workbook import write_fairness_workbook
from scorecards.flows.cards.rollup_view import TeamRollup, build_team_rollups
from scorecards.flows.cards.workbooks import write_card_workbook, write_rollup_workbook
from scorecards.flows.shared.columns import EVIDENCE
from scorecards.flows.shared.i18n import translations
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.pages import PublishedPages, RenderedPages, carry_published
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


def write_cards(
    cards: Iterable[Card], folder: PeriodFolder, currency: str, published: PublishedPages | None = None
) -> tuple[dict[str, str], int]:
    """Write each card as reps/<stem>.html and .xlsx into the period's folder; return each rep's view hash.

    A card whose view hash is the one `published` records is carried over from there
    instead (when its files are intact); the second value counts those cards.
    """
    return _write_pages(
        ((card.rep_id, card, lambda suffix, rep_id=card.rep_id: folder.card(rep_id, suffix)) for card in cards),
        folder,
        "rep_card.html.j2",
        "card",
        lambda card, path: write_card_workbook(card, path, currency),
        currency,
        published.pages.cards if published else {},
        published,
    )


def write_team_rollups(
    rollups: Iterable[TeamRollup], folder: PeriodFolder, currency: str, published: PublishedPages | None = None
) -> tuple[dict[str, str], int]:
    """Write each rollup as teams/<stem>.html and .xlsx into the period's folder; return each team's view hash.

    Unchanged rollups are carried over from `published` as cards are (see `write_cards`).
    """
    return _write_pages(
        ((rollup.team, rollup, lambda suffix, team=rollup.team: folder.rollup(team, suffix)) for rollup in rollups),
        folder,
        "team_rollup.html.j2",
        "rollup",
        lambda rollup, path: write_rollup_workbook(rollup, path, currency),
        currency,
        published.pages.rollups if published else {},
        published,
    )


def write_fairness_page(page: FairnessPage, folder: PeriodFolder, currency: str) -> list[Path]:
    """Write the period's fairness page in one language as fairness<part>.html and fairness<part>.xlsx into its
    folder (the page's `part`: nothing in the config's default locale); return the files."""
    html, xlsx = folder.fairness(".html", page.part), folder.fairness(".xlsx", page.part)
    template = template_environment(page.locale).get_template("fairness.html.j2")
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(
        template.render({"page": page, "lang": page.locale, "title": f"{page.title} · {page.subtitle}"}), "utf-8"
    )
    write_fairness_workbook(page, xlsx, currency)
    return [html, xlsx]


def _write_pages(
    pages: Iterable[tuple[str, Card | TeamRollup, Callable[[str], Path]]],
    folder: PeriodFolder,
    template_name: str,
    name: str,
    write_workbook: Callable[[Any, Path], None],
    currency: str,
    previous: Mapping[str, str],
    published: PublishedPages | None,
) -> tuple[dict[str, str], int]:
    hashes: dict[str, str] = {}
    carried = 0
    for key, page, place in pages:
        html, xlsx = place(".html"), place(".xlsx")
        hashes[key] = view_hash(page, currency)
        html.parent.mkdir(parents=True, exist_ok=True)
        if published is not None and previous.get(key) == hashes[key] and _carry_over(published, folder, html, xlsx):
            carried += 1
            continue
        template = template_environment(page.locale).get_template(template_name)
        html.write_text(
            template.render({name: page, "lang": page.locale, "title": f"{page.title} · {page.subtitle}"}), "utf-8"
        )
        write_workbook(page, xlsx)
    return hashes, carried


def _carry_over(published: PublishedPages, folder: PeriodFolder, *files: Path) -> bool:
    """Carry a page's files over from the published folder when each still has the sha256 its manifest records."""
    return carry_published(published, folder.path, [file.relative_to(folder.path).as_posix() for file in files])


def view_hash(view: Card | TeamRollup, currency: str) -> str:
    """sha256 of a page's finished view and the currency its workbook formats money in: equal hashes, equal files.

    (Given the same `renderer_version`.) The view is serialised canonically: the page's type, each dataclass as
    its fields, keys sorted, Decimals and dates tagged (neither reads as the text it prints as), each frame as a
    digest of its rows. A dataclass inside the view is written without its type name: each of its places holds
    one dataclass type (the views have no union of two).
    """
    data = orjson.dumps(
        {"currency": currency, "page": type(view).__name__, "view": view},
        default=_canonical,
        option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME,
    )
    return hashlib.sha256(data).hexdigest()


def _canonical(value: object) -> object:
    """What orjson writes for the values it does not write itself."""
    if isinstance(value, Decimal):
        return {"__decimal__": str(value)}
    if isinstance(value, date):
        return {"__date__": value.isoformat()}
    if isinstance(value, pl.Series):
        value = value.to_frame()
    if isinstance(value, pl.DataFrame):  # the rows only a workbook shows: its values, types and names, in order
        data = io.BytesIO()
        value.rechunk().write_ipc(data, compression="uncompressed")
        return {"__frame__": hashlib.sha256(data.getvalue()).hexdigest()}
    raise TypeError(f"a view holds a value that cannot be hashed: {type(value).__name__}")


#: Installed distributions whose versions can change the bytes a view renders to.
_RENDERING_LIBRARIES = ("scorecards", "jinja2", "markupsafe", "openpyxl", "lxml", "babel", "polars")
#: Packages whose files decide how a view is rendered: the templates and catalogues, the renderer, its helpers.
# Everything a view is built from, not only what draws it: labels, kinds and bands come from config and transforms.
_RENDERING_PACKAGES = (
    "scorecards.templates",
    "scorecards.flows.cards",
    "scorecards.flows.shared",
    "scorecards.config",
    "scorecards.schemas",
    "scorecards.transforms",
)


@cache
def renderer_version() -> str:
    """A digest of what turns a view into bytes: the project's and the rendering libraries' versions, the
    templates, message catalogues and the modules views are built from (flows/cards, flows/shared, config,
    schemas, transforms), once per process."""
    digest = hashlib.sha256()
    for library in _RENDERING_LIBRARIES:
        try:
            digest.update(f"{library}=={version(library)}\n".encode())
        except PackageNotFoundError:
            digest.update(f"{library} absent\n".encode())
    digest.update(source_digest(*_RENDERING_PACKAGES).encode())
    return digest.hexdigest()


def source_digest(*packages: str) -> str:
    """sha256 of every source file (modules, templates, catalogues) under these packages, by relative path."""
    digest = hashlib.sha256()
    for package in packages:
        for relative, data in _package_files(resources.files(package)):
            digest.update(f"{package}/{relative} {len(data)}\n".encode())
            digest.update(data)
    return digest.hexdigest()


def _package_files(root: Traversable, prefix: str = "") -> list[tuple[str, bytes]]:
    """Every source file under a package (templates, catalogues, modules), by relative path; no caches."""
    found: list[tuple[str, bytes]] = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        relative = f"{prefix}{entry.name}"
        if entry.is_dir():
            if entry.name != "__pycache__":
                found += _package_files(entry, f"{relative}/")
        elif not entry.name.endswith((".pyc", ".mo")):
            found.append((relative, entry.read_bytes()))
    return found


#: Below this many reps, starting worker processes costs more than it saves (measured again for issue 18: at
#: 200 reps, or at 50 reps with 20,000 evidence rows each, two workers were no faster than one process).
PARALLEL_FROM = 400
#: Cards written per chunk: the step in which progress is reported.
CHUNK = 100
#: Below PARALLEL_FROM reps, cards are written in threads when they hold at least this many evidence rows each on
#: average: a long card is mostly written by polars and zlib, which release the GIL (measured for issue 18 on two
#: cores: 50 cards of ~6,700 rows 20 % faster, of ~2,000 rows 10 %; ~150 rows 5-15 % slower, the GIL contended).
THREADS_FROM_ROWS = 1_000
#: At most this many threads: the half of a long card's work that releases the GIL keeps two busy; a third thread
#: on two cores was slower than two (more cores are not measured).
THREADS = 2


def render_period(
    report: PeriodReport,
    period: Period,
    settings: Settings,
    folder: PeriodFolder,
    workers: int = 1,
    executor: Executor | None = None,
    publication: Publication | None = None,
    published: PublishedPages | None = None,
    on_cards: Callable[[int], None] | None = None,
) -> RenderedPages:
    """Write every rep's card, every team's rollup and the fairness page of a period; return the pages' view hashes.

    The fairness page is written in each language a card or rollup of the period is in (`build_fairness_pages`).
    Cards are rendered in chunks, in worker processes when there are enough
    reps to pay for them, in threads when there are few but long cards, or on
    the given executor (e.g. a Dask cluster's, one chunk per worker); the
    files are the same bytes either way.
    A page whose view is unchanged since `published` (by the same renderer
    version) is carried over from there rather than rendered again; a card
    made from the same inputs is carried over without building its view.
    `on_cards(n)` is told each time n more cards are written or carried over.
    """
    renderer = renderer_version()
    if published is not None and published.pages.renderer != renderer:
        published = None
    rep_ids = report.scorecards["rep_id"].to_list()
    # The cards (and the worker processes) get only the evidence sections a card shows: the deals kept for
    # restatements (every open deal) are most of a large report's bytes, and no card reads them.
    shown = _shown_on_cards(report)
    inputs = card_inputs(shown, period, settings, publication, rep_ids)
    unbuilt = _carry_over_unbuilt(published, folder, inputs) if published is not None else {}
    if unbuilt and on_cards is not None:
        on_cards(len(unbuilt))
    rest = [rep_id for rep_id in rep_ids if rep_id not in unbuilt]
    job = (shown, period, settings, folder, publication, published)
    if not rest:
        done: list[tuple[dict[str, str], int]] = []
    elif executor is not None and workers > 1:
        chunks = [chunk for chunk in (rest[i::workers] for i in range(workers)) if chunk]
        done = _count(executor.map(_render_cards, *zip(*[(*job, chunk) for chunk in chunks], strict=True)), on_cards)
    elif workers > 1 and len(rest) >= PARALLEL_FROM:
        # Each worker receives the report once; the chunks then name only their reps.
        with ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=_receive, initargs=job) as pool:
            done = _count(pool.map(_render_received, _chunks(rest)), on_cards)
    elif workers > 1 and len(rest) > 1 and _evidence_rows(shown, rest) >= THREADS_FROM_ROWS * len(rest):
        threads = min(workers, THREADS)
        # A few long cards: about four chunks per thread, so that the threads stay busy to the end.
        size = max(1, len(rest) // (threads * 4))
        with ThreadPoolExecutor(threads, thread_name_prefix="cards") as pool:
            done = _count(pool.map(lambda chunk: _render_cards(*job, chunk), _chunks(rest, size)), on_cards)
    else:
        done = _count((_render_cards(*job, chunk) for chunk in _chunks(rest)), on_cards)
    rollups = build_team_rollups(report, period, settings, publication)
    teams, carried = write_team_rollups(rollups, folder, settings.display.reporting, published)
    for fairness in build_fairness_pages(report, period, settings, publication.caveats if publication else None):
        write_fairness_page(fairness, folder, settings.display.reporting)
    cards = unbuilt | {rep_id: digest for hashes, _ in done for rep_id, digest in hashes.items()}
    carried += len(unbuilt) + sum(n for _, n in done)
    return RenderedPages(renderer, dict(sorted(cards.items())), teams, carried, inputs)


def _carry_over_unbuilt(published: PublishedPages, folder: PeriodFolder, inputs: Mapping[str, str]) -> dict[str, str]:
    """Carry over the cards made from the same inputs as their published ones (rep_id → their recorded view hash).

    Done here, before any worker process starts: a month whose cards are all
    unchanged then costs no process and no view.
    """
    carried = {}
    for rep_id, made_from in inputs.items():
        known = published.pages.cards.get(rep_id)
        if (
            known is not None
            and published.pages.card_inputs.get(rep_id) == made_from
            and _carry_over(published, folder, folder.card(rep_id, ".html"), folder.card(rep_id, ".xlsx"))
        ):
            carried[rep_id] = known
    return carried


def _shown_on_cards(report: PeriodReport) -> PeriodReport:
    """The report with only the evidence sections a card shows."""
    shown = {name for name, _title, _columns in EVIDENCE}
    return dataclasses.replace(report, evidence={k: v for k, v in report.evidence.items() if k in shown})


def _chunks(rep_ids: list[str], size: int | None = None) -> list[list[str]]:
    """The reps in chunks of `size` (default: CHUNK)."""
    size = size or CHUNK
    return [rep_ids[i : i + size] for i in range(0, len(rep_ids), size)]


def _evidence_rows(report: PeriodReport, rep_ids: list[str]) -> int:
    """Rows of these reps in the report's evidence sections."""
    reps = pl.Series(rep_ids, dtype=pl.String).implode()
    return sum(int(frame["rep_id"].is_in(reps).sum()) for frame in report.evidence.values())


def _count(
    results: Iterable[tuple[dict[str, str], int]], on_cards: Callable[[int], None] | None
) -> list[tuple[dict[str, str], int]]:
    """Collect each chunk's (view hashes, cards carried over), telling `on_cards` how many cards each chunk made."""
    done = []
    for hashes, carried in results:
        done.append((hashes, carried))
        if on_cards is not None:
            on_cards(len(hashes))
    return done


_received: tuple[PeriodReport, Period, Settings, PeriodFolder, Publication | None, PublishedPages | None] | None = None


def _receive(
    report: PeriodReport,
    period: Period,
    settings: Settings,
    folder: PeriodFolder,
    publication: Publication | None,
    published: PublishedPages | None,
) -> None:
    global _received
    _received = (report, period, settings, folder, publication, published)


def _render_received(rep_ids: list[str]) -> tuple[dict[str, str], int]:
    assert _received is not None, "a worker renders only after it has received the period's report"
    return _render_cards(*_received, rep_ids)


def _render_cards(
    report: PeriodReport,
    period: Period,
    settings: Settings,
    folder: PeriodFolder,
    publication: Publication | None,
    published: PublishedPages | None,
    rep_ids: list[str],
) -> tuple[dict[str, str], int]:
    cards = build_cards(report, period, settings, only=rep_ids, publication=publication)
    return write_cards(cards, folder, settings.display.reporting, published)


def card_inputs(
    report: PeriodReport,
    period: Period,
    settings: Settings,
    publication: Publication | None,
    rep_ids: Collection[str],
) -> dict[str, str]:
    """For each rep, a digest of everything `build_cards` may read to make the rep's card (rep_id → sha256).

    Each frame of the report (however nested in dicts and dataclasses) with a
    rep_id column counts with the rep's own rows (each row hashed by polars with
    two seeds, in order); every other frame and plain value of the report, the
    roster (rep ids and teams: a card shows team sizes and the count of reps), the
    period, the whole config and the publication count for every rep alike. Equal
    digests under the same `renderer_version` mean equal views, so the view need
    not be built to know that the card is the same.
    """
    shared = hashlib.sha256(f"{period}\n{settings.model_dump_json()}\n{pl.__version__}\n".encode())
    shared.update(_publication_digest(publication))
    shared.update(_frame_digest(report.scorecards.select("rep_id", "team")))
    mine = {rep_id: hashlib.sha256() for rep_id in rep_ids}
    for name, frame in _report_parts("report", report):
        if not isinstance(frame, pl.DataFrame):  # a plain value of the report: the same for every card
            shared.update(f"{name} {frame}\n".encode())
            continue
        shared.update(f"{name} {frame.schema}\n".encode())
        if "rep_id" not in frame.columns:
            shared.update(_frame_digest(frame))
            continue
        rows = frame.select(
            pl.col("rep_id"),
            pl.struct(pl.all()).hash(seed=1).alias("h1"),
            pl.struct(pl.all()).hash(seed=2).alias("h2"),
        ).filter(pl.col("rep_id").is_in(list(mine)))
        for rep_id, first, second in rows.group_by("rep_id", maintain_order=True).agg("h1", "h2").iter_rows():
            mine[rep_id].update(f"{name} {len(first)}\n".encode())
            mine[rep_id].update(pl.Series(first + second, dtype=pl.UInt64).to_numpy().tobytes())
    common = shared.hexdigest()
    return {
        rep_id: hashlib.sha256(f"{common} {digest.hexdigest()}".encode()).hexdigest() for rep_id, digest in mine.items()
    }


def _report_parts(name: str, value: object) -> Iterator[tuple[str, pl.DataFrame | str]]:
    """Every frame in the report, however nested (dicts, dataclasses), by a dotted name; other values as repr."""
    if isinstance(value, pl.DataFrame):
        yield name, value
    elif isinstance(value, Mapping):
        for key in sorted(value):
            yield from _report_parts(f"{name}.{key}", value[key])
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            yield from _report_parts(f"{name}.{field.name}", getattr(value, field.name))
    else:
        yield name, repr(value)


def _frame_digest(frame: pl.DataFrame) -> bytes:
    """A digest of a whole frame's rows, in order (two polars row hashes of 64 bits each)."""
    if frame.width == 0:
        return f"{frame.height} rows, no columns\n".encode()
    hashes = pl.concat([frame.hash_rows(seed=1), frame.hash_rows(seed=2)])
    return f"{frame.height} rows {frame.schema}\n".encode() + hashes.to_numpy().tobytes()


def _publication_digest(publication: Publication | None) -> bytes:
    if publication is None:
        return b"no publication\n"
    head = (
        f"{publication.version} {publication.published_on} {publication.questions_to} {publication.restates}"
        f" {publication.caveats}\n"
    )
    given = (publication.changes, publication.evidence, publication.sent_to_reps)
    frames = [f if f is not None else pl.DataFrame() for f in given]
    return head.encode() + b"".join(_frame_digest(f) for f in frames) + str([f is None for f in given]).encode()
