"""What a period's rendered pages were made from, so that a re-publication can carry unchanged pages over.

The render stage reports, per rep card and per team rollup, a hash of the view it
rendered and the renderer's version; publish records them in the manifest and
reads them back for the next publication of the period. Plain values both ways:
the two rooms never import each other.
"""

from __future__ import annotations

import hashlib
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


def copy_published(published: PublishedPages, into: Path, files: Iterable[str]) -> bool:
    """Copy files (paths relative to the period folder) from the published folder into `into`, each after checking
    it still has the sha256 its manifest records; False at the first one missing or different (what was copied
    before it stays: the caller renders those files again or drops the folder).

    The bytes are copied, not linked: the published folder is replaced later, and
    nothing may write through a link into a file of another publication.
    """
    for relative in files:
        try:
            data = (published.folder / relative).read_bytes()
        except OSError:
            return False
        if hashlib.sha256(data).hexdigest() != published.files.get(relative):
            return False
        path = into / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return True
