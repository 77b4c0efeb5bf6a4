"""A period's sent-log (OUT/P/sent-log.jsonl): one JSON line per delivered message, appended by `send`, read to
skip what was delivered and to know which version each manager last received (SPEC §9).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path

from scorecards.flows.shared.layout import PeriodFolder

logger = logging.getLogger(__name__)


def address_key(address: str) -> str:
    """The address as messages are grouped and the sent-log is matched by: trimmed, in lower case."""
    # The local part too, although RFC 5321 lets a server tell its cases apart: no mail service does, and a CRM
    # that spells one manager two ways (Laura.Bennett@, laura.bennett@) would send her two messages.
    return address.strip(" \t").lower()


def recipient_address(address: str) -> str:
    """The address a message goes to: trimmed, its domain in lower case, the part before the @ as spelled (so a
    message's hash, which covers it, is what it was before address_key ignored that part's case)."""
    local, _, domain = address.strip(" \t").rpartition("@")
    return f"{local}@{domain.lower()}"


def read_sent_log(period_dir: Path) -> set[tuple[str, str]]:
    """(recipient, message_sha256) of every message the period's sent-log records as delivered."""
    return {(address_key(r["recipient"]), r["message_sha256"]) for r in _sent_records(period_dir)}


def read_sent_versions(period_dir: Path) -> list[int]:
    """The versions of the period (SPEC §9) that delivered messages carried, in the order they were sent."""
    return [r["version"] for r in _sent_records(period_dir) if isinstance(r.get("version"), int)]


def read_last_sent_versions(period_dir: Path, before: int | None = None) -> dict[str, int]:
    """The version of the period (SPEC §9) last delivered to each address (address_key), from the sent-log;
    with `before`, the last one older than that version."""
    return {
        address_key(str(r["recipient"])): r["version"]
        for r in _sent_records(period_dir)
        if isinstance(r.get("version"), int) and (before is None or r["version"] < before)
    }


def _sent_records(period_dir: Path) -> list[dict[str, object]]:
    path = PeriodFolder(period_dir).sent_log
    if not path.is_file():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if isinstance(record["recipient"], str) and isinstance(record["message_sha256"], str):
                records.append(record)
                continue
        except (ValueError, KeyError, TypeError):
            pass
        logger.warning("%s line %d is not a delivery record; ignored", path, number)
    return records


def record_delivery(period_dir: Path, recipient: str, message_sha256: str) -> None:
    """Append a delivered message (its recipient and sha256, with the period's published version) to the period's
    sent-log, on disk before the next message goes out."""
    path = PeriodFolder(period_dir).sent_log
    record = {
        "recipient": recipient,
        "message_sha256": message_sha256,
        "version": PeriodFolder(period_dir).publication(),
        "sent_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    with path.open("a+b") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell():
            handle.seek(-1, os.SEEK_END)
            if handle.read(1) != b"\n":  # a line cut short by a crash stays on its own line
                handle.write(b"\n")
        handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
