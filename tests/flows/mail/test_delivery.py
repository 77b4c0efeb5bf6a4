"""`scorecards send`: each manager gets their own teams' scorecards, once, through a real SMTP server on loopback."""

from __future__ import annotations

import email
import io
import json
import logging
import re
import shutil
import smtplib
import ssl
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from ipaddress import ip_address
from pathlib import Path

import polars as pl
import pytest
from browser import PHONE_WIDTH, evaluated
from builders import BASE_TABLES, OPPORTUNITIES_HEADER, REPS_HEADER, write_tables
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from openpyxl import load_workbook
from smtp_server import PASSWORD, USER, Mailbox, free_port, smtp_environ

from scorecards.config import load_settings
from scorecards.flows.cards.card_view import build_cards
from scorecards.flows.cards.render import write_cards, write_team_rollups
from scorecards.flows.cards.rollup_view import build_team_rollups
from scorecards.flows.mail import sender
from scorecards.flows.mail.messages import build_messages
from scorecards.flows.mail.sender import DeliveryReport, RetryPolicy, deliver, format_delivery_report
from scorecards.flows.mail.smtp import SmtpSettings, load_smtp_settings
from scorecards.flows.publish.outputs import write_scorecards
from scorecards.flows.shared.errors import UsageError
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.naming import safe_stem
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report

EVIL = "evil@example.com"

#: Beside BASE_TABLES (East: Mia Wong, mia@; West: Max Li, max@): Mia also leads North; a second
#: "Max Li" with another address leads South; names that try to smuggle headers in.
EXTRA_REPS = [
    ["R5", "Nia Park", "nia@example.com", "North", "Mia Wong", "mia@example.com", "", "en"],
    ["R6", "Oz <b>Kim</b> & Co", "oz@example.com", "South", "Max Li", "max.li@south.example", "", "en"],
    ["R7", f"Eve\r\nBcc: {EVIL}", "eve@example.com", "South", "Max Li", "max.li@south.example", "", "en"],
    ["R8", "Sam Roe", "sam@example.com", f"Ops\r\nBcc: {EVIL}", f"Ola\r\nBcc: {EVIL}", "ola@example.com", "", "en"],
]
EXTRA_DEALS = [
    ["O7", "R5", "A5", "Epsilon", "won", "400.00", "2026-10-01", "2026-10-02"],
    ["O8", "R6", "A6", "Zeta", "won", "900.00", "2026-10-01", "2026-10-03"],
]
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

MANAGERS = ["max.li@south.example", "max@example.com", "mia@example.com", "ola@example.com"]


# --- a published period, made by the real stages --------------------------------------------------


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT/2026-10 published from BASE_TABLES plus EXTRA_REPS (without Prefect)."""
    root = tmp_path_factory.mktemp("published")
    tables = {
        **BASE_TABLES,
        "reps": [*BASE_TABLES["reps"], *(dict(zip(REPS_HEADER, r, strict=True)) for r in EXTRA_REPS)],
        "opportunities": [
            *BASE_TABLES["opportunities"],
            *(dict(zip(OPPORTUNITIES_HEADER, r, strict=True)) for r in EXTRA_DEALS),
        ],
    }
    write_tables(root / "input", tables)
    settings = load_settings()
    validated = validate_tables(read_inputs(root / "input"), settings)
    assert validated.report.ok, validated.report.problems
    period = Period.parse("2026-10")
    report = period_report(validated.tables, period, settings)
    folder = root / "out" / "2026-10"
    folder.mkdir(parents=True)
    write_scorecards(report.scorecards, PeriodFolder(folder))
    cards = build_cards(report, period, settings)
    write_cards(cards, PeriodFolder(folder), "CNY")
    rollups = build_team_rollups(report, period, settings)
    write_team_rollups(rollups, PeriodFolder(folder), "CNY")
    return folder


@pytest.fixture
def period_dir(published: Path, tmp_path: Path) -> Path:
    """A private copy of the publication (sending writes the sent-log and outbox into it)."""
    return Path(shutil.copytree(published, tmp_path / "2026-10"))


def edit_scorecards(period_dir: Path, **columns: pl.Expr) -> None:
    """Rewrite the published table, as a tampered or differently published period would have it."""
    path = period_dir / "scorecards.parquet"
    pl.read_parquet(path).with_columns(**columns).write_parquet(path)


class Sleeps(list[float]):
    """Stands in for time.sleep: records the delays instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def send(
    period_dir: Path, smtp: SmtpSettings | None, *, resend: bool = False, dry_run: bool = False, **options: object
) -> tuple[DeliveryReport, list[str]]:
    messages, problems = build_messages(period_dir, "en", currency="CNY")
    report = deliver(
        messages,
        period_dir,
        smtp,
        dry_run=dry_run,
        resend=resend,
        sleep=options.pop("sleep", Sleeps()),  # type: ignore[arg-type]
        **options,  # type: ignore[arg-type]
    )
    return report, problems


