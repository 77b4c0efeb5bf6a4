"""What a rep's scorecard and a team's rollup show, as finished, localised values.

Templates and workbooks receive these objects and only lay them out: every
label comes from the message catalogue, every number from Babel. Business facts
(changes, movers, grade distributions, N/A reasons) come finished from
transforms/ in the PeriodReport; here they are only selected, localised and formatted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import polars as pl

from scorecards.config import DIMENSIONS, Dimension, Settings
from scorecards.config.dimensions import N_
from scorecards.flows.shared.changes import evidence_change, number_change, number_line
from scorecards.flows.shared.columns import (
    CONVERTED_COLUMNS,
    EVIDENCE,
    FIGURES,
    SHARED_COLUMNS,
    VALUE_WORDS,
    WORD_COLUMNS,
    shown_text,
    team_totals,
)
from scorecards.flows.shared.display import (
    ABSENT,
    Kind,
    format_change,
    format_month,
    format_months_in_a_row,
    format_value,
    months_with_year,
    rounded_change,
)
from scorecards.flows.shared.i18n import colon, in_points, listed, remark, translations
from scorecards.flows.shared.inert_text import one_line
from scorecards.flows.shared.layout import card_link_from_rollup, fairness_link_from_rollup
from scorecards.transforms.grading import GRADES
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport
from scorecards.transforms.restatement import Publication
from scorecards.transforms.trend import MONTHS_BEFORE

Value = Decimal | int | str | date | bool | None


#: What each reason of transforms.grading.na_reasons reads as on a card.
NA_REASONS: dict[str, str] = {
    "no_target": N_("no target for this month"),
    "zero_target": N_("the target is 0"),
    "no_closed_leads": N_("no lead was closed this month"),
    "no_survey_responses": N_("no survey answers this month"),
    "not_rated": N_("not rated this month"),
}
#: The size of a row of the evidence tables that have one, and the key that breaks its ties: the HTML shows
#: the largest rows first (and, past the config's `cards.evidence_rows`, only those); the others keep their order.
#: A deal's size is its amount in the reporting currency, so deals in other currencies rank among the rest.
EVIDENCE_SIZES: dict[str, tuple[str, str]] = {
    "won_deals": ("amount_reporting", "opportunity_id"),
    "new_customers": ("amount_reporting", "account_id"),
}


@dataclass(frozen=True)
class Cell:
    """A value as Excel stores it and as a reader of the locale reads it (money in `currency` when not the card's).

    `text` is empty for a number that only the Excel card shows (a row past the HTML's cap): the workbook
    formats numbers itself, from `kind`.
    """

    value: Value
    kind: Kind | None
    text: str
    currency: str | None = None
    #: A change (`+0.25`): the workbook's number format shows its sign.
    signed: bool = False
    #: Written after the number by the workbook's number format too (a rank's ` / 8`), so the cell stays a number.
    unit: str = ""
    #: The decimals shown, page and workbook, where not the kind's (a ratio told from the threshold it rounds onto).
    places: int | None = None


@dataclass(frozen=True)
class Line:
    """A labelled value."""

    label: str
    cell: Cell


@dataclass(frozen=True)
class TrendPoint:
    month: str
    cell: Cell
    grade: str


@dataclass(frozen=True)
class Sparkline:
    """An inline-SVG line of a metric over the trend months (coordinates already computed)."""

    width: int
    height: int
    #: One polyline's points per run of months with a value: a month without one leaves a gap, not a bridge.
    lines: list[str]
    dots: list[tuple[float, float]]
    guide_y: float | None
    #: Each month column's share of the trend table's width (%), a heading with its year wider: every dot stands
    #: over the middle of its month's column.
    columns: list[float]


@dataclass(frozen=True)
class DimensionBlock:
    """One graded dimension: value, grade, bands, why N/A, and its trend over P and the months before it."""

    label: str
    cell: Cell
    grade: str
    grade_class: str
    bands: str
    na_reason: str | None
    trend: list[TrendPoint]
    change: Cell
    sparkline: Sparkline


@dataclass(frozen=True)
class Note:
    kind: str
    kind_label: str
    message: str
    topic: str | None
    #: The topic as the page writes it after the message: ` (Training topic: …)`.
    topic_note: str | None


@dataclass(frozen=True)
class StoredRows:
    """Rows of a table that only the Excel card shows, as columns rather than cells (there can be thousands).

    `frame` has one column per heading: text as a reader of the locale reads it (`Wording.cell`), numbers and
    dates as Excel stores them (the workbook formats them from `kinds`; a null reads `empty`). Money is in the
    card's currency, or in `currencies` where set (a deal's own currency, row by row, in column `money_in`).
    """

    frame: pl.DataFrame
    kinds: list[Kind | None]
    empty: str
    currencies: pl.Series | None = None
    money_in: int | None = None


@dataclass(frozen=True)
class Table:
    """A titled table: headings, then rows of cells.

    The HTML shows `rows`; a table with more rows than the HTML shows (an evidence table past the config's
    `cards.evidence_rows`) has the rest in `stored`, which the Excel card writes after `rows`, and `more`, the
    note that says how many the HTML left to the Excel card.
    """

    title: str
    headings: list[str]
    rows: Sequence[Sequence[Cell]]
    empty_text: str
    more: str | None = None
    stored: StoredRows | None = None

    @property
    def shown(self) -> Sequence[Sequence[Cell]]:
        """The rows the HTML shows."""
        return self.rows

    @property
    def height(self) -> int:
        """How many rows the table has, in the Excel card."""
        return len(self.rows) + (self.stored.frame.height if self.stored is not None else 0)


@dataclass(frozen=True)
class Link:
    """A link as shown: its text and its address."""

    text: str
    href: str


@dataclass(frozen=True)
class Restated:
    """A restated card's notice: which version this is, of when, and this rep's changes since the one sent."""

    title: str
    lines: list[str]


@dataclass(frozen=True)
class Card:
    """Everything one rep's scorecard shows, ready to render."""

    rep_id: str
    locale: str
    labels: dict[str, str]
    title: str
    subtitle: str
    overall_grade: str
    overall_class: str
    header: list[Line]
    dimensions: list[DimensionBlock]
    trend_months: list[str]
    figures: list[Line]
    notes: list[Note]
    manager_notes: list[str]
    evidence: list[Table]
    #: The "question a number" link (SPEC §9), and what a restatement changed for this rep.
    question: Link | None = None
    restated: Restated | None = None


@dataclass(frozen=True)
class RollupRep:
    rep_id: str
    name: str
    cells: list[Cell]

    @property
    def href(self) -> str:
        """The rep's card, from the rollup's page."""
        return card_link_from_rollup(self.rep_id)


@dataclass(frozen=True)
class TeamRollup:
    """A team's page for its manager."""

    team: str
    locale: str
    labels: dict[str, str]
    title: str
    subtitle: str
    totals: list[Line]
    headings: list[str]
    reps: list[RollupRep]
    distribution: Table
    movers: Table
    topics: Table
    #: After a restatement: which of the team's reps changed since the version sent.
    restated: Restated | None = None
    #: The period's fairness page (SPEC §10), from the rollup's page.
    fairness: Link | None = None


@dataclass
class Wording:
    """Translation and formatting for one locale."""

    locale: str
    currency: str
    gettext: Callable[[str], str] = field(init=False)
    ngettext: Callable[[str, str, int], str] = field(init=False)
    #: How N/A reads.
    na: str = field(init=False)

    def __post_init__(self) -> None:
        self.gettext = translations(self.locale).gettext
        self.ngettext = translations(self.locale).ngettext
        self.na = self.gettext("N/A")

    def cell(self, value: Value, kind: Kind | None, currency: str | None = None, *, column: str = "") -> Cell:
        """A value as the card shows it; text as `shown_text` gives it for its `column`."""
        if kind is None:  # text: shown (and written to Excel) as `text`
            text = str(value).lower() if isinstance(value, bool) else value
            if text is None:
                return Cell(value, None, self.na)
            return Cell(value, None, shown_text(str(text), column, self.gettext))
        if currency is not None and currency != self.currency:  # money in another currency than the card's
            return Cell(value, kind, format_value(value, kind, self.locale, self.na, currency), currency)
        return Cell(value, kind, format_value(value, kind, self.locale, self.na, self.currency))

    def stored(self, frame: pl.DataFrame, columns: Sequence[tuple[str, str, Kind | None]]) -> StoredRows:
        """The rows of `frame` that only the Excel card shows: text translated as `cell` gives it, the rest
        as values. A column `amount` is in each row's `currency` when the frame has one."""
        words = {word: self.gettext(message) for word, message in VALUE_WORDS.items()}
        kinds = [kind for _name, _heading, kind in columns]
        texts = []
        for name, _heading, kind in columns:
            column = frame[name]
            if kind is not None:
                texts.append(column)
            elif name in WORD_COLUMNS:  # a boolean as `cell` reads it: "true" → "yes"
                texts.append(column.cast(pl.String).replace(words).fill_null(ABSENT))
            elif column.dtype == pl.String:
                texts.append(column.fill_null(ABSENT))
            else:
                texts.append(pl.Series(name, [_evidence_cell(value, None, self).text for value in column], pl.String))
        names = [name for name, _heading, _kind in columns]
        money_in = names.index("amount") if "amount" in names and "currency" in frame.columns else None
        currencies = None
        if money_in is not None:
            currency = pl.col("currency")
            currencies = frame.select(pl.when(currency != self.currency).then(currency)).to_series()
        return StoredRows(pl.DataFrame(texts), kinds, ABSENT, currencies, money_in)


def grade_class(grade: str | None) -> str:
    """The CSS class of a grade's badge: `A` … `D`, `na` for no grade."""
    return grade if grade in GRADES else "na"


def build_cards(
    report: PeriodReport,
    period: Period,
    settings: Settings,
    only: Collection[str] | None = None,
    publication: Publication | None = None,
) -> list[Card]:
    """One card per rep of P's scorecards (or of the reps in `only`), in the rep's own locale.

    With a `publication`, each card has its question link and, after a restatement, its notice.
    """

    def mine(frame: pl.DataFrame) -> dict[tuple[Any, ...], pl.DataFrame]:
        kept = frame if only is None else frame.filter(pl.col("rep_id").is_in(list(only)))
        return kept.partition_by("rep_id", as_dict=True)

    scorecards = report.scorecards
    by_rep = {
        "history": mine(report.history),
        "changes": mine(report.changes),
        "na_reasons": mine(report.na_reasons),
        "notes": mine(report.notes.filter(pl.col("shown"))),
        "manager_notes": mine(report.manager_notes),
        **{name: mine(frame) for name, frame in report.evidence.items()},
    }
    team_sizes = dict(scorecards.group_by("team").len().iter_rows())
    months = period.back(MONTHS_BEFORE)
    rows = scorecards if only is None else scorecards.filter(pl.col("rep_id").is_in(list(only)))
    return [
        _card(
            row,
            {k: v.get((row["rep_id"],)) for k, v in by_rep.items()},
            team_sizes,
            scorecards.height,
            months,
            settings,
            publication,
        )
        for row in rows.iter_rows(named=True)
    ]


def _card(
    row: dict[str, Any],
    mine: dict[str, pl.DataFrame | None],
    team_sizes: dict[str, int],
    reps: int,
    months: list[Period],
    settings: Settings,
    publication: Publication | None = None,
) -> Card:
    t = Wording(row["locale"], settings.display.reporting)
    _ = t.gettext
    history = mine["history"]
    trend_rows = history.sort("period").to_dicts() if history is not None else []
    changes = mine["changes"].row(0, named=True) if mine["changes"] is not None else {}
    na_reasons = (
        dict(mine["na_reasons"].select("dimension", "reason").iter_rows()) if mine["na_reasons"] is not None else {}
    )
    dimensions = [
        _dimension(
            dimension,
            row,
            trend_rows,
            changes.get(f"{dimension.name}_change"),
            na_reasons.get(dimension.name),
            months,
            settings,
            t,
        )
        for dimension in DIMENSIONS
        if dimension.name != "skills_score" or any(r["skills_score"] is not None for r in trend_rows)
    ]
    header = [
        Line(_("Rep ID"), t.cell(row["rep_id"], None)),
        Line(_("Team"), t.cell(row["team"], None)),
        Line(_("Manager"), t.cell(row["manager_name"], None)),
        Line(_("Period"), t.cell(format_month(months[-1].start, t.locale), None)),
        Line(_("Composite score"), t.cell(row["composite_score"], "score")),
        Line(_("Rank in team"), _rank(row["rank_in_team"], team_sizes[row["team"]])),
        Line(_("Rank overall"), _rank(row["rank_overall"], reps)),
    ]
    figures = [Line(_(label), t.cell(row[column], kind)) for column, label, kind in FIGURES]
    notes = [
        Note(
            kind=kind,
            kind_label=_("To improve") if kind == "weakness" else _("Strength"),
            message=_(message),
            topic=_(topic) if topic else None,
            topic_note=remark(f"{_('Training topic')}{colon(t.locale)}{_(topic)}", t.locale) if topic else None,
        )
        for kind, message, topic in (
            mine["notes"].select("kind", "message", "topic").iter_rows() if mine["notes"] is not None else []
        )
    ]
    manager_notes = mine["manager_notes"]["note"].to_list() if mine["manager_notes"] is not None else []
    evidence = [
        _evidence_table(
            title,
            columns + _credit_columns(mine.get(name), t),
            mine.get(name),
            t,
            settings.cards.evidence_rows,
            EVIDENCE_SIZES.get(name),
        )
        for name, title, columns in EVIDENCE
    ]
    return Card(
        rep_id=row["rep_id"],
        locale=t.locale,
        labels={**_card_labels(t), "composite": _composite_note(settings, t)},
        title=row["rep_name"],
        subtitle=f"{row['team']} · {format_month(months[-1].start, t.locale)}",
        overall_grade=row["overall_grade"] or t.na,
        overall_class=grade_class(row["overall_grade"]),
        header=header,
        dimensions=dimensions,
        trend_months=[format_month(m.start, t.locale, short=True) for m in months],
        figures=figures,
        notes=notes,
        manager_notes=manager_notes,
        evidence=evidence,
        question=_question(row, months[-1], publication, t) if publication else None,
        restated=_restated(row["rep_id"], publication, t) if publication and publication.restates else None,
    )


def _composite_note(settings: Settings, t: Wording) -> str:
    """How the composite score is made, from the config: the grades' points and the weights of the dimensions
    that count (a dimension of weight 0, as the skills by default, is left out: it does not count)."""
    weights = {d.name: settings.composite.weights.get(d.name, Decimal(0)) for d in DIMENSIONS}
    total = sum(weights.values())
    counted = [
        f"{t.gettext(d.label)} {format_value(weights[d.name] / total, 'percent', t.locale, t.na)}"
        for d in DIMENSIONS
        if weights[d.name] > 0
    ]
    points = settings.composite.points
    return t.gettext(
        "Composite score: the mean of the grades' points (A %(A)d, B %(B)d, C %(C)d, D %(D)d), weighted %(weights)s; "
        "a dimension without a grade does not count."
    ) % {**points, "weights": listed(counted, t.locale)}


def _question(row: dict[str, Any], period: Period, publication: Publication, t: Wording) -> Link:
    """A mailto: link to the manager (or the config's address) whose subject names the period, rep and version."""
    _ = t.gettext
    subject = _("Question about my scorecard for %(month)s (%(rep)s, version %(version)d)") % {
        "month": format_month(period.start, t.locale),
        "rep": one_line(f"{row['rep_name']} {row['rep_id']}"),
        "version": publication.version,
    }
    address = publication.questions_to or row["manager_email"]
    return Link(_("Question a number? Write to %(address)s") % {"address": address}, mailto(address, subject))


def mailto(address: str, subject: str) -> str:
    """A mailto: address with its subject, every character outside the safe set percent-encoded."""
    return f"mailto:{quote(address, safe='@.+-_')}?subject={quote(subject, safe='')}"


#: The columns a rep's card can change in without a figure of its own changing.
RANKS = frozenset({"rank_in_team", "rank_overall"})


def _restated(rep_id: str, publication: Publication, t: Wording) -> Restated:
    """This rep's changes since the version that was sent: each number old → new, then the evidence rows."""
    _ = t.gettext
    sent = publication.restates_for([rep_id])
    title = _restated_title(publication, sent, t)
    lines = []
    mine = publication.changes.filter(pl.col("rep_id") == rep_id) if publication.changes is not None else None
    if mine is not None and mine.filter((pl.col("column") == "rep_name") & pl.col("old").is_null()).height:
        # A rep the sent version did not have (a rep's name is never empty): every column is new, none "changed".
        lines.append(_("You had no card in version %(sent)d.") % {"sent": sent})
    elif mine is not None:
        for column, old, new in mine.select("column", "old", "new").iter_rows():
            lines.append(number_line(number_change(column, old, new, t.locale, t.currency), t.locale))
    evidence = []
    if publication.evidence is not None:
        evidence = [
            evidence_change(*row, t.locale, t.currency)
            for row in publication.evidence.filter(pl.col("rep_id") == rep_id)
            .select("section", "key", "change", "column", "old", "new", "old_currency", "new_currency")
            .iter_rows()
        ]
    if lines and not evidence and mine is not None and set(mine["column"]) <= RANKS:
        lines.append(_("Only the ranks moved, because other reps' figures changed; this card's own are the same."))
    return Restated(title, lines + evidence or [_("No change for you.")])


def _restated_title(publication: Publication, sent: int | None, t: Wording) -> str:
    return t.gettext(
        "Restated: this is version %(version)d, published %(date)s; it replaces version %(sent)d, which was sent."
    ) % {
        "version": publication.version,
        "date": format_value(publication.published_on, "date", t.locale, t.na),
        "sent": sent,
    }


def _card_labels(t: Wording) -> dict[str, str]:
    _ = t.gettext
    return {
        "overall_grade": _("Overall grade"),
        "colon": colon(t.locale),
        "grades": _("Grades"),
        "charts": _("In each chart, the dashed line marks where grade B begins."),
        "grades_by_month": _("Grades by month"),
        "dimension": _("Dimension"),
        "value": _("Value"),
        "grade": _("Grade"),
        "bands": _("Bands"),
        "trend": _("Last %(n)d months") % {"n": MONTHS_BEFORE + 1},
        "change": _("Change from last month"),
        "why_na": _("Why N/A"),
        "figures": _("Supporting figures"),
        "feedback": _("Feedback"),
        "no_feedback": _("No feedback rule applies this month."),
        "manager_note": _("Manager's note"),
        "evidence": _("Evidence: the rows behind each grade"),
        "scorecard": _("Scorecard"),
        "sheet_evidence": _("Evidence"),
    }


def _dimension(
    dimension: Dimension,
    row: dict[str, Any],
    trend_rows: list[dict[str, Any]],
    change: Decimal | int | None,
    na_reason: str | None,
    months: list[Period],
    settings: Settings,
    t: Wording,
) -> DimensionBlock:
    _ = t.gettext
    name, kind = dimension.name, dimension.kind
    grade = row[dimension.grade_column]
    band = settings.bands[name]
    bands = " · ".join(
        f"{letter} ≥ {format_value(threshold, kind, t.locale, t.na, t.currency)}"
        for letter, threshold in (("A", band.A), ("B", band.B), ("C", band.C))
    )
    by_month = {r["period"]: r for r in trend_rows}
    headings = format_months_in_a_row([m.start for m in months], t.locale)
    trend = [
        TrendPoint(
            heading,
            t.cell(by_month.get(str(m), {}).get(name), kind),
            by_month.get(str(m), {}).get(dimension.grade_column) or t.na,
        )
        for heading, m in zip(headings, months, strict=True)
    ]
    values = [point.cell.value for point in trend]
    return DimensionBlock(
        label=_(dimension.label),
        cell=t.cell(row[name], kind),
        grade=grade or t.na,
        grade_class=grade_class(grade),
        bands=bands,
        na_reason=_na_reason(na_reason, row, settings, t) if na_reason is not None else None,
        trend=trend,
        change=_change(change, kind, t),
        sparkline=_sparkline(values, band.B, months_with_year([m.start for m in months])),  # type: ignore[arg-type]
    )


def _change(value: Decimal | int | None, kind: Kind, t: Wording) -> Cell:
    """A change since last month, signed, a percentage's in percentage points; the workbook keeps it rounded as
    shown, so its sign agrees with the page."""
    if kind == "percent":  # 115.4 % → 118.9 % is +3.5 pp: "+3.5%" would read as a rise of 3.5 % of 115.4 %
        value, kind = (None if value is None else value * 100), "points"
    text = format_change(value, kind, t.locale, t.na)
    unit = in_points("", t.locale) if kind == "points" else ""
    if unit and value is not None:
        text = in_points(text, t.locale)
    return Cell(rounded_change(value, kind), kind, text, signed=True, unit=unit)


def _rank(rank: int, of: int) -> Cell:
    """A rank out of how many (`2 / 8`), a number in the workbook too."""
    return Cell(rank, "count", f"{rank} / {of}", unit=f" / {of}")


def _na_reason(reason: str, row: dict[str, Any], settings: Settings, t: Wording) -> str:
    if reason == "too_few_responses":
        answers = row["survey_responses"]
        return t.ngettext(
            "only %(answers)d survey answer, %(needed)d needed",
            "only %(answers)d survey answers, %(needed)d needed",
            answers,
        ) % {"answers": answers, "needed": settings.satisfaction.min_responses}
    return t.gettext(NA_REASONS[reason])


#: How much wider than another a trend column is whose heading carries the year (`2026年5月` against `6月`).
YEAR_COLUMN = 1.5


def _sparkline(
    values: list[Decimal | int | None], guide: Decimal, with_year: list[bool], width: int = 180, height: int = 44
) -> Sparkline:
    """Coordinates of a small line chart, one point over the middle of each month's column (`with_year`: whether
    each month's heading carries its year, which widens its column).

    The y axis starts at 0 and fits the values and the B threshold (the dashed guide).
    """
    weights = [YEAR_COLUMN if wide else 1.0 for wide in with_year]
    columns = [round(100 * weight / sum(weights), 3) for weight in weights]
    middles = [(sum(weights[:i]) + weight / 2) / sum(weights) * width for i, weight in enumerate(weights)]
    top = max([float(v) for v in values if v is not None] + [float(guide)]) * 1.1 or 1.0
    runs: list[list[tuple[float, float]]] = [[]]
    for middle, v in zip(middles, values, strict=True):
        if v is None:
            runs.append([])
        else:
            runs[-1].append((round(middle, 1), round(height - 4 - float(v) / top * (height - 8), 1)))
    lines = [" ".join(f"{x},{y}" for x, y in run) for run in runs if len(run) > 1]
    guide_y = round(height - 4 - float(guide) / top * (height - 8), 1)
    return Sparkline(width, height, lines, [dot for run in runs for dot in run], guide_y, columns)


def _credit_columns(frame: pl.DataFrame | None, t: Wording) -> tuple[tuple[str, str, Kind | None], ...]:
    """The columns a deal section adds for this rep's converted or shared deals (none when it has neither)."""
    if frame is None or "is_split" not in frame.columns or frame.is_empty():
        return ()
    added: tuple[tuple[str, str, Kind | None], ...] = ()
    if (frame["currency"] != t.currency).any():
        added += CONVERTED_COLUMNS
    if frame["is_split"].any():
        added += SHARED_COLUMNS
    return added


def _evidence_cell(value: Value, kind: Kind | None, t: Wording, currency: str | None = None, column: str = "") -> Cell:
    """An evidence value as `Wording.cell` shows it; one the data left empty reads ABSENT."""
    return Cell(None, kind, ABSENT) if value is None else t.cell(value, kind, currency, column=column)


def _evidence_table(
    title: str,
    columns: tuple[tuple[str, str, Kind | None], ...],
    frame: pl.DataFrame | None,
    t: Wording,
    html_rows: int,
    size: tuple[str, str] | None,
) -> Table:
    """Every row of a section, largest first when it has a size; the HTML's share of them and its note on the rest."""
    _ = t.gettext
    if frame is not None and size is not None:
        frame = frame.sort(list(size), descending=[True, False], nulls_last=True, maintain_order=True)
    shown = frame.head(html_rows) if frame is not None else None
    # A deal's own amount is in its own currency; every other amount is in the card's.
    currencies = shown["currency"].to_list() if shown is not None and "currency" in shown.columns else None
    cells = []
    for name, _h, kind in columns:
        values = [] if shown is None else shown[name].to_list()
        mine = currencies if currencies and name == "amount" else None
        # Equal values of a column read the same (one dtype, one scale): each is spelled out once.
        made: dict[tuple[Value, str | None], Cell] = {}
        column = []
        for i, value in enumerate(values):
            key = (value, mine[i] if mine else None)
            cell = made.get(key)
            if cell is None:
                cell = made[key] = _evidence_cell(value, kind, t, key[1], name)
            column.append(cell)
        cells.append(column)
    rows = list(zip(*cells, strict=True))
    # Only the rows the HTML shows need their numbers spelled out for a reader (Babel is the slow part).
    left = frame.height - html_rows if frame is not None else 0
    more = t.ngettext("and %(rows)d more in the Excel card", "and %(rows)d more in the Excel card", left)
    return Table(
        title=_(title),
        headings=[_(heading) for _c, heading, _k in columns],
        rows=rows,
        empty_text=_("None this month."),
        more=more % {"rows": left} if left > 0 else None,
        stored=t.stored(frame.slice(html_rows), columns) if frame is not None and left > 0 else None,
    )


def build_team_rollups(
    report: PeriodReport, period: Period, settings: Settings, publication: Publication | None = None
) -> list[TeamRollup]:
    """One rollup per team, in the team's locale (config default when its reps are split evenly).

    After a restatement (`publication.restates`), each says which of its reps changed.
    """
    cards = report.scorecards.join(report.changes.select("rep_id", "composite_score_change"), on="rep_id", how="left")
    rollups = []
    for team in report.teams.iter_rows(named=True):
        t = Wording(team["locale"] or settings.defaults.locale, settings.display.reporting)
        ours = pl.col("team") == team["team"]
        rollup = _rollup(
            team,
            cards.filter(ours),
            report.grade_distribution.filter(ours),
            report.movers.filter(ours),
            report.topics.filter(ours),
            period,
            t,
        )
        if publication is not None and publication.restates:
            rollup = dataclasses.replace(rollup, restated=_team_restated(cards.filter(ours), publication, t))
        rollups.append(rollup)
    return rollups


def _team_restated(cards: pl.DataFrame, publication: Publication, t: Wording) -> Restated:
    """The rollup's notice: the version, and the names of the team's reps whose card changed."""
    _ = t.gettext
    changed = set(publication.changes["rep_id"]) if publication.changes is not None else set()
    names = [one_line(name) for rep_id, name in cards.select("rep_id", "rep_name").iter_rows() if rep_id in changed]
    return Restated(
        _restated_title(publication, publication.restates_for(cards["rep_id"].to_list()), t),
        [_("Changed since then: %(reps)s") % {"reps": listed(names, t.locale)}]
        if names
        else [_("No rep of this team changed.")],
    )


def _rollup(
    team: dict[str, Any],
    cards: pl.DataFrame,
    distribution: pl.DataFrame,
    movers: pl.DataFrame,
    topics: pl.DataFrame,
    period: Period,
    t: Wording,
) -> TeamRollup:
    _ = t.gettext
    headings = [
        _("Rep"),
        _("Rank"),
        _("Overall grade"),
        _("Composite score"),
        _("Change"),
        *(_(dimension.heading) for dimension in DIMENSIONS),
        _("Won amount"),
        _("Target"),
    ]
    mine = cards.sort("rank_in_team")
    reps = [
        RollupRep(
            rep_id=r["rep_id"],
            name=r["rep_name"],
            cells=[
                t.cell(r["rank_in_team"], "count"),
                t.cell(r["overall_grade"], None),
                t.cell(r["composite_score"], "score"),
                _change(r["composite_score_change"], "score", t),
                *(t.cell(r[dimension.grade_column], None) for dimension in DIMENSIONS),
                t.cell(r["won_amount"], "money"),
                t.cell(r["target_amount"], "money"),
            ],
        )
        for r in mine.iter_rows(named=True)
    ]
    return TeamRollup(
        team=team["team"],
        locale=t.locale,
        labels=_rollup_labels(t),
        title=team["team"],
        subtitle=f"{team['manager_name']} · {format_month(period.start, t.locale)}",
        totals=[
            Line(_("Manager"), t.cell(team["manager_name"], None)),
            *(Line(_(label), t.cell(team[column], kind)) for label, column, kind in team_totals(team)),
        ],
        headings=headings,
        reps=reps,
        distribution=_distribution(distribution, t),
        movers=_movers(movers, dict(mine.select("rep_id", "rep_name").iter_rows()), t),
        topics=_topics(topics, t),
        fairness=Link(_("Fairness of the evaluation: how grades and targets are spread"), fairness_link_from_rollup()),
    )


def _rollup_labels(t: Wording) -> dict[str, str]:
    _ = t.gettext
    return {
        "reps": _("Reps"),
        "team": _("Team"),
        "sheet_team": _("Team"),
    }


def _distribution(distribution: pl.DataFrame, t: Wording) -> Table:
    _ = t.gettext
    labels = {**{d.name: d.label for d in DIMENSIONS}, "overall": N_("Overall grade")}
    rows = [
        [t.cell(_(labels[dimension]), None), *(t.cell(count, "count") for count in counts)]
        for dimension, *counts in distribution.select("dimension", *GRADES, "na").iter_rows()
    ]
    return Table(_("Grade distribution"), [_("Dimension"), *GRADES, t.na], rows, _("None this month."))


def _movers(movers: pl.DataFrame, names: dict[str, str], t: Wording) -> Table:
    _ = t.gettext
    rows = [
        [
            t.cell(names[rep_id], None),
            t.cell(previous, "score"),
            t.cell(current, "score"),
            _change(change, "score", t),
        ]
        for rep_id, previous, current, change in movers.select(
            "rep_id", "composite_score_previous", "composite_score", "composite_score_change"
        ).iter_rows()
    ]
    headings = [_("Rep"), _("Last month"), _("This month"), _("Change from last month")]
    title = _("Biggest changes in composite score since last month")
    return Table(title, headings, rows, _("No change since last month."))


def _topics(topics: pl.DataFrame, t: Wording) -> Table:
    _ = t.gettext
    rows = [
        [t.cell(_(topic), None), t.cell(reps, "count")] for topic, reps in topics.select("topic", "reps").iter_rows()
    ]
    return Table(
        _("Training topics"), [_("Training topic"), _("Reps who need it")], rows, _("No training need this month.")
    )
