"""Correction e-mails (SPEC §9): after a restatement, `send` tells each manager whose team changed, once.

Each version is published by the flows' own tasks (without Prefect) and sent
through a real SMTP server on loopback.
"""

from __future__ import annotations

import email
import io
import json
import shutil
from email import policy
from email.message import EmailMessage
from pathlib import Path

import polars as pl
import pytest
from browser import PHONE_WIDTH, evaluated
from builders import BASE_TABLES, OPPORTUNITIES_HEADER, write_tables
from openpyxl import load_workbook

from scorecards.config import Settings, config_hash, load_settings
from scorecards.flows.mail.messages import build_messages
from scorecards.flows.period_flow import publish_period, write_period
from scorecards.flows.publish.staging import period_lock, staging_folder
from scorecards.flows.publish.versions import Version, store_folder, version_numbers
from scorecards.flows.restatements import Restatement
from scorecards.flows.sending import Sent, send_period
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.naming import safe_stem
from scorecards.flows.shared.sent_log import read_sent_log, read_sent_versions
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables
from scorecards.transforms.period import Period
from scorecards.transforms.report import period_report

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

PERIOD = "2026-10"
EAST, WEST = "mia@example.com", "max@example.com"
EVIL = "evil@example.com"
#: Hostile text the correction brings in: an account name with a script, a deal id with a line break.
SCRIPT = "<script>alert(1)</script>"
NEWLINE_ID = f"O9\r\nBcc: {EVIL}"


def opportunity(*row: str) -> dict[str, str]:
    return dict(zip(OPPORTUNITIES_HEADER, row, strict=True))


def corrected_east() -> dict[str, list[dict[str, str]]]:
    """BASE_TABLES with East's data corrected (O1's amount, O2's account name, a won deal that was missing).

    West's O6 gets another account name too: its cards change, but none of its numbers.
    """
    corrections = {"O1": {"amount": "1200.10"}, "O2": {"account_name": SCRIPT}, "O6": {"account_name": "Delta Ltd"}}
    deals = [{**deal, **corrections.get(deal["opportunity_id"], {})} for deal in BASE_TABLES["opportunities"]]
    deals.append(opportunity(NEWLINE_ID, "R1", "A2", "Beta", "won", "50.00", "2026-10-01", "2026-10-02"))
    return {**BASE_TABLES, "opportunities": deals}


def publish(root: Path, tables: dict[str, list[dict[str, str]]], settings: Settings) -> int:
    """Publish OUT/2026-10 from these tables as the period flow does (its tasks' bodies); the version's number."""
    write_tables(root / "input", tables)
    validated = validate_tables(read_inputs(root / "input"), settings)
    assert validated.report.ok and validated.tables is not None, validated.report.problems
    period = Period.parse(PERIOD)
    out = root / "out"
    report = period_report(validated.tables, period, settings)
    with period_lock(out, PERIOD):
        number = (version_numbers(out, PERIOD) or [0])[-1] + 1
        with staging_folder(out, PERIOD) as stage:
            write_period.fn(stage, report, validated, period, settings, "here")
            publish_period.fn(stage, out / PERIOD, config_hash(settings), validated.report, report, number)
    return number


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def restated(tmp_path: Path, settings: Settings, mail_server):  # noqa: ANN001, ANN201
    """Version 1 published and sent to every manager, then East's data corrected and published as version 2."""
    mailbox, smtp = mail_server()
    assert publish(tmp_path, BASE_TABLES, settings) == 1
    first = send_period(tmp_path / "out", PERIOD, settings, smtp)
    assert first.ok and outcomes(first) == {EAST: "sent", WEST: "sent"}
    assert publish(tmp_path, corrected_east(), settings) == 2
    mailbox.received.clear()
    return tmp_path / "out", mailbox, smtp


def outcomes(sent: Sent) -> dict[str, str]:
    return {d.recipient: d.described for d in sent.delivery.deliveries}


