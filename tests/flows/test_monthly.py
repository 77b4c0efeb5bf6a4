"""The monthly deployment: its schedule comes from config; it runs the last complete month, then sends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from builders import scheduled_config

from scorecards.config import ConfigError, load_settings
from scorecards.config.settings import default_config_path
from scorecards.flows.monthly import monthly_deployment
from scorecards.transforms.period import Period, last_complete_month


def test_the_deployment_has_the_configured_cron_and_time_zone(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        default_config_path()
        .read_text()
        .replace('cron = "0 6 1 * *"', 'cron = "30 7 2 * *"')
        .replace("Asia/Shanghai", "Europe/Berlin")
    )
    deployment = monthly_deployment(load_settings(config), config)
    (schedule,) = deployment.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("30 7 2 * *", "Europe/Berlin")
    assert deployment.name == "monthly" and deployment.parameters == {"config_path": str(config.resolve())}


def test_the_default_schedule_is_six_on_the_first_in_shanghai() -> None:
    (schedule,) = monthly_deployment(load_settings(), None).schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 6 1 * *", "Asia/Shanghai")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('cron = "0 6 1 * *"', 'cron = "every month"', "is not a cron expression"),
        ('timezone = "Asia/Shanghai"', 'timezone = "Mars/Olympus"', "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_a_wrong_schedule_is_refused_on_load(tmp_path: Path, old: str, new: str, message: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(default_config_path().read_text().replace(old, new))
    with pytest.raises(ConfigError, match=message):
        load_settings(config)


@pytest.mark.parametrize(
    ("today", "month"),
    [
        (date(2026, 11, 1), Period(2026, 10)),
        (date(2026, 11, 30), Period(2026, 10)),
        (date(2027, 1, 1), Period(2026, 12)),
    ],
)
def test_the_last_complete_month(today: date, month: Period) -> None:
    assert last_complete_month(today) == month


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_the_monthly_flow_publishes_then_emails_each_manager(make_inputs, flows_mailbox, tmp_path: Path) -> None:  # noqa: ANN001
    from scorecards.flows.monthly import monthly_flow
    from scorecards.flows.period_flow import RunResult

    config = scheduled_config(tmp_path, make_inputs(), tmp_path / "out")
    state = monthly_flow(config_path=str(config), period="2026-10", return_state=True)
    assert state.is_completed(), state.message
    assert isinstance(state.result(), RunResult)
    assert (tmp_path / "out" / "2026-10" / "scorecards.csv").is_file()
    assert sorted(r.recipients[0] for r in flows_mailbox.received) == ["max@example.com", "mia@example.com"]
    assert (tmp_path / "out" / "2026-10" / "sent-log.jsonl").read_text().count("\n") == 2


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_month_that_fails_validation_sends_nothing(make_inputs, flows_mailbox, tmp_path: Path) -> None:  # noqa: ANN001
    from scorecards.flows.monthly import monthly_flow

    config = scheduled_config(tmp_path, make_inputs(reps=None), tmp_path / "out")
    state = monthly_flow(config_path=str(config), period="2026-10", return_state=True)
    # The final state says why, as the run's log does (found by an operator's review: it said only that it failed).
    assert state.is_failed()
    assert "2026-10: not published, nothing sent (reps: required table missing (expected reps.csv" in state.message
    assert flows_mailbox.received == []
    assert not (tmp_path / "out" / "2026-10").exists()


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_month_the_input_has_nothing_dated_in_is_published_and_sent_to_nobody(
    make_inputs, flows_mailbox, tmp_path: Path
) -> None:  # noqa: ANN001
    # A scheduled run on an export that was not refreshed would otherwise mail every manager a team of D grades.
    from scorecards.flows.monthly import monthly_flow

    config = scheduled_config(tmp_path, make_inputs(), tmp_path / "out")
    state = monthly_flow(config_path=str(config), period="2026-03", return_state=True)
    assert state.is_failed()
    assert state.message.endswith(
        "2026-03: published, nothing sent: the input has no deal, lead or survey answer dated in it: every card"
        " shows no activity"
    )
    assert (tmp_path / "out" / "2026-03" / "scorecards.csv").is_file()
    assert flows_mailbox.received == []


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_a_month_that_cannot_be_read_fails_with_the_reason(flows_mailbox, tmp_path: Path) -> None:  # noqa: ANN001
    from scorecards.flows.monthly import monthly_flow

    config = scheduled_config(tmp_path, tmp_path / "not-there", tmp_path / "out")
    state = monthly_flow(config_path=str(config), period="2026-10", return_state=True)
    assert state.is_failed()
    assert f"2026-10: not published, nothing sent ({tmp_path / 'not-there'}: input folder not found)" in state.message
    assert flows_mailbox.received == []


@pytest.mark.parametrize(
    ("cron", "now", "due"),
    [
        ("0 6 1 * *", datetime(2026, 11, 29, 1, 49, tzinfo=UTC), datetime(2026, 12, 1, 6, 0)),
        (
            "0 6 1 * *",
            datetime(2026, 11, 30, 21, 59, 59, tzinfo=UTC),
            datetime(2026, 12, 1, 6, 0),
        ),  # 05:59:59 in Shanghai
        (
            "0 6 1 * *",
            datetime(2026, 11, 30, 22, 0, tzinfo=UTC),
            datetime(2027, 1, 1, 6, 0),
        ),  # due now: the next is January
    ],
)
def test_serve_announces_the_next_run_in_the_schedules_time_zone(cron: str, now: datetime, due: datetime) -> None:
    from scorecards.flows.serving import next_run_time

    schedule = load_settings().schedule.model_copy(update={"cron": cron})
    assert next_run_time(schedule, now) == due.replace(tzinfo=ZoneInfo("Asia/Shanghai"))


def test_a_month_given_to_a_monthly_run_by_hand_must_be_one_a_card_can_be_made_for() -> None:
    from scorecards.flows.monthly import month_to_score

    assert str(month_to_score(load_settings(), "9999-11")) == "9999-11"
    with pytest.raises(ValueError, match="9999-12 cannot be scored; months run from 0001-06"):
        month_to_score(load_settings(), "9999-12")
