"""The pandas peer: the plain script an analyst would write for one period's scorecard numbers.

    python -m benchmarks.pandas_peer INPUT 2026-10 PEER.parquet

pandas + pyarrow (`read_csv(engine="pyarrow")`), one group-by per metric,
floats, no validation. It computes, per rep on the roster of P (SPEC §3, §4,
§5): won_amount, won_deals, target_amount, attainment, leads_converted,
leads_closed, conversion_rate, new_customers, survey_responses, satisfaction,
win_rate, avg_deal_size, avg_cycle_days, open_pipeline,
first_contact_within_1d, the four graded dimensions' grades, composite_score
and overall_grade. It leaves out what a plain script would not do: quarantine
and its report, skills (no skill_ratings in the benchmark data), ranks, the
trend and feedback, evidence, shared deals and other currencies (SPEC §8), and
every output file but its own parquet. Bands and weights are read from
config/scorecards.toml. Prints one JSON line: seconds and peak RSS.

`compare` checks its numbers against our scorecards.parquet: money within half a cent (ours is rounded
half up to cents, the peer's is not), ratios to one unit in the 6th place (SPEC §3), counts and grades
exactly.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

CONFIG = Path(__file__).resolve().parents[1] / "config" / "scorecards.toml"
GRADED = ("attainment", "conversion_rate", "new_customers", "satisfaction")
_GRADE_OF = {"attainment": "attainment_grade", "conversion_rate": "conversion_grade"}
#: The peer's columns, compared with ours: money, ratios (6 places), counts, grades.
MONEY = ("won_amount", "target_amount", "avg_deal_size", "open_pipeline")
RATIOS = (
    "attainment",
    "conversion_rate",
    "satisfaction",
    "win_rate",
    "avg_cycle_days",
    "first_contact_within_1d",
    "composite_score",
)
COUNTS = ("won_deals", "leads_converted", "leads_closed", "new_customers", "survey_responses")
GRADES = ("attainment_grade", "conversion_grade", "new_customers_grade", "satisfaction_grade", "overall_grade")


def _read(folder: Path, name: str, dates: list[str]) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", engine="pyarrow", parse_dates=dates)


def _grade(values: pd.Series, bands: dict[str, str]) -> pd.Series:
    rounded = values.round(6)
    grade = pd.Series(np.where(rounded.isna(), None, "D"), index=values.index, dtype=object)
    for letter in ("C", "B", "A"):
        grade[rounded >= float(bands[letter])] = letter
    return grade


def scorecards(folder: Path, period: str) -> pd.DataFrame:
    """One row per rep on P's roster with the metrics, grades and composite listed in the module docstring."""
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    start = pd.Timestamp(f"{period}-01")
    end = start + pd.offsets.MonthEnd(0)
    reps = _read(folder, "reps", [])
    opps = _read(folder, "opportunities", ["created_date", "close_date"])
    targets = _read(folder, "targets", [])
    leads = _read(folder, "leads", ["created_date", "closed_date", "first_contact_date"])
    surveys = _read(folder, "surveys", ["submitted_date"])

    hired = pd.to_datetime(reps["hire_date"], errors="coerce")
    cards = reps.loc[hired.isna() | (hired <= end), ["rep_id", "rep_name", "team"]].set_index("rep_id")

    closed_in_p = opps["close_date"].between(start, end)
    won = opps[closed_in_p & (opps["stage"] == "won")]
    cards["won_amount"] = won.groupby("rep_id")["amount"].sum()
    cards["won_deals"] = won.groupby("rep_id").size()
    decided = opps[closed_in_p & opps["stage"].isin(["won", "lost"])]
    cards["win_rate"] = (decided["stage"] == "won").groupby(decided["rep_id"]).mean()
    cards["avg_cycle_days"] = (won["close_date"] - won["created_date"]).dt.days.groupby(won["rep_id"]).mean()
    cards["open_pipeline"] = opps[opps["stage"] == "open"].groupby("rep_id")["amount"].sum()

    firsts = (
        opps[opps["stage"] == "won"]
        .sort_values(["account_id", "close_date", "created_date", "opportunity_id"])
        .drop_duplicates("account_id")
    )
    cards["new_customers"] = firsts[firsts["close_date"].between(start, end)].groupby("rep_id").size()

    cards["target_amount"] = targets[targets["period"] == period].set_index("rep_id")["target_amount"]

    closed = leads[leads["closed_date"].between(start, end) & leads["status"].isin(["converted", "disqualified"])]
    cards["leads_closed"] = closed.groupby("rep_id").size()
    cards["leads_converted"] = closed[closed["status"] == "converted"].groupby("rep_id").size()
    created = leads[leads["created_date"].between(start, end)]
    in_time = (created["first_contact_date"] - created["created_date"]).dt.days <= 1
    cards["first_contact_within_1d"] = in_time.groupby(created["rep_id"]).mean()

    answered = surveys[surveys["submitted_date"].between(start, end)]
    scale = answered["scale_max"].fillna(config["defaults"]["survey_scale_max"])
    cards["survey_responses"] = answered.groupby("rep_id").size()
    cards["satisfaction"] = (answered["score"] * 100 / scale).groupby(answered["rep_id"]).mean()

    for zero in ("won_amount", "won_deals", "open_pipeline", "new_customers", "leads_closed", "leads_converted"):
        cards[zero] = cards[zero].fillna(0)
    cards["survey_responses"] = cards["survey_responses"].fillna(0)
    cards["attainment"] = cards["won_amount"] / cards["target_amount"].replace(0, np.nan)
    cards["conversion_rate"] = cards["leads_converted"] / cards["leads_closed"].replace(0, np.nan)
    cards["avg_deal_size"] = cards["won_amount"] / cards["won_deals"].replace(0, np.nan)

    weights = config["composite"]["weights"]
    points = config["composite"]["points"]
    weighted = pd.Series(0.0, index=cards.index)
    total = pd.Series(0.0, index=cards.index)
    for dimension in GRADED:
        column = _GRADE_OF.get(dimension, f"{dimension}_grade")
        cards[column] = _grade(cards[dimension], config["bands"][dimension])
        if dimension == "satisfaction":
            too_few = cards["survey_responses"] < config["satisfaction"]["min_responses"]
            cards.loc[too_few, column] = None
        graded = cards[column].notna()
        weight = float(weights[dimension])
        weighted += np.where(graded, cards[column].map(points).fillna(0) * weight, 0.0)
        total += np.where(graded, weight, 0.0)
    cards["composite_score"] = weighted / total.replace(0, np.nan)
    cards["overall_grade"] = _grade(cards["composite_score"], config["composite"]["overall_bands"])
    return cards.reset_index()