def body(message: EmailMessage, kind: str) -> str:
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def test_only_the_manager_whose_team_changed_gets_one_correction(restated, settings: Settings) -> None:  # noqa: ANN001
    out, mailbox, smtp = restated
    sent = send_period(out, PERIOD, settings, smtp)

    assert sent.ok, sent.describe()
    assert outcomes(sent) == {
        EAST: "sent (correction of version 1)",
        WEST: "already sent (version 1; no change for these teams since)",
    }
    assert "2 messages: 1 sent (1 correction), 1 already sent" in sent.describe()
    assert [r.recipients for r in mailbox.received] == [[EAST]]
    message = mailbox.received[0].message
    assert message["Subject"] == "Corrected: scorecards for October 2026 (version 2)"
    assert message["To"] == "Mia Wong <mia@example.com>"
    text, html = body(message, "plain"), body(message, "html")
    for part in (text, html):
        assert "version 1" in part and "version 2" in part
        assert "Ann Lee (R1): changed" in part
        assert "Won amount" in part and "CN¥3,000.30" in part and "CN¥3,250.30" in part  # as the restated card shows it
        assert "Opportunity O1: Amount CN¥1,000.10 → CN¥1,200.10" in part
        assert "Opportunity O9 Bcc: evil@example.com: appeared" in part
        assert "Bob Ray" not in part and "R3" not in part  # West did not change and is not East's
    assert "  Won amount: CN¥3,000.30 → CN¥3,250.30" in text
    # The team's totals that changed come first, as its rollup shows them (found in a trial: a manager had to open
    # the rollup to see what the correction did to the team); its reps count did not change.
    assert (
        "\n\nTeam East\n  Won amount: CN¥3,000.30 → CN¥3,250.30\n"
        "  Sales-target attainment of the reps with a target above 0: 100.0% → 108.3%\n\nAnn Lee (R1): changed\n"
    ) in text
    assert html.index(">Team East</h2>") < html.index(">Ann Lee (R1): changed</h3>")
    team_part = html[html.index(">Team East</h2>") : html.index(">Ann Lee (R1): changed</h3>")]
    assert "<strong>108.3%</strong>" in team_part and ">Reps<" not in team_part
    # Mia leads one team here: singular words (found by a reader's review, which saw "your teams" for one).
    assert "This is what changed for your team in version 2." in text
    assert "these reps and the team rollup as Excel files." in text
    assert '<td align="left" style="border:1px solid #d9e2ec;text-align:left;">Won amount</td>' in html

    # The restated card of the changed rep, and the team's rollup: as they are published now.
    files = attachments(message)
    # Named with their version, so that saving them beside version 1's attachments overwrites nothing.
    assert list(files) == ["2026-10 East v2.xlsx", "2026-10 East - Ann Lee (R1) v2.xlsx"]
    folder = PeriodFolder(out / PERIOD)
    assert files["2026-10 East - Ann Lee (R1) v2.xlsx"] == folder.card("R1", ".xlsx").read_bytes()
    assert files["2026-10 East v2.xlsx"] == folder.rollup("East", ".xlsx").read_bytes()
    card = load_workbook(io.BytesIO(files["2026-10 East - Ann Lee (R1) v2.xlsx"]))
    assert 3250.3 in [cell.value for row in card.worksheets[0].iter_rows() for cell in row]


def test_on_a_phone_the_correction_stays_within_the_screen(restated, settings: Settings, tmp_path: Path) -> None:  # noqa: ANN001
    out, mailbox, smtp = restated
    send_period(out, PERIOD, settings, smtp)
    html = body(mailbox.received[0].message, "html")
    assert ">Won amount</td>" in html and ">CN¥3,000.30</td>" in html and "<strong>CN¥3,250.30</strong>" in html
    # The widest line a correction has: a change that rounding would hide, with both exact values.
    widest = {
        "Won amount": "Sales-target attainment",
        "CN¥3,000.30": "100.0% (1.000000)",
        "CN¥3,250.30": "100.0% (1.000400)",
    }
    for shown, wide in widest.items():
        html = html.replace(f">{shown}<", f">{wide}<")
    page = tmp_path / "correction.html"
    page.write_text(html, "utf-8")
    assert evaluated(page, "document.documentElement.scrollWidth", PHONE_WIDTH) <= PHONE_WIDTH


