"""The monthly deployment: score the last complete month, then email the managers (`scorecards serve`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.deployments.runner import RunnerDeployment
from prefect.runtime import flow_run
from prefect.schedules import Cron

from scorecards.config import ConfigError, Settings, load_settings
from scorecards.config.profiles import load_profile
from scorecards.flows.mail.smtp import load_smtp_settings
from scorecards.flows.period_flow import RunResult, period_flow, run_for_result
from scorecards.flows.sending import Sent, send_period
from scorecards.flows.shared.errors import MonthlyRunFailed
from scorecards.transforms.period import Period, last_complete_month
from scorecards.transforms.trend import check_scorable

DEPLOYMENT_NAME = "monthly"


@task(name="email the managers", cache_policy=NO_CACHE, persist_result=False)
def email_managers(out_dir: Path, period: str, settings: Settings) -> Sent:
    """Send each manager what the sent-log says they lack: their teams' scorecards, or a correction (SPEC §9)."""
    sent = send_period(out_dir, period, settings, load_smtp_settings())
    get_run_logger().info("%s", sent.describe())
    return sent


def month_to_score(settings: Settings, period: str | None) -> Period:
    """The month a monthly run scores: `period` if given, else the month due now (`month_due`)."""
    if period:
        return check_scorable(Period.parse(period))
    return month_due(settings.schedule.timezone)


def month_due(timezone: str, at: datetime | None = None) -> Period:
    """The month a monthly run without a period scores when it runs at `at` (now by default): the last complete
    month in the schedule's time zone."""
    zone = ZoneInfo(timezone)
    return last_complete_month((at or datetime.now(zone)).astimezone(zone).date())


def _run_name() -> str:
    """`monthly-YYYY-MM`: a monthly run reads as the month it scores."""
    parameters = flow_run.parameters
    config_path = parameters.get("config_path")
    try:
        settings = load_settings(Path(config_path) if config_path else None)
        return f"monthly-{month_to_score(settings, parameters.get('period'))}"
    except (ConfigError, ValueError):
        return "monthly-unknown-month"  # the flow itself then fails with the reason


@flow(name="scorecards-monthly", flow_run_name=_run_name, validate_parameters=False)
def monthly_flow(config_path: str | None = None, period: str | None = None) -> RunResult:
    """Score a month (by default the last complete one in the schedule's time zone), then email the managers."""
    settings = load_settings(Path(config_path) if config_path else None)
    schedule = settings.schedule
    try:
        month = month_to_score(settings, period)
    except ValueError as exc:  # a period given by hand to a deployment run
        raise MonthlyRunFailed(f"period {period!r}: {exc}; nothing published, nothing sent") from None
    profile = load_profile(schedule.profile)
    try:
        result = run_for_result(
            period_flow,
            input_dir=schedule.input,
            period=str(month),
            out_dir=schedule.out,
            settings=settings,
            profile=profile,
        )
    except Exception as exc:  # the month's own run has logged it (a bug with its traceback)
        raise MonthlyRunFailed(f"{month}: not published, nothing sent ({exc})") from exc
    # Raised, not returned as a Failed state: a deployment's run takes the flow's result, and a
    # Failed state carrying a RunResult ends it with a TypeError instead of this message.
    if not result.ok:
        raise MonthlyRunFailed(f"{month}: not published, nothing sent ({_why(result)})")
    if schedule.send:
        sent = email_managers(schedule.out, str(month), settings)
        if sent.withheld:
            raise MonthlyRunFailed(f"{month}: published, nothing sent: {'; '.join(sent.withheld)}")
        if not sent.ok:
            raise MonthlyRunFailed(f"{month}: published, but some messages failed")
    return result


def _why(result: RunResult, shown: int = 3) -> str:
    """The reasons a month did not publish, as the run's final state names them: the first few problems."""
    reasons = result.report.problems or [o.message for o in result.outcomes if o.status == "failed"]
    more = f"; and {len(reasons) - shown} more in the run's log" if len(reasons) > shown else ""
    return "; ".join(reasons[:shown]) + more


def monthly_deployment(settings: Settings, config_path: Path | None) -> RunnerDeployment:
    """The monthly flow as a deployment on the configured cron schedule and time zone."""
    return monthly_flow.to_deployment(
        name=DEPLOYMENT_NAME,
        schedules=[Cron(settings.schedule.cron, timezone=settings.schedule.timezone)],
        parameters={"config_path": str(config_path.resolve()) if config_path else None},
        description="Score the last complete month and email each manager the team's scorecards.",
    )
