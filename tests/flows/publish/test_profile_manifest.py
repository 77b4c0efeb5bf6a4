"""What a profile adds to a period's record: the files it joined, and row numbers below a later header (SPEC §6)."""

from __future__ import annotations

from pathlib import Path

from fixtures.profiles.exports import write_text_export

from scorecards.config import load_settings
from scorecards.config.profiles import load_profile
from scorecards.flows.publish.manifest import is_up_to_date, manifest_inputs, write_manifest
from scorecards.flows.sources.ingest import read_inputs
from scorecards.flows.validate.quarantine import validate_tables

PROFILE = """
header_row = 3
[tables.reps]
files = ["teams.csv"]
columns = { rep_id = "Agent", rep_name = "Agent", team = "Team", manager_name = "Boss", email = "me.email", manager_email = "boss.email" }
[tables.reps.joins.me]
files = ["directory.csv"]
column = "Agent"
key = "name"
header_row = 1
[tables.reps.joins.boss]
files = ["directory.csv"]
column = "Boss"
key = "name"
header_row = 1
"""


def _folder(tmp_path: Path, ann_email: str = "ann@x.example") -> tuple[Path, str]:
    folder = tmp_path / "in"
    title = [["Sales teams"], ["exported 2026-10-31"]]
    rows = [["Agent", "Team", "Boss"], ["Ann", "East", "Mia"], ["Bob", "East", "Mia"], ["Cy", "West", "Mia"]]
    write_text_export(folder / "teams.csv", [*title, *rows])
    directory = [["name", "email"], ["Ann", ann_email], ["Bob", "bob@x.example"], ["Mia", "mia@x.example"]]
    write_text_export(folder / "directory.csv", directory)
    write_text_export(
        folder / "opportunities.csv", [["opportunity_id", "rep_id", "account_id", "stage", "amount", "created_date"]]
    )
    (tmp_path / "p.toml").write_text(PROFILE, encoding="utf-8")
    return folder, str(tmp_path / "p.toml")


def test_quarantined_rows_are_numbered_as_in_the_file_below_a_later_header(tmp_path: Path) -> None:
    folder, profile = _folder(tmp_path)
    validated = validate_tables(read_inputs(folder, load_profile(profile)), load_settings())
    assert validated.quarantine["reps"].select("source_row", "rep_id", "reason").rows() == [
        (6, "Cy", "email: required")
    ]


def test_the_manifest_names_each_joined_file_once_and_a_changed_one_makes_the_period_stale(tmp_path: Path) -> None:
    folder, profile = _folder(tmp_path)
    report = validate_tables(read_inputs(folder, load_profile(profile)), load_settings()).report
    reps = next(entry for entry in manifest_inputs(report) if entry["table"] == "reps")
    assert [j["file"] for j in reps["joined"]] == ["directory.csv"]
    (tmp_path / "out").mkdir()
    write_manifest(tmp_path / "out", "2026-10", "cd" * 32, report, 1)
    assert is_up_to_date(tmp_path / "out", "cd" * 32, report)
    folder, _ = _folder(tmp_path, ann_email="ann@y.example")
    changed = validate_tables(read_inputs(folder, load_profile(profile)), load_settings()).report
    assert not is_up_to_date(tmp_path / "out", "cd" * 32, changed)
