"""The e-mail each manager receives: their teams' summary (HTML and plain text) and their teams' Excel files."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from email import utils
from email.headerregistry import Address
from email.message import EmailMessage
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from scorecards.flows.mail.smtp import is_plain_address
from scorecards.flows.shared.columns import team_totals
from scorecards.flows.shared.display import format_month, format_value
from scorecards.flows.shared.errors import UsageError
from scorecards.flows.shared.i18n import colon, listed, translations
from scorecards.flows.shared.inert_text import one_line
from scorecards.flows.shared.layout import PeriodFolder
from scorecards.flows.shared.naming import clip_utf8
from scorecards.flows.shared.sent_log import address_key, recipient_address
from scorecards.schemas.fields import LOCALES
from scorecards.transforms.period import Period
from scorecards.transforms.teams import team_summary

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")

# Bytes of an attachment's name before its " (n).xlsx": saved as a file, it must fit the usual 255.
_MAX_NAME_BYTES = 200
# Column labels of the e-mail's rep table (catalogue ids the cards use too).
_REP_LABELS = ("Rank", "Rep", "Overall grade", "Composite score", "Sales-target attainment", "Won amount")


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class OutgoingMessage:
    """One manager's e-mail, ready to send: recipient, subject, both bodies and the attached files."""

    recipient: str
    recipient_name: str
    teams: tuple[str, ...]  # as shown: one line each
    subject: str
    text_body: str
    html_body: str
    attachments: tuple[Attachment, ...]
    #: The version of the period a correction replaces (SPEC §9); None for a regular message. Not hashed:
    #: the subject names the version already.
    corrects: int | None = None

    @cached_property
    def sha256(self) -> str:
        """Hash of the content a reader sees (recipient, subject, bodies, attachments); never of Date or Message-ID."""
        digest = hashlib.sha256()
        parts = [self.recipient, self.subject, self.text_body, self.html_body]
        for attachment in self.attachments:
            parts += [attachment.filename, attachment.content]
        for part in parts:
            data = part.encode("utf-8") if isinstance(part, str) else part
            digest.update(len(data).to_bytes(8, "big") + data)  # length-prefixed: no two contents hash alike
        return digest.hexdigest()


@dataclass(frozen=True)
class RepLine:
    """A rep's row in the summary: rank, name and (label, value) pairs."""

    rank: str
    name: str
    cells: list[tuple[str, str]]


@dataclass(frozen=True)
class TeamSection:
    """A team's part of the e-mail body."""

    title: str
    totals: list[tuple[str, str]]
    headings: list[str]
    reps: list[RepLine]


@dataclass(frozen=True)
class EmailBody:
    """Everything the e-mail templates show, as finished text."""

    lang: str
    subject: str
    greeting: str
    intro: str
    attached: str
    sections: list[TeamSection]
    attachments_title: str
    attachment_names: list[str]
    footer: str
    #: What stands between a label and its value in the text part (`: `, `：`).
    colon: str


@dataclass(frozen=True)
class Manager:
    """An address the period's messages go to: the name to greet, its teams (as the data spells them), the language."""

    address: str
    name: str
    teams: tuple[str, ...]
    locale: str

    @property
    def shown_teams(self) -> tuple[str, ...]:
        """The teams as a message and the report show them: one line each."""
        return tuple(one_line(t) for t in self.teams)


@dataclass(frozen=True)
class PublishedPeriod:
    """What a published period offers the messages: its folder, month, scorecards and team totals."""

    folder: PeriodFolder
    period: Period
    scorecards: pl.DataFrame
    summary: pl.DataFrame


@dataclass(frozen=True)
class Mailing:
    """A published period to mail: its managers, and the problems that keep some teams from being sent at all."""

    published: PublishedPeriod | None  # None when the period has no reps
    managers: tuple[Manager, ...]
    problems: tuple[str, ...]
    currency: str


