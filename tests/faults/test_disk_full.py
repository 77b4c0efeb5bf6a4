"""The disk fills up while a period is written: a clear message, exit status 1, the old publication intact."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import BASE_TABLES, snapshot, write_csv
from publication import leftovers, whole_publication
from typer.testing import CliRunner

from scorecards.flows.cards import workbooks
from scorecards.flows.cli import app
from scorecards.flows.publish.staging import file_sha256

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]
runner = CliRunner()


def run(folder: Path, out: Path) -> object:
    return runner.invoke(app, ["run", "--input", str(folder), "--period", "2026-10", "--out", str(out)])


def corrected(folder: Path) -> None:
    """Correct every amount in the input, so that no page of the new publication is the old one's: a page carried
    over is a link to the old file and takes no room, and each test sizes the disk for a whole publication."""
    rows = [{**row, "amount": f"{index + 1}100.10"} for index, row in enumerate(BASE_TABLES["opportunities"])]
    write_csv(folder / "opportunities.csv", rows)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of its own (the tests run as root on CI), unmounted afterwards."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()} (the patched-writer test still runs)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def resize(mount: Path, size: int) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(mount)], check=True)


def used(mount: Path) -> int:
    stats = os.statvfs(mount)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


def index_size(out: Path) -> int:
    """What the index and the rep pages, in every language, take on the disk (SPEC §11: they are not the period's
    publication)."""
    folders = [folder for folder in out.glob("people*") if folder.is_dir()]
    pages = [*out.glob("index*.html"), *folders, *(page for folder in folders for page in folder.iterdir())]
    return sum(page.stat().st_blocks * 512 for page in pages)


@pytest.mark.parametrize("room", [0.0, 0.1, 0.5, 0.9])
def test_a_full_disk_fails_the_run_clearly_and_keeps_the_old_publication(
    room: float, make_inputs, small_disk: Path
) -> None:  # noqa: ANN001
    folder, out = make_inputs(), small_disk / "out"
    assert run(folder, out).exit_code == 0
    old = snapshot(out / "2026-10")
    corrected(folder)
    index = index_size(out)
    resize(small_disk, int((used(small_disk) - index) * (1 + room)) + index)  # that share of a second publication

    result = run(folder, out)

    assert result.exit_code == 1
    assert "could not write the outputs (No space left on device" in result.output
    assert "the earlier publication is unchanged" in result.output
    assert "Traceback" not in result.output
    assert snapshot(out / "2026-10") == old
    assert leftovers(out) == []  # the half-built folder is gone, the space given back

    resize(small_disk, 32 << 20)
    again = run(folder, out)
    assert again.exit_code == 0, again.output
    assert whole_publication(out / "2026-10") == file_sha256(folder / "opportunities.csv")  # the corrected input


def test_a_writer_that_fails_midway_leaves_the_old_publication(
    make_inputs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    folder, out = make_inputs(), tmp_path / "out"
    assert run(folder, out).exit_code == 0
    old = snapshot(out / "2026-10")
    corrected(folder)
    calls = []
    save = workbooks.save_deterministic

    def fill_up_on_the_third(workbook: object, path: Path, *args: object, **kwargs: object) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        save(workbook, path, *args, **kwargs)

    monkeypatch.setattr(workbooks, "save_deterministic", fill_up_on_the_third)
    result = run(folder, out)

    assert result.exit_code == 1
    assert "could not write the outputs (No space left on device)" in result.output
    assert "Traceback" not in result.output
    assert snapshot(out / "2026-10") == old
    assert leftovers(out) == []


def test_a_new_period_on_a_disk_already_full_fails_clearly(make_inputs, small_disk: Path) -> None:  # noqa: ANN001
    folder, out = make_inputs(), small_disk / "out"
    out.mkdir()
    with (small_disk / "filler").open("wb") as filler:  # nothing left, not even for the period's lock file
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC

    result = run(folder, out)

    assert result.exit_code == 1
    assert "2026-10: could not write the outputs (No space left on device" in result.output
    assert "Traceback" not in result.output
    assert not (out / "2026-10").exists() and leftovers(out) == []
