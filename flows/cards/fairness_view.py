"""What the period's fairness page shows (SPEC §10), as finished, localised values and chart coordinates.

The facts come from transforms/fairness.py in the PeriodReport; here they are
only selected, localised, formatted and placed. The page describes the data in
plain words and judges nobody: a flag reads as a neutral fact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from scorecards.config import DIMENSIONS, Settings
from scorecards.config.dimensions import N_
from scorecards.flows.cards.page_parts import (
    Cell,
    Language,
    Line,
    Link,
    Table,
    Wording,
    caveat_lines,
    index_link,
    language_links,
)
from scorecards.flows.shared.display import format_month, format_value
from scorecards.flows.shared.i18n import colon, languages_in_use, listed, remark
from scorecards.flows.shared.inert_text import one_line
from scorecards.flows.shared.layout import fairness_link_from_fairness, index_link_from_fairness, language_part
from scorecards.schemas.fields import GRADES
from scorecards.transforms.coverage import MonthCaveats
from scorecards.transforms.exact import RATIO_PLACES
from scorecards.transforms.fairness import (
    ENOUGH_DIMENSIONS,
    OUTLIER_DEVIATIONS,
    OUTLIER_TEAM_SIZE,
    RUN_RATE_MONTHS,
    Fairness,
)
from scorecards.transforms.period import Period
from scorecards.transforms.report import PeriodReport

#: How a target_flag reads: a fact about two numbers, not a verdict.
FLAG_WORDS: dict[str, str] = {
    "high": N_("above %(times)s × run rate"),
    "low": N_("below %(times)s × run rate"),
}
#: The bars' segments, best grade first, then no grade.
SEGMENTS: tuple[str, ...] = (*GRADES, "na")
#: Each segment's colour (RGB hex), in the page's chart and the workbook's alike.
SEGMENT_COLOURS: dict[str, str] = {"A": "8CE99A", "B": "74C0FC", "C": "FFE066", "D": "FFA8A8", "na": "CED4DA"}
#: A scatter dot's colour by its class: a target not marked, marked high, marked low.
DOT_COLOURS: dict[str, str] = {"dot": "2F6FDE", "dot-high": "E8590C", "dot-low": "7048E8"}
#: Characters of a team's name a chart's label keeps (the tables show it whole).
LABEL_CHARS = 22


@dataclass(frozen=True)
class Rect:
    """A filled rectangle of a chart, with its class (colour) and tooltip (SVG units)."""

    x: float
    y: float
    width: float
    height: float
    css_class: str
    title: str = ""


@dataclass(frozen=True)
class Stroke:
    """A line of a chart: grid, axis or guide."""

    x1: float
    y1: float
    x2: float
    y2: float
    css_class: str


@dataclass(frozen=True)
class Label:
    """A text of a chart at its anchor point (`start`, `middle` or `end`)."""

    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass(frozen=True)
class Dot:
    """A marker of the scatter: its centre, its class (marked high or low, or not) and its tooltip."""

    x: float
    y: float
    css_class: str
    title: str


@dataclass(frozen=True)
class Chart:
    """An inline-SVG chart as finished shapes: the template only draws them (coordinates in SVG units)."""

    width: int
    height: int
    rects: list[Rect]
    strokes: list[Stroke]
    dots: list[Dot]
    labels: list[Label]


@dataclass(frozen=True)
class Section:
    """A titled part of the page: what it measures in plain words, then its tables."""

    title: str
    explanation: list[str]
    tables: list[Table]


@dataclass(frozen=True)
class FairnessPage:
    """Everything the fairness page and workbook show, ready to render."""

    locale: str
    #: What its files' names carry for its language (`language_part`): fairness<part>.html and .xlsx.
    part: str
    labels: dict[str, str]
    title: str
    subtitle: str
    intro: list[str]
    summary: list[Line]
    grades: Section
    grades_chart: Chart
    #: The fill colour (RGB hex) of each class of the charts' shapes.
    chart_fills: dict[str, str]
    #: Overall grade per team (the chart's data), as a table: team, A, B, C, D, N/A.
    grades_chart_table: Table
    spread: Section
    targets: Section
    targets_chart: Chart
    #: Every rep with both a target and a run rate: rep, team, run rate, target, ratio, flag (the chart's data).
    compared: Table
    #: Every other rep, and why it was not compared.
    not_compared: Table
    coverage: Section
    outliers: Section
    #: Back to the period index, from the page (the workbook does not show it).
    index: Link
    #: The same page in each other language of the period (the workbook does not show them).
    languages: list[Language]
    #: What the month's data may not say (a month not over, nothing dated in it): `caveat_lines`.
    caveats: list[str]


def build_fairness_pages(
    report: PeriodReport, period: Period, settings: Settings, caveats: MonthCaveats | None = None
) -> list[FairnessPage]:
    """The fairness page of P in each of its languages: the config's default locale (fairness.html) first, then
    each other one a rep's card, and so a team's rollup, which links the page, is in (fairness.zh-CN.html);
    `caveats`: what the month's data may not say, as its publication records it."""
    locales = languages_in_use(settings.defaults.locale, report.scorecards["locale"].cast(pl.String))
    return [_fairness_page(report, period, settings, locale, locales, caveats) for locale in locales]


