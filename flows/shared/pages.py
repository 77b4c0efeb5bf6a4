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
    #: How many pages were copied from the earlier publication rather than rendered.
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
    still have the sha256 its manifest records; False at the first one missing or different, with none of them
    left in `into` (the caller renders them again or drops the folder).

    A file is hard-linked where the file system allows it, else copied: a published file is never written
    in place (only the sent-log is, and it is not an output), and the published folder is removed once the
    new one is swapped in, so a link shares nothing that changes. What is checked is the linked file itself.
    """
    placed: list[Path] = []
    for relative in files:
        path = into / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            data = _place(published.folder / relative, path)
        except OSError:
            data = None
        if data is not None:
            placed.append(path)
        if data is None or hashlib.sha256(data).hexdigest() != published.files.get(relative):
            for done in placed:  # the caller may write these paths: never through a link
                done.unlink(missing_ok=True)
            return False
    return True


def _place(source: Path, path: Path) -> bytes:
    """Link `source` at `path` (a copy where links are refused: another file system, a share without them);
    return the bytes placed."""
    path.unlink(missing_ok=True)  # a file already there may itself be a link: never write through it
    try:
        os.link(source, path)
    except OSError:
        data = source.read_bytes()
        path.write_bytes(data)
        return data
    return path.read_bytes()
