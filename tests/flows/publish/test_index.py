"""The period index's files (SPEC §11): what is published, read back; the pages put in place whole, under a lock."""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
from pathlib import Path

import polars as pl
import pytest
from builders import BASE_TABLES
from polars.testing import assert_frame_equal
from publishing import publish

from scorecards.config import load_settings
from scorecards.flows.period_flow import rebuild_index
from scorecards.flows.publish import index as index_module
from scorecards.flows.publish.index import index_lock, read_published, write_index
from scorecards.flows.shared.errors import PublishError
from scorecards.flows.shared.layout import OutFolder, PeriodFolder, person_stem


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """August to October 2026 of the test data, published as the period flow does."""
    root = tmp_path_factory.mktemp("index")
    publish(root, BASE_TABLES, ["2026-08", "2026-09", "2026-10"], load_settings(), root / "out")
    return root / "out"


PERIODS = pl.DataFrame(
    {
        "period": ["2026-08", "2026-09", "2026-10"],
        "publication": [1, 1, 1],
        "fairness_pages": [["", ".zh-CN"]] * 3,  # 王芳's card is in Chinese: so is a fairness page
        "warned": [False] * 3,
    },
    schema=index_module.PERIODS_SCHEMA,
)
REPS = pl.DataFrame(
    [
        ("2026-08", "R1", "Ann Lee", "East", "D", 1, "en", True, True),
        ("2026-08", "R2", "王芳", "East", "D", 2, "zh-CN", True, True),
        ("2026-09", "R2", "王芳", "East", "C", 1, "zh-CN", True, True),
        ("2026-09", "R1", "Ann Lee", "East", "D", 2, "en", True, True),
        ("2026-10", "R1", "Ann Lee", "East", "B", 1, "en", True, True),
        ("2026-10", "R3", "Bob Ray", "West", "B", 1, "en", True, True),
        ("2026-10", "R2", "王芳", "East", "D", 2, "zh-CN", True, True),
    ],
    schema=index_module.REPS_SCHEMA,
    orient="row",
)


def test_the_published_periods_are_read_back_with_their_reps_and_pages(out: Path) -> None:
    periods, reps = read_published(out)
    assert_frame_equal(periods, PERIODS)
    assert_frame_equal(reps, REPS)


def test_only_published_period_folders_count(out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(out, copy, symlinks=True)
    for name in (
        ".2026-11.building-x",
        ".2026-10.old-7",
        "2026-13",
        "notes",
        "2026-1",
    ):  # staging, displaced, not months
        shutil.copytree(copy / "2026-10", copy / name)
    (copy / "2026-12").mkdir()  # a period folder without a manifest is not a publication
    (copy / "2027-01").symlink_to(copy / "2026-10")  # nor is a link to one
    PeriodFolder.of(copy, "2026-09").fairness(".html").unlink()  # as published before there was one
    PeriodFolder.of(copy, "2026-08").fairness(".html", ".zh-CN").unlink()  # before it was written in Chinese
    os.remove(PeriodFolder.of(copy, "2026-10").card("R3", ".html"))
    manifest = PeriodFolder.of(copy, "2026-08").manifest
    manifest.write_text(json.dumps({k: v for k, v in json.loads(manifest.read_text()).items() if k != "publication"}))

    periods, reps = read_published(copy)
    expected_periods = PERIODS.with_columns(
        publication=pl.Series([None, 1, 1], dtype=pl.Int64),
        fairness_pages=pl.Series([[""], [".zh-CN"], ["", ".zh-CN"]], dtype=pl.List(pl.String)),
    )
    assert_frame_equal(periods, expected_periods)
    assert_frame_equal(reps, REPS.with_columns(has_card=pl.col("rep_id") != "R3"))


def test_a_scorecards_table_without_locale_reads_as_in_the_default_language(out: Path, tmp_path: Path) -> None:
    """SPEC §6's table has no locale column (this project adds it): a folder made by another tool is still listed."""
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    for folder in OutFolder(copy).periods():
        pl.read_parquet(folder.scorecards_parquet).drop("locale").write_parquet(folder.scorecards_parquet)
    periods, reps = read_published(copy)
    assert_frame_equal(reps, REPS.with_columns(locale=pl.lit(None, pl.String)))
    rebuild_index.fn(copy, load_settings())  # one language: the default's
    assert sorted(p.name for p in copy.iterdir() if not p.name.startswith(".") and not p.name.startswith("2026")) == [
        "index.html",
        "people",
    ]


def test_an_out_folder_without_publications_reads_as_empty(tmp_path: Path) -> None:
    periods, reps = read_published(tmp_path / "missing")
    assert periods.is_empty() and reps.is_empty()
    assert periods.schema == pl.Schema(index_module.PERIODS_SCHEMA) and reps.schema == pl.Schema(
        index_module.REPS_SCHEMA
    )


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".index.lock")