def _fairness_page(
    report: PeriodReport,
    period: Period,
    settings: Settings,
    locale: str,
    locales: list[str],
    caveats: MonthCaveats | None,
) -> FairnessPage:
    part = language_part(locale, settings.defaults.locale)
    t = Wording(locale, settings.display.reporting)
    _ = t.gettext
    fairness = report.fairness
    names = dict(report.scorecards.select("rep_id", "rep_name").iter_rows())
    set_aside = report.na_reasons.filter(pl.col("reason") == "target_set_aside")["rep_id"].implode()
    figures = fairness.reps.with_columns(
        rep_name=pl.col("rep_id").replace_strict(names, default=""), target_set_aside=pl.col("rep_id").is_in(set_aside)
    )
    compared = figures.filter(pl.col("target_amount").is_not_null() & pl.col("run_rate").is_not_null())
    flagged = compared.filter(pl.col("target_flag").is_not_null())
    not_compared = _not_compared(figures, t)
    thin = _("Reps graded on fewer than %(n)d dimensions") % {"n": ENOUGH_DIMENSIONS}
    overall = fairness.distribution.filter(pl.col("dimension") == "overall")
    company_overall = fairness.company_distribution.filter(pl.col("dimension") == "overall")
    rows_for_chart = [
        (_("Company"), company_overall.row(0, named=True)),
        *((r["team"], r) for r in overall.iter_rows(named=True)),
    ]
    return FairnessPage(
        locale=locale,
        part=part,
        labels=_labels(t),
        title=_("Fairness of the evaluation"),
        subtitle=format_month(period.start, locale),
        intro=[
            _(
                "This page measures how grades, scores and targets are spread across teams and reps, "
                "so that the evaluation can be checked. It describes the data; it does not judge anyone."
            ),
            _("Every figure per rep is in fairness.csv next to this page."),
        ],
        summary=[
            Line(_("Reps with a scorecard"), t.cell(report.scorecards.height, "count")),
            Line(_("Teams"), t.cell(fairness.spread.height, "count")),
            Line(_("Targets compared with the run rate"), t.cell(compared.height, "count")),
            Line(_("Targets marked above or below"), t.cell(flagged.height, "count")),
            Line(thin, t.cell(fairness.thin_coverage.height, "count")),
            Line(_("Reps hired this month"), t.cell(fairness.hired.height, "count")),
            Line(_("Scores far from the team's mean"), t.cell(fairness.outliers.height, "count")),
        ],
        grades=_grades_section(fairness, t),
        grades_chart=_stacked_bars(rows_for_chart, t),
        chart_fills={**{f"g-{segment}": colour for segment, colour in SEGMENT_COLOURS.items()}, **DOT_COLOURS},
        grades_chart_table=Table(
            _("Overall grade per team"),
            [_("Team"), *GRADES, t.na],
            [[_name(label), *(t.cell(row[segment], "count") for segment in SEGMENTS)] for label, row in rows_for_chart],
            _("None this month."),
        ),
        spread=Section(
            _("Composite score: mean and spread"),
            [
                _(
                    "The mean composite score and how far scores spread around it "
                    "(population standard deviation, lowest and highest), over the reps who have a score."
                )
            ],
            [_spread_table(fairness.company_spread, fairness.spread, t)],
        ),
        targets=_targets_section(flagged, not_compared, settings, t),
        targets_chart=_scatter(compared, settings, t),
        compared=_targets_table(
            _("Targets compared"), compared, (settings.fairness.high, settings.fairness.low), t, _("None this month.")
        ),
        not_compared=not_compared,
        coverage=_coverage_section(fairness, thin, t),
        outliers=_outliers_section(fairness, t),
        index=index_link(_, index_link_from_fairness(part)),
        languages=language_links(locales, locale, fairness_link_from_fairness),
        caveats=caveat_lines(caveats, t),
    )


