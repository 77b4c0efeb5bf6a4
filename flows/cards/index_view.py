"""What the period index (OUT/index.html) and each rep's page (OUT/people/) show, as finished, localised values,
in each language in use (index.zh-CN.html and people.zh-CN/ beside them).

Both are built from what is published (the frames flows/publish/index.py reads back) and hold nothing
the period folders do not show: names, teams, overall grades, versions and links to the published pages.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, partial
from math import ceil

import polars as pl

from scorecards.config.dimensions import N_
from scorecards.flows.cards.page_parts import Language, Link, grade_class, index_link, language_links
from scorecards.flows.cards.render import template_environment
from scorecards.flows.shared.display import format_month
from scorecards.flows.shared.i18n import colon, languages_in_use, translations
from scorecards.flows.shared.inert_text import one_line
from scorecards.flows.shared.layout import (
    card_link_from_index,
    card_link_from_person,
    fairness_link_from_index,
    index_link_from_index,
    index_link_from_person,
    language_part,
    named_part,
    person_link_from_index,
    person_link_from_person,
    rollup_link_from_index,
)
from scorecards.schemas.fields import GRADES
from scorecards.transforms.period import Period

#: What the index says under a month published with a warning (SPEC §7 publishes it; `send` withholds it).
NOT_FINAL_MONTH = N_(
    "Not final: published with a warning (the month was not over, or nothing is dated in it), and sent to no one."
)


@dataclass(frozen=True)
class Grade:
    """An overall grade as its badge shows it: the letter (or N/A) and its CSS class."""

    text: str
    css: str


@dataclass(frozen=True)
class IndexRep:
    """A rep in a period of the index: the name links to the rep's page, `card_href` to the period's card."""

    name: str
    grade: Grade
    person_href: str
    card_href: str | None


@dataclass(frozen=True)
class IndexTeam:
    """A team of a period on the index: its name, its rollup's link (None when absent) and its reps; `anchor`
    is the id of its row, which the period's list of teams links to."""

    name: str
    anchor: str
    rollup_href: str | None
    reps: list[IndexRep]


@dataclass(frozen=True)
class IndexPeriod:
    """A published period on the index: its title, version, fairness page link and teams; `anchor` is the id of
    its heading, `jumps` a link to each of its teams' rows (none when it has one team)."""

    title: str
    anchor: str
    version: str | None
    fairness_href: str | None
    teams: list[IndexTeam]
    jumps: list[Link]
    #: Why the month's figures are not final, when it was published with a warning (its pages say which).
    caveats: list[str]


@dataclass(frozen=True)
class PeriodIndex:
    """OUT/index.html (or index.<locale>.html): every published period, newest first, its teams and their reps."""

    locale: str
    labels: dict[str, str]
    title: str
    #: The same page in each other language in use.
    languages: list[Language]
    periods: list[IndexPeriod]
    #: A link to each period's heading, newest first (none when there is one period).
    jumps: list[Link]


@dataclass(frozen=True)
class PersonRow:
    """One period's card of a rep, as the rep's page lists it."""

    month: str
    name: str
    team: str
    grade: Grade
    card_href: str | None
    #: "not final" when the period was published with a warning (a month not over, nothing dated in it).
    not_final: str | None = None


@dataclass(frozen=True)
class GradeChart:
    """An inline-SVG chart of a rep's overall grade, period by period (coordinates already computed).

    `lines` are polyline point lists, broken where a period has no grade; `rows` place the grade letters
    on the y axis, `months` the period labels on the x axis.
    """

    width: int
    height: int
    left: int
    label_y: int
    rows: list[tuple[str, float]]
    lines: list[str]
    dots: list[tuple[float, float, str]]
    months: list[tuple[float, str]]


@dataclass(frozen=True)
class PersonPage:
    """OUT/people/<stem>.html (or people.<locale>/): a rep's cards across periods, newest first, and the grade
    history."""

    rep_id: str
    locale: str
    labels: dict[str, str]
    title: str
    subtitle: str
    #: Back to the period index of the page's language.
    index: Link
    #: The same page in each other language in use.
    languages: list[Language]
    chart: GradeChart
    rows: list[PersonRow]


