"""A period is published whole or not at all, and a re-run replaces it (SPEC §6)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest

from scorecards.flows.publish import staging
from scorecards.flows.publish.staging import (
    carry_over_sent_log,
    file_sha256,
    period_lock,
    staging_folder,
    swap_into_place,
)
from scorecards.flows.shared.errors import PublishError
from scorecards.flows.shared.layout import PeriodFolder


def publish_files(out: Path, files: dict[str, str]) -> None:
    with staging_folder(out, "2026-10") as stage:
        for name, text in files.items():
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            (stage / name).write_text(text)
        swap_into_place(stage, out / "2026-10")


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(params=["exchange", "two renames"])
def swap_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "two renames":
        monkeypatch.setattr(staging, "_exchange", lambda a, b: False)
    return request.param


def test_first_publication_and_re_run_replace_the_whole_folder(tmp_path: Path, swap_mode: str) -> None:
    publish_files(tmp_path, {"a.csv": "old", "reps/r1.html": "old card"})
    publish_files(tmp_path, {"a.csv": "new", "reps/r2.html": "new card"})
    assert tree(tmp_path / "2026-10") == {"a.csv": "new", "reps/r2.html": "new card"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]  # nothing left beside it


def test_a_failing_build_leaves_the_earlier_publication_untouched(tmp_path: Path, swap_mode: str) -> None:
    publish_files(tmp_path, {"a.csv": "old"})
    with pytest.raises(RuntimeError), staging_folder(tmp_path, "2026-10") as stage:
        (stage / "a.csv").write_text("half")
        raise RuntimeError("render failed")
    assert tree(tmp_path / "2026-10") == {"a.csv": "old"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"]


def test_a_file_under_the_month_s_name_is_left_alone_and_named(tmp_path: Path, swap_mode: str) -> None:
    # Found in a trial: a file at OUT/2026-08 was swapped out of the way and left as a hidden .building folder's
    # content, for good.
    (tmp_path / "2026-10").write_text("notes")
    with pytest.raises(PublishError, match="2026-10: is a file, not a published period; move it away"):
        publish_files(tmp_path, {"a.csv": "new"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10"] and (tmp_path / "2026-10").read_text() == "notes"
    # Nor is a version kept of what could not be published (the version store is written before the swap).
    from scorecards.flows.period_flow import publish_period
    from scorecards.schemas.results import ValidationReport

    stage = tmp_path / ".stage"
    stage.mkdir()
    with pytest.raises(PublishError, match="is a file, not a published period"):
        publish_period.fn(stage, tmp_path / "2026-10", "config", ValidationReport([], []), None, 1)
    assert not (tmp_path / ".versions").exists()


def test_leftovers_of_an_interrupted_run_are_cleaned_and_a_displaced_publication_restored(tmp_path: Path) -> None:
    (tmp_path / ".2026-10.building-x").mkdir(parents=True)
    displaced = tmp_path / ".2026-10.old-123"
    displaced.mkdir()
    (displaced / "a.csv").write_text("old")
    with period_lock(tmp_path, "2026-10"):  # whoever takes the lock (a run or a send) puts things right first
        assert tree(tmp_path / "2026-10") == {"a.csv": "old"}
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["2026-10", ".2026-10.lock"])


def test_a_failed_second_rename_puts_the_old_publication_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target, stage = tmp_path / "2026-10", tmp_path / ".2026-10.building-x"
    for folder, text in ((target, "old"), (stage, "new")):
        folder.mkdir()
        (folder / "a.csv").write_text(text)
    monkeypatch.setattr(staging, "_exchange", lambda a, b: False)
    real_rename = os.rename

    def rename(source: Path, destination: Path) -> None:
        if Path(source) == stage:
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        real_rename(source, destination)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(PublishError, match="could not publish"):
        swap_into_place(stage, target)
    assert tree(target) == {"a.csv": "old"}
    assert not list(tmp_path.glob(".2026-10.old-*"))


def test_a_failed_swap_is_a_publish_error_naming_the_target(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="could not publish"):
        swap_into_place(tmp_path / "missing-stage", tmp_path / "2026-10")


def test_the_manifest_lists_every_output_with_its_hash(tmp_path: Path) -> None:
    from scorecards.flows.publish.manifest import write_manifest
    from scorecards.schemas.results import TableReport, ValidationReport

    (tmp_path / "reps").mkdir()
    (tmp_path / "scorecards.csv").write_text("x")
    (tmp_path / "reps" / "r.html").write_text("y")
    report = ValidationReport(
        [TableReport("reps", "reps.csv", "ab" * 32, 3, 2, 1, {"email: not an email address": 1})], []
    )
    write_manifest(tmp_path, "2026-10", "cd" * 32, report, 1)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest.pop("run_at").endswith("+00:00")
    assert manifest == {
        "period": "2026-10",
        "publication": 1,
        "version": "0.2.0",
        "config_sha256": "cd" * 32,
        "inputs": [
            {
                "table": "reps",
                "file": "reps.csv",
                "sha256": "ab" * 32,
                "rows_read": 3,
                "rows_used": 2,
                "rows_quarantined": 1,
            }
        ],
        "outputs": [
            {"path": "reps/r.html", "sha256": file_sha256(tmp_path / "reps" / "r.html")},
            {"path": "scorecards.csv", "sha256": file_sha256(tmp_path / "scorecards.csv")},
        ],
    }


def test_the_sent_log_survives_a_re_publication(tmp_path: Path) -> None:
    publish_files(tmp_path, {"a.csv": "old"})
    PeriodFolder(tmp_path / "2026-10").sent_log.write_text('{"recipient": "m@x.com"}\n')
    with staging_folder(tmp_path, "2026-10") as stage:
        (stage / "a.csv").write_text("new")
        carry_over_sent_log(tmp_path / "2026-10", stage)
        swap_into_place(stage, tmp_path / "2026-10")
    assert tree(tmp_path / "2026-10") == {"a.csv": "new", "sent-log.jsonl": '{"recipient": "m@x.com"}\n'}