class MessageNotBuilt(Exception):
    """A manager's message could not be built (a file of the published period is missing); the text says why."""


def require_published(period_dir: Path) -> Path:
    """The published scorecards table of OUT/P; UsageError when the period was never published there."""
    scorecards_file = PeriodFolder(period_dir).scorecards_parquet
    try:
        published = scorecards_file.is_file()
    except OSError as exc:  # a name too long, a folder this user may not look into
        raise UsageError(f"{period_dir}: cannot read it ({exc.strerror or exc})") from None
    if not published:
        raise UsageError(f"{period_dir}: no published period here (scorecards.parquet missing); run `scorecards run`")
    return scorecards_file


def read_mailing(period_dir: Path, locale: str, *, currency: str) -> Mailing:
    """The managers of a published period, by address, each with the language of their message.

    A message is in its teams' locale (as their rollups are) when the manager's
    teams agree on one; `locale`, the config default, otherwise.
    """
    scorecards_file = require_published(period_dir)
    if locale not in LOCALES:
        raise UsageError(f"no e-mail text for locale {locale!r}; known: {', '.join(LOCALES)}")
    scorecards = pl.read_parquet(scorecards_file)
    if scorecards.is_empty():
        return Mailing(None, (), (), currency)
    published = PublishedPeriod(
        folder=PeriodFolder(period_dir),
        period=Period.parse(scorecards["period"][0]),
        scorecards=scorecards,
        summary=team_summary(scorecards).drop("manager_name", "manager_email"),
    )
    by_address, problems = _managers_by_address(scorecards)
    team_locales = dict(published.summary.select("team", "locale").iter_rows())
    managers = []
    for _, (address, name, teams) in sorted(by_address.items()):
        spoken = {team_locales.get(team) for team in teams}
        language = spoken.pop() if len(spoken) == 1 and None not in spoken else locale
        managers.append(Manager(address, name, tuple(teams), language))
    return Mailing(published, tuple(managers), tuple(problems), currency)


def build_messages(period_dir: Path, locale: str, *, currency: str) -> tuple[list[OutgoingMessage], list[str]]:
    """One message per manager address from a published period, and the problems that keep others from being built."""
    mailing = read_mailing(period_dir, locale, currency=currency)
    messages, problems = [], list(mailing.problems)
    for manager in mailing.managers:
        try:
            messages.append(team_message(mailing, manager))
        except MessageNotBuilt as exc:
            problems.append(str(exc))
    return messages, problems


def team_message(mailing: Mailing, manager: Manager, version: int | None = None) -> OutgoingMessage:
    """The manager's regular message: their teams' summary, rollups and cards (MessageNotBuilt if a file is missing);
    with `version`, one that says it carries that later version of cards an earlier one of which was sent."""
    assert mailing.published is not None  # a mailing without reps has no managers
    with files_of(mailing.published, manager):
        return _message(manager, mailing.published, mailing.currency, version)


@contextmanager
def files_of(published: PublishedPeriod, manager: Manager) -> Iterator[None]:
    """Turn a missing file of the published period into MessageNotBuilt for this manager's message."""
    try:
        yield
    except FileNotFoundError as exc:
        missing = Path(exc.filename).relative_to(published.folder.path)
        raise MessageNotBuilt(f"{manager.address}: failed: {missing} is missing; not sent") from exc


