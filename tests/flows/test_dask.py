"""Scale-out: the same publication from a local Dask cluster as from the default runner (byte for byte)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorecards.flows.cli import app

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]
runner = CliRunner()


def digests(period: Path) -> dict[str, str]:
    """Every published file's sha256 but the manifest's (it carries the run time)."""
    return {
        p.relative_to(period).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(period.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def test_a_backfill_on_a_local_dask_cluster_publishes_the_same_bytes(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    folder = make_inputs()
    args = ["backfill", "--input", str(folder), "--from", "2026-09", "--to", "2026-10"]
    local = runner.invoke(app, [*args, "--out", str(tmp_path / "local")])
    dask = runner.invoke(app, [*args, "--out", str(tmp_path / "dask"), "--runner", "dask"])
    assert local.exit_code == 0, local.output
    assert dask.exit_code == 0, dask.output
    for month in ("2026-09", "2026-10"):
        published = digests(tmp_path / "dask" / month)
        assert published == digests(tmp_path / "local" / month)
        assert any(name.startswith("reps/") for name in published)
    # Months published side by side on the cluster each rebuild the index; the last one saw both.
    assert (tmp_path / "dask" / "index.html").read_bytes() == (tmp_path / "local" / "index.html").read_bytes()
    assert digests(tmp_path / "dask" / "people") == digests(tmp_path / "local" / "people")


def test_one_period_renders_its_cards_across_the_cluster(make_inputs, tmp_path: Path) -> None:  # noqa: ANN001
    folder = make_inputs()
    args = ["run", "--input", str(folder), "--period", "2026-10"]
    assert runner.invoke(app, [*args, "--out", str(tmp_path / "local")]).exit_code == 0
    dask = runner.invoke(app, [*args, "--out", str(tmp_path / "dask"), "--runner", "dask"])
    assert dask.exit_code == 0, dask.output
    assert digests(tmp_path / "dask" / "2026-10") == digests(tmp_path / "local" / "2026-10")


def test_runner_options_are_checked() -> None:
    result = runner.invoke(app, ["run", "--input", ".", "--period", "2026-10", "--runner", "spark"])
    assert result.exit_code == 2 and "use 'local' or 'dask'" in result.output
    result = runner.invoke(app, ["run", "--input", ".", "--period", "2026-10", "--dask-address", "tcp://x:8786"])
    assert result.exit_code == 2 and "--dask-address needs --runner dask" in result.output
