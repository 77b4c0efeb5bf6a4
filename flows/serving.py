"""`scorecards serve`: the monthly deployment on its schedule, with the checks an operator needs to trust it.

Prefect's own `serve()` starts polling and says nothing more. Three ways it can
fail silently are made loud here: no server to create scheduled runs (the
temporary server does not run Prefect's scheduler service), a server whose
scheduler cannot schedule (it logs the error only in its own log), and a stop
that waits forever on a server that went away.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from cronsim import CronSim
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.logging import get_logger
from prefect.runner import Runner
from prefect.settings import PREFECT_API_URL
from prefect.states import Scheduled

from scorecards.config import Settings
from scorecards.config.settings import Schedule
from scorecards.flows.monthly import DEPLOYMENT_NAME, month_due, monthly_deployment, monthly_flow
from scorecards.flows.shared.errors import ScorecardsError, UsageError

#: How long the server may take to create the first scheduled run before serve reports it cannot schedule.
SCHEDULE_CHECK_SECONDS = 60.0
#: How long stopping may take (pausing the schedule on the server) before serve exits anyway.
SHUTDOWN_GRACE_SECONDS = 15.0

logger = get_logger("scorecards.serve")


class ServerUnavailable(ScorecardsError):
    """No Prefect server answers at PREFECT_API_URL (exit status 1)."""


def next_run_time(schedule: Schedule, now: datetime | None = None) -> datetime:
    """When the schedule's cron next fires after `now`, in the schedule's time zone."""
    zone = ZoneInfo(schedule.timezone)
    start = (now or datetime.now(zone)).astimezone(zone).replace(second=0, microsecond=0)
    return next(CronSim(schedule.cron, start))


def serve_monthly(settings: Settings, config_path: Any) -> None:  # noqa: ANN401 - Path | None
    """Register the monthly deployment with the running Prefect server and run its scheduled runs until stopped."""
    api_url = PREFECT_API_URL.value()
    if not api_url:
        raise UsageError(
            "serve needs a running Prefect server: start one with `prefect server start` and set "
            "PREFECT_API_URL (e.g. http://127.0.0.1:4200/api); Prefect's temporary server never creates scheduled runs"
        )
    with get_client(sync_client=True) as client:
        problem = client.api_healthcheck()
    if problem is not None:
        raise ServerUnavailable(f"no Prefect server answers at {api_url} ({type(problem).__name__}); is it running?")
    schedule = settings.schedule
    if not schedule.input.is_dir():
        logger.warning("the schedule's input folder %s does not exist yet; runs fail until it does", schedule.input)

    # The schedule is paused below, once the runner has stopped: Prefect's own pause runs while the
    # event loop is being cancelled, and was seen cut short before it reached the server.
    runner = _BoundedRunner(pause_on_shutdown=False)
    runner.timezone = schedule.timezone
    deployment_id = runner.add_deployment(monthly_deployment(settings, config_path))
    logger.info(
        "serving %s/%s: cron %r in %s; next run due %s",
        monthly_flow.name,
        DEPLOYMENT_NAME,
        schedule.cron,
        schedule.timezone,
        _when(next_run_time(schedule)),
    )
    threading.Thread(
        target=_confirm_scheduling, args=(deployment_id, schedule.timezone), name="schedule-check", daemon=True
    ).start()
    loop = asyncio.new_event_loop()
    runner.loop = loop
    signal.signal(signal.SIGINT, lambda *_: runner.request_stop("Ctrl-C"))
    try:
        loop.run_until_complete(runner.start())
    finally:
        loop.close()
    try:
        with get_client(sync_client=True) as client:
            client.pause_deployment(deployment_id)
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server means the same to the operator
        runner.report_lost()
        raise ServerUnavailable(
            f"stopped, but could not pause the schedule: the Prefect server at {api_url} does not answer "
            f"({type(exc).__name__}); the deployment may still show its schedule as active"
        ) from None
    try:
        with get_client(sync_client=True) as client:
            _run_again_later(client, runner.interrupted, schedule.timezone)
    except Exception:  # noqa: BLE001 - the server went away in between: the operator must hear of the runs
        runner.report_lost()
    logger.info("stopped; the schedule is paused until serve runs again")


class _BoundedRunner(Runner):
    """Prefect's runner, stopped from its own event loop, and given SHUTDOWN_GRACE_SECONDS to do it.

    Prefect 3.8.8's SIGTERM handler raises SystemExit inside the event loop; the tasks it cuts short
    (a finished run's control channel) then log tracebacks. Here a signal asks the loop to stop the
    runner as Prefect's `astop` does, and `start()` returns normally.
    """

    loop: asyncio.AbstractEventLoop | None = None
    #: The schedule's time zone: the month a run cut short was scoring, when the server cannot say.
    timezone: str = "UTC"
    #: The flow runs under way when the stop came (set once, by the first stop signal).
    interrupted: list[UUID] = []  # noqa: RUF012 - replaced, never mutated
    _stop_requested = False

    def handle_sigterm(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401 - signal handler arguments
        """Stop on SIGTERM, within a bounded time."""
        self.request_stop("SIGTERM")

    def request_stop(self, why: str) -> None:
        """Ask the runner's loop to stop it (safe from a signal handler); exit anyway after the grace time. A
        second signal changes nothing: the first stop is under way."""
        if self._stop_requested:
            self._logger.info("%s received; already stopping", why)
            return
        self._stop_requested = True
        _arm_shutdown_deadline(self)
        self._logger.info("%s received, stopping...", why)
        if self.loop is not None:
            loop = self.loop
            loop.call_soon_threadsafe(lambda: loop.create_task(self._stop()))

    async def _stop(self) -> None:
        # The runs under way, before astop cancels them: serve_monthly schedules them to run again.
        self.interrupted = list(self._process_manager.flow_run_ids())
        await self.astop()

    def report_lost(self) -> None:
        """Log an ERROR for each run the stop cut short that cannot be scheduled again (the server is gone)."""
        month = month_due(self.timezone)
        for flow_run_id in self.interrupted:
            logger.error(
                "a run under way (flow run %s, most likely of %s) was cut short by the stop and could not be "
                "scheduled again: run its month with `scorecards run --period %s` (and `send`) by hand",
                flow_run_id,
                month,
                month,
            )


def _run_again_later(client: SyncPrefectClient, interrupted: list[UUID], timezone: str) -> None:
    """Schedule each run the stop cut short to run again, for the same month, when serve next starts.

    Prefect does not run a cancelled or crashed run again, and the schedule's next chance is a month later: a
    stop (a host's reboot) during the run on the 1st would otherwise lose that month without a word. The new
    run is not auto-scheduled, so the paused schedule keeps it, and the next `serve` runs it as a late run. A
    run that completed or failed on its own as the stop came is left alone.
    """
    for flow_run_id in interrupted:
        cancelled = client.read_flow_run(flow_run_id)
        if cancelled.deployment_id is None or cancelled.state is None:
            continue
        # Prefect's runner cancels every run whose process has not exited yet, one that has just completed
        # too; a signal to serve's process group (Ctrl-C, systemd) crashes the run instead.
        history = client.read_flow_run_states(flow_run_id)
        if not (cancelled.state.is_cancelled() or cancelled.state.is_crashed()) or any(
            state.is_completed() for state in history
        ):
            continue
        parameters = dict(cancelled.parameters)
        if not parameters.get("period"):
            # The month it was scoring, from when it was due, whenever serve starts again (its name says the month
            # only once its flow has begun).
            parameters["period"] = str(month_due(timezone, cancelled.expected_start_time or cancelled.created))
        again = client.create_flow_run_from_deployment(
            cancelled.deployment_id, parameters=parameters, state=Scheduled(), tags=["run-again"]
        )
        logger.warning(
            "the run of %s (%s) was cut short by the stop; it runs again when serve next starts (flow run %s)",
            parameters["period"],
            cancelled.name,
            again.id,
        )


def _arm_shutdown_deadline(runner: _BoundedRunner) -> None:
    timer = threading.Timer(SHUTDOWN_GRACE_SECONDS, _give_up_stopping, args=(runner,))
    timer.daemon = True
    timer.start()


def _give_up_stopping(runner: _BoundedRunner) -> None:
    runner.report_lost()
    logger.error(
        "could not pause the schedule within %.0f s: the Prefect server at %s does not answer; "
        "exiting anyway (the deployment may still show its schedule as active)",
        SHUTDOWN_GRACE_SECONDS,
        PREFECT_API_URL.value(),
    )
    for handler in logger.handlers + get_logger().handlers:
        handler.flush()
    sys.stderr.flush()
    os._exit(1)  # the event loop is stuck in the client's retries; nothing else can end it


def _confirm_scheduling(deployment_id: UUID, timezone: str) -> None:
    """Log when the server has scheduled the next run; log an error if it has not within SCHEDULE_CHECK_SECONDS."""
    deadline = time.monotonic() + SCHEDULE_CHECK_SECONDS
    try:
        with get_client(sync_client=True) as client:
            while True:
                runs = client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment_id])),
                    flow_run_filter=FlowRunFilter(
                        state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.SCHEDULED]))
                    ),
                    sort=FlowRunSort.EXPECTED_START_TIME_ASC,
                    limit=1,
                )
                if runs and runs[0].expected_start_time:
                    start = runs[0].expected_start_time.astimezone(ZoneInfo(timezone))
                    logger.info("the Prefect server has scheduled the next run (%s) for %s", runs[0].name, _when(start))
                    return
                if time.monotonic() > deadline:
                    break
                time.sleep(2)
    except Exception as exc:  # noqa: BLE001 - a failed check is reported, it must not stop serving
        logger.error("could not check the schedule on the Prefect server: %s", exc)
        return
    logger.error(
        "the Prefect server has created no scheduled run for this deployment in %.0f s: its scheduler "
        "service is not working, and no monthly run will happen. Check the server's log for errors from "
        "'schedule_deployments', and `prefect deployment ls` / `prefect flow-run ls` for scheduled runs",
        SCHEDULE_CHECK_SECONDS,
    )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M %Z")