def test_a_team_whose_numbers_did_not_change_gets_nothing_even_if_its_message_would_differ(
    restated,  # noqa: ANN001
    settings: Settings,
) -> None:
    out, mailbox, smtp = restated
    regular, _ = build_messages(out / PERIOD, "en", currency="CNY")
    west = next(m for m in regular if m.recipient == WEST)
    assert (WEST, west.sha256) not in read_sent_log(out / PERIOD)  # O6's account name is on West's cards

    sent = send_period(out, PERIOD, settings, smtp)
    assert outcomes(sent)[WEST] == "already sent (version 1; no change for these teams since)"
    assert [r.recipients for r in mailbox.received] == [[EAST]]


def test_a_team_s_totals_are_told_from_either_version_and_only_when_they_changed() -> None:
    from decimal import Decimal

    from scorecards.flows.mail.corrections import _team_totals
    from scorecards.transforms.teams import team_summary

    def summary(*reps: tuple[str, str, str | None]) -> pl.DataFrame:
        money = pl.Decimal(18, 2)
        return team_summary(
            pl.DataFrame(
                {
                    "team": [team for team, _, _ in reps],
                    "manager_name": "Mia",
                    "manager_email": EAST,
                    "won_amount": pl.Series([Decimal(won) for _, won, _ in reps], dtype=money),
                    "target_amount": pl.Series([t and Decimal(t) for _, _, t in reps], dtype=money),
                    "locale": "en",
                }
            )
        )

    old = summary(("East", "1000.00", "1000.00"), ("East", "500.00", None), ("West", "10.00", "10.00"))
    new = summary(("East", "1000.00", "1000.00"), ("East", "500.00", "1000.00"), ("West", "10.00", "10.00"))
    # The line for what reps without a target won is version 1's only: it still says what became of it.
    assert _team_totals("East", old, new, "en", "CNY") == [
        ("Target", "CN¥1,000.00", "CN¥2,000.00"),
        ("Sales-target attainment", "100.0%", "75.0%"),
        ("Won by reps with no target or a target of 0", "CN¥500.00", "N/A"),
    ]
    assert _team_totals("West", old, new, "en", "CNY") == []  # its reps may have changed, its totals did not
    north = summary(("North", "1.00", None))
    assert _team_totals("North", old, pl.concat([new, north]), "en", "CNY") == []  # new: its reps' lines say so


def test_a_manager_of_two_teams_reads_each_team_s_changes_under_its_name(
    tmp_path: Path,
    settings: Settings,
    mail_server,  # noqa: ANN001
) -> None:
    # Found in a trial: the team whose totals changed came first, then every changed rep of both teams, so the
    # other team's reps read as the first's.
    mailbox, smtp = mail_server()
    one_manager = [{**rep, "manager_email": EAST, "manager_name": "Mia Wong"} for rep in BASE_TABLES["reps"]]
    publish(tmp_path, {**BASE_TABLES, "reps": one_manager}, settings)
    send_period(tmp_path / "out", PERIOD, settings, smtp)
    # East's O1 is worth more; in West, Bob's won deal was with an account won before (no new customer): his
    # numbers change, West's totals do not.
    corrected = corrected_east()
    deals = [{**d, "account_id": "A1"} if d["opportunity_id"] == "O6" else d for d in corrected["opportunities"]]
    publish(tmp_path, {**corrected, "opportunities": deals, "reps": one_manager}, settings)
    mailbox.received.clear()
    send_period(tmp_path / "out", PERIOD, settings, smtp)

    text = body(mailbox.received[0].message, "plain")
    east, west = text.index("\nTeam East\n"), text.index("\nTeam West\n")
    assert east < text.index("Ann Lee (R1): changed") < west < text.index("Bob Ray (R3): changed")
    assert text[west:].startswith("\nTeam West\n\nBob Ray (R3): changed\n  New customers: 1 → 0\n")
    html = body(mailbox.received[0].message, "html")
    places = [
        html.index(f">{title}<")
        for title in ("Team East", "Ann Lee (R1): changed", "Team West", "Bob Ray (R3): changed")
    ]
    assert places == sorted(places)


def test_a_second_send_sends_nothing_and_the_log_records_each_version(restated, settings: Settings) -> None:  # noqa: ANN001
    out, mailbox, smtp = restated
    send_period(out, PERIOD, settings, smtp)
    again = send_period(out, PERIOD, settings, smtp)

    assert again.ok and len(mailbox.received) == 1
    assert outcomes(again) == {
        EAST: "already sent (version 2)",
        WEST: "already sent (version 1; no change for these teams since)",
    }
    log = [json.loads(line) for line in PeriodFolder(out / PERIOD).sent_log.read_text().splitlines()]
    assert [(r["recipient"], r["version"]) for r in log] == [(WEST, 1), (EAST, 1), (EAST, 2)]
    assert read_sent_versions(out / PERIOD) == [1, 1, 2]


