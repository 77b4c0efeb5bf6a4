"""Carrying a published period's files into a new build: linked where possible, checked, never written through."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from scorecards.flows.shared.pages import PublishedPages, RenderedPages, carry_published


def _published(folder: Path, files: dict[str, bytes]) -> PublishedPages:
    for relative, data in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    hashes = {relative: hashlib.sha256(data).hexdigest() for relative, data in files.items()}
    return PublishedPages(folder, RenderedPages("r1"), hashes, publication=1)


def test_files_are_linked_to_the_published_ones_with_their_bytes(tmp_path: Path) -> None:
    published = _published(tmp_path / "2026-10", {"cards/R1.html": b"<p>one</p>", "cards/R1.xlsx": b"PK..."})
    assert carry_published(published, tmp_path / "stage", ["cards/R1.html", "cards/R1.xlsx"])
    for relative in ("cards/R1.html", "cards/R1.xlsx"):
        assert os.path.samefile(tmp_path / "stage" / relative, tmp_path / "2026-10" / relative)
    assert (tmp_path / "stage/cards/R1.html").read_bytes() == b"<p>one</p>"


def test_where_links_are_refused_the_bytes_are_copied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    published = _published(tmp_path / "2026-10", {"cards/R1.html": b"<p>one</p>"})

    monkeypatch.setattr(os, "link", _refuse_link)
    assert carry_published(published, tmp_path / "stage", ["cards/R1.html"])
    copied = tmp_path / "stage/cards/R1.html"
    assert copied.read_bytes() == b"<p>one</p>"
    assert not os.path.samefile(copied, tmp_path / "2026-10/cards/R1.html")


def test_a_changed_file_fails_the_carry_and_leaves_no_link_to_write_through(tmp_path: Path) -> None:
    published = _published(tmp_path / "2026-10", {"cards/R1.html": b"<p>one</p>", "cards/R1.xlsx": b"PK..."})
    (tmp_path / "2026-10/cards/R1.xlsx").write_bytes(b"edited by hand")
    stage = tmp_path / "stage"
    assert not carry_published(published, stage, ["cards/R1.html", "cards/R1.xlsx"])
    assert not (stage / "cards/R1.html").exists() and not (stage / "cards/R1.xlsx").exists()
    # What the caller does next, rendering the page again, leaves the published page as it was.
    (stage / "cards/R1.html").write_bytes(b"<p>rendered again</p>")
    assert (tmp_path / "2026-10/cards/R1.html").read_bytes() == b"<p>one</p>"


def test_a_missing_file_fails_the_carry(tmp_path: Path) -> None:
    published = _published(tmp_path / "2026-10", {"cards/R1.html": b"<p>one</p>"})
    (tmp_path / "2026-10/cards/R1.html").unlink()
    assert not carry_published(published, tmp_path / "stage", ["cards/R1.html"])


def test_a_file_already_in_the_build_is_replaced_not_written_through(tmp_path: Path) -> None:
    published = _published(tmp_path / "2026-10", {"cards/R1.html": b"<p>one</p>"})
    other = tmp_path / "other.html"
    other.write_bytes(b"<p>another publication</p>")
    (tmp_path / "stage/cards").mkdir(parents=True)
    os.link(other, tmp_path / "stage/cards/R1.html")
    assert carry_published(published, tmp_path / "stage", ["cards/R1.html"])
    assert other.read_bytes() == b"<p>another publication</p>"
    assert (tmp_path / "stage/cards/R1.html").read_bytes() == b"<p>one</p>"


def test_a_linked_file_that_cannot_be_read_back_is_not_left_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = _published(tmp_path / "2026-10", {"cards/R1.html": b"<p>one</p>"})
    stage = tmp_path / "stage"
    read_bytes = Path.read_bytes

    def failing(path: Path) -> bytes:
        if path.is_relative_to(stage):
            raise OSError(5, "Input/output error")
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", failing)
    assert not _carry_one(published, stage)
    assert not (stage / "cards/R1.html").exists()
    assert os.stat(tmp_path / "2026-10/cards/R1.html").st_nlink == 1


def test_a_full_disk_while_copying_is_raised_with_nothing_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    published = _published(tmp_path / "2026-10", {"cards/R1.html": b"<p>one</p>", "cards/R1.xlsx": b"PK..."})
    stage = tmp_path / "stage"

    write_bytes = Path.write_bytes

    def full(path: Path, data: bytes) -> int:
        if path.name == "R1.xlsx":
            write_bytes(path, data[:1])  # part of it written, then the disk is full
            raise OSError(28, "No space left on device")
        return write_bytes(path, data)

    monkeypatch.setattr(os, "link", _refuse_link)
    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(OSError, match="No space left"):
        carry_published(published, stage, ["cards/R1.html", "cards/R1.xlsx"])
    assert list(stage.rglob("*.*")) == []


def _refuse_link(*_: object) -> None:
    raise OSError(18, "Invalid cross-device link")


def _carry_one(published: PublishedPages, stage: Path) -> bool:
    return carry_published(published, stage, ["cards/R1.html"])
