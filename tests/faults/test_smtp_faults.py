"""Mail under faults: cut connections, busy and refusing servers. Every manager ends with exactly one message.

Each send records what was delivered in the period's sent-log before the next
message goes out; a later send completes exactly what is missing.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from builders import BASE_TABLES, REPS_HEADER, write_tables
from flaky_network import CuttingProxy
from smtp_server import Mailbox, smtp_environ
from typer.testing import CliRunner

from scorecards.flows.cli import app
from scorecards.flows.mail.messages import build_messages
from scorecards.flows.mail.sender import DeliveryReport, RetryPolicy, deliver
from scorecards.flows.mail.smtp import SmtpSettings, load_smtp_settings
from scorecards.flows.shared.layout import PeriodFolder

pytestmark = [
    pytest.mark.flow,
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]
MIA, MAX, NIA = "mia@example.com", "max@example.com", "nia.boss@example.com"
NO_WAITING = RetryPolicy(delays=(0.0, 0.0))


@pytest.fixture(scope="module")
def published(prefect_harness: object, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT/2026-10 published by `scorecards run` for three managers (BASE_TABLES plus a North team)."""
    root = tmp_path_factory.mktemp("published")
    north = ["R5", "Nia Park", "nia@example.com", "North", "Nia Boss", NIA, "", "en"]
    tables = {**BASE_TABLES, "reps": [*BASE_TABLES["reps"], dict(zip(REPS_HEADER, north, strict=True))]}
    write_tables(root / "input", tables)
    args = ["run", "--input", str(root / "input"), "--period", "2026-10", "--out", str(root / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return root / "out" / "2026-10"


@pytest.fixture
def period_dir(published: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(published, tmp_path / "2026-10"))


def send(period_dir: Path, smtp: SmtpSettings) -> dict[str, str]:
    messages, problems = build_messages(period_dir, "en", currency="CNY")
    assert problems == []
    report: DeliveryReport = deliver(
        messages, period_dir, smtp, dry_run=False, resend=False, sleep=lambda _: None, retry=NO_WAITING
    )
    return {d.recipient: d.outcome for d in report.deliveries}


def sent_log(period_dir: Path) -> Counter[str]:
    lines = PeriodFolder(period_dir).sent_log.read_text(encoding="utf-8").splitlines()
    return Counter(json.loads(line)["recipient"] for line in lines)


def received(mailbox: Mailbox) -> Counter[str]:
    return Counter(r.recipients[0] for r in mailbox.received)


def test_a_connection_cut_mid_message_is_retried_and_arrives_once(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, direct = mail_server(Mailbox())
    proxy = CuttingProxy(direct.port, {MIA: 2})  # the first two attempts for Mia are cut in the middle
    try:
        outcomes = send(period_dir, load_smtp_settings(smtp_environ(proxy.port)))
    finally:
        proxy.close()
    assert proxy.cut == Counter({MIA: 2})
    assert outcomes == {MAX: "sent", MIA: "sent", NIA: "sent"}
    assert received(mailbox) == Counter({MAX: 1, MIA: 1, NIA: 1})  # no half message, no second copy
    assert mailbox.by_recipient()[MIA].message.get_body(("plain",)) is not None
    assert sent_log(period_dir) == Counter({MAX: 1, MIA: 1, NIA: 1})


def test_a_busy_server_gets_each_message_once(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server(Mailbox(fail_first=2))  # 451 twice, then 250
    assert send(period_dir, smtp) == {MAX: "sent", MIA: "sent", NIA: "sent"}
    assert mailbox.attempts == 5
    assert received(mailbox) == Counter({MAX: 1, MIA: 1, NIA: 1})
    assert sent_log(period_dir) == Counter({MAX: 1, MIA: 1, NIA: 1})


def test_a_later_send_completes_exactly_what_faults_left_undelivered(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, direct = mail_server(Mailbox(refuse=(MAX,)))  # 550 for Max
    proxy = CuttingProxy(direct.port, {MIA: 3})  # every attempt for Mia is cut
    try:
        first = send(period_dir, load_smtp_settings(smtp_environ(proxy.port)))
    finally:
        proxy.close()
    assert first[NIA] == "sent"
    assert first[MIA] == "failed: the server closed the connection"
    assert first[MAX].startswith("failed: recipient refused: 550")
    assert sent_log(period_dir) == Counter({NIA: 1})

    mailbox.refuse = ()  # the mailbox is fixed, the network is healthy again
    second = send(period_dir, load_smtp_settings(smtp_environ(direct.port)))
    assert second == {MAX: "sent", MIA: "sent", NIA: "already sent"}
    assert received(mailbox) == Counter({MAX: 1, MIA: 1, NIA: 1})
    assert sent_log(period_dir) == Counter({MAX: 1, MIA: 1, NIA: 1})

    assert send(period_dir, load_smtp_settings(smtp_environ(direct.port))) == dict.fromkeys(
        (MAX, MIA, NIA), "already sent"
    )
    assert received(mailbox) == Counter({MAX: 1, MIA: 1, NIA: 1})


def test_a_message_sent_again_after_a_lost_record_keeps_its_message_id(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    # SMTP cannot tell a lost 250 from a lost message: a crash between the server taking a message and
    # the sent-log line sends it again. It goes out as the same message, which mail clients show once.
    mailbox, smtp = mail_server(Mailbox())
    assert set(send(period_dir, smtp).values()) == {"sent"}
    PeriodFolder(period_dir).sent_log.unlink()  # the record of the first send is lost
    assert set(send(period_dir, smtp).values()) == {"sent"}

    ids: dict[str, list[str]] = {}
    for message in mailbox.received:
        ids.setdefault(message.recipients[0], []).append(message.message["Message-ID"])
    assert sorted(ids) == [MAX, MIA, NIA]
    assert all(len(pair) == 2 and pair[0] == pair[1] for pair in ids.values()), ids
    assert len({pair[0] for pair in ids.values()}) == 3  # one per manager

    messages, _ = build_messages(period_dir, "en", currency="CNY")
    deliver(messages, period_dir, smtp, dry_run=False, resend=True, sleep=lambda _: None, retry=NO_WAITING)
    resent = {m.recipients[0]: m.message["Message-ID"] for m in mailbox.received[-3:]}
    assert all(resent[r] != ids[r][0] for r in resent)  # --resend asks for a new message: a new Message-ID