def test_resend_sends_every_regular_message_again(restated, settings: Settings) -> None:  # noqa: ANN001
    out, mailbox, smtp = restated
    resent = send_period(out, PERIOD, settings, smtp, resend=True)
    assert outcomes(resent) == {EAST: "sent", WEST: "sent"}
    # The whole of version 2 again, which says so, as the correction did: West never had a correction, and East's
    # first message looks the same but for the version.
    by_recipient = {r.recipients[0]: r.message for r in mailbox.received}
    assert {to: m["Subject"] for to, m in by_recipient.items()} == {
        EAST: "Sales scorecards October 2026: East (version 2)",
        WEST: "Sales scorecards October 2026: West (version 2)",
    }
    east = by_recipient[EAST]
    assert "Here are the sales scorecards for October 2026, version 2: they were corrected after" in body(east, "plain")
    assert "version 2: they were corrected after" in body(east, "html")
    files = attachments(east)
    assert files and all(name.endswith(" v2.xlsx") for name in files)
    assert files["2026-10 East v2.xlsx"] == PeriodFolder(out / PERIOD).rollup("East", ".xlsx").read_bytes()


def test_a_version_published_over_an_unsent_one_is_sent_as_the_first(
    tmp_path: Path,
    settings: Settings,
    mail_server,  # noqa: ANN001
) -> None:
    # Found by a review: a month published mid-month (sent to nobody) and again at its end went out as "version 2:
    # they were corrected", to managers who had never had version 1.
    mailbox, smtp = mail_server()
    publish(tmp_path, BASE_TABLES, settings)
    assert publish(tmp_path, corrected_east(), settings) == 2
    sent = send_period(tmp_path / "out", PERIOD, settings, smtp)

    assert outcomes(sent) == {EAST: "sent", WEST: "sent"}
    by_recipient = {r.recipients[0]: r.message for r in mailbox.received}
    assert by_recipient[EAST]["Subject"] == "Sales scorecards October 2026: East"
    assert "Here are the sales scorecards for October 2026.\n" in body(by_recipient[EAST], "plain")
    assert "2026-10 East.xlsx" in attachments(by_recipient[EAST])
    assert read_sent_versions(tmp_path / "out" / PERIOD) == [2, 2]


def test_dry_run_writes_the_correction_to_the_outbox(restated, settings: Settings) -> None:  # noqa: ANN001
    out, mailbox, smtp = restated
    preview = send_period(out, PERIOD, settings, None, dry_run=True)

    assert outcomes(preview) == {
        EAST: "written to outbox (correction of version 1)",
        WEST: "already sent (version 1; no change for these teams since)",
    }
    assert mailbox.received == []
    outbox = PeriodFolder(out / PERIOD).outbox
    assert [p.name for p in outbox.iterdir()] == [f"{safe_stem(EAST)}.eml"]
    draft = email.message_from_bytes((outbox / f"{safe_stem(EAST)}.eml").read_bytes(), policy=policy.default)
    assert draft["Subject"] == "Corrected: scorecards for October 2026 (version 2)"
    assert read_sent_versions(out / PERIOD) == [1, 1]  # a preview delivers nothing

    send_period(out, PERIOD, settings, smtp)  # then the real send delivers exactly that message
    sent = mailbox.received[0].message
    for header in ("To", "Subject"):
        assert draft[header] == sent[header]
    assert body(draft, "plain") == body(sent, "plain") and body(draft, "html") == body(sent, "html")
    assert attachments(draft) == attachments(sent)