def test_the_pages_are_put_in_place_and_replaced_whole(tmp_path: Path) -> None:
    layout = OutFolder(tmp_path)
    assert write_index(tmp_path, {"": ("<p>one</p>", {"R1": "<p>r1</p>", "a/b": "<p>ab</p>"})}, "en") is True
    assert layout.index.read_text() == "<p>one</p>"
    assert tree(layout.people) == {
        f"{person_stem('R1')}.html": b"<p>r1</p>",
        f"{person_stem('a/b')}.html": b"<p>ab</p>",
    }

    assert write_index(tmp_path, {"": ("<p>two</p>", {"R2": "<p>r2</p>"})}, "en") is True
    assert layout.index.read_text() == "<p>two</p>"
    assert tree(layout.people) == {f"{person_stem('R2')}.html": b"<p>r2</p>"}  # a page nobody needs is gone
    assert hidden(tmp_path) == []


def test_the_same_pages_are_not_written_again(tmp_path: Path) -> None:
    layout = OutFolder(tmp_path)
    write_index(tmp_path, {"": ("<p>one</p>", {"R1": "<p>r1</p>"})}, "en")
    before = (layout.index.stat().st_ino, layout.people.stat().st_ino)
    assert write_index(tmp_path, {"": ("<p>one</p>", {"R1": "<p>r1</p>"})}, "en") is False
    assert (layout.index.stat().st_ino, layout.people.stat().st_ino) == before
    assert (
        write_index(tmp_path, {"": ("<p>one</p>", {"R1": "<p>changed</p>"})}, "en") is True
    )  # one page differs: all replaced
    assert layout.people.stat().st_ino != before[1]


@pytest.mark.parametrize("failing", ["a rep's page", "index.html"])
def test_a_failed_write_leaves_the_previous_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    write_index(tmp_path, {"": ("<p>old</p>", {"R1": "<p>old r1</p>"})}, "en")
    before = tree(tmp_path)
    real = index_module._write

    def full_disk(path: Path, data: bytes, *, sync: bool = False) -> None:
        if (failing == "index.html") == path.name.startswith(".index.html"):
            path.write_bytes(data[:3])  # half written, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data, sync=sync)

    monkeypatch.setattr(index_module, "_write", full_disk)
    with pytest.raises(PublishError, match="index.html: could not write the outputs \\(No space left on device\\)"):
        write_index(tmp_path, {"": ("<p>new</p>", {"R1": "<p>new r1</p>", "R2": "<p>new r2</p>"})}, "en")
    if failing == "a rep's page":
        assert tree(tmp_path) == before
    else:  # the people pages were swapped in first; the index is the old one, whole
        assert OutFolder(tmp_path).index.read_text() == "<p>old</p>"
    assert hidden(tmp_path) == []


def test_what_a_killed_rebuild_left_is_put_right(tmp_path: Path) -> None:
    layout = OutFolder(tmp_path)
    (tmp_path / ".people.building-x").mkdir()
    (tmp_path / ".index.html.part-123").write_text("<p>half")
    displaced = tmp_path / ".people.old-123"  # killed between the two renames of a swap without exchange
    displaced.mkdir()
    (displaced / "page.html").write_text("old")
    write_index(tmp_path, {"": ("<p>one</p>", {"R1": "<p>r1</p>"})}, "en")
    assert hidden(tmp_path) == []
    assert tree(layout.people) == {f"{person_stem('R1')}.html": b"<p>r1</p>"}


def test_each_language_s_pages_are_put_in_place_and_a_language_no_longer_in_use_is_removed(tmp_path: Path) -> None:
    layout = OutFolder(tmp_path)
    both = {"": ("<p>en</p>", {"R1": "<p>r1</p>"}), ".zh-CN": ("<p>zh</p>", {"R1": "<p>r1 zh</p>"})}
    assert write_index(tmp_path, both, "en") is True
    assert layout.index_in(".zh-CN").name == "index.zh-CN.html" and layout.people_in(".zh-CN").name == "people.zh-CN"
    assert layout.index.read_text() == "<p>en</p>" and layout.index_in(".zh-CN").read_text() == "<p>zh</p>"
    assert tree(layout.people_in(".zh-CN")) == {f"{person_stem('R1')}.html": b"<p>r1 zh</p>"}
    before = {part: layout.people_in(part).stat().st_ino for part in both}
    assert write_index(tmp_path, both, "en") is False  # every language's pages hold these bytes already
    assert {part: layout.people_in(part).stat().st_ino for part in both} == before

    assert write_index(tmp_path, {"": ("<p>en</p>", {"R1": "<p>r1</p>"})}, "en") is True
    assert not layout.index_in(".zh-CN").exists() and not layout.people_in(".zh-CN").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".index.lock") == ["index.html", "people"]