def body(message: EmailMessage, kind: str) -> str:
    """A body part's text with the wire's CRLF line ends read as newlines."""
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def outcomes(report: DeliveryReport) -> dict[str, str]:
    return {d.recipient: d.outcome for d in report.deliveries}


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def expected_files(published: Path, recipient: str) -> dict[str, bytes]:
    """The team rollups and rep cards of the teams whose manager address is `recipient`, by file path."""
    table = pl.read_parquet(published / "scorecards.parquet").filter(pl.col("manager_email") == recipient)
    files = {f"teams/{safe_stem(t)}.xlsx" for t in table["team"]} | {
        f"reps/{safe_stem(r)}.xlsx" for r in table["rep_id"]
    }
    return {path: (published / path).read_bytes() for path in files}


# --- what arrives ---------------------------------------------------------------------------------------


def test_each_manager_gets_one_message_with_their_teams_summary_and_files(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    report, problems = send(period_dir, smtp)

    assert problems == [] and report.ok
    assert outcomes(report) == dict.fromkeys(MANAGERS, "sent")
    received = mailbox.by_recipient()
    assert sorted(received) == MANAGERS and all(len(r.recipients) == 1 for r in mailbox.received)
    assert {r.sender for r in mailbox.received} == {"scorecards@example.com"}

    mia = received["mia@example.com"].message  # leads East and North: one message with both
    assert mia["To"] == "Mia Wong <mia@example.com>"
    assert mia["From"] == "Scorecards <scorecards@example.com>"
    assert mia["Subject"] == "Sales scorecards October 2026: East, North"
    text = body(mia, "plain")
    html = body(mia, "html")
    assert text.startswith("Dear Mia Wong,\n")
    for part in (text, html):
        assert "Team East" in part and "Team North" in part
        assert "Ann Lee" in part and "王芳" in part and "Nia Park" in part
        assert "CN¥3,000.30" in part  # East's won amount, formatted by display.format_value
    assert "Sales-target attainment: 100.0%" in text
    assert "Attached are the team rollups and each rep's scorecard" in text  # two teams: plural
    single = body(received[next(m for m in MANAGERS if m != "mia@example.com")].message, "plain")
    assert "Attached are the team rollup and each rep's scorecard" in single

    files = attachments(mia)
    assert list(files) == [
        "2026-10 East.xlsx",
        "2026-10 East - Ann Lee (R1).xlsx",
        "2026-10 East - 王芳 (R2).xlsx",
        "2026-10 North.xlsx",
        "2026-10 North - Nia Park (R5).xlsx",
    ]
    assert sorted(files.values()) == sorted(expected_files(period_dir, "mia@example.com").values())
    for content in files.values():
        assert load_workbook(io.BytesIO(content)).active.max_row > 1
    rollup = {
        row[0].value: row[1].value for row in load_workbook(io.BytesIO(files["2026-10 East.xlsx"])).active.iter_rows()
    }
    assert rollup["Won amount"] == 3000.3


def test_the_html_body_suits_mail_clients_and_escapes_names(period_dir: Path) -> None:
    messages, _ = build_messages(period_dir, "en", currency="CNY")
    south = next(m for m in messages if m.recipient == "max.li@south.example")
    html = south.html_body.lower()
    for banned in ("<style", "<svg", "<img", "<script", "<link", "src=", "url("):
        assert banned not in html
    assert "<table" in html and 'border="1"' in html  # readable even when a client strips every style
    assert "Oz &lt;b&gt;Kim&lt;/b&gt; &amp; Co" in south.html_body and "<b>Kim" not in south.html_body
    assert "Oz <b>Kim</b> & Co" in south.text_body  # the text part is not HTML-escaped


def test_on_a_phone_only_the_reps_table_of_the_mail_scrolls_sideways(period_dir: Path, tmp_path: Path) -> None:
    # Found in a trial: the reps table widened the whole message, and the team's totals ("Won amount CN¥…") and the
    # attachments' names were cut off at the screen's edge.
    messages, _ = build_messages(period_dir, "en", currency="CNY")
    page = tmp_path / "mail.html"
    mail = next(m for m in messages if m.recipient == "mia@example.com").html_body
    page.write_text(re.sub(r"CN¥[\d,]+\.\d\d", "CN¥3,124,859.95", mail), "utf-8")  # a large team's amounts
    page_width, box, table, totals = evaluated(
        page,
        "[document.documentElement.scrollWidth, document.querySelector('table[border=\"1\"]').parentElement"
        ".clientWidth, document.querySelector('table[border=\"1\"]').scrollWidth,"
        " Math.max(...[...document.querySelectorAll('h2 + table td')].map(td => td.getBoundingClientRect().right))]",
        PHONE_WIDTH,
    )
    assert page_width <= PHONE_WIDTH, page_width
    assert table > box  # the table is wider than the screen, and scrolls in its box
    assert totals <= PHONE_WIDTH, totals


def test_subject_and_body_follow_the_locale(period_dir: Path) -> None:
    messages, _ = build_messages(period_dir, "zh-CN", currency="CNY")
    mia = next(m for m in messages if m.recipient == "mia@example.com")
    assert mia.subject == "销售考核卡 2026年10月：East、North"  # names run with 、 in Chinese
    assert mia.text_body.startswith("Mia Wong，您好：")
    # The month as the reader writes it, with no space between it and the Chinese around it.
    assert "以下是2026年10月的销售考核卡。" in mia.text_body
    assert "本邮件由 Scorecards 根据2026年10月的发布结果自动发送。" in mia.text_body
    assert "团队：East" in mia.text_body and "赢单金额：¥3,000.30" in mia.text_body
    assert '<html lang="zh-CN">' in mia.html_body and "销售目标达成率" in mia.html_body
    english = ("Dear", "Here are", "Attached", "Team ", "Attachments", "Sent automatically", "Reps", "Won amount")
    english += ("Target", "Rank", "Overall grade", "Composite score", "attainment", "N/A", "Sales scorecards")
    assert [w for w in english if w in mia.text_body or w in mia.html_body or w in mia.subject] == []


def test_a_message_is_in_its_teams_language_when_they_agree(period_dir: Path) -> None:
    scorecards = pl.read_parquet(period_dir / "scorecards.parquet")
    chinese_west = scorecards.with_columns(
        locale=pl.when(pl.col("team") == "West").then(pl.lit("zh-CN")).otherwise(pl.col("locale"))
    )
    chinese_west.write_parquet(period_dir / "scorecards.parquet")
    messages, _ = build_messages(period_dir, "en", currency="CNY")
    subjects = {m.recipient: m.subject for m in messages}
    assert subjects["max@example.com"] == "销售考核卡 2026年10月：West"  # West's reps all read Chinese
    assert subjects["mia@example.com"].startswith("Sales scorecards October 2026")  # East is split: the default


def test_a_manager_never_receives_another_teams_data(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    send(period_dir, smtp)
    table = pl.read_parquet(period_dir / "scorecards.parquet")
    for recipient, received in mailbox.by_recipient().items():
        message = received.message
        mine = table.filter(pl.col("manager_email") == recipient)
        others = table.filter(pl.col("manager_email") != recipient)
        bodies = body(message, "plain") + body(message, "html")
        assert sorted(attachments(message).values()) == sorted(expected_files(period_dir, recipient).values())
        for rep_id, team in others.select("rep_id", "team").iter_rows():
            assert f"({rep_id})" not in bodies and f"Team {team}" not in bodies
        assert mine.height > 0
    # Two managers called Max Li: two messages, each with its own team only.
    assert "West" in mailbox.by_recipient()["max@example.com"].message["Subject"]
    assert "South" in mailbox.by_recipient()["max.li@south.example"].message["Subject"]
    assert "South" not in mailbox.by_recipient()["max@example.com"].message["Subject"]


def test_a_team_whose_reps_name_two_manager_addresses_is_not_sent_to_either(period_dir: Path) -> None:
    edit_scorecards(
        period_dir,
        manager_email=pl.when(pl.col("rep_id") == "R2").then(pl.lit("other@example.com")).otherwise("manager_email"),
    )
    messages, problems = build_messages(period_dir, "en", currency="CNY")
    assert problems == [
        "team 'East': failed: its reps name several manager emails ('mia@example.com', 'other@example.com'); not sent"
    ]
    by_recipient = {m.recipient: m for m in messages}
    assert "other@example.com" not in by_recipient
    assert by_recipient["mia@example.com"].teams == ("North",)


def test_one_manager_spelled_in_two_cases_gets_one_message(period_dir: Path) -> None:
    # Found in a trial: Laura.Bennett@Example.com for one team and laura.bennett@example.com for the other made
    # two messages; within one team, the two spellings read as "several manager emails".
    spelled = {"R1": " Mia@Example.COM", "R5": "MIA@example.com"}
    edit_scorecards(period_dir, manager_email=pl.col("rep_id").replace_strict(spelled, default=pl.col("manager_email")))
    messages, problems = build_messages(period_dir, "en", currency="CNY")
    assert [p for p in problems if "East" in p or "North" in p or "mia" in p.casefold()] == []
    mia = [m for m in messages if m.recipient.casefold() == "mia@example.com"]
    assert [(m.recipient, m.teams) for m in mia] == [("mia@example.com", ("East", "North"))]
    # Sent as spelled but for the domain, as before: an unchanged message's hash is the one older logs recorded.
    from scorecards.flows.shared.sent_log import address_key, recipient_address

    assert recipient_address(" Mia.Wong@Example.COM ") == "Mia.Wong@example.com"
    assert address_key(" Mia.Wong@Example.COM ") == "mia.wong@example.com"
    # validate's notice of a team with several managers compares addresses as send does (in polars, in transforms).
    from scorecards.transforms.teams import teams_with_several_managers

    spellings = [" Mia.Wong@Example.COM ", "mia.wong@example.com\t", "MIA.WONG@EXAMPLE.COM", "Max@x.com"]
    reps = pl.DataFrame({"rep_id": ["R1", "R2", "R3", "R4"], "team": "T", "manager_email": spellings})
    assert teams_with_several_managers(reps)["manager_email"].to_list() == sorted({address_key(a) for a in spellings})


# --- once, and again only when asked or changed ---------------------------------------------------------


def test_a_second_send_sends_nothing_and_resend_sends_all(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    send(period_dir, smtp)
    log = [json.loads(line) for line in (period_dir / "sent-log.jsonl").read_text().splitlines()]
    messages, _ = build_messages(period_dir, "en", currency="CNY")
    assert [(r["recipient"], r["message_sha256"]) for r in log] == [(m.recipient, m.sha256) for m in messages]
    assert all(datetime.fromisoformat(r["sent_at"]).utcoffset() == UTC.utcoffset(None) for r in log)

    report, _ = send(period_dir, smtp)
    assert outcomes(report) == dict.fromkeys(MANAGERS, "already sent") and report.ok
    assert len(mailbox.received) == 4

    report, _ = send(period_dir, smtp, resend=True)
    assert outcomes(report) == dict.fromkeys(MANAGERS, "sent")
    assert len(mailbox.received) == 8
    assert len((period_dir / "sent-log.jsonl").read_text().splitlines()) == 8


def test_a_corrected_publication_is_sent_again_to_the_managers_it_changes(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    send(period_dir, smtp)
    edit_scorecards(
        period_dir, rep_name=pl.when(pl.col("rep_id") == "R3").then(pl.lit("Bob Ray-Smith")).otherwise("rep_name")
    )
    report, _ = send(period_dir, smtp)
    assert outcomes(report) == {**dict.fromkeys(MANAGERS, "already sent"), "max@example.com": "sent"}
    assert "Bob Ray-Smith" in body(mailbox.received[-1].message, "plain")


def test_the_message_hash_ignores_date_and_message_id(period_dir: Path) -> None:
    first, _ = build_messages(period_dir, "en", currency="CNY")
    again, _ = build_messages(period_dir, "en", currency="CNY")
    assert [m.sha256 for m in first] == [m.sha256 for m in again]
    assert len({m.sha256 for m in first}) == len(first)
    assert replace(first[0], subject=first[0].subject + "!").sha256 != first[0].sha256
    assert replace(first[0], recipient="someone@example.com").sha256 != first[0].sha256
    renamed = (replace(first[0].attachments[0], filename="other.xlsx"), *first[0].attachments[1:])
    assert replace(first[0], attachments=renamed).sha256 != first[0].sha256


def test_dry_run_writes_the_exact_messages_to_the_outbox_and_sends_nothing(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    report, _ = send(period_dir, smtp, dry_run=True)
    assert outcomes(report) == dict.fromkeys(MANAGERS, "written to outbox") and report.ok
    assert mailbox.received == [] and not (period_dir / "sent-log.jsonl").exists()
    outbox = {p.name: p for p in (period_dir / "outbox").iterdir()}
    assert sorted(outbox) == sorted(f"{safe_stem(m)}.eml" for m in MANAGERS)
    draft = email.message_from_bytes(outbox[f"{safe_stem('mia@example.com')}.eml"].read_bytes(), policy=policy.default)

    send(period_dir, smtp)  # the real send then delivers every message
    sent = mailbox.by_recipient()["mia@example.com"].message
    for header in ("From", "To", "Subject", "Auto-Submitted"):
        assert draft[header] == sent[header]
    assert body(draft, "plain") == body(sent, "plain")
    assert body(draft, "html") == body(sent, "html")
    assert attachments(draft) == attachments(sent)


def test_dry_run_needs_no_smtp_settings_and_skips_what_was_delivered(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    _, smtp = mail_server()
    send(period_dir, smtp)
    edit_scorecards(period_dir, rep_name=pl.when(pl.col("rep_id") == "R3").then(pl.lit("Bob R.")).otherwise("rep_name"))
    report, _ = send(period_dir, None, dry_run=True)
    assert outcomes(report) == {**dict.fromkeys(MANAGERS, "already sent"), "max@example.com": "written to outbox"}
    assert [p.name for p in (period_dir / "outbox").iterdir()] == [f"{safe_stem('max@example.com')}.eml"]
    with pytest.raises(UsageError, match="SMTP settings are needed"):
        send(period_dir, None)


# --- failures -------------------------------------------------------------------------------------------


def test_a_server_that_fails_the_first_two_attempts_still_gets_the_message(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server(Mailbox(fail_first=2))
    sleeps = Sleeps()
    report, _ = send(period_dir, smtp, sleep=sleeps)
    assert report.ok and outcomes(report) == dict.fromkeys(MANAGERS, "sent")
    assert mailbox.attempts == 6 and len(mailbox.received) == 4
    assert sleeps == [2.0, 4.0]  # the default backoff, not waited for here


def test_transient_failures_give_up_after_the_last_attempt(period_dir: Path, mail_server, caplog) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server(Mailbox(fail_first=3))
    caplog.set_level(logging.WARNING, "scorecards")
    report, _ = send(period_dir, smtp, retry=RetryPolicy(delays=(0.0, 0.0)))
    first = report.deliveries[0]
    assert first.outcome == "failed: server refused: 451 4.3.0 Busy, try again later"
    assert [d.status for d in report.deliveries[1:]] == ["sent"] * 3 and not report.ok
    assert "attempt 1 of 3 failed" in caplog.text and "attempt 2 of 3 failed" in caplog.text


def test_a_permanent_failure_for_one_recipient_does_not_stop_the_others(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server(Mailbox(refuse=("max@example.com",)))
    sleeps = Sleeps()
    report, _ = send(period_dir, smtp, sleep=sleeps)
    assert outcomes(report) == {
        **dict.fromkeys(MANAGERS, "sent"),
        "max@example.com": "failed: recipient refused: 550 5.1.1 No such mailbox here",
    }
    assert not report.ok and sleeps == []  # a 5xx is not retried
    logged = {json.loads(line)["recipient"] for line in (period_dir / "sent-log.jsonl").read_text().splitlines()}
    assert logged == set(MANAGERS) - {"max@example.com"}

    mailbox.refuse = ()  # fixed: the next send delivers only the one that failed
    report, _ = send(period_dir, smtp)
    assert outcomes(report)["max@example.com"] == "sent" and report.count("sent") == 1


def test_an_unreachable_server_is_retried_then_reported(period_dir: Path) -> None:
    smtp = load_smtp_settings(smtp_environ(free_port()))  # nothing listens there
    sleeps = Sleeps()
    report, _ = send(period_dir, smtp, sleep=sleeps)
    assert not report.ok
    first, *rest = report.deliveries
    reason = f"cannot reach 127.0.0.1:{smtp.port}: Connection refused"
    assert first.outcome == f"failed: {reason}" and len(rest) == 3
    # The first message's three attempts are enough: the others are not tried against the same closed port.
    assert all(d.outcome == f"failed: not attempted after {reason}" for d in rest)
    assert sleeps == [2.0, 4.0]


@pytest.mark.parametrize(
    ("error", "reason", "transient", "stops_all"),
    [
        (smtplib.SMTPResponseException(421, b"4.7.0 Too busy"), "server refused: 421 4.7.0 Too busy", True, False),
        (
            smtplib.SMTPDataError(554, b"5.6.0 Message\n rejected"),
            "server refused: 554 5.6.0 Message rejected",
            False,
            False,
        ),
        (
            smtplib.SMTPSenderRefused(553, b"not yours", "x@example.com"),
            "sender address refused: 553 not yours",
            False,
            True,
        ),
        (smtplib.SMTPSenderRefused(451, b"later", "x@example.com"), "sender address refused: 451 later", True, False),
        (smtplib.SMTPServerDisconnected("gone"), "the server closed the connection", True, False),
        (
            ConnectionRefusedError(111, "Connection refused"),
            "cannot reach smtp.example.com:587: Connection refused",
            True,
            True,
        ),
        (TimeoutError("timed out"), "cannot reach smtp.example.com:587: timed out", True, True),
        (  # lost while one message was sent (a server that drops an oversized one): the others are still tried
            ConnectionResetError(104, "Connection reset by peer"),
            "connection to smtp.example.com lost: Connection reset by peer",
            True,
            False,
        ),
        (
            smtplib.SMTPAuthenticationError(535, f"bad password {PASSWORD}".encode()),
            "login as 'scorecards' refused (SMTP 535)",
            False,
            True,
        ),
        (
            smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."),
            "the server does not support it: STARTTLS extension not supported by server. (SCORECARDS_SMTP_TLS is "
            "starttls by default: none for a relay without TLS, ssl for port 465)",
            False,
            True,
        ),
        (
            smtplib.SMTPResponseException(550, f"no {PASSWORD}".encode()),
            "server refused: 550 no **********",
            False,
            False,
        ),
    ],
)
def test_transient_and_permanent_failures(error: Exception, reason: str, transient: bool, stops_all: bool) -> None:
    smtp = load_smtp_settings(
        {**smtp_environ(587), "SCORECARDS_SMTP_HOST": "smtp.example.com", "SCORECARDS_SMTP_TLS": "starttls"}
    )
    failure = sender._classify(error, smtp)  # type: ignore[arg-type]
    assert (failure.reason, failure.transient, failure.stops_all) == (reason, transient, stops_all)


def test_a_sent_log_line_cut_short_by_a_crash_is_skipped(period_dir: Path, mail_server, caplog) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    send(period_dir, smtp)
    log = period_dir / "sent-log.jsonl"
    log.write_text(log.read_text() + '{"recipient": "mia@exa')
    report, _ = send(period_dir, smtp)
    assert report.count("already sent") == 4 and "line 5 is not a delivery record; ignored" in caplog.text
    report, _ = send(period_dir, smtp, resend=True)
    assert [json.loads(line)["recipient"] for line in log.read_text().splitlines()[5:]] == MANAGERS


def test_the_report_lists_each_outcome_and_the_counts(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    _, smtp = mail_server(Mailbox(refuse=("ola@example.com",)))
    report, problems = send(period_dir, smtp)
    text = format_delivery_report(report, ["'x@y' : failed: invalid address (team Z); not sent"])
    assert "mia@example.com" in text and "sent  [East, North]" in text
    assert "ola@example.com                      failed: recipient refused: 550 5.1.1 No such mailbox here" in text
    assert text.splitlines()[-1] == "5 messages: 3 sent, 1 failed, 1 not built"


# --- header safety --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        f"boss@example.com\r\nBcc: {EVIL}",
        f"boss@example.com\nBcc: {EVIL}",
        f"boss@example.com, {EVIL}",
        f"Boss <boss@example.com>, <{EVIL}>",
        f"boss@example.com;{EVIL}",
        "boss@example.com\x00",
        "not an address",
    ],
)
def test_an_invalid_manager_address_is_reported_and_not_sent(period_dir: Path, address: str) -> None:
    edit_scorecards(
        period_dir, manager_email=pl.when(pl.col("team") == "West").then(pl.lit(address)).otherwise("manager_email")
    )
    messages, problems = build_messages(period_dir, "en", currency="CNY")
    assert problems == [f"{address!r}: failed: invalid address (team West); not sent"]
    assert sorted(m.recipient for m in messages) == sorted(set(MANAGERS) - {"max@example.com"})
    assert all("West" not in m.teams for m in messages)


def test_header_injection_never_adds_headers_or_recipients(period_dir: Path, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    edit_scorecards(
        period_dir,
        manager_email=pl.when(pl.col("team") == "West")
        .then(pl.lit(f"max@example.com\r\nBcc: {EVIL}"))
        .otherwise("manager_email"),
    )
    report, problems = send(period_dir, smtp)
    assert problems == [
        f"{'max@example.com' + chr(13) + chr(10) + 'Bcc: ' + EVIL!r}: failed: invalid address (team West); not sent"
    ]
    assert sorted(mailbox.by_recipient()) == ["max.li@south.example", "mia@example.com", "ola@example.com"]
    for received in mailbox.received:
        assert EVIL not in received.recipients and len(received.recipients) == 1
        head = received.raw.split(b"\r\n\r\n", 1)[0]
        names = [line.split(b":", 1)[0].lower() for line in head.split(b"\r\n") if line and line[:1] not in b" \t"]
        assert sorted(names) == [
            b"auto-submitted",
            b"content-type",
            b"date",
            b"from",
            b"message-id",
            b"mime-version",
            b"subject",
            b"to",
        ]
        assert len(received.message["To"].addresses) == 1
        for part in received.message.iter_attachments():
            assert "\r" not in part.get_filename() and "\n" not in part.get_filename()

    ops = mailbox.by_recipient()["ola@example.com"].message  # team, manager and rep names carry CR/LF
    assert ops["Subject"] == f"Sales scorecards October 2026: Ops Bcc: {EVIL}"
    assert ops["To"].addresses[0].addr_spec == "ola@example.com"
    assert ops["To"].addresses[0].display_name == f"Ola Bcc: {EVIL}"
    south = mailbox.by_recipient()["max.li@south.example"].message
    assert f"2026-10 South - Eve Bcc_ {EVIL} (R7).xlsx" in attachments(south)


# --- the password -----------------------------------------------------------------------------------------


def test_the_password_never_appears_in_logs_reports_files_or_errors(
    period_dir: Path,
    mail_server,  # noqa: ANN001
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    mailbox, smtp = mail_server()
    good, _ = send(period_dir, smtp)
    assert good.ok and len(mailbox.received) == 4  # the login with the password worked

    wrong = load_smtp_settings(smtp_environ(smtp.port, password=PASSWORD[::-1]))
    bad, _ = send(period_dir, wrong, resend=True)
    assert [d.outcome for d in bad.deliveries] == [
        f"failed: login as '{USER}' refused (SMTP 535)",
        *[f"failed: not attempted after login as '{USER}' refused (SMTP 535)"] * 3,
    ]
    send(period_dir, smtp, resend=True, dry_run=True)

    seen = [
        caplog.text,
        *capsys.readouterr(),
        repr(smtp),
        str(smtp),
        repr(good),
        repr(bad),
        format_delivery_report(bad),
        *(p.read_bytes().decode("utf-8", "replace") for p in period_dir.rglob("*") if p.suffix in (".jsonl", ".eml")),
    ]
    for secret in (PASSWORD, PASSWORD[::-1]):
        assert all(secret not in text for text in seen)
    assert "**********" in repr(smtp)


def test_build_messages_needs_a_publication(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no published period here"):
        build_messages(tmp_path, "en", currency="CNY")


# --- secure connections -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return folder / "cert.pem", folder / "key.pem"


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_the_password_travels_only_over_a_verified_tls_connection(
    period_dir: Path,
    mail_server,  # noqa: ANN001
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    tls: str,
) -> None:
    context = server_context(certificate)
    server = (
        {"tls_context": context, "require_starttls": True, "auth_require_tls": True}
        if tls == "starttls"
        else {"ssl_context": context}
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the client trusts the test certificate, nothing else
    mailbox, smtp = mail_server(server=server, tls=tls)
    report, _ = send(period_dir, smtp)
    assert report.ok and sorted(mailbox.by_recipient()) == MANAGERS

    monkeypatch.delenv("SSL_CERT_FILE")
    sleeps = Sleeps()
    report, _ = send(period_dir, smtp, resend=True, sleep=sleeps)
    first, *rest = report.deliveries
    assert first.outcome.startswith("failed: TLS with 127.0.0.1 failed: [SSL: CERTIFICATE_VERIFY_FAILED]")
    assert all(d.outcome == f"failed: not attempted after {first.reason}" for d in rest)
    assert sleeps == [] and len(mailbox.received) == 4


# --- the command line -----------------------------------------------------------------------------------------


def test_the_send_command_maps_outcomes_to_exit_statuses(
    period_dir: Path,
    mail_server,  # noqa: ANN001
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from scorecards.flows.cli import app

    def send_command(*extra: str) -> object:
        return CliRunner().invoke(app, ["send", "--period", "2026-10", "--out", str(period_dir.parent), *extra])

    for name in list(smtp_environ(0)):
        monkeypatch.delenv(name, raising=False)
    result = send_command()
    assert result.exit_code == 2 and "SCORECARDS_SMTP_HOST is not set" in result.output

    result = send_command("--dry-run")  # a preview needs no mail server
    assert result.exit_code == 0, result.output
    assert "4 messages: 4 written to outbox" in result.output

    mailbox, smtp = mail_server(Mailbox(refuse=("ola@example.com",)))
    for name, value in smtp_environ(smtp.port).items():
        monkeypatch.setenv(name, value)
    result = send_command()
    assert result.exit_code == 1 and "4 messages: 3 sent, 1 failed" in result.output
    assert PASSWORD not in result.output

    mailbox.refuse = ()
    result = send_command()
    assert result.exit_code == 0 and "4 messages: 1 sent, 3 already sent" in result.output
    assert send_command("--period", "2026-09").exit_code == 2  # nothing published for that month


def test_send_waits_for_no_one_while_a_run_holds_the_period(period_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from scorecards.flows.cli import app
    from scorecards.flows.publish.staging import period_lock

    monkeypatch.delenv("SCORECARDS_SMTP_HOST", raising=False)
    with period_lock(period_dir.parent, period_dir.name):
        result = CliRunner().invoke(app, ["send", "--period", "2026-10", "--out", str(period_dir.parent), "--dry-run"])
    assert result.exit_code == 1
    assert "2026-10: another run is publishing or sending this period" in result.output
    assert not (period_dir / "outbox").exists()