def test_hostile_text_in_changed_evidence_is_escaped_and_kept_on_one_line(restated, settings: Settings) -> None:  # noqa: ANN001
    out, mailbox, smtp = restated
    send_period(out, PERIOD, settings, smtp)
    received = mailbox.received[0]
    assert received.recipients == [EAST]
    message = received.message
    text, html = body(message, "plain"), body(message, "html")

    assert f"Opportunity O2: Account Beta → {SCRIPT}" in text  # the text part shows it as written
    assert "<script" not in html.lower()
    assert "Opportunity O2: Account Beta → &lt;script&gt;alert(1)&lt;/script&gt;" in html
    for part in (text, html):
        assert "O9\r" not in part and "O9\n" not in part
        assert "O9 Bcc: evil@example.com" in part  # on the evidence line it belongs to
        assert not any(line.startswith("Bcc:") for line in part.splitlines())
    raw = received.raw.lower()
    assert raw.count(b"\nbcc:") == 0 and message["Bcc"] is None
    assert [r.recipients for r in mailbox.received] == [[EAST]]


def test_a_rep_who_moved_team_has_left_one_manager_s_team_and_joined_the_other_s(
    tmp_path: Path,
    settings: Settings,
    mail_server,  # noqa: ANN001
) -> None:
    # Found in a trial: after a corrected roster moved a rep, the new manager read "changed … Rank in team: 8 → 5"
    # (8 was the rank in the other team), and the old one read the rep's figures and rank in the new team.
    mailbox, smtp = mail_server()
    publish(tmp_path, BASE_TABLES, settings)
    send_period(tmp_path / "out", PERIOD, settings, smtp)
    west = {"team": "West", "manager_name": "Max Li", "manager_email": WEST}
    reps = [{**r, **west} if r["rep_id"] == "R2" else r for r in BASE_TABLES["reps"]]
    deals = [{**d, "amount": "900.00"} if d["opportunity_id"] == "O5" else d for d in BASE_TABLES["opportunities"]]
    publish(tmp_path, {**BASE_TABLES, "reps": reps, "opportunities": deals}, settings)  # and R2's open deal grew
    mailbox.received.clear()

    sent = send_period(tmp_path / "out", PERIOD, settings, smtp)
    assert outcomes(sent) == {EAST: "sent (correction of version 1)", WEST: "sent (correction of version 1)"}
    mails = {m.recipients[0]: m.message for m in mailbox.received}
    old, new = body(mails[EAST], "plain"), body(mails[WEST], "plain")
    assert "王芳 (R2): moved to West" in old
    old_part = old.split("王芳 (R2): moved to West", 1)[1].split("\n\n", 1)[0]
    assert old_part.strip() == "", old_part  # no number and no deal of a rep who is West's now
    assert not [name for name in attachments(mails[EAST]) if "R2" in name]
    assert "王芳 (R2): moved here from East" in new
    lines = new.split("王芳 (R2): moved here from East", 1)[1].split("\n\n", 1)[0]
    assert "Team" not in lines and "Rank in team" not in lines and "Manager" not in lines, lines
    assert "Open pipeline: CN¥700.50 → CN¥900.00" in lines and "Opportunity O5: Amount" in lines, lines
    assert "900.00" not in old  # East is not told how a West rep's pipeline grew
    assert "2026-10 West - 王芳 (R2) v2.xlsx" in attachments(mails[WEST])
    for part in (old, new, body(mails[EAST], "html"), body(mails[WEST], "html")):
        assert "R2): changed" not in part and "R2）：有变化" not in part


def test_a_rep_who_left_the_team_is_listed_after_those_still_in_it(
    tmp_path: Path,
    settings: Settings,
    mail_server,  # noqa: ANN001
) -> None:
    # Found by a review: a rep who moved to West was ordered among East's reps by the rank it has in West (1).
    mailbox, smtp = mail_server()
    eve = {**BASE_TABLES["reps"][0], "rep_id": "R5", "rep_name": "Eve Zed"}
    publish(tmp_path, {**BASE_TABLES, "reps": [*BASE_TABLES["reps"], eve]}, settings)
    send_period(tmp_path / "out", PERIOD, settings, smtp)
    west = {"team": "West", "manager_name": "Max Li", "manager_email": WEST}
    reps = [{**r, **west} if r["rep_id"] == "R1" else r for r in [*BASE_TABLES["reps"], eve]]
    deals = [
        *BASE_TABLES["opportunities"],
        opportunity("O8", "R5", "A8", "Eta", "won", "10.00", "2026-10-01", "2026-10-02"),
    ]
    publish(tmp_path, {**BASE_TABLES, "reps": reps, "opportunities": deals}, settings)
    mailbox.received.clear()
    send_period(tmp_path / "out", PERIOD, settings, smtp)

    east = body({m.recipients[0]: m.message for m in mailbox.received}[EAST], "plain")
    assert east.index("Eve Zed (R5): changed") < east.index("Ann Lee (R1): moved to West"), east


