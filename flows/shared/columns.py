"""What each published column is called and of what kind: the cards lay their tables out by these, and a
change between two versions (a restated card, a correction e-mail) is named by them.

Labels are catalogue ids (msgids), translated where they are shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from scorecards.config import DIMENSIONS
from scorecards.config.dimensions import N_
from scorecards.flows.shared.display import Kind

#: (column, label, kind) of the supporting figures.
FIGURES: tuple[tuple[str, str, Kind], ...] = (
    ("won_amount", N_("Won amount"), "money"),
    ("target_amount", N_("Target"), "money"),
    ("won_deals", N_("Won deals"), "count"),
    ("win_rate", N_("Win rate"), "percent"),
    ("avg_deal_size", N_("Average deal size"), "money"),
    ("avg_cycle_days", N_("Average sales cycle (days)"), "days"),
    ("open_pipeline", N_("Open pipeline"), "money"),
    ("first_contact_within_1d", N_("New leads contacted within 1 day"), "percent"),
    ("leads_converted", N_("Leads converted"), "count"),
    ("leads_closed", N_("Leads closed"), "count"),
    ("survey_responses", N_("Survey responses"), "count"),
)


def team_totals(team: Mapping[str, Any]) -> list[tuple[str, str, Kind]]:
    """(label, column, kind) of each total of a team's summary row, as its rollup and its e-mail show them.

    What reps without a target won is outside the team's attainment (docs/decisions.md, "Team attainment that
    does not flatter"): when the team has such reps, its own line follows and the attainment's label says so.
    """
    uncounted = team["won_without_target"] is not None  # reps with no target, or a target of 0
    return [
        (N_("Reps"), "reps", "count"),
        (N_("Won amount"), "won_amount", "money"),
        (N_("Target"), "target_amount", "money"),
        (
            N_("Sales-target attainment of the reps with a target above 0")
            if uncounted
            else N_("Sales-target attainment"),
            "attainment",
            "percent",
        ),
        *([(N_("Won by reps with no target or a target of 0"), "won_without_target", "money")] if uncounted else []),
    ]


#: (section, title, [(column, heading, kind)]) of the evidence behind each grade.
EVIDENCE: tuple[tuple[str, str, tuple[tuple[str, str, Kind | None], ...]], ...] = (
    (
        "won_deals",
        N_("Won deals closed this month"),
        (
            ("opportunity_id", N_("Opportunity"), None),
            ("account_name", N_("Account"), None),
            ("amount", N_("Amount"), "money"),
            ("created_date", N_("Created"), "date"),
            ("close_date", N_("Closed"), "date"),
            ("cycle_days", N_("Cycle (days)"), "count"),
        ),
    ),
    (
        "new_customers",
        N_("New customers: accounts whose first won deal is yours"),
        (
            ("account_id", N_("Account ID"), None),
            ("account_name", N_("Account"), None),
            ("opportunity_id", N_("First deal"), None),
            ("amount", N_("Amount"), "money"),
            ("close_date", N_("Closed"), "date"),
        ),
    ),
    (
        "closed_leads",
        N_("Leads closed this month"),
        (
            ("lead_id", N_("Lead"), None),
            ("status", N_("Status"), None),
            ("created_date", N_("Created"), "date"),
            ("closed_date", N_("Closed"), "date"),
        ),
    ),
    (
        "new_leads",
        N_("Leads created this month (first contact)"),
        (
            ("lead_id", N_("Lead"), None),
            ("created_date", N_("Created"), "date"),
            ("first_contact_date", N_("First contact"), "date"),
            ("contacted_within_1d", N_("Within 1 day"), None),
        ),
    ),
    (
        "survey_answers",
        N_("Survey answers"),
        (
            ("response_id", N_("Response"), None),
            ("submitted_date", N_("Submitted"), "date"),
            ("score", N_("Score"), "score"),
            ("scale_max", N_("Scale"), "score"),
            ("score_100", N_("Score out of 100"), "score"),
            ("comment", N_("Comment"), None),
        ),
    ),
    (
        "skill_ratings",
        N_("Skill ratings"),
        (("skill", N_("Skill"), None), ("rating", N_("Rating"), "score")),
    ),
)

#: Columns a deal's evidence adds when the rep has deals in another currency (SPEC §8.2) ...
CONVERTED_COLUMNS: tuple[tuple[str, str, Kind | None], ...] = (
    ("rate", N_("Rate"), "rate"),
    ("rate_date", N_("Rate date"), "date"),
    ("amount_reporting", N_("Amount converted"), "money"),
)
#: ... and shared deals (SPEC §8.1).
SHARED_COLUMNS: tuple[tuple[str, str, Kind | None], ...] = (
    ("share", N_("Your share"), "share"),
    ("credited_amount", N_("Your credit"), "money"),
)

#: How a change names a column of the scorecards table: (label, kind of its values).
SCORECARD_LABELS: dict[str, tuple[str, Kind | None]] = {
    **{column: (label, kind) for column, label, kind in FIGURES},
    **{d.name: (d.label, d.kind) for d in DIMENSIONS},
    "composite_score": (N_("Composite score"), "score"),
    "overall_grade": (N_("Overall grade"), None),
    "rank_in_team": (N_("Rank in team"), "count"),
    "rank_overall": (N_("Rank overall"), "count"),
    "rep_name": (N_("Rep"), None),
    "team": (N_("Team"), None),
    "manager_name": (N_("Manager"), None),
    "manager_email": (N_("Manager's e-mail"), None),
    "locale": (N_("Language"), None),
}
#: A dimension's grade column, by the dimension's label: told as GRADE_LABEL ("Customer satisfaction grade").
GRADE_COLUMNS: dict[str, str] = {d.grade_column: d.label for d in DIMENSIONS}
GRADE_LABEL = N_("%(dimension)s grade")
#: How a change names an evidence row, by its section (`Opportunity O-1`); a won deal is among the opportunities.
EVIDENCE_ROW_NAMES: dict[str, str] = {
    "deals": N_("Opportunity"),
    "new_customers": N_("New customer"),
    "closed_leads": N_("Closed lead"),
    "new_leads": N_("New lead"),
    "survey_answers": N_("Survey answer"),
    "skill_ratings": N_("Skill rating"),
    "trend": N_("Trend month"),
    "fairness": N_("Fairness figures of"),
}
#: Every column of an evidence row, by (section, column): the heading its section's table gives it and the kind
#: of its values (None for text, shown as `shown_text` says).
_EVIDENCE_FIELDS: dict[tuple[str, str], tuple[str, Kind | None]] = {
    (section, column): (heading, kind)
    for section, _title, columns in EVIDENCE
    for column, heading, kind in CONVERTED_COLUMNS + SHARED_COLUMNS + columns
}
# Columns a change can name that no card's table shows: the deals behind every number (section `deals`, on no
# card) have the won deals' columns, an account and a stage; a deal's currency (the card writes it in the amount);
# a survey answer's account.
_EVIDENCE_FIELDS |= {
    ("deals", column): field for (section, column), field in _EVIDENCE_FIELDS.items() if section == "won_deals"
}
_EVIDENCE_FIELDS |= {
    ("deals", "account_id"): (N_("Account ID"), None),
    ("deals", "stage"): (N_("Stage"), None),
    ("deals", "currency"): (N_("Currency"), None),
    ("new_customers", "currency"): (N_("Currency"), None),
    ("survey_answers", "account_id"): (N_("Account ID"), None),
    # What P's fairness page shows of earlier months (a trend month's columns are named as the scorecards').
    ("fairness", "run_rate"): (N_("Run rate"), "money"),
    ("fairness", "target_ratio"): (N_("Target ÷ run rate"), "ratio"),
    ("fairness", "target_flag"): (N_("Marked"), None),
}
#: How a change names a column of an evidence row, by (section, column).
EVIDENCE_COLUMNS: dict[tuple[str, str], str] = {where: heading for where, (heading, _kind) in _EVIDENCE_FIELDS.items()}
#: Of what kind an evidence column's values are, where a card formats them (a date, money in the row's currency,
#: a score), by (section, column).
EVIDENCE_KINDS: dict[tuple[str, str], Kind] = {
    where: kind for where, (_heading, kind) in _EVIDENCE_FIELDS.items() if kind is not None
}
#: The evidence columns whose values are words, shown translated (a lead's status, yes/no, a skill, a deal's stage);
#: every other text (an account's, a team's name) is shown as the data spells it.
WORD_COLUMNS = frozenset({"status", "contacted_within_1d", "skill", "stage"})
#: Words of the values of WORD_COLUMNS.
VALUE_WORDS: dict[str, str] = {
    "converted": N_("Converted"),
    "disqualified": N_("Disqualified"),
    "true": N_("Yes"),
    "false": N_("No"),
    "plan": N_("Sales planning"),
    "prospecting": N_("Prospecting"),
    "presentation": N_("Presentation"),
    "negotiation": N_("Negotiation"),
    "closing": N_("Closing and after-sales"),
    "open": N_("Open"),
    "won": N_("Won"),
    "lost": N_("Lost"),
}
#: Words of fairness.csv's target_flag: a fact about two numbers, as the fairness page says it (which writes the
#: bound's number too), not a verdict.
TARGET_FLAG_WORDS: dict[str, str] = {"high": N_("above its high bound"), "low": N_("below its low bound")}
#: The words of each column whose values are words, by column.
COLUMN_WORDS: dict[str, dict[str, str]] = {**dict.fromkeys(WORD_COLUMNS, VALUE_WORDS), "target_flag": TARGET_FLAG_WORDS}


def shown_text(text: str, column: str, gettext: Callable[[str], str]) -> str:
    """A text value of `column` as the cards show it: a word of COLUMN_WORDS translated, any other text (an
    account's, a team's name) as the data spells it."""
    words = COLUMN_WORDS.get(column, {})
    return gettext(words[text]) if text in words else text