def _labels(locale: str) -> dict[str, str]:
    _ = translations(locale).gettext
    return {
        "index_title": _("Scorecards by period"),
        "colon": colon(locale),
        "fairness": _("Fairness page"),
        "team": _("Team"),
        "teams": _("Jump to a team"),
        "months": _("Jump to a month"),
        "rep": _("Rep"),
        "overall_grade": _("Overall grade"),
        "card": _("Scorecard"),
        "no_card": _("No card published"),
        "period": _("Period"),
        "name": _("Name"),
        "rep_id": _("Rep ID"),
        "history": _("Overall grade by period"),
        "cards": _("Scorecards"),
        "footer": _(
            "Each grade is the one its period's published scorecard shows; the card has the numbers behind it."
        ),
    }


def _grade(grade: str | None, locale: str) -> Grade:
    return Grade(grade or translations(locale).gettext("N/A"), grade_class(grade))


@cache  # a few dozen months, each shown once per rep
def _month(period: str, locale: str, *, short: bool = False) -> str:
    return format_month(Period.parse(period).start, locale, short=short)


def index_locales(reps: pl.DataFrame, default: str) -> list[str]:
    """The languages the index and the rep pages are written in: the config's `default` locale, then each other
    one a published card is in (`reps` as flows/publish/index.read_published gives them)."""
    return languages_in_use(default, reps["locale"])


def build_index(periods: pl.DataFrame, reps: pl.DataFrame, locale: str, locales: list[str]) -> PeriodIndex:
    """The index of the published periods in `locale` (`periods`, `reps` as flows/publish/index.read_published
    gives them; `locales`: the languages in use, `index_locales`, the config's default first)."""
    _ = translations(locale).gettext
    default = locales[0]
    part = language_part(locale, default)
    shown = []
    for row in periods.sort("period", descending=True).iter_rows(named=True):
        period, publication, fairness_pages = row["period"], row["publication"], row["fairness_pages"]
        mine = reps.filter(pl.col("period") == period).sort("team", "rank_in_team", "rep_id")
        anchor = f"m{period}"
        teams = [
            IndexTeam(
                name=team,
                anchor=f"{anchor}-t{number}",  # by its place, as a team's name may be any text
                rollup_href=rollup_link_from_index(period, team) if rows["has_rollup"][0] else None,
                reps=[
                    IndexRep(
                        name=rep["rep_name"],
                        grade=_grade(rep["overall_grade"], locale),
                        person_href=person_link_from_index(rep["rep_id"], part),
                        card_href=card_link_from_index(period, rep["rep_id"]) if rep["has_card"] else None,
                    )
                    for rep in rows.iter_rows(named=True)
                ],
            )
            for number, ((team,), rows) in enumerate(
                mine.partition_by("team", maintain_order=True, as_dict=True).items(), start=1
            )
        ]
        # The page named for this language if the period has one (published while the default was another
        # language, even if this is the default now), else the default's: a period published before its page
        # was written in this language has only that one.
        fairness = next((p for p in (named_part(locale), "") if p in fairness_pages), None)
        shown.append(
            IndexPeriod(
                title=_month(period, locale),
                anchor=anchor,
                version=_("Version %(version)d") % {"version": publication} if publication is not None else None,
                fairness_href=fairness_link_from_index(period, fairness) if fairness is not None else None,
                teams=teams,
                jumps=_jumps([Link(team.name, f"#{team.anchor}") for team in teams]),
                caveats=[_(NOT_FINAL_MONTH)] if row["warned"] else [],
            )
        )
    labels = _labels(locale)
    languages = language_links(locales, locale, index_link_from_index)
    months = _jumps([Link(period.title, f"#{period.anchor}") for period in shown])
    return PeriodIndex(locale, labels, labels["index_title"], languages, shown, months)


def _jumps(links: list[Link]) -> list[Link]:
    """Links to the parts of a long page, or none when there is one part to go to."""
    return links if len(links) > 1 else []


