"""An input file rewritten while a run reads it: the manifest's hash is of exactly the bytes that were used."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from builders import BASE_TABLES, write_csv
from typer.testing import CliRunner

from scorecards.config.profiles import CANONICAL_PROFILE
from scorecards.flows.cli import app
from scorecards.flows.sources.ingest import read_inputs, read_table_file
from scorecards.schemas.results import RawTable, UnreadableTable

runner = CliRunner()


def versions(folder: Path) -> list[bytes]:
    """Two versions of opportunities.csv, the second with one corrected amount and one more row."""
    first = folder / "a.csv"
    write_csv(first, BASE_TABLES["opportunities"])
    rows = [dict(row) for row in BASE_TABLES["opportunities"]]
    rows[0]["amount"] = "1100.10"
    rows.append({**rows[-1], "opportunity_id": "O7"})
    second = folder / "b.csv"
    write_csv(second, rows)
    data = [first.read_bytes(), second.read_bytes()]
    first.unlink()
    second.unlink()
    return data


@pytest.fixture
def rewritten(make_inputs) -> Iterator[tuple[Path, list[bytes]]]:  # noqa: ANN001
    """An input folder whose opportunities.csv is rewritten in place, in small pieces, until the test ends."""
    folder = make_inputs()
    contents = versions(folder)
    stop = threading.Event()

    def rewrite() -> None:
        target = folder / "opportunities.csv"
        while not stop.is_set():
            for data in contents:
                with target.open("wb") as handle:  # truncated, then written piece by piece: readers can see it torn
                    for start in range(0, len(data), 64):
                        handle.write(data[start : start + 64])
                        handle.flush()

    writer = threading.Thread(target=rewrite, daemon=True)
    writer.start()
    yield folder, contents
    stop.set()
    writer.join()


@pytest.fixture
def bytes_read(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[bytes]]:
    """Every read of a file's bytes, by file name (the reads happen as before; they are only recorded)."""
    seen: dict[str, list[bytes]] = {}
    real = Path.read_bytes

    def recording(path: Path) -> bytes:
        data = real(path)
        seen.setdefault(path.name, []).append(data)
        return data

    monkeypatch.setattr(Path, "read_bytes", recording)
    return seen


def test_each_read_is_hashed_and_parsed_from_the_same_bytes(
    rewritten: tuple[Path, list[bytes]], bytes_read: dict[str, list[bytes]]
) -> None:
    folder, contents = rewritten
    outcomes = set()
    for _attempt in range(200):
        table = read_inputs(folder)["opportunities"]
        (data,) = bytes_read.pop("opportunities.csv")  # read once per run, never again
        if isinstance(table, UnreadableTable):  # caught torn to nothing or to a broken line
            outcomes.add("unreadable")
            continue
        assert isinstance(table, RawTable)
        assert table.sha256 == hashlib.sha256(data).hexdigest()
        parsed = read_table_file(folder / "opportunities.csv", data, CANONICAL_PROFILE.file_format("opportunities"))
        assert table.frame.equals(parsed)
        outcomes.add({contents[0]: "first", contents[1]: "second"}.get(data, "torn"))
    assert {"first", "second"} <= outcomes  # the writer really did change the file between reads


@pytest.mark.flow
@pytest.mark.usefixtures("prefect_harness")
def test_the_manifest_describes_the_bytes_the_run_used(
    rewritten: tuple[Path, list[bytes]], bytes_read: dict[str, list[bytes]], tmp_path: Path
) -> None:
    folder, _ = rewritten
    result = runner.invoke(app, ["run", "--input", str(folder), "--period", "2026-10", "--out", str(tmp_path / "out")])
    (data,) = bytes_read["opportunities.csv"]
    if result.exit_code != 0:  # read torn: refused as a whole, nothing published
        assert "opportunities.csv" in result.output and "nothing published" in result.output
        assert not (tmp_path / "out" / "2026-10").exists()
        return
    manifest = json.loads((tmp_path / "out" / "2026-10" / "manifest.json").read_text())
    (entry,) = [i for i in manifest["inputs"] if i["table"] == "opportunities"]
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["rows_read"] == len(data.splitlines()) - 1  # the header, then one line per row
