"""`scorecards serve` as an operator runs it: installed, against a real `prefect server start`, on a schedule that fires.

The scheduled month is published and the managers' messages arrive once, however many
times the schedule fires; SIGTERM stops serve cleanly and pauses its schedule; a server
that cannot schedule, or that went away, is reported instead of waited on in silence.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from builders import BASE_TABLES, OPPORTUNITIES_HEADER, write_csv
from prefect_server import (
    BIN,
    PrefectServer,
    clean_environ,
    run_scorecards,
    start_prefect_server,
    start_scorecards,
    wait_for,
)
from smtp_server import free_port, smtp_environ

from scorecards.config.settings import default_config_path
from scorecards.flows.demo_data import generate_demo_inputs
from scorecards.transforms.period import last_complete_month

pytestmark = pytest.mark.flow

TIMEZONE = "Asia/Shanghai"


def serve_config(tmp_path: Path, cron: str = "* * * * *", send: bool = True) -> Path:
    """The shipped config with only its [schedule] changed, as the issue's user did; its input has a deal won in
    the month a scheduled run scores now (and in the next, for a run across midnight), since a month with nothing
    dated in it is sent to nobody."""
    inputs = tmp_path / "input"
    due = last_complete_month(datetime.now(ZoneInfo(TIMEZONE)).date())
    won = [
        dict(
            zip(OPPORTUNITIES_HEADER, [f"S{m}", "R1", "A1", "Acme", "won", "10.00", f"{m}-02", f"{m}-03"], strict=True)
        )
        for m in (due, due.next())
    ]
    for name, rows in {**BASE_TABLES, "opportunities": [*BASE_TABLES["opportunities"], *won]}.items():
        write_csv(inputs / f"{name}.csv", rows)
    text = (
        default_config_path()
        .read_text()
        .replace('cron = "0 6 1 * *"', f'cron = "{cron}"')
        .replace('input = "input"', f'input = "{inputs}"')
        .replace('out = "out"', f'out = "{tmp_path / "out"}"')
        .replace("send = true", f"send = {str(send).lower()}")
    )
    config = tmp_path / "serve.toml"
    config.write_text(text)
    return config


def completed_runs(server: PrefectServer, prefix: str) -> list[dict]:
    return [run for run in server.flow_runs(prefix) if run["state_type"] == "COMPLETED"]


def test_the_schedule_fires_publishes_the_month_and_emails_each_manager_once(
    prefect_server: PrefectServer, mail_server, tmp_path: Path
) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    config = serve_config(tmp_path)
    log = tmp_path / "serve.log"
    env = prefect_server.environ(tmp_path / "home", **smtp_environ(smtp.port))
    months = {str(last_complete_month(datetime.now(ZoneInfo(TIMEZONE)).date()))}
    serve = start_scorecards("serve", "--config", str(config), env=env, log=log)
    try:
        wait_for(
            lambda: "the Prefect server has scheduled the next run" in log.read_text(),
            90,
            "a scheduled run to exist",
            log,
        )
        first = wait_for(
            lambda: completed_runs(prefect_server, "monthly-"), 150, "a scheduled monthly run", log, prefect_server
        )
        months.add(str(last_complete_month(datetime.now(ZoneInfo(TIMEZONE)).date())))  # a run across midnight
        assert first[0]["name"] in {f"monthly-{m}" for m in months}
        month = first[0]["name"].removeprefix("monthly-")
        assert (tmp_path / "out" / month / "scorecards.csv").is_file()
        assert sorted(r.recipients[0] for r in mailbox.received) == ["max@example.com", "mia@example.com"]

        # The next minute's run publishes the month again and sends nothing more.
        wait_for(lambda: len(completed_runs(prefect_server, "monthly-")) >= 2, 120, "a second scheduled run", log)
        assert len(mailbox.received) == 2
        assert (tmp_path / "out" / month / "sent-log.jsonl").read_text().count("\n") == 2
    finally:
        serve.send_signal(signal.SIGTERM)
        exit_status = serve.wait(timeout=60)
    output = log.read_text()
    assert exit_status == 0, output[-3000:]
    assert "stopped; the schedule is paused until serve runs again" in output
    assert "Traceback" not in output
    assert prefect_server.deployment("scorecards-monthly", "monthly")["paused"] is True
    # The README's way to look at the schedule from a shell, with the CLI this lock installs.
    inspected = subprocess.run(
        [str(BIN / "prefect"), "deployment", "inspect", "scorecards-monthly/monthly"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert inspected.returncode == 0, inspected.stderr
    assert "'* * * * *'" in inspected.stdout and "'paused': True" in inspected.stdout
    # The server's services (scheduler, late runs, cancellation, event persister, ...) ran without an error.
    assert prefect_server.error_lines() == []


@pytest.mark.parametrize("stop", ["SIGTERM to serve", "Ctrl-C to its process group"])
def test_a_run_cut_short_by_a_stop_runs_again_for_its_month_when_serve_starts_again(
    prefect_server: PrefectServer, tmp_path: Path, stop: str
) -> None:
    # Found by an operator's review: a stop during the run on the 1st cancelled it, and nothing ran that month
    # again until a month later. SIGTERM to serve alone cancels the run; Ctrl-C in a terminal (or systemd's
    # stop) signals the run's process as well, which crashes it. The demo's data keeps a run busy for long
    # enough to stop it halfway.
    config = serve_config(tmp_path, send=False)
    generate_demo_inputs(tmp_path / "input", str(last_complete_month(datetime.now(ZoneInfo(TIMEZONE)).date())))
    env = prefect_server.environ(tmp_path / "home")
    before = {run["id"] for run in prefect_server.flow_runs()}

    def runs(*states: str) -> list[dict]:
        return [r for r in prefect_server.flow_runs("monthly-") if r["id"] not in before and r["state_type"] in states]

    first_log = tmp_path / "serve-1.log"
    serve = start_scorecards("serve", "--config", str(config), env=env, log=first_log)
    try:
        deadline = time.monotonic() + 150
        while "Beginning flow run 'monthly-" not in first_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)  # the demo's month takes a few seconds: stop it within its first
        assert "Beginning flow run 'monthly-" in first_log.read_text(), first_log.read_text()[-3000:]
    finally:
        if stop == "SIGTERM to serve":
            serve.send_signal(signal.SIGTERM)
        else:
            os.killpg(serve.pid, signal.SIGINT)
        assert serve.wait(timeout=60) == 0, first_log.read_text()[-3000:]
    output = first_log.read_text()
    (cut,) = runs("CANCELLED", "CRASHED")
    month = cut["name"].removeprefix("monthly-")  # the month the run was scoring, whatever the clock says now
    assert runs("COMPLETED") == [] and not (tmp_path / "out" / month / "manifest.json").exists(), output[-3000:]
    assert f"the run of {month} (monthly-{month}) was cut short by the stop; it runs again when serve next" in output

    # Started again on a schedule that will not fire for months, serve runs the cut-short month at once.
    config.write_text(config.read_text().replace('cron = "* * * * *"', 'cron = "0 6 1 1 *"'))
    second_log = tmp_path / "serve-2.log"
    serve = start_scorecards("serve", "--config", str(config), env=env, log=second_log)
    try:
        (done,) = wait_for(lambda: runs("COMPLETED"), 240, "the cut-short month to run again", second_log)
    finally:
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=60) == 0, second_log.read_text()[-3000:]
    assert done["name"] == f"monthly-{month}" and done["parameters"]["period"] == month
    assert (tmp_path / "out" / month / "manifest.json").is_file()


def test_a_server_that_cannot_schedule_is_reported_and_a_gone_server_does_not_hang_the_stop(tmp_path: Path) -> None:
    # A server whose scheduler service does not run is what SQLAlchemy 2.1 made of every server.
    server = start_prefect_server(tmp_path / "server", PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false")
    log = tmp_path / "serve.log"
    try:
        serve = start_scorecards(
            "serve", "--config", str(serve_config(tmp_path, send=False)), env=server.environ(tmp_path / "home"), log=log
        )
        wait_for(lambda: "has created no scheduled run" in log.read_text(), 120, "serve to report it", log)
        assert "next run due" in log.read_text()
    finally:
        server.stop()
    serve.send_signal(signal.SIGTERM)
    exit_status = serve.wait(timeout=60)
    output = log.read_text()
    assert exit_status == 1, output[-3000:]
    assert "could not pause the schedule" in output  # after the 15 s bound, or as soon as the client gives up


def test_serve_refuses_to_start_without_a_server_that_answers(tmp_path: Path) -> None:
    config = str(serve_config(tmp_path))
    alone = run_scorecards("serve", "--config", config, env=_without_server(tmp_path), timeout=120)
    assert alone.returncode == 2
    assert "serve needs a running Prefect server" in alone.stderr
    nobody = f"http://127.0.0.1:{free_port()}/api"
    gone = run_scorecards("serve", "--config", config, env={**_without_server(tmp_path), "PREFECT_API_URL": nobody})
    assert gone.returncode == 1
    assert f"no Prefect server answers at {nobody}" in gone.stderr
    assert "Traceback" not in alone.stderr + gone.stderr


def test_serve_refuses_a_schedule_profile_that_does_not_exist(tmp_path: Path) -> None:
    config = serve_config(tmp_path)
    config.write_text(config.read_text().replace('profile = "canonical"', 'profile = "no-such-crm"'))
    refused = run_scorecards("serve", "--config", str(config), env=_without_server(tmp_path), timeout=120)
    assert refused.returncode == 2
    assert "no-such-crm" in refused.stderr and "Traceback" not in refused.stderr


def test_serve_refuses_a_schedule_output_folder_that_cannot_be_one(tmp_path: Path) -> None:
    config = serve_config(tmp_path)
    (tmp_path / "a file").write_text("not a folder")
    config.write_text(config.read_text().replace(f'out = "{tmp_path / "out"}"', f'out = "{tmp_path / "a file"}"'))
    assert f'out = "{tmp_path / "a file"}"' in config.read_text()
    refused = run_scorecards("serve", "--config", str(config), env=_without_server(tmp_path), timeout=120)
    assert refused.returncode == 2
    assert "[schedule] out names the folder" in refused.stderr and "Traceback" not in refused.stderr


def _without_server(tmp_path: Path) -> dict[str, str]:
    return clean_environ(PREFECT_HOME=str(tmp_path / "home"))
