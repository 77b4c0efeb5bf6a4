"""What a period's rendered pages were made from, so that a re-publication can carry unchanged pages over.

The render stage reports, per rep card and per team rollup, a hash of the view it
rendered and the renderer's version; publish records them in the manifest and
reads them back for the next publication of the period. Plain values both ways:
the two rooms never import each other.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class RenderedPages:
    """The renderer's version and the view hash of each page rendered (or carried over) for a period."""

    renderer: str
    #: rep_id → hash of the rep card's view.
    cards: Mapping[str, str] = field(default_factory=dict)
    #: team → hash of the team rollup's view.
    rollups: Mapping[str, str] = field(default_factory=dict)
    #: How many pages were carried over from the earlier publication rather than rendered.
    carried: int = 0
    #: rep_id → digest of what the card was made from: an equal digest carries the card over unbuilt.
    card_inputs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PublishedPages:
    """A published period's pages as its manifest records them: the source of pages to carry over."""

    #: The published folder, OUT/P.
    folder: Path
    pages: RenderedPages
    #: Each output's path relative to `folder` (posix) → its sha256, to check a file before it is carried over.
    files: Mapping[str, str] = field(default_factory=dict)
    #: Which version of the period the folder holds (SPEC §9).
    publication: int | None = None


def carry_published(published: PublishedPages, into: Path, files: Iterable[str]) -> bool:
    """Carry files (paths relative to the period folder) from the published folder into `into`, each checked to
    still have the sha256 its manifest records; False at the first one missing, unreadable or different, with
    none of them left in `into` (the caller renders them again or drops the folder). An error writing into
    `into` (a full disk) is raised, with none of them left either.

    A file is hard-linked where the file system allows it, else copied: a published file is never written
    in place (only the sent-log is, and it is not an output), and the published folder is removed once the
    new one is swapped in, so a link shares nothing that changes. What is checked is the linked file itself.
    """
    placed: list[Path] = []
    for relative in files:
        path = into / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        placed.append(path)  # before it exists: whatever happens next, it is removed with the others
        try:
            data = _place(published.folder / relative, path)
        except BaseException:
            _remove(placed)
            raise
        if data is None or hashlib.sha256(data).hexdigest() != published.files.get(relative):
            _remove(placed)
            return False
    return True


def _place(source: Path, path: Path) -> bytes | None:
    """Link `source` at `path` (a copy where links are refused: another file system, a share without them);
    the bytes placed, or None when the published file cannot be read (missing, unreadable)."""
    path.unlink(missing_ok=True)  # a file already there may itself be a link: never write through it
    try:
        os.link(source, path)
    except FileNotFoundError:
        return None
    except OSError:
        try:
            data = source.read_bytes()
        except OSError:
            return None
        path.write_bytes(data)  # an error here is the new build's, not a changed page: raised
        return data
    try:
        return path.read_bytes()
    except OSError:
        return None


def _remove(paths: Iterable[Path]) -> None:
    """Remove what a failed carry placed: the caller may write these paths again, and never through a link."""
    for path in paths:
        path.unlink(missing_ok=True)
