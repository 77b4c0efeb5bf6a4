"""Tests for the seeded demo inputs (flows/demo_data.py)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

from scorecards.flows.demo_data import generate_demo_inputs

LAST_PERIOD = "2026-10"
TABLES = {
    "reps": [
        "rep_id",
        "rep_name",
        "email",
        "team",
        "manager_name",
        "manager_email",
        "hire_date",
        "locale",
    ],
    "opportunities": [
        "opportunity_id",
        "rep_id",
        "account_id",
        "account_name",
        "stage",
        "amount",
        "created_date",
        "close_date",
        "currency",
    ],
    "targets": ["rep_id", "period", "target_amount"],
    "leads": ["lead_id", "rep_id", "created_date", "status", "closed_date", "first_contact_date"],
    "surveys": [
        "response_id",
        "rep_id",
        "account_id",
        "submitted_date",
        "score",
        "scale_max",
        "comment",
    ],
    "manager_notes": ["rep_id", "period", "note"],
    "skill_ratings": ["rep_id", "period", "skill", "rating"],
    "opportunity_splits": ["opportunity_id", "rep_id", "share"],
    "fx_rates": ["currency", "rate_date", "rate"],
}
# The deliberately broken rows, by id (the same for every seed and period).
BAD_IDS = {
    "opportunities": {"O001501", "O004501", "O007501", "O010501", "O013501", "O016501"},
    "leads": {"L003001", "L020001"},
    "surveys": {"S001201"},
}
ID_COLUMN = {"opportunities": "opportunity_id", "leads": "lead_id", "surveys": "response_id"}
SKILLS = ["plan", "prospecting", "presentation", "negotiation", "closing"]
ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"
MONEY = r"^\d+(\.\d{1,2})?$"
NUMBER = r"^\d+(\.\d+)?$"


def _months(last_period: str, count: int = 18) -> list[str]:
    year, month = (int(part) for part in last_period.split("-"))
    index = year * 12 + month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def _last_day(period: str) -> date:
    year, month = (int(part) for part in period.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


def _read(out_dir: Path, table: str) -> pl.DataFrame:
    return pl.read_csv(out_dir / f"{table}.csv", infer_schema=False)


def _iso(column: str) -> pl.Expr:
    """The column holds a real calendar day written YYYY-MM-DD."""
    return pl.col(column).str.contains(ISO_DATE) & pl.col(column).str.to_date("%Y-%m-%d", strict=False).is_not_null()


def _day(column: str) -> pl.Expr:
    return pl.col(column).str.to_date("%Y-%m-%d", strict=False)


def _optional_iso(column: str) -> pl.Expr:
    return pl.col(column).is_null() | _iso(column)


def _not_before(later: str, earlier: str) -> pl.Expr:
    return pl.col(later).is_null() | (_day(later) >= _day(earlier))


def _known_rep(rep_ids: pl.Series) -> pl.Expr:
    return pl.col("rep_id").is_in(rep_ids.implode())


def _unique_id(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column).str.len_chars() > 0) & ~pl.col(column).is_duplicated()


def _rules(table: str, rep_ids: pl.Series) -> pl.Expr:
    """True for a row that meets every input rule of its table."""
    if table == "opportunities":
        closed = pl.col("stage").is_in(["won", "lost"])
        return (
            _unique_id("opportunity_id")
            & _known_rep(rep_ids)
            & pl.col("account_id").is_not_null()
            & pl.col("stage").is_in(["open", "won", "lost"])
            & pl.col("amount").str.contains(MONEY)
            & _iso("created_date")
            & _optional_iso("close_date")
            & (~closed | pl.col("close_date").is_not_null())
            & _not_before("close_date", "created_date")
        )
    if table == "leads":
        closed = pl.col("status").is_in(["converted", "disqualified"])
        return (
            _unique_id("lead_id")
            & _known_rep(rep_ids)
            & _iso("created_date")
            & pl.col("status").is_in(["open", "converted", "disqualified"])
            & _optional_iso("closed_date")
            & _optional_iso("first_contact_date")
            & (~closed | pl.col("closed_date").is_not_null())
            & _not_before("closed_date", "created_date")
            & _not_before("first_contact_date", "created_date")
        )
    if table == "surveys":
        scale = pl.col("scale_max").fill_null("100").cast(pl.Float64, strict=False)
        score = pl.col("score").cast(pl.Float64, strict=False)
        return (
            _unique_id("response_id")
            & _known_rep(rep_ids)
            & _iso("submitted_date")
            & pl.col("score").str.contains(NUMBER)
            & (pl.col("scale_max").is_null() | pl.col("scale_max").str.contains(NUMBER))
            & (scale > 0)
            & (score >= 0)
            & (score <= scale)
        )
    raise ValueError(table)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out_dir = tmp_path_factory.mktemp("demo")
    return out_dir, generate_demo_inputs(out_dir, LAST_PERIOD)


@pytest.fixture(scope="module")
def frames(demo: tuple[Path, dict[str, int]]) -> dict[str, pl.DataFrame]:
    return {table: _read(demo[0], table) for table in TABLES}


def test_same_seed_gives_byte_identical_files(demo, tmp_path):
    out_dir, counts = demo
    again = generate_demo_inputs(tmp_path / "again", LAST_PERIOD, seed=7)
    assert again == counts
    for table in TABLES:
        name = f"{table}.csv"
        assert (tmp_path / "again" / name).read_bytes() == (out_dir / name).read_bytes(), name


def test_other_seed_gives_other_data(demo, tmp_path):
    out_dir, _ = demo
    generate_demo_inputs(tmp_path, LAST_PERIOD, seed=8)
    other = (tmp_path / "opportunities.csv").read_bytes()
    assert other != (out_dir / "opportunities.csv").read_bytes()


def test_files_columns_and_counts(demo, frames):
    out_dir, counts = demo
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    assert set(counts) == set(TABLES)
    for table, columns in TABLES.items():
        assert frames[table].columns == columns, table
        assert frames[table].height == counts[table], table
    assert counts["reps"] == 60
    assert 60 * 18 * 15 <= counts["opportunities"] <= 60 * 20 * 25
    assert 60 * 18 * 15 <= counts["leads"] <= 60 * 18 * 40
    assert counts["manager_notes"] >= 3


def test_files_are_utf8_csv_with_header(demo):
    out_dir, _ = demo
    text = (out_dir / "reps.csv").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ",".join(TABLES["reps"])
    assert "华东" in text


def test_reps_teams_and_managers(frames):
    reps = frames["reps"]
    assert reps["rep_id"].n_unique() == 60
    assert reps["rep_id"].str.contains(r"^R\d{3}$").all()
    assert reps.select(pl.col("email") == pl.col("rep_id").str.to_lowercase() + "@example.com").to_series().all()
    assert reps["manager_email"].str.ends_with("@example.com").all()
    assert reps["team"].n_unique() == 6
    assert reps["manager_name"].n_unique() == 5
    teams_per_manager = reps.group_by("manager_name").agg(pl.col("team").n_unique())["team"]
    assert sorted(teams_per_manager.to_list()) == [1, 1, 1, 1, 2]
    assert reps.group_by("team").agg(pl.col("manager_name").n_unique())["manager_name"].max() == 1


def test_reps_locales_and_chinese_names(frames):
    reps = frames["reps"]
    chinese = reps.filter(pl.col("locale") == "zh-CN")
    assert 0.2 <= chinese.height / reps.height <= 0.35
    assert chinese["rep_name"].str.contains(r"^[\u4e00-\u9fff]{2,3}$").all()
    assert set(reps["locale"].unique().to_list()) == {"en", "zh-CN", None}
    assert reps.filter(pl.col("locale") != "zh-CN")["rep_name"].str.contains(r"^[A-Za-z]+ [A-Za-z]+$").all()
    assert reps.filter(pl.col("team").str.contains(r"[\u4e00-\u9fff]"))["team"].n_unique() == 2


def test_hire_dates(frames):
    reps = frames["reps"].with_columns(hired=_day("hire_date"))
    last_end = _last_day(LAST_PERIOD)
    assert reps.select(_optional_iso("hire_date")).to_series().all()
    assert reps["hired"].null_count() >= 1
    after = reps.filter(pl.col("hired") > last_end)
    assert after.height == 1
    recent = reps.filter((pl.col("hired") <= last_end) & ((pl.lit(last_end) - pl.col("hired")).dt.total_days() < 183))
    assert 2 <= recent.height <= 3
    assert reps.filter(pl.col("hired") < date(last_end.year - 1, last_end.month, 1)).height > 40
    newcomer = after["rep_id"][0]
    for table in ("opportunities", "targets", "leads", "surveys", "manager_notes", "skill_ratings"):
        assert newcomer not in frames[table]["rep_id"].to_list(), table


def test_data_covers_18_months_ending_at_last_period(frames):
    months = _months(LAST_PERIOD)
    last_end = _last_day(LAST_PERIOD)
    targets = frames["targets"]
    assert sorted(targets["period"].unique().to_list()) == months
    for table, column in (("leads", "created_date"), ("surveys", "submitted_date")):
        seen = frames[table][column].str.slice(0, 7).unique().sort().to_list()
        assert seen == months, table
    opportunities = frames["opportunities"]
    created = opportunities["created_date"].str.slice(0, 7)
    assert set(months) <= set(created.unique().to_list())
    assert created.min() < months[0]
    assert opportunities.select(_day("created_date").max()).item() <= last_end
    open_now = opportunities.filter((pl.col("stage") == "open") & pl.col("created_date").str.starts_with(LAST_PERIOD))
    assert open_now.height > 0
    closed = opportunities.filter(pl.col("stage").is_in(["won", "lost"]) & pl.col("close_date").is_not_null())
    latest_close = closed.select(_day("close_date").max()).item()
    assert last_end < latest_close <= last_end + timedelta(days=3)  # extract taken just after the month
    assert sorted(frames["skill_ratings"]["period"].unique().to_list()) == months[-2:]
    assert frames["manager_notes"]["period"].unique().to_list() == [LAST_PERIOD]


def test_targets(frames):
    targets = frames["targets"]
    reps = frames["reps"]
    assert targets.select(_known_rep(reps["rep_id"])).to_series().all()
    assert not targets.select(pl.struct("rep_id", "period").is_duplicated()).to_series().any()
    assert targets["target_amount"].str.contains(MONEY).all()
    last = targets.filter(pl.col("period") == LAST_PERIOD)
    rostered = reps.filter(pl.col("hire_date").is_null() | (_day("hire_date") <= _last_day(LAST_PERIOD)))
    assert 1 <= rostered.height - last.height <= 5
    assert last.filter(pl.col("target_amount") == "0.00").height == 1
    assert targets.filter(pl.col("target_amount") == "0.00").height == 1


def test_skill_ratings_and_notes(frames):
    ratings = frames["skill_ratings"]
    reps = frames["reps"]
    assert ratings.select(_known_rep(reps["rep_id"])).to_series().all()
    assert not ratings.select(pl.struct("rep_id", "period", "skill").is_duplicated()).to_series().any()
    assert set(ratings["skill"].unique().to_list()) == set(SKILLS)
    rating = ratings["rating"].cast(pl.Float64)
    assert ratings["rating"].str.contains(NUMBER).all()
    assert rating.min() >= 1 and rating.max() <= 5
    assert (rating % 1 != 0).any()
    per_rep = ratings.group_by("rep_id", "period").len()
    assert 1 <= per_rep.filter(pl.col("len") < len(SKILLS)).height <= 5
    notes = frames["manager_notes"]
    assert notes.select(_known_rep(reps["rep_id"])).to_series().all()
    assert notes["note"].str.contains(r"[\u4e00-\u9fff]").any()
    assert notes["note"].str.contains(r"^[ -~]+$").any()


def test_surveys_mix_scales_and_comments(demo, frames):
    surveys = frames["surveys"]
    assert set(surveys["scale_max"].unique().to_list()) == {"5", "10", "100", None}
    assert surveys["score"].str.contains(r"\.").any()
    comments = surveys["comment"]
    assert comments.null_count() > 0
    assert comments.str.contains(",", literal=True).any()
    assert comments.str.contains('"', literal=True).any()
    assert comments.str.contains(r"[\u4e00-\u9fff]").any()
    assert comments.str.contains(r"^[A-Za-z]").any()
    raw = (demo[0] / "surveys.csv").read_text(encoding="utf-8")
    assert '""' in raw  # an embedded double quote is escaped by doubling
    per_rep_month = surveys.group_by("rep_id", pl.col("submitted_date").str.slice(0, 7)).len()
    assert per_rep_month["len"].max() <= 8
    assert (per_rep_month["len"] < 3).any()


def test_opportunities_shape(frames):
    opportunities = frames["opportunities"].filter(~pl.col("opportunity_id").is_in(list(BAD_IDS["opportunities"])))
    assert set(opportunities["stage"].unique().to_list()) == {"open", "won", "lost"}
    assert opportunities["amount"].str.contains(r"^\d+\.\d{2}$").all()
    amount = opportunities.filter(pl.col("currency").is_null())["amount"].cast(pl.Float64)  # in CNY
    assert amount.min() >= 1000 and amount.max() <= 200000
    closed = opportunities.filter(pl.col("stage").is_in(["won", "lost"]))
    cycle = closed.select((_day("close_date") - _day("created_date")).dt.total_days()).to_series()
    assert cycle.min() >= 5 and cycle.max() <= 120
    accounts = opportunities.group_by("account_id").agg(pl.len(), pl.col("account_name").n_unique())
    assert 200 <= accounts.height <= 999
    assert accounts["account_name"].max() == 1
    assert (accounts["len"] > 1).mean() > 0.9
    assert opportunities["account_id"].str.contains(r"^A\d{4}$").all()


def test_leads_shape(frames):
    leads = frames["leads"].filter(~pl.col("lead_id").is_in(list(BAD_IDS["leads"])))
    assert (
        leads.filter(pl.col("status") == "open")["closed_date"].null_count()
        == leads.filter(pl.col("status") == "open").height
    )
    delay = leads.select((_day("first_contact_date") - _day("created_date")).dt.total_days()).to_series()
    assert delay.null_count() > 0
    assert delay.drop_nulls().max() <= 5
    assert (delay.drop_nulls() <= 1).mean() > 0.5
    closed = leads.filter(pl.col("status") != "open")
    per_rep = closed.group_by("rep_id").agg(pl.len(), rate=(pl.col("status") == "converted").mean())
    rates = per_rep.filter(pl.col("len") >= 100)["rate"]  # leave out the newest hires' few leads
    assert rates.min() >= 0.05 and rates.max() <= 0.6
    assert rates.max() - rates.min() >= 0.25


def test_deliberate_bad_rows_are_there(frames):
    opportunities = frames["opportunities"]

    def row(opportunity_id: str) -> dict[str, str | None]:
        return opportunities.filter(pl.col("opportunity_id") == opportunity_id).row(0, named=True)

    assert row("O001501")["amount"] == "-50.00"
    assert row("O004501")["amount"] == "12.345"
    assert row("O007501")["stage"] == "pending"
    assert row("O010501")["rep_id"] not in frames["reps"]["rep_id"].to_list()
    assert row("O013501")["stage"] == "won" and row("O013501")["close_date"] is None
    assert opportunities.filter(pl.col("opportunity_id") == "O016501").height == 2
    leads = frames["leads"]
    assert leads.filter(pl.col("lead_id") == "L003001")["status"].item() == "lost"
    early = leads.filter(pl.col("lead_id") == "L020001").row(0, named=True)
    assert early["closed_date"] < early["created_date"]
    survey = frames["surveys"].filter(pl.col("response_id") == "S001201").row(0, named=True)
    assert float(survey["score"]) > float(survey["scale_max"])


@pytest.mark.parametrize("last_period", [LAST_PERIOD, "2024-02"])
def test_only_the_deliberate_rows_break_the_rules(last_period, demo, tmp_path):
    out_dir = demo[0] if last_period == LAST_PERIOD else tmp_path
    if last_period != LAST_PERIOD:
        generate_demo_inputs(out_dir, last_period, seed=3)
    reps = _read(out_dir, "reps")
    assert not reps["rep_id"].is_duplicated().any()
    assert reps.select(_optional_iso("hire_date")).to_series().all()
    for table, id_column in ID_COLUMN.items():
        frame = _read(out_dir, table)
        broken = frame.filter(~_rules(table, reps["rep_id"]))
        assert set(broken[id_column].to_list()) == BAD_IDS[table], table
        assert broken.height / frame.height < 0.03, table
    targets = _read(out_dir, "targets")
    assert not targets.select(pl.struct("rep_id", "period").is_duplicated()).to_series().any()
    assert targets.select(_known_rep(reps["rep_id"]) & pl.col("target_amount").str.contains(MONEY)).to_series().all()
    ratings = _read(out_dir, "skill_ratings")
    assert not ratings.select(pl.struct("rep_id", "period", "skill").is_duplicated()).to_series().any()
    rating = pl.col("rating").cast(pl.Float64)
    assert ratings.select(_known_rep(reps["rep_id"]) & (rating >= 1) & (rating <= 5)).to_series().all()


def test_some_deals_are_shared_and_some_in_dollars_or_euros_with_a_rate_for_each(frames):
    opportunities = frames["opportunities"]
    currencies = opportunities["currency"].drop_nulls().value_counts().sort("currency")
    assert currencies["currency"].to_list() == ["EUR", "USD"]
    assert 0.005 <= currencies["count"].sum() / opportunities.height <= 0.05
    rates = frames["fx_rates"].select("currency", "rate_date")
    foreign = opportunities.filter(pl.col("currency").is_not_null()).select(
        "currency", rate_date=pl.when(pl.col("stage") == "open").then("created_date").otherwise("close_date")
    )
    assert foreign.join(rates, on=["currency", "rate_date"], how="anti").is_empty()  # a rate on each value date
    splits = frames["opportunity_splits"].with_columns(pl.col("share").cast(pl.Decimal(38, 4)))
    sums = splits.group_by("opportunity_id").agg(pl.col("share").sum())
    off = sums.filter(pl.col("share") != 1)["opportunity_id"].to_list()
    assert len(off) == 1 and sums.height >= 100  # one split does not add up on purpose
    teams = frames["reps"].select("rep_id", "team")
    assert splits.join(teams, on="rep_id").group_by("opportunity_id").agg(pl.col("team").n_unique())["team"].max() == 1