def _grades_section(fairness: Fairness, t: Wording) -> Section:
    _ = t.gettext
    return Section(
        _("How grades are spread"),
        [
            _(
                "How many reps have each grade, company-wide and per team. "
                "N/A counts reps without a grade on that dimension."
            )
        ],
        [
            _distribution_table(_("Company-wide"), fairness.company_distribution, None, t),
            _distribution_table(_("Per team"), fairness.distribution, "team", t),
        ],
    )


def _targets_section(flagged: pl.DataFrame, not_compared: Table, settings: Settings, t: Wording) -> Section:
    _ = t.gettext
    thresholds = (settings.fairness.high, settings.fairness.low)
    high, low = (_times(threshold, t) for threshold in thresholds)
    return Section(
        _("Targets compared with what each rep won in the %(months)d months before") % {"months": RUN_RATE_MONTHS},
        [
            _(
                "The run rate is the mean amount won per month over the %(months)d months before this one. "
                "A target is marked when it is more than %(high)s × the run rate or less than %(low)s × it."
            )
            % {"months": RUN_RATE_MONTHS, "high": high, "low": low},
            _("Reps without a target, or hired too recently to have %(months)d months of history, are not compared.")
            % {"months": RUN_RATE_MONTHS},
        ],
        [
            _targets_table(_("Targets marked"), flagged, thresholds, t, _("No target is marked this month.")),
            not_compared,
        ],
    )


def _coverage_section(fairness: Fairness, thin: str, t: Wording) -> Section:
    _ = t.gettext
    return Section(
        _("Coverage"),
        [
            _("Reps graded on fewer than %(n)d dimensions: too little data to judge.") % {"n": ENOUGH_DIMENSIONS},
            _("Reps hired this month have had less than a full month to show results."),
        ],
        [
            Table(
                thin,
                [_("Rep"), _("Team"), _("Dimensions graded")],
                [
                    [_name(r["rep_name"]), _name(r["team"]), t.cell(r["n"], "count")]
                    for r in fairness.thin_coverage.rename({"graded_dimensions": "n"}).iter_rows(named=True)
                ],
                _("None this month."),
            ),
            Table(
                _("Reps hired this month"),
                [_("Rep"), _("Team"), _("Hire date")],
                [
                    [_name(r["rep_name"]), _name(r["team"]), t.cell(r["hire_date"], "date")]
                    for r in fairness.hired.iter_rows(named=True)
                ],
                _("None this month."),
            ),
        ],
    )


def _outliers_section(fairness: Fairness, t: Wording) -> Section:
    _ = t.gettext
    return Section(
        _("Composite scores far from the team's mean"),
        [
            _(
                "Scores more than %(deviations)d standard deviations from their team's mean, "
                "in teams with at least %(size)d reps who have a score. "
                "Such a score is worth a second look at the data behind it."
            )
            % {"deviations": OUTLIER_DEVIATIONS, "size": OUTLIER_TEAM_SIZE}
        ],
        [
            Table(
                _("Scores far from the team's mean"),
                [_("Rep"), _("Team"), _("Composite score"), _("Team mean"), _("Standard deviation")],
                [
                    [
                        _name(r["rep_name"]),
                        _name(r["team"]),
                        t.cell(r["composite_score"], "score"),
                        t.cell(r["team_mean"], "score"),
                        t.cell(r["team_std"], "score"),
                    ]
                    for r in fairness.outliers.iter_rows(named=True)
                ],
                _("None this month."),
            )
        ],
    )


def _name(text: str) -> Cell:
    """A rep's or team's name as written (never taken for a known word to translate), on one line."""
    return Cell(text, None, one_line(text))


def _labels(t: Wording) -> dict[str, str]:
    _ = t.gettext
    return {
        "sheet_fairness": _("Fairness"),
        "footer": _("Computed from the period's scorecards and the won amounts of the %(months)d months before it.")
        % {"months": RUN_RATE_MONTHS},
        "sheet_targets": _("Targets"),
        "grades_chart": _("Overall grade per team (share of reps)"),
        "targets_chart": _("Target against run rate"),
        "run_rate": _("Run rate"),
        "target": _("Target"),
        "summary": _("In numbers"),
    }