def test_what_a_killed_rebuild_of_another_language_left_is_put_right(tmp_path: Path) -> None:
    layout = OutFolder(tmp_path)
    (tmp_path / ".people.zh-CN.building-x").mkdir()
    (tmp_path / ".index.zh-CN.html.part-123").write_text("<p>half")
    displaced = tmp_path / ".people.zh-CN.old-123"
    displaced.mkdir()
    (displaced / "page.html").write_text("old")
    write_index(
        tmp_path, {"": ("<p>one</p>", {"R1": "<p>r1</p>"}), ".zh-CN": ("<p>zh</p>", {"R1": "<p>r1 zh</p>"})}, "en"
    )
    assert hidden(tmp_path) == []
    assert tree(layout.people_in(".zh-CN")) == {f"{person_stem('R1')}.html": b"<p>r1 zh</p>"}


def test_what_a_killed_rebuild_left_of_a_language_no_longer_in_use_is_removed(tmp_path: Path) -> None:
    (tmp_path / ".people.zh-CN.building-x").mkdir()
    (tmp_path / ".index.zh-CN.html.part-123").write_text("<p>half")
    (tmp_path / ".people.zh-CN.old-123").mkdir()
    write_index(tmp_path, {"": ("<p>one</p>", {"R1": "<p>r1</p>"})}, "en")
    assert hidden(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != ".index.lock") == ["index.html", "people"]


def test_the_default_s_pages_keep_the_names_they_had_as_another_language(tmp_path: Path) -> None:
    """Cards published while zh-CN was not the default link index.zh-CN.html and people.zh-CN/: once it is,
    those names stay, as copies of index.html and people/ (the same links: each pair is side by side in OUT)."""
    layout = OutFolder(tmp_path)
    write_index(tmp_path, {"": ("<p>en</p>", {"R1": "<p>r1</p>"}), ".zh-CN": ("<p>zh</p>", {"R1": "<p>zh</p>"})}, "en")
    assert write_index(tmp_path, {"": ("<p>zh now</p>", {"R1": "<p>zh now</p>"})}, "zh-CN") is True
    assert layout.index.read_text() == layout.index_in(".zh-CN").read_text() == "<p>zh now</p>"
    assert tree(layout.people) == tree(layout.people_in(".zh-CN")) == {f"{person_stem('R1')}.html": b"<p>zh now</p>"}
    assert write_index(tmp_path, {"": ("<p>zh now</p>", {"R1": "<p>zh now</p>"})}, "zh-CN") is False
    assert write_index(tmp_path, {"": ("<p>zh again</p>", {"R1": "<p>zh again</p>"})}, "zh-CN") is True
    assert layout.index_in(".zh-CN").read_text() == "<p>zh again</p>"
    assert tree(layout.people_in(".zh-CN")) == {f"{person_stem('R1')}.html": b"<p>zh again</p>"}
    assert OutFolder(tmp_path).index_pages("zh-CN") == [layout.index]  # the copy is not another language
    # A swap of the copy killed between its two renames (a share without an atomic exchange) is put right first:
    # the copy is still there after the next rebuild, not taken for a language no longer in use.
    displaced = tmp_path / ".people.zh-CN.old-123"
    layout.people_in(".zh-CN").rename(displaced)
    assert write_index(tmp_path, {"": ("<p>zh 3</p>", {"R1": "<p>zh 3</p>"})}, "zh-CN") is True
    assert tree(layout.people_in(".zh-CN")) == {f"{person_stem('R1')}.html": b"<p>zh 3</p>"}
    assert not displaced.exists()
    # A default that was never another language has no such name.
    write_index(tmp_path, {"": ("<p>en</p>", {"R1": "<p>r1</p>"})}, "en")
    assert not layout.index_in(".en").exists() and not layout.index_in(".zh-CN").exists()
    assert not layout.people_in(".en").exists() and not layout.people_in(".zh-CN").exists()
    assert OutFolder(tmp_path).index_pages("en") == [layout.index]


