"""The Prefect API's answer to a run's final state is lost on the way back: the run still reports what it did.

Under load (CI's killed-run tests once ran seven `scorecards` processes on two
cores), the answer to "this flow run is Completed" can time out or its
connection drop. Prefect's client then sends the same request again; the API
rejects the repeat as a duplicate and answers with the stored state, which
carries no result. The command must not then crash with MissingResult after
publishing: the flow's result reaches it in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from builders import scheduled_config
from lossy_api import LosingProxy
from processes import prefect_api_url, start_scorecards
from smtp_server import Mailbox

pytestmark = pytest.mark.flow


@pytest.fixture
def proxy(prefect_harness: object) -> Iterator[LosingProxy]:
    losing = LosingProxy(urlsplit(prefect_api_url()).port or 80)
    yield losing
    losing.close()


def test_a_published_period_is_reported_published(
    proxy: LosingProxy, make_inputs: Callable[..., Path], tmp_path: Path
) -> None:
    folder, out = make_inputs(), tmp_path / "out"
    process = start_scorecards(
        "run", "--input", str(folder), "--period", "2026-10", "--out", str(out), api_url=proxy.api_url
    )
    stdout, stderr = process.communicate(timeout=300)
    assert proxy.lost == 1, stderr[-3000:]  # the flow run's Completed: its answer was lost, the repeat answered
    assert process.returncode == 0, stderr[-3000:]
    assert "MissingResult" not in stderr and "Traceback" not in stderr
    assert [line.split()[:3] for line in stdout.splitlines() if line.startswith("2026-10")] == [
        ["2026-10", "published", "3"]
    ]
    assert (out / "2026-10" / "scorecards.csv").is_file()


def test_data_that_fails_validation_is_reported_with_its_problems(
    proxy: LosingProxy, make_inputs: Callable[..., Path], tmp_path: Path
) -> None:
    folder, out = make_inputs(reps=None), tmp_path / "out"
    process = start_scorecards(
        "run", "--input", str(folder), "--period", "2026-10", "--out", str(out), api_url=proxy.api_url
    )
    stdout, stderr = process.communicate(timeout=300)
    assert proxy.lost == 1, stderr[-3000:]  # the flow run's Failed
    assert process.returncode == 1
    assert "FAILED, nothing published" in stdout  # the report, on stdout as `validate` prints it
    assert "reps: required table missing" in stdout
    assert "MissingResult" not in stderr and "Traceback" not in stderr
    assert not out.exists()


def test_the_monthly_run_still_emails_the_managers(
    proxy: LosingProxy, make_inputs: Callable[..., Path], flows_mailbox: Mailbox, tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from scorecards.flows.monthly import monthly_flow

    config = scheduled_config(tmp_path, make_inputs(), tmp_path / "out")
    with temporary_settings({PREFECT_API_URL: proxy.api_url}):
        state = monthly_flow(config_path=str(config), period="2026-10", return_state=True)
    assert proxy.lost == 2  # the month's own run, then the monthly run
    assert state.is_completed(), state.message
    assert sorted(r.recipients[0] for r in flows_mailbox.received) == ["max@example.com", "mia@example.com"]