def _times(value: Decimal, t: Wording) -> str:
    """A threshold as a multiplier, with as many decimals as it has: 1.5, 0.67, 2."""
    return format_value(value, "rate", t.locale, t.na).rstrip("0").rstrip(".,")


def _ratio(ratio: Decimal | None, thresholds: tuple[Decimal, Decimal], t: Wording) -> Cell:
    """A target over its run rate to the hundredth, or to the first place at which it stands on the same side of
    each threshold as the exact ratio does (1.503469 reads 1.503 beside "above 1.5 ×", not 1.50), up to the 6 it
    is compared at."""
    places = 2
    if ratio is not None:
        while places < RATIO_PLACES and any(
            _side(_rounded(ratio, places), th) != _side(ratio, th) for th in thresholds
        ):
            places += 1
    return Cell(ratio, "ratio", format_value(ratio, "ratio", t.locale, t.na, places=places), places=places)


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def _side(value: Decimal, threshold: Decimal) -> int:
    """-1, 0 or 1: below, on or above the threshold."""
    return (value > threshold) - (value < threshold)


def _flag(flag: str | None, high: str, low: str, t: Wording) -> str:
    if flag is None:
        return ""
    return t.gettext(FLAG_WORDS[flag]) % {"times": high if flag == "high" else low}


def _distribution_table(title: str, distribution: pl.DataFrame, by: str | None, t: Wording) -> Table:
    _ = t.gettext
    labels = {**{d.name: d.label for d in DIMENSIONS}, "overall": N_("Overall grade")}
    headings = [*([_("Team")] if by else []), _("Dimension"), *GRADES, t.na]
    rows = [
        [
            *([_name(row[by])] if by else []),
            Cell(dimension, None, _(labels[dimension])),
            *(t.cell(row[segment], "count") for segment in SEGMENTS),
        ]
        for row, dimension in ((r, r["dimension"]) for r in distribution.iter_rows(named=True))
    ]
    return Table(title, headings, rows, _("None this month."))


def _spread_table(company: pl.DataFrame, teams: pl.DataFrame, t: Wording) -> Table:
    _ = t.gettext

    def cells(label: str, row: dict[str, Any]) -> list[Cell]:
        return [
            _name(label),
            t.cell(row["reps"], "count"),
            *(t.cell(row[column], "score") for column in ("mean", "std", "min", "max")),
        ]

    return Table(
        _("Composite score per team"),
        [_("Team"), _("Reps with a score"), _("Mean"), _("Standard deviation"), _("Lowest"), _("Highest")],
        [cells(_("Company"), company.row(0, named=True)), *(cells(r["team"], r) for r in teams.iter_rows(named=True))],
        _("None this month."),
    )


def _targets_table(
    title: str, reps: pl.DataFrame, thresholds: tuple[Decimal, Decimal], t: Wording, empty: str
) -> Table:
    _ = t.gettext
    high, low = (_times(threshold, t) for threshold in thresholds)
    return Table(
        title,
        [_("Rep"), _("Team"), _("Run rate"), _("Target"), _("Target ÷ run rate"), _("Marked")],
        [
            [
                _name(r["rep_name"]),
                _name(r["team"]),
                t.cell(r["run_rate"], "money"),
                t.cell(r["target_amount"], "money"),
                _ratio(r["target_ratio"], thresholds, t),
                t.cell(_flag(r["target_flag"], high, low, t), None),
            ]
            for r in reps.iter_rows(named=True)
        ],
        empty,
    )


