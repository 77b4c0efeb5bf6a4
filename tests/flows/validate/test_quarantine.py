"""Every input rule of SPEC §2 sends the breaking row to quarantine with its reason (§2.8)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pandera.polars as pa
import polars as pl
import pytest
from builders import BASE_TABLES
from hypothesis import given, settings
from hypothesis import strategies as st

from scorecards.config import load_settings
from scorecards.flows.validate import quarantine
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.schemas.canonical import table_schema
from scorecards.schemas.results import REASON, SOURCE_ROW, RawTable, UnreadableTable
from scorecards.schemas.tables import TABLES

SETTINGS = load_settings()
# The ceiling is tested on its own; everywhere else one bad row must not fail the run.
LENIENT = SETTINGS.model_copy(update={"quarantine": SETTINGS.quarantine.model_copy(update={"ceiling": Decimal(1)})})

VALID_ROWS: dict[str, dict[str, str]] = {
    "reps": BASE_TABLES["reps"][0],
    "opportunities": BASE_TABLES["opportunities"][0],
    "targets": BASE_TABLES["targets"][0],
    "leads": {
        "lead_id": "L1",
        "rep_id": "R1",
        "created_date": "2026-10-01",
        "status": "converted",
        "closed_date": "2026-10-03",
        "first_contact_date": "2026-10-02",
    },
    "surveys": {
        "response_id": "S1",
        "rep_id": "R1",
        "account_id": "A1",
        "submitted_date": "2026-10-02",
        "score": "4.5",
        "scale_max": "5",
        "comment": "good",
    },
    "manager_notes": {"rep_id": "R1", "period": "2026-10", "note": "Keep going"},
    "skill_ratings": {"rep_id": "R1", "period": "2026-10", "skill": "closing", "rating": "3.5"},
}


def raw(table: str, rows: list[dict[str, str | None]]) -> RawTable:
    columns = list(rows[0]) if rows else list(VALID_ROWS[table])
    frame = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row") if rows else None
    return RawTable(
        table,
        f"{table}.csv",
        "0" * 64,
        frame if frame is not None else pl.DataFrame(schema=dict.fromkeys(columns, pl.String)),
    )


def check(table: str, *rows: dict[str, str | None], settings=LENIENT):  # noqa: ANN001, ANN201
    """Validate reps (the base ones) plus the given rows of one table."""
    tables = {
        "reps": raw("reps", BASE_TABLES["reps"]),
        "opportunities": raw("opportunities", BASE_TABLES["opportunities"]),
    }
    tables[table] = raw(table, list(rows))
    return validate_tables(tables, settings)


def reasons_for(table: str, change: dict[str, str | None]) -> list[str]:
    """The reason column after validating one valid row and the same row with `change` applied."""
    bad = {**VALID_ROWS[table], **change}
    if table == "reps":
        rows = [*BASE_TABLES["reps"][1:], bad]
    elif table in ("opportunities", "leads", "surveys"):  # a valid row beside the bad one, under another id
        id_column = next(iter(VALID_ROWS[table]))
        bad[id_column] = bad[id_column] if id_column in change else f"{bad[id_column]}-bad"
        rows = [VALID_ROWS[table], bad]
    else:
        rows = [bad]
    result = check(table, *rows)
    quarantined = result.quarantine.get(table)
    return [] if quarantined is None else quarantined[REASON].to_list()


@pytest.mark.parametrize(
    ("table", "change", "reason"),
    [
        ("reps", {"rep_name": ""}, "rep_name: required"),
        ("reps", {"email": "not-an-email"}, "email: not an email address"),
        ("reps", {"manager_email": "a@b.com\r\nBcc: x@y.com"}, "manager_email: not an email address"),
        ("reps", {"team": "  "}, "team: required"),
        ("reps", {"manager_name": None}, "manager_name: required"),
        ("reps", {"hire_date": "2026-02-30"}, "hire_date: not a date (YYYY-MM-DD)"),
        ("reps", {"locale": "fr"}, "locale: not one of en, zh-CN"),
        ("opportunities", {"opportunity_id": ""}, "opportunity_id: required"),
        ("opportunities", {"rep_id": "R99"}, "rep_id: not a rep in reps (unknown, or its reps row quarantined)"),
        ("opportunities", {"account_id": ""}, "account_id: required"),
        ("opportunities", {"stage": "pending"}, "stage: not one of open, won, lost"),
        ("opportunities", {"stage": "Won"}, "stage: not one of open, won, lost"),
        ("opportunities", {"amount": "-50.00"}, "amount: below 0"),
        ("opportunities", {"amount": "12.345"}, "amount: more than 2 decimal places"),
        ("opportunities", {"amount": "1,000"}, "amount: not a number"),
        ("opportunities", {"amount": "NaN"}, "amount: not a number"),
        ("opportunities", {"amount": "1e3"}, "amount: not a number"),
        ("opportunities", {"amount": ""}, "amount: required"),
        ("opportunities", {"created_date": ""}, "created_date: required"),
        ("opportunities", {"created_date": "01/10/2026"}, "created_date: not a date (YYYY-MM-DD)"),
        ("opportunities", {"close_date": ""}, "close_date: required when stage is won or lost"),
        ("opportunities", {"stage": "lost", "close_date": None}, "close_date: required when stage is won or lost"),
        ("opportunities", {"close_date": "2026-08-31"}, "close_date: before created_date"),
        ("targets", {"period": "2026-13"}, "period: not a month (YYYY-MM)"),
        ("targets", {"period": "2026-10-01"}, "period: not a month (YYYY-MM)"),  # SPEC §2.3: YYYY-MM
        ("targets", {"target_amount": "-1"}, "target_amount: below 0"),
        ("targets", {"rep_id": "nobody"}, "rep_id: not a rep in reps (unknown, or its reps row quarantined)"),
        ("leads", {"status": "lost"}, "status: not one of open, converted, disqualified"),
        ("leads", {"closed_date": ""}, "closed_date: required when status is converted or disqualified"),
        ("leads", {"closed_date": "2026-09-30"}, "closed_date: before created_date"),
        ("leads", {"first_contact_date": "2026-09-30"}, "first_contact_date: before created_date"),
        ("leads", {"created_date": ""}, "created_date: required"),
        ("surveys", {"score": "5.5"}, "score: above scale_max"),
        ("surveys", {"score": "-1"}, "score: below 0"),
        ("surveys", {"scale_max": "0"}, "scale_max: not above 0"),
        ("surveys", {"score": "4.1234567"}, "score: more than 6 decimal places"),
        ("surveys", {"submitted_date": "2026-10-32"}, "submitted_date: not a date (YYYY-MM-DD)"),
        ("skill_ratings", {"rating": "0.5"}, "rating: not between 1 and 5"),
        ("skill_ratings", {"rating": "5.01"}, "rating: not between 1 and 5"),
        ("skill_ratings", {"skill": ""}, "skill: required"),
        ("manager_notes", {"note": ""}, "note: required"),
    ],
)
def test_a_broken_rule_quarantines_the_row_with_its_reason(
    table: str, change: dict[str, str | None], reason: str
) -> None:
    assert reason in reasons_for(table, change)[0].split("; ")


@pytest.mark.parametrize(
    ("table", "change"),
    [
        ("opportunities", {"amount": "12.340"}),  # trailing zero: still exactly 2 places
        ("opportunities", {"amount": "+7"}),
        ("opportunities", {"amount": "-0"}),
        ("opportunities", {"stage": "open", "close_date": ""}),
        ("opportunities", {"close_date": "2026-10-05T18:30:00"}),  # a datetime counts by its date
        ("leads", {"status": "open", "closed_date": "", "first_contact_date": ""}),
        ("surveys", {"scale_max": ""}),  # default scale 100
        ("surveys", {"score": "0"}),
        ("surveys", {"score": "5", "scale_max": "5"}),
        ("skill_ratings", {"rating": "1"}),
        ("skill_ratings", {"rating": "5"}),
        ("reps", {"hire_date": "", "locale": ""}),
    ],
)
def test_valid_edge_values_are_used(table: str, change: dict[str, str | None]) -> None:
    assert reasons_for(table, change) == []


def test_every_row_sharing_a_duplicate_id_is_quarantined() -> None:
    row = VALID_ROWS["leads"]
    result = check("leads", row, {**row, "status": "open", "closed_date": ""}, {**row, "lead_id": "L2"})
    rejected = result.quarantine["leads"]
    assert rejected["lead_id"].to_list() == ["L1", "L1"]
    assert set(rejected[REASON]) == {"lead_id: duplicate (all rows sharing it are quarantined)"}
    assert result.tables is not None and result.tables.leads["lead_id"].to_list() == ["L2"]


def test_duplicate_composite_keys_are_all_quarantined() -> None:
    row = VALID_ROWS["skill_ratings"]
    result = check("skill_ratings", row, {**row, "rating": "4"}, {**row, "skill": "plan"})
    assert result.quarantine["skill_ratings"]["rating"].to_list() == ["3.5", "4"]
    assert result.tables is not None and result.tables.skill_ratings["skill"].to_list() == ["plan"]


def test_a_quarantined_rep_takes_its_rows_along() -> None:
    reps = [*BASE_TABLES["reps"], {**BASE_TABLES["reps"][0], "rep_name": "Ann again"}]
    result = validate_tables(
        {"reps": raw("reps", reps), "opportunities": raw("opportunities", BASE_TABLES["opportunities"])}, LENIENT
    )
    assert result.quarantine["reps"]["rep_id"].to_list() == ["R1", "R1"]
    assert (
        "rep_id: not a rep in reps (unknown, or its reps row quarantined)"
        in result.quarantine["opportunities"][REASON].to_list()
    )


def test_rows_read_equal_rows_used_plus_rows_quarantined() -> None:
    row = VALID_ROWS["surveys"]
    rows = [row, {**row, "response_id": "S2", "score": "9"}, {**row, "response_id": "S3", "rep_id": "X"}]
    result = check("surveys", *rows)
    report = {t.table: t for t in result.report.tables}["surveys"]
    assert (report.rows_read, report.rows_used, report.rows_quarantined) == (3, 1, 2)
    assert report.reasons == {
        "rep_id: not a rep in reps (unknown, or its reps row quarantined)": 1,
        "score: above scale_max": 1,
    }


def test_quarantined_rows_keep_their_original_text_and_file_row_number() -> None:
    bad = {**VALID_ROWS["opportunities"], "opportunity_id": "O9", "amount": " -5 "}
    result = check("opportunities", VALID_ROWS["opportunities"], bad)
    rejected = result.quarantine["opportunities"]
    assert rejected.columns == [SOURCE_ROW, *VALID_ROWS["opportunities"], REASON]
    assert rejected.row(0, named=True) == {SOURCE_ROW: 3, **bad, REASON: "amount: below 0"}


def test_several_broken_rules_are_all_named() -> None:
    bad = {**VALID_ROWS["opportunities"], "opportunity_id": "O9", "amount": "x", "stage": "?", "rep_id": "nobody"}
    reason = check("opportunities", bad).quarantine["opportunities"][REASON][0]
    assert (
        reason
        == "stage: not one of open, won, lost; amount: not a number; rep_id: not a rep in reps (unknown, or its reps row quarantined)"
    )


def _table_check(schema: pa.DataFrameSchema) -> None:
    schema.checks.append(pa.Check(lambda data: data.lazyframe.select(pl.col("score") <= 5), error="score: above 5"))


def _column_check(schema: pa.DataFrameSchema) -> None:
    schema.columns["score"].checks.append(pa.Check.le(5))


@pytest.mark.parametrize(
    ("add_check", "reason"),
    [(_table_check, "score: above 5"), (_column_check, "score: less_than_or_equal_to(5)")],
    ids=["table check", "column check"],
)
def test_rows_only_the_schema_catches_are_quarantined_with_its_check(
    monkeypatch: pytest.MonkeyPatch, add_check: Callable[[pa.DataFrameSchema], None], reason: str
) -> None:
    schema = table_schema(TABLES["surveys"])
    add_check(schema)
    monkeypatch.setitem(quarantine.MODELS, "surveys", schema)
    rows = [VALID_ROWS["surveys"], {**VALID_ROWS["surveys"], "response_id": "S2", "score": "9", "scale_max": "10"}]
    result = check("surveys", *rows)
    rejected = result.quarantine["surveys"]
    assert rejected["response_id"].to_list() == ["S2"]
    assert rejected[REASON].to_list() == [reason]
    assert rejected[SOURCE_ROW].to_list() == [3]
    assert result.tables is not None and result.tables.surveys["response_id"].to_list() == ["S1"]


def test_above_the_full_check_size_pandera_checks_an_even_sample_and_the_rules_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Five surveys, four of them kept by the rules, at most two checked whole: pandera sees every
    # second kept row (S1 and S3).
    monkeypatch.setattr(quarantine, "FULL_CHECK_ROWS", 2)
    schema = table_schema(TABLES["surveys"])
    _table_check(schema)
    monkeypatch.setitem(quarantine.MODELS, "surveys", schema)
    rows = [{**VALID_ROWS["surveys"], "response_id": f"S{i}"} for i in range(1, 6)]
    rows[1].update(score="9", scale_max="10")  # not in the sample: the schema-only check does not see it
    rows[2].update(score="9", scale_max="10")  # in the sample: quarantined with the schema's check
    rows[4]["score"] = "-1"  # not in the sample: a rule catches it
    result = check("surveys", *rows)
    rejected = result.quarantine["surveys"]
    assert rejected.select(SOURCE_ROW, "response_id", REASON).to_dicts() == [
        {SOURCE_ROW: 4, "response_id": "S3", REASON: "score: above 5"},
        {SOURCE_ROW: 6, "response_id": "S5", REASON: "score: below 0"},
    ]
    assert result.tables is not None and result.tables.surveys["response_id"].to_list() == ["S1", "S2", "S4"]


def test_a_schema_level_failure_is_raised_as_a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    schema = table_schema(TABLES["surveys"])
    schema.columns["score"] = pa.Column(pl.Float64, name="score")
    monkeypatch.setitem(quarantine.MODELS, "surveys", schema)
    with pytest.raises(pa.errors.SchemaErrors):
        check("surveys", VALID_ROWS["surveys"])


def test_used_rows_are_typed_and_defaults_filled() -> None:
    row = {**VALID_ROWS["surveys"], "scale_max": ""}
    result = check("surveys", row)
    assert result.tables is not None
    surveys = result.tables.surveys
    assert surveys.schema["score"] == pl.Decimal(38, 6)
    assert surveys["scale_max"].to_list() == [Decimal("100")]
    reps = result.tables.reps
    assert reps.filter(pl.col("rep_id") == "R3")["locale"].to_list() == [SETTINGS.defaults.locale]
    assert result.tables.opportunities.schema["amount"] == pl.Decimal(38, 2)


def test_a_choice_column_is_kept_as_an_enum_of_its_choices() -> None:
    leads = [
        {**VALID_ROWS["leads"], "lead_id": "L1", "status": " converted "},
        {**VALID_ROWS["leads"], "lead_id": "L2", "status": "open", "closed_date": ""},
        {**VALID_ROWS["leads"], "lead_id": "L3", "status": "lost"},
    ]
    result = check("leads", *leads)
    assert result.tables is not None
    kept = result.tables.leads
    assert kept.schema["status"] == pl.Enum(["open", "converted", "disqualified"])
    assert kept.select("lead_id", "status").rows() == [("L1", "converted"), ("L2", "open")]
    assert result.quarantine["leads"]["status"].to_list() == ["lost"]
    assert result.tables.opportunities.schema["stage"] == pl.Enum(["open", "won", "lost"])
    assert result.tables.reps.schema["locale"] == pl.Enum(["en", "zh-CN"])


@pytest.mark.parametrize(("bad_rows", "ok"), [(1, True), (2, False)])
def test_the_quarantine_ceiling_fails_the_run_only_above_it(bad_rows: int, ok: bool) -> None:
    # 20 rows: 1 bad is exactly 5 % (allowed), 2 bad is 10 % (above the default 5 % ceiling).
    rows = [{**VALID_ROWS["leads"], "lead_id": f"L{i}"} for i in range(20)]
    for i in range(bad_rows):
        rows[i]["status"] = "lost"
    result = check("leads", *rows, settings=SETTINGS)
    assert result.report.ok is ok
    if not ok:
        (problem,) = result.report.problems
        assert problem.startswith("leads.csv: 2 of 20 rows quarantined (10.0%), above the 5% ceiling")
        assert "status: not one of open, converted, disqualified (2)" in problem
        assert problem.endswith("; rows 2, 3")  # nothing is published: the message names the rows in the file
        assert result.tables is None


def test_a_table_far_above_the_ceiling_names_its_first_five_rows() -> None:
    rows = [{**VALID_ROWS["leads"], "lead_id": f"L{i}"} for i in range(20)]
    for i in (3, 5, 7, 9, 11, 13, 15):
        rows[i]["status"] = "lost"
    (problem,) = check("leads", *rows, settings=SETTINGS).report.problems
    assert problem.endswith("(7); rows 5, 7, 9, 11, 13, …")  # row 1 of the file is its header


def test_missing_required_table_and_column_fail_naming_file_and_column() -> None:
    opportunities = raw("opportunities", [{k: v for k, v in VALID_ROWS["opportunities"].items() if k != "amount"}])
    result = validate_tables({"opportunities": opportunities}, SETTINGS)
    assert result.report.problems == [
        "reps: required table missing (expected reps.csv, .xlsx or .parquet)",
        "opportunities.csv: column 'amount': required column missing",
    ]
    assert result.tables is None


def test_optional_tables_and_columns_may_be_absent() -> None:
    reps = raw(
        "reps", [{k: v for k, v in row.items() if k not in ("hire_date", "locale")} for row in BASE_TABLES["reps"]]
    )
    result = validate_tables(
        {"reps": reps, "opportunities": raw("opportunities", BASE_TABLES["opportunities"])}, SETTINGS
    )
    assert result.report.ok
    assert result.tables is not None
    assert result.tables.targets.height == 0 and result.tables.surveys.height == 0
    assert result.tables.reps["hire_date"].null_count() == 4


def test_an_unreadable_file_is_a_problem_not_a_crash() -> None:
    tables = {
        "reps": raw("reps", BASE_TABLES["reps"]),
        "opportunities": UnreadableTable("opportunities", "opportunities.csv", "not UTF-8 text (byte 3)"),
    }
    result = validate_tables(tables, SETTINGS)
    assert result.report.problems == ["opportunities.csv: not UTF-8 text (byte 3)"]


def test_header_only_file_is_valid_and_empty() -> None:
    result = validate_tables(
        {"reps": raw("reps", BASE_TABLES["reps"]), "opportunities": raw("opportunities", [])}, SETTINGS
    )
    assert result.report.ok
    report = {t.table: t for t in result.report.tables}["opportunities"]
    assert (report.rows_read, report.rows_used, report.rows_quarantined) == (0, 0, 0)


CELL = st.one_of(
    st.none(),
    st.sampled_from(
        ["", " ", "R1", "R2", "won", "lost", "open", "-1", "0", "12.5", "1e3", "2026-10-05", "2026-02-30", "x"]
    ),
    st.text(max_size=6),
)


@settings(max_examples=60, deadline=None, database=None)
@given(st.lists(st.fixed_dictionaries({column: CELL for column in VALID_ROWS["opportunities"]}), max_size=25))
def test_nothing_is_lost_whatever_the_rows(rows: list[dict[str, str | None]]) -> None:
    result = check("opportunities", *rows)
    report = {t.table: t for t in result.report.tables}["opportunities"]
    assert report.rows_read == len(rows) == report.rows_used + report.rows_quarantined
    used = result.tables.opportunities.height if result.tables else report.rows_used
    assert used == report.rows_used
    quarantined = result.quarantine.get("opportunities")
    assert (quarantined.height if quarantined is not None else 0) == report.rows_quarantined
    if quarantined is not None:
        assert quarantined[REASON].null_count() == 0