def compare(peer: pd.DataFrame, ours: pd.DataFrame) -> list[str]:
    """Where the peer's numbers and ours disagree (an empty list when they agree on every column the peer has)."""
    ours = ours.to_pandas() if hasattr(ours, "to_pandas") else ours
    left = peer.set_index("rep_id").sort_index()
    right = ours.set_index("rep_id").sort_index()
    problems: list[str] = []
    if list(left.index) != list(right.index):
        return [f"rosters differ: {len(left)} reps in the peer, {len(right)} in ours"]

    def differing(column: str, tolerance: float) -> pd.Series:
        a = left[column].astype(float)
        b = right[column].astype(float)
        return (a.isna() != b.isna()) | ((a - b).abs() > tolerance)

    checks = [(c, 0.0051) for c in MONEY] + [(c, 1.5e-6) for c in RATIOS] + [(c, 0.0) for c in COUNTS]
    for column, tolerance in checks:
        bad = differing(column, tolerance)
        if bad.any():
            rep = bad.idxmax()
            problems.append(
                f"{column}: {int(bad.sum())} reps differ, e.g. {rep}: peer {left.at[rep, column]!r}, "
                f"ours {right.at[rep, column]!r}"
            )
    for column in GRADES:
        a = left[column].fillna("").astype(str)
        b = right[column].fillna("").astype(str)
        if (a != b).any():
            rep = (a != b).idxmax()
            count = int((a != b).sum())
            problems.append(f"{column}: {count} reps differ, e.g. {rep}: peer {a[rep]!r}, ours {b[rep]!r}")
    return problems


if __name__ == "__main__":
    folder, period, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    began = time.perf_counter()
    result = scorecards(folder, period)
    result.to_parquet(out)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak, "reps": len(result)}))