def test_a_failed_write_of_the_second_language_s_index_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    both = {"": ("<p>en</p>", {"R1": "<p>r1</p>"}), ".zh-CN": ("<p>zh</p>", {"R1": "<p>zh</p>"})}
    write_index(tmp_path, both, "en")
    real = index_module._write

    def full_disk(path: Path, data: bytes, *, sync: bool = False) -> None:
        if path.name.startswith(".index.zh-CN.html"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data, sync=sync)

    monkeypatch.setattr(index_module, "_write", full_disk)
    new = {"": ("<p>en 2</p>", {"R1": "<p>r1</p>"}), ".zh-CN": ("<p>zh 2</p>", {"R1": "<p>zh</p>"})}
    with pytest.raises(PublishError, match=r"index\.zh-CN\.html: could not write the outputs \(No space left"):
        write_index(tmp_path, new, "en")
    # Each file is whole: the default's index is the new one, the Chinese one the old, until the next rebuild.
    assert OutFolder(tmp_path).index.read_text() == "<p>en 2</p>"
    assert OutFolder(tmp_path).index_in(".zh-CN").read_text() == "<p>zh</p>"
    assert hidden(tmp_path) == []


def test_a_second_rebuild_waits_for_the_first(tmp_path: Path) -> None:
    events: list[str] = []
    first_holds, second_tried = threading.Event(), threading.Event()

    def second() -> None:
        first_holds.wait()
        second_tried.set()
        with index_lock(tmp_path):
            events.append("second has the lock")

    thread = threading.Thread(target=second)
    thread.start()
    with index_lock(tmp_path):
        first_holds.set()
        second_tried.wait()
        thread.join(timeout=0.5)  # not a timing assertion: the thread must still be waiting after it
        events.append("first releases")
    thread.join()
    assert events == ["first releases", "second has the lock"]


def test_two_periods_published_side_by_side_are_both_in_the_index(tmp_path: Path) -> None:
    out, settings = tmp_path / "out", load_settings()
    errors: list[BaseException] = []

    def publish_one(period: str) -> None:
        try:
            publish(tmp_path / period, BASE_TABLES, [period], settings, out)
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=publish_one, args=(p,)) for p in ("2026-09", "2026-10")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    index = OutFolder(out).index.read_text("utf-8")
    assert "2026-09/reps/" in index and "2026-10/reps/" in index  # whichever rebuilt last saw both
    assert sorted(p.name for p in OutFolder(out).people.iterdir()) == [
        f"{person_stem(r)}.html" for r in ("R1", "R2", "R3")
    ]


def test_a_rebuild_that_cannot_write_is_logged_and_the_period_stays_published(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from scorecards.flows import period_flow

    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = tree(copy)

    def full_disk(out_dir: Path, *_: object) -> bool:
        raise PublishError(f"{out_dir / 'index.html'}: could not write the outputs (No space left on device)")

    monkeypatch.setattr(period_flow, "write_index", full_disk)
    monkeypatch.setattr(period_flow, "rebuild_index", period_flow.rebuild_index.fn)  # its body, without Prefect
    period_flow.refresh_index(copy, load_settings())  # does not raise: the period it follows is published
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"] == [
        f"{copy / 'index.html'}: could not write the outputs (No space left on device); the previous index is unchanged"
    ]
    assert tree(copy) == before


def test_a_period_whose_table_cannot_be_read_is_named_and_the_previous_index_stays(out: Path, tmp_path: Path) -> None:
    from scorecards.flows.period_flow import refresh_index

    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = OutFolder(copy).index.read_bytes()
    broken = PeriodFolder.of(copy, "2026-09").scorecards_parquet
    broken.write_bytes(broken.read_bytes()[:100])  # cut short, as a copy by hand can leave it
    with pytest.raises(PublishError, match=r"2026-09/scorecards\.parquet: cannot be read for the index"):
        read_published(copy)
    refresh_index(copy, load_settings())  # logged, not raised: the period it follows is published all the same
    assert OutFolder(copy).index.read_bytes() == before


def test_every_published_folder_and_file_is_as_readable_as_the_umask_allows(tmp_path: Path) -> None:
    """Managers open OUT from a share as other users: nothing under it may be the owner's alone (mkdtemp's 0700)."""
    before = os.umask(0o022)
    try:
        publish(tmp_path, BASE_TABLES, ["2026-09", "2026-10"], load_settings(), tmp_path / "out")
    finally:
        os.umask(before)
    modes = {
        p.relative_to(tmp_path / "out").as_posix(): p.stat().st_mode & 0o777 for p in (tmp_path / "out").rglob("*")
    }
    assert {"index.html", "people", "2026-10", "2026-10/reps"} <= modes.keys()
    wrong = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o755 if (tmp_path / "out" / name).is_dir() else 0o644)
    }
    assert wrong == {}