def _managers_by_address(scorecards: pl.DataFrame) -> tuple[dict[str, tuple[str, str, list[str]]], list[str]]:
    """Teams by manager address (a manager name per address); problems for teams that cannot be sent safely."""
    teams = (
        scorecards.group_by("team")
        .agg(
            pl.col("manager_email").str.strip_chars(" \t").unique().sort(),
            pl.col("manager_name").first(),
        )
        .sort("team")
    )
    managers: dict[str, tuple[str, str, list[str]]] = {}  # address_key → (recipient, name, teams)
    invalid: dict[str, list[str]] = {}
    problems = []
    for team, spellings, manager_name in teams.iter_rows():
        # One address however its reps spell its case (as address_key groups them), shown as the data spells it.
        emails = list({None if e is None else address_key(e): e for e in spellings}.values())
        if len(emails) != 1:
            # The rollup covers the whole team: sending it to either address would show one manager another's reps.
            listed = ", ".join(repr(e) for e in emails)
            problems.append(
                f"team {one_line(team)!r}: failed: its reps name several manager emails ({listed}); not sent"
            )
        elif emails[0] is None or not is_plain_address(emails[0]):
            invalid.setdefault(repr(emails[0]), []).append(one_line(team))
        else:
            recipient = recipient_address(emails[0])
            managers.setdefault(address_key(emails[0]), (recipient, one_line(manager_name or ""), []))[2].append(team)
    problems += [
        f"{address}: failed: invalid address (team {', '.join(names)}); not sent" for address, names in invalid.items()
    ]
    return managers, problems


def _message(manager: Manager, published: PublishedPeriod, currency: str, version: int | None) -> OutgoingMessage:
    locale = manager.locale
    _ = translations(locale).gettext
    period = published.period
    month = format_month(period.start, locale)
    names = UniqueNames()
    sections, attachments = [], []
    for team in manager.teams:
        reps = published.scorecards.filter(pl.col("team") == team).sort("rank_in_team")
        totals = published.summary.filter(pl.col("team") == team).row(0, named=True)
        sections.append(_section(team, totals, reps, locale, currency))
        attachments.append(rollup_attachment(published, team, names, version))
        attachments += [card_attachment(published, team, rep, names, version) for rep in reps.iter_rows(named=True)]
    said = {"month": month, "teams": listed(manager.shown_teams, locale), "version": version}
    if version is None:
        subject = _("Sales scorecards %(month)s: %(teams)s") % said
        intro = _("Here are the sales scorecards for %(month)s.") % said
    else:
        subject = _("Sales scorecards %(month)s: %(teams)s (version %(version)d)") % said
        intro = (
            _(
                "Here are the sales scorecards for %(month)s, version %(version)d: they were corrected after they were "
                "first published."
            )
            % said
        )
    body = EmailBody(
        lang=locale,
        subject=subject,
        greeting=_("Dear %(manager)s,") % {"manager": manager.name},
        intro=intro,
        attached=translations(locale).ngettext(
            "Attached are the team rollup and each rep's scorecard as Excel files.",
            "Attached are the team rollups and each rep's scorecard as Excel files.",
            len(manager.teams),
        ),
        sections=sections,
        attachments_title=_("Attachments"),
        attachment_names=[a.filename for a in attachments],
        footer=_("Sent automatically by Scorecards from the scorecards published for %(month)s.") % {"month": month},
        colon=colon(locale),
    )
    return rendered_message(manager, subject, "team_email", body, attachments)


def rendered_message(
    manager: Manager, subject: str, template: str, body: object, attachments: list[Attachment], **extra: Any
) -> OutgoingMessage:
    """The message to `manager`: `body` rendered by the `template` pair (.txt.j2 and .html.j2), files attached."""
    environment = templates()
    return OutgoingMessage(
        recipient=manager.address,
        recipient_name=manager.name,
        teams=manager.shown_teams,
        subject=subject,
        text_body=environment.get_template(f"{template}.txt.j2").render(mail=body),
        html_body=environment.get_template(f"{template}.html.j2").render(mail=body),
        attachments=tuple(attachments),
        **extra,
    )


def rollup_attachment(
    published: PublishedPeriod, team: str, names: UniqueNames, version: int | None = None
) -> Attachment:
    """The team's rollup workbook, named `<period> <team>.xlsx` (`<period> <team> v2.xlsx` in a correction, so
    that it does not overwrite the first one where a reader saves both)."""
    return Attachment(
        names.take(f"{published.period} {team}.xlsx", _version(version)),
        published.folder.rollup(team, ".xlsx").read_bytes(),
    )


