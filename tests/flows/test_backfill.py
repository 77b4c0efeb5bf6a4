"""Backfill: one read of the input, one publication per period, up-to-date periods skipped, a lock per period."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from builders import BASE_TABLES, corrections, write_tables
from hypothesis import given, settings
from openpyxl import load_workbook
from publishing import outputs
from typer.testing import CliRunner

from scorecards.flows.cli import app
from scorecards.flows.publish.staging import period_lock
from scorecards.flows.shared.errors import PublishError
from scorecards.flows.shared.naming import safe_stem
from scorecards.transforms.coverage import MonthCaveats
from scorecards.transforms.period import Period, period_range

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]
runner = CliRunner()


def backfill(folder: Path, out: Path, *extra: str) -> object:
    return runner.invoke(
        app, ["backfill", "--input", str(folder), "--from", "2026-08", "--to", "2026-10", "--out", str(out), *extra]
    )


def statuses(output: str) -> dict[str, str]:
    rows = [line.split() for line in output.splitlines() if line[:4].isdigit()]
    return {row[0]: " ".join(row[1:3]) if row[1] == "up" else row[1] for row in rows}


def run_at(out: Path, period: str) -> str:
    return json.loads((out / period / "manifest.json").read_text())["run_at"]


def test_backfill_publishes_each_period_then_skips_what_is_up_to_date(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    folder, out = make_inputs(), tmp_path / "out"
    first = backfill(folder, out)
    assert first.exit_code == 0, first.output
    assert statuses(first.output) == {"2026-08": "published", "2026-09": "published", "2026-10": "published"}
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "2026-08",
        "2026-09",
        "2026-10",
        "index.html",
        "index.zh-CN.html",  # R2's card is in Chinese
        "people",
        "people.zh-CN",
    ]
    stamp = run_at(out, "2026-09")

    again = backfill(folder, out)
    assert again.exit_code == 0
    assert statuses(again.output) == dict.fromkeys(("2026-08", "2026-09", "2026-10"), "up to")
    assert "up to date" in again.output
    assert run_at(out, "2026-09") == stamp  # untouched

    forced = backfill(folder, out, "--force")
    assert set(statuses(forced.output).values()) == {"published"}


def test_a_month_published_with_a_warning_is_never_up_to_date(
    make_inputs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
) -> None:
    # Found by a review: a month published before its end kept its warning through every later backfill, which
    # found it up to date, so `send` refused it for good.
    from scorecards.flows import period_flow

    folder, out = make_inputs(), tmp_path / "out"
    warning = "the month has not ended yet (today is 2026-10-30): its cards show it so far"
    with monkeypatch.context() as patched:
        patched.setattr(
            period_flow,
            "month_caveats",
            lambda tables, period, today: MonthCaveats(date(2026, 10, 30) if period.month == 10 else None, False),
        )
        assert backfill(folder, out).exit_code == 0
    assert json.loads((out / "2026-10" / "manifest.json").read_text())["warnings"] == [warning]
    # Found in a trial: the month's pages looked final; the command's line and the manifest were all that said it.
    said = "Not final: this month had not ended when these figures were made, on Oct 30, 2026."
    pages = {
        "card": out / "2026-10" / "reps" / f"{safe_stem('R1')}.html",
        "rollup": out / "2026-10" / "teams" / f"{safe_stem('East')}.html",
        "fairness": out / "2026-10" / "fairness.html",
    }
    for page in pages.values():
        assert said in page.read_text("utf-8"), page
    # The workbooks too, red and in the first rows, after the title and subtitle: an analyst opens them from OUT.
    for page in pages.values():
        sheet = load_workbook(page.with_suffix(".xlsx")).worksheets[0]
        assert sheet["A3"].value.startswith(said) and sheet["A3"].font.b and sheet["A3"].font.color.rgb == "00A61E1E", (
            page
        )
    chinese_sheet = load_workbook(out / "2026-10" / "reps" / f"{safe_stem('R2')}.xlsx").worksheets[0]
    assert chinese_sheet["A3"].value.startswith("非最终结果：本月在这些数字生成时（2026年10月30日）尚未结束。")
    september = load_workbook(out / "2026-09" / "reps" / f"{safe_stem('R1')}.xlsx").worksheets[0]
    assert [c.value for row in september.iter_rows(max_row=6) for c in row if "Not final" in str(c.value)] == []
    chinese = (out / "2026-10" / "reps" / f"{safe_stem('R2')}.html").read_text("utf-8")
    assert "非最终结果：本月在这些数字生成时（2026年10月30日）尚未结束。" in chinese
    index = (out / "index.html").read_text("utf-8")
    assert index.count("Not final: published with a warning") == 1  # October's, not the others'
    person = (out / "people" / f"{safe_stem('R1')}.html").read_text("utf-8")
    assert person.count('<span class="muted">not final</span>') == 1  # October's grade, not the others'
    assert "Not final" not in (out / "2026-09" / "reps" / f"{safe_stem('R1')}.html").read_text("utf-8")

    def scored_on(day: int) -> None:
        """Backfill again as if October were scored on `day` of it."""

        def caveats(tables: object, period: Period, today: date) -> MonthCaveats:
            return MonthCaveats(date(2026, 10, day) if period.month == 10 else None, no_activity=False)

        with monkeypatch.context() as patched:
            patched.setattr(period_flow, "month_caveats", caveats)
            assert backfill(folder, out).exit_code == 0

    card = pages["card"].read_bytes()
    scored_on(30)  # the same day: the same pages, carried over
    assert pages["card"].read_bytes() == card
    scored_on(31)  # a day later, still before its end: the pages name the new day
    assert "made, on Oct 31, 2026." in pages["card"].read_text("utf-8")

    again = backfill(folder, out)
    assert again.exit_code == 0, again.output
    assert statuses(again.output) == {"2026-08": "up to", "2026-09": "up to", "2026-10": "published"}
    manifest = json.loads((out / "2026-10" / "manifest.json").read_text())
    assert "warnings" not in manifest and manifest["publication"] == 1  # the same rows: no new version
    # The same rows, but the pages say no more what the month's data may not: none is carried over as it was.
    for page in [*pages.values(), out / "index.html", out / "people" / f"{safe_stem('R1')}.html"]:
        assert "not final" not in page.read_text("utf-8").lower(), page
    for page in pages.values():
        cells = load_workbook(page.with_suffix(".xlsx")).worksheets[0].iter_rows(max_row=6, values_only=True)
        assert not any("Not final" in str(value) for row in cells for value in row), page


def test_a_backfill_rebuilds_the_index_once_and_one_with_nothing_to_publish_restores_it(
    make_inputs,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from scorecards.flows import period_flow

    rebuilt: list[list[str]] = []
    rebuild = period_flow.rebuild_index.fn

    def counted(out_dir: Path, settings: object) -> None:
        rebuilt.append(sorted(p.name for p in out_dir.glob("2026-*")))
        rebuild(out_dir, settings)

    monkeypatch.setattr(period_flow, "rebuild_index", counted)
    folder, out = make_inputs(), tmp_path / "out"
    assert backfill(folder, out).exit_code == 0
    assert rebuilt == [["2026-08", "2026-09", "2026-10"]]  # once, after the three months
    index = (out / "index.html").read_text("utf-8")
    assert [index.index(f"{p}/reps/") for p in ("2026-10", "2026-09", "2026-08")] == sorted(
        index.index(f"{p}/reps/") for p in ("2026-10", "2026-09", "2026-08")
    )  # newest first
    people = sorted(p.name for p in (out / "people").iterdir())
    assert people == [f"{safe_stem(r)}.html" for r in ("R1", "R2", "R3")]

    # Outputs of a version that made no index: the periods are up to date, the index is made all the same.
    (out / "index.html").unlink()
    shutil.rmtree(out / "people")
    again = backfill(folder, out)
    assert set(statuses(again.output).values()) == {"up to"}
    assert (out / "index.html").read_text("utf-8") == index
    assert sorted(p.name for p in (out / "people").iterdir()) == people


def test_backfill_computes_each_month_once_not_once_per_trend_it_is_in(
    make_inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    from scorecards.transforms import trend

    computed: list[str] = []
    compute = trend.monthly_scorecards

    def counted(tables: object, months: list[Period], *args: object) -> object:
        computed.extend(str(month) for month in months)
        return compute(tables, months, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(trend, "monthly_scorecards", counted)
    assert backfill(make_inputs(), tmp_path / "out").exit_code == 0
    # 2026-08 … 2026-10 and the five months before 2026-08 that their trends show, each once.
    assert computed == [str(m) for m in period_range(Period(2026, 3), Period(2026, 10))]


def test_changed_input_or_config_makes_a_period_stale(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    assert backfill(make_inputs(), out).exit_code == 0
    changed = make_inputs(
        "changed", targets=[*BASE_TABLES["targets"], {"rep_id": "R1", "period": "2026-09", "target_amount": "5"}]
    )
    assert set(statuses(backfill(changed, out).output).values()) == {"published"}


def test_one_failing_period_is_reported_and_the_others_publish(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    folder, out = make_inputs(), tmp_path / "out"
    with period_lock(out, "2026-09"):  # another run holds September
        result = backfill(folder, out)
    assert result.exit_code == 1
    assert statuses(result.output) == {"2026-08": "published", "2026-09": "failed", "2026-10": "published"}
    assert "2026-09: another run is publishing or sending this period" in result.output
    assert not (out / "2026-09").exists()
    assert f"open {out / 'index.html'} in a browser" in result.output  # it shows the two months published


def test_where_the_index_is_is_said_only_when_it_shows_what_the_run_published(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    folder, out = make_inputs(), tmp_path / "out"
    assert backfill(folder, out).exit_code == 0
    changed = make_inputs(
        "changed", targets=[*BASE_TABLES["targets"], {"rep_id": "R1", "period": "2026-09", "target_amount": "5"}]
    )
    # Every month failed: the index from the earlier run holds none of this run's publications.
    with period_lock(out, "2026-08"), period_lock(out, "2026-09"), period_lock(out, "2026-10"):
        result = backfill(changed, out)
    assert result.exit_code == 1 and set(statuses(result.output).values()) == {"failed"}
    assert "in a browser" not in result.output
    # The month published, but the index could not be rebuilt (a period's table cut short by a copy by hand): the
    # command says so where it would have said where the index is.
    broken = out / "2026-08" / "scorecards.parquet"
    broken.write_bytes(broken.read_bytes()[:100])
    ran = runner.invoke(app, ["run", "--input", str(changed), "--period", "2026-10", "--out", str(out)])
    assert ran.exit_code == 0, ran.output
    assert ran.stdout.splitlines()[-1] == (
        f"warning: {broken}: cannot be read for the index (ComputeError); put the period back whole or publish it "
        "again; the previous index is unchanged"
    )
    assert "in a browser" not in ran.output


def test_backfill_on_data_that_fails_validation_publishes_nothing(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    result = backfill(make_inputs(reps=None), tmp_path / "out")
    assert result.exit_code == 1
    assert "reps: required table missing" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_backfill_usage_errors(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    result = runner.invoke(app, ["backfill", "--input", str(make_inputs()), "--from", "2026-10", "--to", "2026-08"])
    assert result.exit_code == 2 and "--from 2026-10 is after --to 2026-08" in result.output


def test_a_second_run_of_the_same_period_fails_clearly_while_the_first_holds_it(tmp_path: Path) -> None:
    with (
        period_lock(tmp_path, "2026-10"),
        pytest.raises(PublishError, match=r"another run is publishing or sending this period \(pid \d+\)"),
        period_lock(tmp_path, "2026-10"),
    ):
        pass
    with period_lock(tmp_path, "2026-10"):  # released: free again
        pass


def read_artifact(key: str) -> dict[str, object]:
    """The newest artifact with a key, straight from the API.

    (prefect 3.8.8's client sends `null` for the filter's unset fields, which
    its server rejects with 422, so the test posts the filter itself.)
    """
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        response = client._client.post(
            "/artifacts/filter", json={"artifacts": {"key": {"any_": [key]}}, "limit": 1, "sort": "UPDATED_DESC"}
        )
    response.raise_for_status()
    (artifact,) = response.json()
    return artifact


def test_the_run_records_prefect_artifacts(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    result = runner.invoke(
        app, ["run", "--input", str(make_inputs()), "--period", "2026-10", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 0, result.output
    summary = read_artifact("scorecards-2026-10")
    assert summary["type"] == "markdown"
    assert "| reps.csv | 4 | 4 | 0 | – |" in summary["data"] and "3 scorecards published" in summary["data"]
    assert "| overall | " in summary["data"]
    listed = summary["data"].split("scorecards published in")[1].splitlines()[1]  # the line naming the outputs
    names = [name.rstrip("/") for name in re.findall(r"`([^`]+)`", listed)]
    assert "fairness.html" in names and "scorecards.parquet" in names
    assert sorted(names) == sorted(p.name for p in (tmp_path / "o" / "2026-10").iterdir() if p.name != "quarantine")
    table = read_artifact("scorecards-2026-10-table")
    assert table["type"] == "table"
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert [row["rep_id"] for row in rows] == ["R1", "R3", "R2"]
    assert rows[0]["won_amount"] == "3000.30"


@settings(max_examples=4, deadline=None, database=None)
@given(tables=corrections())
def test_a_backfill_publishes_the_bytes_of_one_run_per_month(tables: dict[str, list[dict[str, str]]]) -> None:
    """`backfill` (one read, each month's trend computed once) publishes what `run` month by month publishes."""
    with tempfile.TemporaryDirectory() as work:
        folder = write_tables(Path(work) / "input", tables)
        backfilled = backfill(folder, Path(work) / "backfilled")
        runs = [
            runner.invoke(app, ["run", "--input", str(folder), "--period", month, "--out", str(Path(work) / "run")])
            for month in ("2026-08", "2026-09", "2026-10")
        ]
        assert {run.exit_code for run in runs} == {backfilled.exit_code}, backfilled.output
        assert outputs(Path(work) / "backfilled") == outputs(Path(work) / "run")
