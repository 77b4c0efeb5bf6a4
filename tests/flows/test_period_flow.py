"""End to end: `scorecards run` publishes exactly SPEC §6, atomically and reproducibly."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from builders import BASE_TABLES, snapshot
from openpyxl import load_workbook
from typer.testing import CliRunner

from scorecards.config import config_hash, load_settings
from scorecards.config.settings import default_config_path
from scorecards.flows.cli import app
from scorecards.flows.publish.staging import file_sha256
from scorecards.flows.shared.naming import safe_stem
from scorecards.transforms.scorecard import SCORECARD_COLUMNS

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]
runner = CliRunner()


def run(folder: Path, out: Path, *extra: str) -> object:
    return runner.invoke(app, ["run", "--input", str(folder), "--period", "2026-10", "--out", str(out), *extra])


def test_a_run_publishes_the_period(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    notes = [{"rep_id": "R1", "period": "2026-10", "note": '=HYPERLINK("http://x") <b>great</b> month'}]
    folder = make_inputs(manager_notes=notes)
    result = run(folder, tmp_path / "out")
    assert result.exit_code == 0, result.output
    period = tmp_path / "out" / "2026-10"
    outcomes = [line.split()[:3] for line in result.output.splitlines() if line.startswith("2026-10 ")]
    assert outcomes == [["2026-10", "published", "3"]]
    assert result.output.splitlines()[-2:] == [  # where to start reading; R2 reads Chinese
        f"open {tmp_path / 'out' / 'index.html'} in a browser: every published month, its cards and team rollups",
        f"  the same index in another language: {tmp_path / 'out' / 'index.zh-CN.html'}",
    ]

    stems = [safe_stem(r) for r in ("R1", "R2", "R3")]  # R4 is hired after October
    teams = [safe_stem(t) for t in ("East", "West")]
    assert sorted(snapshot(period)) == sorted(
        ["manifest.json", "scorecards.csv", "scorecards.parquet", "fairness.csv", "fairness.html", "fairness.xlsx"]
        + ["fairness.zh-CN.html", "fairness.zh-CN.xlsx"]  # R2's card is in Chinese
        + [f"reps/{stem}.{ext}" for stem in stems for ext in ("html", "xlsx")]
        + [f"teams/{stem}.{ext}" for stem in teams for ext in ("html", "xlsx")]
    )
    east = (period / "teams" / f"{teams[0]}.html").read_text()
    assert f'<a href="../reps/{stems[0]}.html">Ann Lee</a>' in east and f"../reps/{stems[1]}.html" in east
    assert "Bob Ray" not in east  # West's rep stays on West's page
    assert '<a href="../fairness.html">' in east  # every rollup links to the period's fairness page
    fairness = pl.read_csv(period / "fairness.csv", infer_schema=False)
    assert fairness.rows() == [  # R1 won nothing before October; R2 won 500.00 in September; R3 was hired in October
        ("2026-10", "R1", "East", "3000.30", "0.00", None, None, "2", "false"),
        ("2026-10", "R2", "East", "0.00", "166.67", "0.000000", "low", "1", "false"),
        ("2026-10", "R3", "West", "100.00", None, None, None, "2", "false"),
    ]
    team_sheet = load_workbook(period / "teams" / f"{teams[0]}.xlsx").active
    team_cells = {row[0].value: row[1].value for row in team_sheet.iter_rows() if row[0].value}
    assert team_cells["Won amount"] == 3000.3 and team_cells["Target"] == 3000.3
    assert team_cells["Ann Lee"] == 1 and team_cells["王芳"] == 2  # rank in team

    table = pl.read_csv(period / "scorecards.csv", infer_schema=False)
    assert tuple(table.columns) == SCORECARD_COLUMNS
    r1 = table.row(0, named=True)
    assert {
        k: r1[k] for k in ("rep_id", "won_amount", "won_deals", "target_amount", "attainment", "attainment_grade")
    } == {
        "rep_id": "R1",
        "won_amount": "3000.30",
        "won_deals": "2",
        "target_amount": "3000.30",
        "attainment": "1.000000",
        "attainment_grade": "A",
    }
    # A1 was first won by R2 in September, so R1 has one new customer (A2) and R3 one (A4).
    assert dict(zip(table["rep_id"], table["new_customers"], strict=True)) == {"R1": "1", "R3": "1", "R2": "0"}
    r2 = table.filter(pl.col("rep_id") == "R2").row(0, named=True)
    assert (r2["attainment"], r2["attainment_grade"], r2["conversion_rate"], r2["satisfaction_grade"]) == (
        None,
        None,
        None,
        None,
    )
    assert r2["win_rate"] == "0.000000" and r2["open_pipeline"] == "700.50"
    assert table["rank_overall"].to_list() == ["1", "2", "3"]

    parquet = pl.read_parquet(period / "scorecards.parquet")
    assert parquet.schema["won_amount"] == pl.Decimal(38, 2) and parquet.schema["attainment"] == pl.Decimal(38, 6)
    assert parquet["won_amount"].to_list()[0] == Decimal("3000.30")
    assert parquet.select(pl.all().cast(pl.String)).equals(table.select(pl.all().cast(pl.String)))

    html = (period / "reps" / f"{stems[0]}.html").read_text()
    assert '<html lang="en">' in html
    assert "&lt;b&gt;great&lt;/b&gt;" in html and "<b>great" not in html

    sheet = load_workbook(period / "reps" / f"{stems[0]}.xlsx")["Scorecard"]
    cells: dict[str, object] = {}
    for row in sheet.iter_rows(min_row=1):  # a dimension's first row: its grade (its grades by month come later)
        if row[0].value:
            cells.setdefault(row[0].value, row[1])
    assert cells["Won amount"].value == 3000.3 and cells["Won amount"].number_format == '"CN¥"#,##0.00'
    assert cells["Sales-target attainment"].value == 1 and cells["Sales-target attainment"].number_format == "0.0%"
    note = next(c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert note.data_type == "s"  # stored as text, never a live formula


def test_the_manifest_records_inputs_config_version_and_outputs(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    folder = make_inputs()
    assert run(folder, tmp_path / "out").exit_code == 0
    period = tmp_path / "out" / "2026-10"
    manifest = json.loads((period / "manifest.json").read_text())
    assert manifest["period"] == "2026-10"
    assert manifest["version"] == "0.2.0"
    assert manifest["config_sha256"] == config_hash(load_settings())
    assert manifest["inputs"][0] == {
        "table": "reps",
        "file": "reps.csv",
        "sha256": file_sha256(folder / "reps.csv"),
        "rows_read": 4,
        "rows_used": 4,
        "rows_quarantined": 0,
    }
    assert [i["table"] for i in manifest["inputs"]] == ["reps", "opportunities", "targets"]
    outputs = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    assert outputs == {path: file_sha256(period / path) for path in snapshot(period) if path != "manifest.json"}


def test_bad_rows_are_quarantined_and_counted(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    config = tmp_path / "lenient.toml"
    config.write_text(default_config_path().read_text().replace("ceiling = 0.05", "ceiling = 0.5"))
    bad = {**BASE_TABLES["opportunities"][0], "opportunity_id": "O9", "stage": "pending"}
    folder = make_inputs(opportunities=[*BASE_TABLES["opportunities"], bad])
    assert run(folder, tmp_path / "out", "--config", str(config)).exit_code == 0
    period = tmp_path / "out" / "2026-10"
    quarantined = pl.read_csv(period / "quarantine" / "opportunities.csv", infer_schema=False)
    assert quarantined.select("source_row", "opportunity_id", "reason").rows() == [
        ("8", "O9", "stage: not one of open, won, lost")
    ]
    counts = json.loads((period / "manifest.json").read_text())["inputs"][1]
    assert (counts["rows_read"], counts["rows_used"], counts["rows_quarantined"]) == (7, 6, 1)


def test_a_failing_run_publishes_nothing_and_keeps_the_earlier_publication(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    assert run(make_inputs(), out).exit_code == 0
    before = snapshot(out / "2026-10")
    bad = {**BASE_TABLES["opportunities"][0], "opportunity_id": "O9", "amount": "-1"}
    result = run(make_inputs("bad", opportunities=[*BASE_TABLES["opportunities"], bad]), out)
    assert result.exit_code == 1
    # On stdout, as `validate` and a successful run print theirs (found by an operator's review: 2>/dev/null hid it).
    assert "above the 5% ceiling" in result.stdout and "FAILED, nothing published" in result.stdout
    assert "Traceback" not in result.output
    assert "in a browser" not in result.output  # the index is there, but nothing of this run is in it
    assert snapshot(out / "2026-10") == before
    # The lock files stay, unlocked; the version store keeps the one publication; the index lists it.
    assert sorted(p.name for p in out.iterdir()) == [
        ".2026-10.lock",
        ".index.lock",
        ".versions",
        "2026-10",
        "index.html",
        "index.zh-CN.html",
        "people",
        "people.zh-CN",
    ]


def test_a_missing_required_table_exits_1_and_publishes_nothing(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    result = run(make_inputs(reps=None), tmp_path / "out")
    assert result.exit_code == 1
    assert "reps: required table missing" in result.output
    assert not (tmp_path / "out" / "2026-10").exists()


def test_a_re_run_replaces_the_publication(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    assert run(make_inputs(), out).exit_code == 0
    assert (
        run(
            make_inputs("fewer", reps=BASE_TABLES["reps"][:2]),
            out,
        ).exit_code
        == 1
    )  # R3's deal now has no rep
    fewer_reps = [r for r in BASE_TABLES["opportunities"] if r["rep_id"] != "R3"]
    targets = [t for t in BASE_TABLES["targets"] if t["rep_id"] != "R3"]
    assert (
        run(
            make_inputs("fewer2", reps=BASE_TABLES["reps"][:2], opportunities=fewer_reps, targets=targets), out
        ).exit_code
        == 0
    )
    cards = sorted(p.name for p in (out / "2026-10" / "reps").iterdir())
    assert cards == sorted(f"{safe_stem(r)}.{ext}" for r in ("R1", "R2") for ext in ("html", "xlsx"))


def test_the_same_input_gives_byte_identical_outputs(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    folder = make_inputs()
    assert run(folder, tmp_path / "a").exit_code == 0
    assert run(folder, tmp_path / "b").exit_code == 0
    first, second = snapshot(tmp_path / "a" / "2026-10"), snapshot(tmp_path / "b" / "2026-10")
    manifests = [json.loads(s.pop("manifest.json")) for s in (first, second)]
    assert first == second
    for manifest in manifests:
        manifest.pop("run_at")
    assert manifests[0] == manifests[1]


def test_a_month_not_over_or_without_activity_is_published_with_a_warning(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    # Found by an operator's review: a mistyped year published a card of D grades for every rep without a word.
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from scorecards.transforms.period import last_complete_month

    # The month after the one under way: not begun, whenever the clock turns during the test.
    current = last_complete_month(datetime.now(ZoneInfo("Asia/Shanghai")).date()).next().next()
    args = ["run", "--input", str(make_inputs()), "--period", str(current), "--out", str(tmp_path / "out")]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{current} "))
    assert lines[at].split()[:2] == [str(current), "published"]
    assert lines[at + 1].strip().startswith("warning: the month has not begun yet (today is ")
    assert lines[at + 1].strip().endswith("): is the period mistyped?")
    assert (
        lines[at + 2].strip()
        == "warning: the input has no deal, lead or survey answer dated in it: every card shows no activity"
    )
    assert lines[at + 3].startswith("open ")  # then where the index is
    october = run(make_inputs("again"), tmp_path / "october")  # a month that ended, with deals in it
    assert "warning" not in october.stdout


def test_a_misnamed_optional_file_is_named_by_the_run_its_log_and_summary(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    # Found by an analyst's trial: with targets.csv exported as Targets_2026.csv, `run` published every card with
    # "no target for this month" without a word; only `validate` listed the file.
    from scorecards.flows.run_summary import summary_markdown
    from scorecards.schemas.results import ValidationReport

    folder = make_inputs()
    (folder / "targets.csv").rename(folder / "Targets_2026.csv")
    result = run(folder, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert (
        "Files not read (no table of the source profile is in a file so named):\n  - Targets_2026.csv\nOK"
        in result.stdout
    )
    assert "Targets_2026.csv: not read (no table of the source profile is in a file so named)" in result.stderr
    assert "Files not read" not in run(make_inputs("named"), tmp_path / "named").stdout
    published = pl.read_parquet(tmp_path / "out" / "2026-10" / "scorecards.parquet")
    summary = summary_markdown("2026-10", tmp_path / "out", published, ValidationReport([], [], ["a.csv"]))
    assert "Files of the input folder not read (no table of the source profile is in a file so named):\n- `a.csv`" in (
        summary
    )