def build_people(
    reps: pl.DataFrame, locale: str, locales: list[str], not_final: Collection[str] = ()
) -> list[PersonPage]:
    """A page per rep id in `reps` in `locale`, ordered by rep id; the title is the name of the rep's latest card.
    `locales`: the languages in use (`index_locales`), the config's default first; `not_final`: the periods
    published with a warning, whose grades are marked so.

    A rep renamed between periods keeps each period's name in its row, as that period's card shows it.
    """
    labels = _labels(locale)
    default = locales[0]
    part = language_part(locale, default)
    pages = []
    by_rep = reps.sort("rep_id", "period").partition_by("rep_id", maintain_order=True, as_dict=True)
    for (rep_id,), rows in by_rep.items():
        newest_first = rows.to_dicts()[::-1]
        latest = newest_first[0]
        pages.append(
            PersonPage(
                rep_id=rep_id,
                locale=locale,
                labels=labels,
                title=latest["rep_name"],
                subtitle=f"{labels['rep_id']}{labels['colon']}{one_line(rep_id)}",
                index=index_link(translations(locale).gettext, index_link_from_person(part)),
                languages=language_links(locales, locale, partial(person_link_from_person, rep_id)),
                chart=grade_chart(rows["period"].to_list(), rows["overall_grade"].to_list(), locale),
                rows=[
                    PersonRow(
                        month=_month(row["period"], locale),
                        name=row["rep_name"],
                        team=row["team"],
                        grade=_grade(row["overall_grade"], locale),
                        card_href=card_link_from_person(row["period"], rep_id) if row["has_card"] else None,
                        not_final=translations(locale).gettext("not final") if row["period"] in not_final else None,
                    )
                    for row in newest_first
                ],
            )
        )
    return pages


#: At most this many month labels under the chart; more would overlap.
_MONTH_LABELS = 8


def grade_chart(
    periods: list[str], grades: list[str | None], locale: str, width: int = 600, height: int = 130
) -> GradeChart:
    """Coordinates of the grade chart: one column per period (oldest left), A at the top, D at the bottom.

    A period without a grade has no dot and breaks the line.
    """
    left, top, bottom = 28, 10, 24
    right = 32  # room for half of the latest month's label (`Oct 2026`, `2026年12月`), centred on the last column
    step = (width - left - right) / max(len(periods), 1)
    level = {grade: top + i * (height - top - bottom) / (len(GRADES) - 1) for i, grade in enumerate(GRADES)}
    rows = [(grade, round(y, 1)) for grade, y in level.items()]
    xs = [round(left + (i + 0.5) * step, 1) for i in range(len(periods))]
    dots = [(x, round(level[g], 1), grade_class(g)) for x, g in zip(xs, grades, strict=True) if g in level]
    lines, run = [], []
    for x, g in zip(xs, grades, strict=True):
        if g in level:
            run.append(f"{x},{round(level[g], 1)}")
        elif run:
            lines.append(" ".join(run))
            run = []
    if run:
        lines.append(" ".join(run))
    every = ceil(len(periods) / _MONTH_LABELS) or 1
    shown = {i for i in range(len(periods)) if (len(periods) - 1 - i) % every == 0}  # always the latest
    months = [(xs[i], _month(periods[i], locale, short=True)) for i in sorted(shown)]
    return GradeChart(width, height, left, height - 6, rows, [line for line in lines if " " in line], dots, months)


def render_index_pages(
    periods: pl.DataFrame, reps: pl.DataFrame, default: str
) -> dict[str, tuple[str, dict[str, str]]]:
    """The index page and each rep's page (by rep id) as HTML, in each language in use (`index_locales`), keyed
    by its `language_part` ("" for the config's `default` locale)."""
    pages = {}
    locales = index_locales(reps, default)
    for locale in locales:
        environment = template_environment(locale)
        index = build_index(periods, reps, locale, locales)
        html = environment.get_template("index.html.j2").render({"index": index, "lang": locale, "title": index.title})
        person = environment.get_template("person.html.j2")
        people = {
            page.rep_id: person.render(
                {"person": page, "lang": locale, "title": f"{page.title} · {page.labels['cards']}"}
            )
            for page in build_people(reps, locale, locales, periods.filter(pl.col("warned"))["period"].to_list())
        }
        pages[language_part(locale, default)] = (html, people)
    return pages
