"""The manifest records what each page was rendered from (renderer version, view hash) and gives it back."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from scorecards.flows.publish.manifest import published_pages, unchanged_publication, write_manifest
from scorecards.flows.publish.staging import file_sha256
from scorecards.flows.publish.versions import commit_version, stage_version
from scorecards.flows.shared.pages import PublishedPages, RenderedPages
from scorecards.schemas.results import ValidationReport


def test_the_manifest_records_each_pages_view_and_gives_them_back(tmp_path: Path) -> None:
    (tmp_path / "reps").mkdir()
    (tmp_path / "reps" / "r1.html").write_text("card")
    inputs = {"R2": "b2" * 32, "R1": "b1" * 32}
    pages = RenderedPages("ab" * 32, {"R2": "22" * 32, "R1": "11" * 32}, {"East": "ee" * 32}, 1, inputs)
    write_manifest(tmp_path, "2026-10", "cd" * 32, ValidationReport([], []), 1, pages, "f0" * 32)

    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["renderer"] == "ab" * 32
    assert manifest["period_inputs"] == "f0" * 32
    assert manifest["views"] == {
        "reps": {"R1": "11" * 32, "R2": "22" * 32},
        "teams": {"East": "ee" * 32},
        "rep_inputs": {"R1": "b1" * 32, "R2": "b2" * 32},
    }
    assert list(manifest["views"]["reps"]) == ["R1", "R2"]  # sorted: the manifest is the same bytes on a re-run
    assert published_pages(tmp_path) == PublishedPages(
        tmp_path,
        RenderedPages("ab" * 32, {"R1": "11" * 32, "R2": "22" * 32}, {"East": "ee" * 32}, 0, inputs),
        {"reps/r1.html": file_sha256(tmp_path / "reps" / "r1.html")},
        publication=1,
    )


def test_a_manifest_without_view_hashes_carries_nothing_over(tmp_path: Path) -> None:
    write_manifest(tmp_path, "2026-10", "cd" * 32, ValidationReport([], []), 1)
    assert "views" not in json.loads((tmp_path / "manifest.json").read_text())
    assert published_pages(tmp_path) is None
    assert published_pages(tmp_path / "missing") is None


def test_a_publication_is_unchanged_only_with_the_same_rows_rules_renderer_and_latest_version(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "2026-10"
    folder.mkdir()
    pages = RenderedPages("ab" * 32, {"R1": "11" * 32}, {}, 0, {"R1": "b1" * 32})
    write_manifest(folder, "2026-10", "cd" * 32, ValidationReport([], []), 1, pages, "f0" * 32)
    empty = pl.DataFrame({"rep_id": []}, schema={"rep_id": pl.String})
    commit_version(stage_version(tmp_path, "2026-10", 1, empty, {}), 1)

    found = unchanged_publication(folder, "cd" * 32, "f0" * 32, "ab" * 32)
    assert found is not None and found.publication == 1 and found.pages.cards == {"R1": "11" * 32}
    assert unchanged_publication(folder, "cd" * 32, "f1" * 32, "ab" * 32) is None  # other rows of the month
    assert unchanged_publication(folder, "ce" * 32, "f0" * 32, "ab" * 32) is None  # other rules
    assert unchanged_publication(folder, "cd" * 32, "f0" * 32, "ac" * 32) is None  # another renderer
    assert unchanged_publication(tmp_path / "2026-09", "cd" * 32, "f0" * 32, "ab" * 32) is None  # none published
    commit_version(stage_version(tmp_path, "2026-10", 2, empty, {}), 2)  # a later version is kept
    assert unchanged_publication(folder, "cd" * 32, "f0" * 32, "ab" * 32) is None