def card_attachment(
    published: PublishedPeriod, team: str, rep: dict[str, Any], names: UniqueNames, version: int | None = None
) -> Attachment:
    """A rep's card workbook, named `<period> <team> - <rep name> (<rep id>).xlsx` (` v2` before `.xlsx` in a
    correction)."""
    return Attachment(
        names.take(f"{published.period} {team} - {rep['rep_name']} ({rep['rep_id']}).xlsx", _version(version)),
        published.folder.card(rep["rep_id"], ".xlsx").read_bytes(),
    )


def _version(version: int | None) -> str:
    return f" v{version}" if version is not None else ""


def _section(team: str, totals: dict[str, Any], reps: pl.DataFrame, locale: str, currency: str) -> TeamSection:
    _ = translations(locale).gettext
    na = _("N/A")

    def show(value: Any, kind: Any) -> str:
        return format_value(value, kind, locale, na, currency)

    labels = [_(label) for label in _REP_LABELS]
    return TeamSection(
        title=_("Team %(team)s") % {"team": one_line(team)},
        totals=[(_(label), show(totals[column], kind)) for label, column, kind in team_totals(totals)],
        headings=labels,
        reps=[
            RepLine(
                rank=show(rep["rank_in_team"], "count"),
                name=one_line(rep["rep_name"]),
                cells=list(
                    zip(
                        labels[2:],
                        [
                            rep["overall_grade"] or na,
                            show(rep["composite_score"], "score"),
                            show(rep["attainment"], "percent"),
                            show(rep["won_amount"], "money"),
                        ],
                        strict=True,
                    )
                ),
            )
            for rep in reps.iter_rows(named=True)
        ],
    )


class UniqueNames:
    """Attachment file names: readable, safe on every system, unique within a message."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def take(self, wanted: str, tail: str = "") -> str:
        """`wanted`, made safe and short, with `tail` (a correction's ` v2`) kept whole after the clipped stem."""
        stem, suffix = wanted.rsplit(".", 1)
        room = _MAX_NAME_BYTES - len(tail.encode())
        stem = clip_utf8(re.sub(r'[\\/:*?"<>|]', "_", one_line(stem))[: 120 - len(tail)], room).strip(" .") or "file"
        stem += tail
        name, count = f"{stem}.{suffix}", 1
        while name.lower() in self._taken:
            count += 1
            name = f"{stem} ({count}).{suffix}"
        self._taken.add(name.lower())
        return name


@cache
def templates() -> Environment:
    """The e-mail templates: HTML autoescaped, text as is."""
    # Its own environment: the text body must not be HTML-escaped, and the e-mail's text is finished before rendering.
    return Environment(
        loader=PackageLoader("scorecards.templates", ""),
        autoescape=select_autoescape(["html.j2"], default=False, default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def as_email(
    message: OutgoingMessage, sender: Address | None, *, now: datetime | None = None, fresh_id: bool = False
) -> EmailMessage:
    """The message in MIME form: text and HTML alternatives, then the attachments; From only when a sender is known.

    Its Message-ID comes from its content hash, so a message sent again after a lost reply or a
    crash is one that mail clients can recognise and show once; `fresh_id` makes a new one (--resend).
    """
    mime = EmailMessage()
    if sender is not None:
        mime["From"] = sender
    mime["To"] = Address(display_name=message.recipient_name, addr_spec=message.recipient)
    mime["Subject"] = message.subject
    mime["Date"] = utils.format_datetime(now or datetime.now(UTC))
    domain = sender.domain if sender else "localhost"
    mime["Message-ID"] = utils.make_msgid("scorecards", domain) if fresh_id else f"<{message.sha256[:40]}@{domain}>"
    mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies should not answer it
    mime.set_content(message.text_body)
    mime.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments:
        mime.add_attachment(attachment.content, *XLSX_TYPE, filename=attachment.filename)
    return mime
