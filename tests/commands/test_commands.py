"""Every command as a user runs it: the installed `scorecards`, against a real Prefect server and a real SMTP server.

`serve` has its own module (test_serve.py); the fault tests run `run` and `backfill`
killed and overlapped. Here each command runs once end to end the way the README says.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from builders import BASE_TABLES, write_csv
from prefect_server import PrefectServer, clean_environ, run_on_terminal, run_scorecards
from smtp_server import smtp_environ

from scorecards.transforms.period import last_complete_month

pytestmark = pytest.mark.flow

COMMANDS = ["run", "validate", "profiles", "backfill", "send", "diff", "serve", "demo"]


def write_inputs(folder: Path) -> Path:
    for name, rows in BASE_TABLES.items():
        write_csv(folder / f"{name}.csv", rows)
    return folder


def test_help_names_every_command_and_each_has_its_own(tmp_path: Path) -> None:
    env = clean_environ(PREFECT_HOME=str(tmp_path))
    overview = run_scorecards("--help", env=env)
    assert overview.returncode == 0
    assert all(command in overview.stdout for command in COMMANDS)
    for command in COMMANDS:
        shown = run_scorecards(command, "--help", env=env)
        assert shown.returncode == 0 and "--" in shown.stdout, command


def test_profiles_lists_the_shipped_profiles(tmp_path: Path) -> None:
    listed = run_scorecards("profiles", env=clean_environ(PREFECT_HOME=str(tmp_path)))
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines() if line and not line.startswith("(")]
    assert names == ["canonical", "cn-crm", "hubspot", "maven-crm", "salesforce"]


def test_validate_passes_good_input_and_fails_a_missing_table(tmp_path: Path) -> None:
    env = clean_environ(PREFECT_HOME=str(tmp_path / "home"))
    good = run_scorecards("validate", "--input", str(write_inputs(tmp_path / "good")), env=env)
    assert good.returncode == 0, good.stderr
    assert "opportunities.csv" in good.stdout and good.stdout.rstrip().endswith("OK")
    broken = write_inputs(tmp_path / "broken")
    (broken / "reps.csv").unlink()
    bad = run_scorecards("validate", "--input", str(broken), env=env)
    assert bad.returncode == 1
    assert "FAILED, nothing published" in bad.stdout and "reps" in bad.stdout


def test_validate_reports_the_shared_deal_and_rate_tables(tmp_path: Path) -> None:
    folder = write_inputs(tmp_path / "input")
    write_csv(
        folder / "opportunity_splits.csv",
        [
            {"opportunity_id": "O1", "rep_id": "R1", "share": "0.5"},
            {"opportunity_id": "O1", "rep_id": "R2", "share": "0.4"},
        ],
    )
    write_csv(folder / "fx_rates.csv", [{"currency": "€", "rate_date": "2026-10-01", "rate": "7.5"}])
    checked = run_scorecards("validate", "--input", str(folder), env=clean_environ(PREFECT_HOME=str(tmp_path / "h")))
    assert checked.returncode == 1  # 2 of 2 split rows and 1 of 1 rate row: above the 5 % ceiling
    lines = [line.split() for line in checked.stdout.splitlines()]
    assert ["opportunity_splits.csv", "2", "0", "2"] in lines and ["fx_rates.csv", "1", "0", "1"] in lines
    assert "2 × shares sum to 0.9000, not 1" in checked.stdout
    assert "1 × currency: not a currency code (three capital letters)" in checked.stdout


def test_run_then_backfill_publish_against_a_running_server(prefect_server: PrefectServer, tmp_path: Path) -> None:
    env = prefect_server.environ(tmp_path / "home")
    inputs, out = write_inputs(tmp_path / "input"), tmp_path / "out"
    ran = run_scorecards("run", "--input", str(inputs), "--period", "2026-10", "--out", str(out), env=env)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert (out / "2026-10" / "scorecards.csv").is_file()
    counts = {line.split()[0]: line.split()[1:] for line in ran.stdout.splitlines() if ".csv " in line}
    assert counts["reps.csv"] == ["4", "4", "0"]  # each file's rows read, used and quarantined (SPEC §2.8)
    # Where to start reading: found by a trial, where only `demo` said it.
    assert f"open {out / 'index.html'} in a browser: every published month" in ran.stdout
    assert {run["name"] for run in prefect_server.flow_runs("scorecards-2026-10")} == {"scorecards-2026-10"}

    filled = run_scorecards(
        "backfill", "--input", str(inputs), "--from", "2026-09", "--to", "2026-10", "--out", str(out), env=env
    )
    assert filled.returncode == 0, filled.stdout + filled.stderr
    statuses = {line.split()[0]: line.split()[1] for line in filled.stdout.splitlines()[1:] if line[:4].isdigit()}
    assert statuses == {"2026-09": "published", "2026-10": "up"}  # "up to date"
    assert f"open {out / 'index.html'} in a browser" in filled.stdout
    assert (out / "2026-09" / "manifest.json").is_file()

    # A month the backfill skipped made no version; diff reads the store without Prefect or a server.
    diffed = run_scorecards(
        "diff", "--period", "2026-10", "--out", str(out), env=clean_environ(PREFECT_HOME=str(tmp_path))
    )
    assert diffed.returncode == 0, diffed.stderr
    assert diffed.stdout == "2026-10: version 1 → version 1: no changes\n"


def test_backfill_in_a_pipe_prints_progress_lines_and_reports_progress_to_the_ui(
    prefect_server: PrefectServer, tmp_path: Path
) -> None:
    env = prefect_server.environ(tmp_path / "home")
    inputs, out = write_inputs(tmp_path / "input"), tmp_path / "out"
    filled = run_scorecards(
        "backfill", "--input", str(inputs), "--from", "2026-08", "--to", "2026-10", "--out", str(out), env=env
    )
    assert filled.returncode == 0, filled.stdout + filled.stderr
    assert "\x1b[" not in filled.stdout + filled.stderr  # no bar drawn into a pipe
    progress = [line for line in filled.stderr.splitlines() if line.startswith("progress: ")]
    assert progress == [
        "progress: 2026-08: writing 2 cards",
        "progress: 2026-08: published (1 of 3 months)",
        "progress: 2026-09: writing 2 cards",
        "progress: 2026-09: published (2 of 3 months)",
        "progress: 2026-10: writing 3 cards",
        "progress: 2026-10: published (3 of 3 months)",
    ]
    assert prefect_server.progress("scorecards-2026-08-to-2026-10") == [100.0]


def test_backfill_on_a_terminal_draws_progress_bars(prefect_server: PrefectServer, tmp_path: Path) -> None:
    env = prefect_server.environ(tmp_path / "home", TERM="xterm-256color", COLUMNS="100")
    inputs, out = write_inputs(tmp_path / "input"), tmp_path / "out"
    arguments = ("backfill", "--input", str(inputs), "--from", "2026-09", "--to", "2026-10", "--out", str(out))
    screen, stderr, status = run_on_terminal(*arguments, env=env)
    assert status == 0, screen + stderr
    assert "\x1b[" in screen  # drawn in place, with the terminal's control sequences
    assert "months (2026-10)" in screen and "2/2" in screen
    assert "cards of 2026-10" in screen and "3/3" in screen
    assert "progress: " not in stderr  # no plain lines besides the bars
    assert "2026-10  published" in screen  # and the result table after them


def test_demo_then_send_reach_each_manager_once(prefect_server: PrefectServer, mail_server, tmp_path: Path) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    env = prefect_server.environ(tmp_path / "home", **smtp_environ(smtp.port))
    out = tmp_path / "demo-out"
    demo = run_scorecards("demo", "--out", str(out), env=env)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    # The sample's Chinese teams have their index too, and the command says where.
    assert f"open {out / 'index.html'} in a browser" in demo.stdout
    assert f"the same index in another language: {out / 'index.zh-CN.html'}" in demo.stdout
    month = str(last_complete_month(date.today()))
    manifest = json.loads((out / month / "manifest.json").read_text())
    assert manifest["period"] == month
    managers = sorted({row["manager_email"] for row in _csv_rows(out / "input" / "reps.csv")})

    dry = run_scorecards("send", "--period", month, "--out", str(out), "--dry-run", env=env)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert len(list((out / month / "outbox").glob("*.eml"))) == len(managers)
    assert mailbox.received == []

    sent = run_scorecards("send", "--period", month, "--out", str(out), env=env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert sorted(r.recipients[0] for r in mailbox.received) == managers
    again = run_scorecards("send", "--period", month, "--out", str(out), env=env)
    assert again.returncode == 0 and len(mailbox.received) == len(managers)
    assert smtp_environ(smtp.port)["SCORECARDS_SMTP_PASSWORD"] not in sent.stdout + sent.stderr + again.stdout

    # The password from a Prefect Secret block on the server instead of the environment.
    password = smtp_environ(smtp.port)["SCORECARDS_SMTP_PASSWORD"]
    saved = subprocess.run(
        [sys.executable, "-c", f"from prefect.blocks.system import Secret; Secret(value={password!r}).save('smtp')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert saved.returncode == 0, saved.stderr
    env = {k: v for k, v in env.items() if k != "SCORECARDS_SMTP_PASSWORD"} | {"SCORECARDS_SMTP_PASSWORD_BLOCK": "smtp"}
    resent = run_scorecards("send", "--period", month, "--out", str(out), "--resend", env=env)
    assert resent.returncode == 0, resent.stdout + resent.stderr
    assert sorted(r.recipients[0] for r in mailbox.received) == sorted(managers * 2)
    assert password not in resent.stdout + resent.stderr


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_month_published_with_a_warning_is_sent_to_nobody(
    prefect_server: PrefectServer, mail_server, tmp_path: Path
) -> None:  # noqa: ANN001
    # Found by an analyst's trial: a mistyped month (2027-03 for 2026-03) was published with its warnings, and
    # `send` then mailed every manager that every rep of the team was graded D.
    mailbox, smtp = mail_server()
    env = prefect_server.environ(tmp_path / "home", **smtp_environ(smtp.port))
    inputs, out = write_inputs(tmp_path / "input"), tmp_path / "out"
    published = run_scorecards("run", "--input", str(inputs), "--period", "2026-03", "--out", str(out), env=env)
    assert published.returncode == 0, published.stdout + published.stderr
    warning = "the input has no deal, lead or survey answer dated in it: every card shows no activity"
    assert json.loads((out / "2026-03" / "manifest.json").read_text())["warnings"] == [warning]
    for dry_run in (("--dry-run",), ()):
        refused = run_scorecards("send", "--period", "2026-03", "--out", str(out), *dry_run, env=env)
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert refused.stdout.splitlines() == [
            "nothing sent: the month was published with a warning, so its cards would grade what the data does not "
            "hold:",
            f"  - {warning}",
            "publish it again from an input that holds the whole month, then send it",
        ]
    assert mailbox.received == [] and not (out / "2026-03" / "outbox").exists()
    # A month published without a warning has none in its manifest, and is sent.
    assert (
        run_scorecards("run", "--input", str(inputs), "--period", "2026-10", "--out", str(out), env=env).returncode == 0
    )
    assert "warnings" not in json.loads((out / "2026-10" / "manifest.json").read_text())
    assert run_scorecards("send", "--period", "2026-10", "--out", str(out), env=env).returncode == 0
    assert len(mailbox.received) == 2


@pytest.mark.parametrize("stop", ["SIGTERM to the command", "Ctrl-C to its process group"])
def test_a_stopped_command_unwinds_at_once_and_stops_its_temporary_server(tmp_path: Path, stop: str) -> None:
    # Found in trials. `kill` (or a service manager's stop) ended `run` at once and left the temporary Prefect
    # server it had started running for good (~220 MB each). Ctrl-C, which a terminal sends to every process of
    # the command, stopped that server first: Prefect then retried recording the crashed run for ~2.5 minutes,
    # printed tracebacks and exited 1.
    import signal
    import threading
    import time

    import psutil
    from prefect_server import SCORECARDS

    from scorecards.flows.demo_data import generate_demo_inputs

    generate_demo_inputs(tmp_path / "input", "2026-10")
    arguments = ["backfill", "--input", str(tmp_path / "input"), "--from", "2026-05", "--to", "2026-10"]
    env = clean_environ(PREFECT_HOME=str(tmp_path / "home"))  # no server: the command starts a temporary one
    process = subprocess.Popen(
        [SCORECARDS, *arguments, "--out", str(tmp_path / "out")],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a process group of its own, as a terminal gives a command
        # Ctrl-C as a terminal delivers it, even when this test runs where SIGINT is ignored (a background job)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(process.stderr or []), daemon=True).start()
    deadline = time.monotonic() + 240
    while not any(line.startswith("progress:") for line in lines) and time.monotonic() < deadline:
        assert process.poll() is None, "".join(lines)
        time.sleep(0.1)
    server = [p for p in psutil.Process(process.pid).children(recursive=True) if "uvicorn" in " ".join(p.cmdline())]
    assert server, "".join(lines)  # the months are being written, by way of the temporary server

    if stop == "SIGTERM to the command":
        process.send_signal(signal.SIGTERM)
        expected = 128 + signal.SIGTERM
    else:
        os.killpg(process.pid, signal.SIGINT)
        expected = 128 + signal.SIGINT
    assert process.wait(timeout=60) == expected, "".join(lines[-20:])
    gone, alive = psutil.wait_procs(server, timeout=15)
    assert alive == [], "".join(lines[-20:])
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if ".building" in p.name) == []
    time.sleep(0.5)  # the reader thread's last lines
    assert not any("Traceback" in line or "Error logging to API" in line for line in lines), "".join(lines)