def test_a_rep_who_moved_between_two_teams_of_one_manager_is_changed_without_a_rank_from_another_team() -> None:
    old = pl.DataFrame({"rep_id": ["R1", "R2"], "team": ["East", "East"]})
    new = pl.DataFrame({"rep_id": ["R1", "R2"], "team": ["West", "East"]})
    changes = pl.DataFrame(
        {
            "rep_id": ["R1", "R1", "R1", "R2"],
            "column": ["team", "rank_in_team", "won_amount", "rank_in_team"],
            "old": ["East", "2", "10.00", "2"],
            "new": ["West", "1", "20.00", "1"],
        }
    )
    reps = pl.DataFrame({"rep_id": ["R1", "R2"], "rep_name": ["Ann", "Bo"], "status": ["changed", "changed"]})
    no_rows = pl.DataFrame(schema={"rep_id": pl.String})
    restatement = Restatement(PERIOD, Version(1, "", old, {}), Version(2, "", new, {}), reps, changes, no_rows)
    seen = restatement.for_teams(["East", "West"])
    assert seen.reps["status"].to_list() == ["changed", "changed"]
    # R1's rank 1 is in West, its 2 was in East: they do not compare; R2 stayed in East, and its rank does.
    assert seen.changes.select("rep_id", "column").rows() == [
        ("R1", "team"),
        ("R1", "won_amount"),
        ("R2", "rank_in_team"),
    ]


def test_a_zh_cn_team_gets_its_correction_in_chinese(tmp_path: Path, settings: Settings, mail_server) -> None:  # noqa: ANN001
    mailbox, smtp = mail_server()
    chinese = {**BASE_TABLES, "reps": [{**r, "locale": "zh-CN"} for r in BASE_TABLES["reps"]]}
    publish(tmp_path, chinese, settings)
    send_period(tmp_path / "out", PERIOD, settings, smtp)
    publish(tmp_path, {**corrected_east(), "reps": chinese["reps"]}, settings)
    mailbox.received.clear()

    sent = send_period(tmp_path / "out", PERIOD, settings, smtp)
    assert [d.recipient for d in sent.delivery.deliveries if d.corrects == 1] == [EAST]
    message = mailbox.received[0].message
    assert message["Subject"] == "更正：2026年10月销售考核卡（第 2 版）"
    text = body(message, "plain")
    assert "Ann Lee（R1）：有变化" in text and "赢单金额：¥3,000.30 → ¥3,250.30" in text
    assert text.index("团队：East\n  赢单金额：¥3,000.30 → ¥3,250.30\n") < text.index("Ann Lee（R1）：有变化")
    assert "商机 O1：金额 ¥1,000.10 → ¥1,200.10" in text
    english = ("Corrected", "Dear", "changed", "Opportunity", "Won deal", "appeared", "Amount", "Won amount")
    assert [w for w in english if w in text or w in body(message, "html")] == []


def test_a_sent_version_the_store_no_longer_has_is_reported_not_guessed(restated, settings: Settings) -> None:  # noqa: ANN001
    out, mailbox, smtp = restated
    shutil.rmtree(store_folder(out, PERIOD) / "1")
    sent = send_period(out, PERIOD, settings, smtp)
    assert not sent.ok and mailbox.received == []
    assert sent.problems == [
        f"{address}: failed: it was sent version 1, which the version store no longer has; cannot say what changed;"
        " not sent"
        for address in (WEST, EAST)
    ]


def test_a_corrections_attachment_keeps_its_version_however_long_its_name() -> None:
    # Found by a review: the name was clipped after " v2" was added, so a long one lost it and matched version 1's.
    from scorecards.flows.mail.messages import UniqueNames

    long = f"2026-10 {'T' * 90} - {'N' * 90} (R1).xlsx"
    first, corrected = UniqueNames().take(long), UniqueNames().take(long, " v2")
    assert corrected.endswith(" v2.xlsx") and corrected != first and len(corrected) <= len(first)
