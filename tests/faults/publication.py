"""Checks on a published period folder shared by the fault tests: whole, and which input it was made from."""

from __future__ import annotations

import json
from pathlib import Path

from scorecards.flows.publish.staging import file_sha256
from scorecards.flows.publish.versions import STORE, store_folder
from scorecards.flows.shared.layout import PeriodFolder

#: Files a publication holds beside those its manifest lists.
_UNLISTED = {"manifest.json", "sent-log.jsonl"}


def whole_publication(folder: Path) -> str:
    """The sha256 of the opportunities file the folder was made from, after checking it is one whole publication.

    Whole: exactly the files its manifest lists, each with the listed hash
    (plus the manifest itself and the sent-log).
    """
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"]: entry["sha256"] for entry in manifest["outputs"]}
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - _UNLISTED
    assert present == set(listed), f"{folder}: files differ from its manifest: {present ^ set(listed)}"
    for path, sha256 in listed.items():
        assert file_sha256(folder / path) == sha256, f"{folder / path} is not the file its manifest lists"
    return next(i["sha256"] for i in manifest["inputs"] if i["table"] == "opportunities")


def leftovers(out: Path) -> list[str]:
    """Hidden folders an interrupted publication left in OUT (the lock files and the version store do not count)."""
    hidden = [p.name for p in out.iterdir() if p.name.startswith(".") and not p.name.endswith(".lock")]
    return sorted(name for name in hidden if name != STORE)


def versions_match(out: Path, period: str) -> list[str]:
    """The version store of P holds versions 1..n, n the publication OUT/P holds, and nothing half written."""
    folder = PeriodFolder.of(out, period)
    kept = sorted(p.name for p in store_folder(out, period).iterdir())
    assert kept == [str(n) for n in range(1, (folder.publication() or 0) + 1)], kept
    return kept