def _not_compared(figures: pl.DataFrame, t: Wording) -> Table:
    _ = t.gettext
    rows = []
    for r in figures.filter(pl.col("target_amount").is_null() | pl.col("run_rate").is_null()).iter_rows(named=True):
        why = [
            *(
                [_("target set aside (quarantine/targets.csv)") if r["target_set_aside"] else _("no target")]
                if r["target_amount"] is None
                else []
            ),
            *(
                [_("fewer than %(months)d months of history") % {"months": RUN_RATE_MONTHS}]
                if r["run_rate"] is None
                else []
            ),
        ]
        rows.append([_name(r["rep_name"]), _name(r["team"]), t.cell(listed(why, t.locale), None)])
    return Table(_("Not compared"), [_("Rep"), _("Team"), _("Why")], rows, _("None this month."))


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def _stacked_bars(rows: list[tuple[str, dict[str, Any]]], t: Wording, width: int = 680) -> Chart:
    """One bar per row (label, counts of A..D and na), each 100 % wide, split by grade, then a legend."""
    label_width, bar_height, gap = 170, 18, 6
    plot = width - label_width - 10
    rects, labels = [], []
    for i, (label, counts) in enumerate(rows):
        y = i * (bar_height + gap)
        text_y = y + bar_height - 5
        labels.append(Label(label_width - 6, text_y, _short(one_line(label)), "end"))
        total = sum(counts[s] for s in SEGMENTS)
        x = float(label_width)
        for segment in SEGMENTS:
            count = counts[segment]
            if not count:
                continue
            share = count / total
            w = round(share * plot, 1)
            shown = format_value(count, "count", t.locale, t.na)
            percent = format_value(Decimal(count) / total, "percent", t.locale, t.na)
            name = t.na if segment == "na" else segment
            tip = f"{name}{colon(t.locale)}{shown}{remark(percent, t.locale)}"
            rects.append(Rect(round(x, 1), y, w, bar_height, f"g-{segment}", tip))
            if w >= 22:  # room for the count inside the segment
                labels.append(Label(round(x + w / 2, 1), text_y, shown, "middle"))
            x += w
    legend_y = len(rows) * (bar_height + gap) + 6
    for i, segment in enumerate(SEGMENTS):
        x = label_width + i * 70
        rects.append(Rect(x, legend_y, 12, 12, f"g-{segment}"))
        labels.append(Label(x + 16, legend_y + 10, t.na if segment == "na" else segment))
    return Chart(width, legend_y + 24, rects, [], [], labels)


def _nice_top(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at least `value` (1 when there is nothing to show)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _scatter(compared: pl.DataFrame, settings: Settings, t: Wording, size: int = 360) -> Chart:
    """Target (up) against run rate (across) on equal axes, with the target = run rate, high and low lines."""
    _ = t.gettext
    left, top = 70, 10
    bottom, right = top + size, left + size
    points = compared.select("rep_name", "team", "run_rate", "target_amount", "target_flag").rows()
    top_value = _nice_top(max((float(v) for _n, _t, x, y, _f in points for v in (x, y)), default=0.0))

    def px(value: float) -> float:
        return round(left + value / top_value * size, 1)

    def py(value: float) -> float:
        return round(bottom - value / top_value * size, 1)

    strokes, labels = [], []
    for i in range(5):
        value = top_value * i / 4
        tick = Decimal(str(value))
        text = format_value(tick, "count" if tick == tick.to_integral_value() else "score", t.locale, t.na)
        strokes += [
            Stroke(px(value), top, px(value), bottom, "grid"),
            Stroke(left, py(value), right, py(value), "grid"),
        ]
        labels += [Label(px(value), bottom + 14, text, "middle"), Label(left - 4, py(value) + 4, text, "end")]
    strokes += [
        Stroke(left, bottom, right, bottom, "axis"),
        Stroke(left, top, left, bottom, "axis"),
        Stroke(left, bottom, right, top, "diagonal"),
    ]
    high, low = _times(settings.fairness.high, t), _times(settings.fairness.low, t)
    for key, slope in (("high", settings.fairness.high), ("low", settings.fairness.low)):
        k = float(slope)
        end_x, end_y = (top_value, top_value * k) if k <= 1 else (top_value / k, top_value)
        strokes.append(Stroke(left, bottom, px(end_x), py(end_y), f"guide-{key}"))
        labels.append(Label(px(end_x) - 4, py(end_y) + (14 if k <= 1 else 12), _flag(key, high, low, t), "end"))
    labels.append(Label(left + size / 2, bottom + 36, f"{_('Run rate')}{remark(t.currency, t.locale)} →", "middle"))
    labels.append(Label(left + 4, top + 12, f"↑ {_('Target')}{remark(t.currency, t.locale)}"))
    dots = [
        Dot(
            px(float(x)),
            py(float(y)),
            f"dot-{flag}" if flag else "dot",
            _("%(rep)s (%(team)s): target %(target)s, run rate %(run_rate)s")
            % {
                "rep": one_line(name),
                "team": one_line(team),
                "target": format_value(y, "money", t.locale, t.na, t.currency),
                "run_rate": format_value(x, "money", t.locale, t.na, t.currency),
            },
        )
        for name, team, x, y, flag in points
    ]
    # Room on the right for half of the last tick label (`1,000,000`), centred on the right axis.
    return Chart(right + 40, bottom + 44, [], strokes, dots, labels)
