"""The command line: help everywhere, exit statuses, and no Prefect where nothing is orchestrated (SPEC §7)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from builders import BASE_TABLES
from typer.testing import CliRunner

from scorecards.config.settings import default_config_path
from scorecards.flows.cli import app

runner = CliRunner()
COMMANDS = sorted(command.name or command.callback.__name__ for command in app.registered_commands)


def test_every_command_has_help() -> None:
    assert {"run", "validate", "demo"} <= set(COMMANDS)
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output
        sub = runner.invoke(app, [name, "--help"])
        assert sub.exit_code == 0, name
        assert "Usage:" in sub.output and "--" in sub.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "--input", "IN", "--period", "2026-13"], "--period: not a month: 2026-13"),
        (["run", "--input", "IN", "--period", "Oct 2026"], "is not of the form YYYY-MM"),
        (["run", "--input", "nowhere", "--period", "2026-10"], "nowhere: input folder not found"),
        (["validate", "--input", "nowhere"], "nowhere: input folder not found"),
        (
            ["run", "--input", "IN", "--period", "2026-10", "--config", "missing.toml"],
            "missing.toml: config file not found",
        ),
        (["run", "--period", "2026-10"], "Missing option '--input'"),
        # A card's trend reads the 5 months before P, and P ends the day before the next month's first.
        (
            ["run", "--input", "IN", "--period", "0001-05"],
            "--period: 0001-05 cannot be scored; months run from 0001-06",
        ),
        (["run", "--input", "IN", "--period", "9999-12"], "to 9999-11"),
        (["backfill", "--input", "IN", "--from", "0001-01", "--to", "0001-07"], "--from: 0001-01 cannot be scored"),
        (["frobnicate"], "No such command"),
    ],
)
def test_wrong_usage_or_configuration_exits_2(make_inputs, args: list[str], message: str) -> None:  # noqa: ANN001
    folder = make_inputs()
    result = runner.invoke(app, [str(folder) if a == "IN" else a for a in args])
    assert result.exit_code == 2
    assert message in result.output


def test_an_output_folder_that_cannot_be_one_exits_2_and_send_makes_no_folder(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    a_file = tmp_path / "afile.txt"
    a_file.write_text("not a folder")
    for args in (
        ["run", "--input", str(make_inputs()), "--period", "2026-10", "--out", str(a_file)],
        ["backfill", "--input", str(make_inputs()), "--from", "2026-10", "--to", "2026-10", "--out", str(a_file)],
        ["demo", "--out", str(a_file)],
    ):
        result = runner.invoke(app, args)
        assert (result.exit_code, result.exception.__class__) == (2, SystemExit), args
        assert f"{a_file}: not a folder" in result.output
    below_a_file = a_file / "out"
    result = runner.invoke(
        app, ["run", "--input", str(make_inputs()), "--period", "2026-10", "--out", str(below_a_file)]
    )
    assert result.exit_code == 2 and f"{a_file}: not a folder" in result.output
    nowhere = tmp_path / "nowhere"
    result = runner.invoke(app, ["send", "--period", "2026-10", "--out", str(nowhere), "--dry-run"])
    assert result.exit_code == 2 and "no published period here" in result.output
    assert not nowhere.exists()  # not even a lock file: nothing was published there to send


def test_the_first_and_last_months_that_can_be_scored_are_accepted() -> None:
    from scorecards.flows.cli import _period

    assert [str(_period(text, "--period")) for text in ("0001-06", "9999-11")] == ["0001-06", "9999-11"]


def test_an_output_folder_the_system_refuses_exits_2_without_a_traceback(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "gone")  # a link to nothing: no folder can be made in its place
    too_long = tmp_path / ("a" * 300)
    for out, message in (
        (dangling, f"{dangling}: not a folder"),
        (too_long, "cannot publish there (File name too long)"),
    ):
        result = runner.invoke(app, ["run", "--input", str(make_inputs()), "--period", "2026-10", "--out", str(out)])
        assert (result.exit_code, result.exception.__class__) == (2, SystemExit), out
        assert message in result.output
    for command in (["send", "--dry-run"], ["diff"]):
        result = runner.invoke(app, [*command, "--period", "2026-10", "--out", str(too_long)])
        assert (result.exit_code, result.exception.__class__) == (2, SystemExit), command
        assert "cannot read it (File name too long)" in result.output


def test_a_broken_config_exits_2(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    config = tmp_path / "bad.toml"
    config.write_text(default_config_path().read_text().replace("ceiling = 0.05", "ceiling = -1"))
    result = runner.invoke(app, ["validate", "--input", str(make_inputs()), "--config", str(config)])
    assert result.exit_code == 2
    assert "quarantine.ceiling: Input should be greater than or equal to 0" in result.output


def test_validate_prints_the_report_and_exits_0_on_good_data(make_inputs) -> None:  # noqa: ANN001
    result = runner.invoke(app, ["validate", "--input", str(make_inputs())])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["file", "read", "used", "quarantined"]
    assert lines[1].split() == ["reps.csv", "4", "4", "0"]
    assert lines[2].split() == ["opportunities.csv", "6", "6", "0"]
    assert lines[-1] == "OK"


def test_validate_counts_reasons_and_exits_1_above_the_ceiling(make_inputs) -> None:  # noqa: ANN001
    bad = {**BASE_TABLES["opportunities"][0], "opportunity_id": "O9", "amount": "-1"}
    folder = make_inputs(opportunities=[*BASE_TABLES["opportunities"], bad])
    result = runner.invoke(app, ["validate", "--input", str(folder)])
    assert result.exit_code == 1
    assert "1 × amount: below 0  (row 8)" in result.output  # where it is in the file, as the quarantine file says
    assert "FAILED, nothing published:" in result.output
    assert "opportunities.csv: 1 of 7 rows quarantined (14.3%), above the 5% ceiling" in result.output
    assert not (folder.parent / "out").exists()


def test_validate_names_a_missing_table_and_column(make_inputs) -> None:  # noqa: ANN001
    rows = [{k: v for k, v in row.items() if k != "stage"} for row in BASE_TABLES["opportunities"]]
    folder = make_inputs(reps=None, opportunities=rows)
    result = runner.invoke(app, ["validate", "--input", str(folder)])
    assert result.exit_code == 1
    assert "reps: required table missing (expected reps.csv, .xlsx or .parquet)" in result.output
    assert "opportunities.csv: column 'stage': required column missing" in result.output


def test_commands_that_orchestrate_nothing_do_not_import_prefect(make_inputs) -> None:  # noqa: ANN001
    folder = make_inputs()
    code = (
        "import sys\n"
        "from scorecards.flows.cli import app\n"
        f"try:\n    app(['validate', '--input', {str(folder)!r}])\n"
        "except SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'prefect'], 'prefect imported'\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr


def test_diff_reads_the_version_store_without_prefect(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from scorecards.flows.cli import app\n"
        f"try:\n    app(['diff', '--period', '2026-10', '--out', {str(tmp_path)!r}])\n"
        "except SystemExit as e:\n    assert e.code == 2, e.code\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'prefect'], 'prefect imported'\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert "2026-10: no versions in" in completed.stderr


def test_the_command_freezes_the_collector_only_at_exit(make_inputs) -> None:  # noqa: ANN001
    """Its last garbage collections skip the objects of its imports (docs/decisions.md); the run itself collects."""
    folder = make_inputs()
    code = (
        "import atexit, gc, sys\n"
        # Registered before main's own handler, so it runs after it (atexit is last in, first out).
        "atexit.register(lambda: print('at exit, frozen:', gc.get_freeze_count() > 0))\n"
        "from scorecards.flows.cli import main\n"
        f"sys.argv = ['scorecards', 'validate', '--input', {str(folder)!r}]\n"
        "try:\n    main()\n"
        "except SystemExit as e:\n    assert e.code in (0, None), e.code\n"
        "print('after the command, frozen:', gc.get_freeze_count() > 0)\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines()[-2:] == ["after the command, frozen: False", "at exit, frozen: True"]


def test_validate_lists_the_files_it_did_not_read(make_inputs) -> None:  # noqa: ANN001
    # Found by an operator's review: targets.csv saved as target.csv left every attainment N/A, and validate said OK.
    folder = make_inputs()
    (folder / "targets.csv").rename(folder / "target.csv")
    (folder / ".DS_Store").write_bytes(b"")
    result = runner.invoke(app, ["validate", "--input", str(folder)])
    assert result.exit_code == 0, result.output
    assert "Files not read (no table of the source profile is in a file so named):\n  - target.csv\nOK" in result.output
    assert ".DS_Store" not in result.output
    assert "Files not read" not in runner.invoke(app, ["validate", "--input", str(make_inputs("clean"))]).output


def test_a_reasons_rows_are_named_the_first_five_then_an_ellipsis() -> None:
    from scorecards.flows.cli import _rows

    assert _rows((11, 12, 13, 14, 15), 7) == "  (rows 11, 12, 13, 14, 15, …)"
    assert (_rows((4,), 1), _rows((), 3)) == ("  (row 4)", "")


def test_a_file_separated_by_semicolons_is_named_so(make_inputs) -> None:  # noqa: ANN001
    # Found by an operator's review: three "required column missing" lines, and no word of the separator.
    folder = make_inputs()
    text = (folder / "targets.csv").read_text()
    (folder / "targets.csv").write_text(text.replace(",", ";"))
    result = runner.invoke(app, ["validate", "--input", str(folder)])
    assert result.exit_code == 1
    assert "targets.csv: column 'rep_id': required column missing" in result.output
    assert "targets.csv: its header is one column holding ';': a canonical CSV file is separated by commas" in (
        result.output
    )


def test_an_input_that_is_a_file_is_told_to_name_its_folder(make_inputs) -> None:  # noqa: ANN001
    file = make_inputs() / "reps.csv"
    for command in (["validate", "--input", str(file)], ["run", "--input", str(file), "--period", "2026-10"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, command
        assert f"{file}: is a file; --input names the folder that holds the input files" in result.output


def test_an_out_that_is_the_input_folder_is_refused_before_anything_is_read(make_inputs) -> None:  # noqa: ANN001
    # Found in a trial: the periods were published among the exports, and every later validate listed the index
    # pages as files not read.
    folder = make_inputs()
    for command in (
        ["run", "--input", str(folder), "--period", "2026-10", "--out", f"{folder}/."],
        ["backfill", "--input", str(folder), "--from", "2026-10", "--to", "2026-10", "--out", str(folder)],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, command
        assert "--out is the input folder; name another folder to publish in" in result.output
    assert sorted(p.name for p in folder.iterdir() if p.is_dir()) == []


def test_a_team_whose_reps_name_two_managers_is_pointed_out_before_send(make_inputs) -> None:  # noqa: ANN001
    # Found in a trial: validate and run said nothing; the scheduled run published, then failed at sending, and the
    # team's manager got nothing.
    folder = make_inputs()
    reps = folder / "reps.csv"
    reps.write_text(
        reps.read_text().replace(
            "R2,王芳,wang@example.com,East,Mia Wong,mia@example.com",
            "R2,王芳,wang@example.com,East,Mia Wong,boss@example.com",
        )
    )
    result = runner.invoke(app, ["validate", "--input", str(folder)])
    assert result.exit_code == 0, result.output
    assert (
        "To mend in the data (the run goes on):\n  - reps.csv: team 'East': its reps name several manager e-mails:"
        " boss@example.com (R2); mia@example.com (R1); `send` mails it to none of them for a month whose cards name"
        " more than one\nOK"
    ) in result.output


def test_a_column_named_in_another_case_is_pointed_out(make_inputs) -> None:  # noqa: ANN001
    folder = make_inputs()
    reps = folder / "reps.csv"
    reps.write_text(reps.read_text().replace("rep_id", "Rep_ID", 1))
    result = runner.invoke(app, ["validate", "--input", str(folder)])
    assert result.exit_code == 1
    assert (
        "reps.csv: column 'rep_id': required column missing (the header has 'Rep_ID': names must match exactly)"
        in result.output
    )


def test_the_report_keeps_its_columns_under_chinese_file_names() -> None:
    from rich.cells import cell_len

    from scorecards.flows.cli import format_report
    from scorecards.schemas.results import TableReport, ValidationReport

    tables = [
        TableReport("opportunities", "商机导出_2026-10.csv", "0" * 64, 12, 10, 2),
        TableReport("reps", "reps.csv", "0" * 64, 3, 3, 0),
    ]
    lines = format_report(ValidationReport(tables, [])).splitlines()
    assert lines[1].startswith("商机导出_2026-10.csv ")
    assert len({cell_len(line) for line in lines[:3]}) == 1  # header and both rows end in the same column


def test_a_file_name_that_is_not_read_is_printed_on_one_line(make_inputs) -> None:  # noqa: ANN001
    folder = make_inputs()
    (folder / "notes\nfrom\x1b[31mme.csv").write_text("x")
    result = runner.invoke(app, ["validate", "--input", str(folder)])
    assert result.exit_code == 0, result.output
    assert "  - notes from [31mme.csv\nOK" in result.output and "\x1b" not in result.output  # no line, no escape
