"""Incremental re-publishing (issue 18): a card is rendered again only when its view changed.

Each test publishes three months with the backfill flow, changes something, and
publishes again; cards rendered are counted where the workbook writer is called
(every rendered card writes its workbook, a carried-over card does not).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from builders import BASE_TABLES, corrections, write_tables
from hypothesis import given, settings
from publishing import outputs

from scorecards.config import load_settings
from scorecards.flows import period_flow
from scorecards.flows.cards import render
from scorecards.flows.period_flow import RunResult, backfill_flow, run_for_result
from scorecards.flows.shared.layout import PeriodFolder

pytestmark = [pytest.mark.flow, pytest.mark.usefixtures("prefect_harness")]

MONTHS = ("2026-08", "2026-09", "2026-10")
SETTINGS = load_settings()


def backfill(input_dir: Path, out: Path, *, force: bool = False) -> RunResult:
    result = backfill_flow(input_dir, MONTHS[0], MONTHS[-1], out, load_settings(), force=force)
    assert isinstance(result, RunResult) and result.ok, result
    return result


def corrected(deal: str, amount: str) -> list[dict[str, str]]:
    """BASE_TABLES' opportunities with one deal's amount corrected."""
    return [{**o, "amount": amount} if o["opportunity_id"] == deal else o for o in BASE_TABLES["opportunities"]]


def but(files: dict[str, bytes], *restated: str) -> dict[str, bytes]:
    """The files a clean backfill must give byte for byte: all but the restated months' (a new version here, the
    first there), the version store's manifests (a kept version records the inputs it was first made from) and
    the index in each language (which names each month's version; see `versions_unnamed`)."""
    return {
        path: data
        for path, data in files.items()
        if not path.startswith(tuple(f"{prefix}{month}/" for month in restated for prefix in ("", ".versions/")))
        and not (path.startswith(".versions/") and path.endswith("/manifest.json"))
        and path not in INDEXES
    }


#: The index in each language the test data's cards are in (R2's is in Chinese).
INDEXES = ("index.html", "index.zh-CN.html")


def versions_unnamed(html: bytes) -> bytes:
    """The index without the version number it names after each month's title (`Version 2`, `第 2 版`)."""
    html = re.sub(rb"\xc2\xb7 Version \d+<", b"\xc2\xb7 Version ?<", html)
    return re.sub("· 第 \\d+ 版<".encode(), "· 第 ? 版<".encode(), html)


def index_of_version_2(fresh: dict[str, bytes], after: dict[str, bytes], restated: int = 1) -> None:
    """Each language's index names version 2 once per restated month; the clean backfill's, no version 2."""
    for index, version in zip(INDEXES, ("· Version 2<", "· 第 2 版<"), strict=True):
        assert versions_unnamed(fresh[index]) == versions_unnamed(after[index]), index
        assert after[index].count(version.encode()) == restated and version.encode() not in fresh[index], index


def version_2(html: bytes) -> bytes:
    """A version 1 card's HTML as version 2's: the version its question link's subject names (en, zh-CN)."""
    return html.replace(b"version%201%29", b"version%202%29").replace(b"%E7%AC%AC%201%20", b"%E7%AC%AC%202%20")


def rollups(out: Path, period: str) -> list[str]:
    return sorted(p.name for p in PeriodFolder.of(out, period).rollups.iterdir())


def card(out: Path, period: str, rep_id: str, suffix: str = ".html") -> Path:
    return PeriodFolder.of(out, period).card(rep_id, suffix)


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(period, rep card file) of each card rendered from now on."""
    calls: list[tuple[str, str]] = []
    write = render.write_card_workbook

    def counted(card: object, path: Path, currency: str) -> None:
        calls.append((path.parent.parent.name.split(".")[1], path.name))
        write(card, path, currency)  # type: ignore[arg-type]

    monkeypatch.setattr(render, "write_card_workbook", counted)
    return calls


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(period, rep_id) of each card whose view was built from now on."""
    calls: list[tuple[str, str]] = []
    build = render.build_cards

    def counted(report, period, settings, only=None, publication=None):  # noqa: ANN001, ANN202
        cards = build(report, period, settings, only=only, publication=publication)
        calls.extend((str(period), card.rep_id) for card in cards)
        return cards

    monkeypatch.setattr(render, "build_cards", counted)
    return calls


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each period whose report was computed from now on."""
    calls: list[str] = []
    report = period_flow.period_report

    def counted(tables, period, settings, known=None):  # noqa: ANN001, ANN202
        calls.append(str(period))
        return report(tables, period, settings, known)

    monkeypatch.setattr(period_flow, "period_report", counted)
    return calls


def test_a_corrected_deal_re_renders_its_month_and_carries_the_others_over(
    make_inputs,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rendered: list[tuple[str, str]],
    built: list[tuple[str, str]],
) -> None:
    out = tmp_path / "out"
    backfill(make_inputs(), out)
    assert len(rendered) == 2 + 2 + 3  # R1, R2 in August and September; R3 (hired 2026-10-31) too in October
    before = outputs(out)
    manifest = json.loads(PeriodFolder.of(out, "2026-10").manifest.read_text())
    assert manifest["renderer"] == render.renderer_version()
    assert sorted(manifest["views"]["reps"]) == ["R1", "R2", "R3"]
    assert sorted(manifest["views"]["teams"]) == ["East", "West"]

    august_card = card(out, "2026-08", "R1")
    inode = august_card.stat().st_ino

    rendered.clear()
    built.clear()
    fixed = make_inputs("fixed", opportunities=corrected("O1", "1200.10"))  # R1's deal won in 2026-10
    backfill(fixed, out)
    # August's card was carried over as a link to its published file, whose old folder is gone: nothing under
    # OUT shares a file with anything.
    assert august_card.stat().st_ino == inode
    assert {p.stat().st_nlink for p in out.rglob("*") if p.is_file()} == {1}

    # October has new numbers: version 2, which every October card names in its question link, so all are
    # rendered again; August's and September's views did not change: their cards were carried over, not rendered.
    assert sorted(rendered) == sorted(
        ("2026-10", card(out, "2026-10", r).with_suffix(".xlsx").name) for r in ("R1", "R2", "R3")
    )
    # What August's and September's cards are made from did not change either: their views were not even built.
    assert sorted(built) == [("2026-10", "R1"), ("2026-10", "R2"), ("2026-10", "R3")]
    after = outputs(out)
    assert "1,200.10" in card(out, "2026-10", "R1").read_text()
    for rep_id in ("R1", "R2"):
        for period in ("2026-08", "2026-09"):
            for suffix in (".html", ".xlsx"):
                relative = card(out, period, rep_id, suffix).relative_to(out).as_posix()
                assert after[relative] == before[relative]
    assert PeriodFolder.of(out, "2026-10").publication() == 2
    assert PeriodFolder.of(out, "2026-09").publication() == 1

    # The same history published without carrying anything over gives every byte the same, manifests included.
    monkeypatch.setattr(period_flow, "published_pages", lambda folder: None)
    monkeypatch.setattr(period_flow, "unchanged_month", lambda *args: None)
    full = tmp_path / "full"
    backfill(make_inputs(), full)
    rendered.clear()
    backfill(fixed, full)
    assert len(rendered) == 7
    assert outputs(full) == after

    # A clean backfill of the corrected input: the same files, but October is its version 1 there.
    clean = tmp_path / "clean"
    backfill(fixed, clean)
    fresh = outputs(clean)

    assert but(fresh, "2026-10") == but(after, "2026-10")
    index_of_version_2(fresh, after)
    for name in ("scorecards.csv", "scorecards.parquet", *(f"teams/{t}" for t in rollups(out, "2026-10"))):
        assert fresh[f"2026-10/{name}"] == after[f"2026-10/{name}"]
    for rep_id in ("R1", "R2", "R3"):
        relative = card(out, "2026-10", rep_id).relative_to(out).as_posix()
        assert fresh[relative] != after[relative]
        assert version_2(fresh[relative]) == after[relative]


def test_a_correction_in_an_earlier_month_makes_a_new_version_of_a_month_whose_pages_show_it(
    make_inputs,  # noqa: ANN001
    tmp_path: Path,
    rendered: list[tuple[str, str]],
) -> None:
    targets = [*BASE_TABLES["targets"], {"rep_id": "R2", "period": "2026-09", "target_amount": "1000.00"}]
    out = tmp_path / "out"
    backfill(make_inputs(targets=targets), out)
    before = outputs(out)

    rendered.clear()
    fixed = make_inputs("fixed", targets=targets, opportunities=corrected("O3", "650.00"))  # R2's deal won in 2026-09
    backfill(fixed, out)

    # September is restated (version 2: both its cards). October's own numbers are the same, but R2's card shows
    # September's attainment in its trend and fairness.csv its run rate: what October's pages show changed, so it
    # is version 2 too (SPEC §9: a question names the version whose numbers its reader saw), every card of it
    # naming that version. Earlier months are left alone.
    assert [PeriodFolder.of(out, m).publication() for m in ("2026-08", "2026-09", "2026-10")] == [1, 2, 2]
    assert sorted(rendered) == sorted(
        [("2026-09", card(out, "2026-09", r, ".xlsx").name) for r in ("R1", "R2")]
        + [("2026-10", card(out, "2026-10", r, ".xlsx").name) for r in ("R1", "R2", "R3")]
    )
    after = outputs(out)
    r2 = card(out, "2026-10", "R2").relative_to(out).as_posix()
    assert after[r2] != before[r2]
    for rep_id in ("R1", "R3"):  # the same card but for the version its question link names
        relative = card(out, "2026-10", rep_id).relative_to(out).as_posix()
        assert after[relative] == version_2(before[relative])

    clean = tmp_path / "clean"
    backfill(fixed, clean)
    fresh = outputs(clean)
    assert but(fresh, "2026-09", "2026-10") == but(after, "2026-09", "2026-10")
    for name in ("scorecards.csv", "fairness.csv"):  # October's tables hold no version: byte for byte
        assert after[f"2026-10/{name}"] == fresh[f"2026-10/{name}"], name
    assert after["2026-10/fairness.csv"] != before["2026-10/fairness.csv"]  # R2's run rate reads September
    index_of_version_2(fresh, after, restated=2)


@pytest.mark.parametrize("inputs_changed", [False, True], ids=["same inputs", "other inputs, same views"])
def test_a_tampered_or_missing_card_is_rendered_again(
    make_inputs,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rendered: list[tuple[str, str]],
    built: list[tuple[str, str]],
    inputs_changed: bool,
) -> None:
    folder, out = make_inputs(), tmp_path / "out"
    backfill(folder, out)
    before = outputs(out)
    tampered, missing = card(out, "2026-09", "R1"), card(out, "2026-10", "R3", ".xlsx")
    tampered.write_text(tampered.read_text().replace("Ann Lee", "Someone Else"))
    missing.unlink()
    if inputs_changed:  # every card's inputs look new: each view is built, and its hash decides
        inputs = render.card_inputs
        monkeypatch.setattr(render, "card_inputs", lambda *args: dict.fromkeys(inputs(*args), "other inputs"))

    rendered.clear()
    built.clear()
    backfill(folder, out, force=True)

    # Only the damaged cards are built (same inputs) or all are (other inputs); only the damaged are rendered.
    assert len(built) == (7 if inputs_changed else 2)
    assert sorted(rendered) == sorted(
        [("2026-09", card(out, "2026-09", "R1", ".xlsx").name), ("2026-10", missing.name)]
    )
    if inputs_changed:
        assert {p: b for p, b in outputs(out).items() if not p.endswith("manifest.json")} == {
            p: b for p, b in before.items() if not p.endswith("manifest.json")
        }
    else:
        assert outputs(out) == before


def test_a_new_renderer_renders_every_card_again(
    make_inputs,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    rendered: list[tuple[str, str]],
) -> None:
    folder, out = make_inputs(), tmp_path / "out"
    backfill(folder, out)
    before = outputs(out)

    rendered.clear()
    monkeypatch.setattr(render, "renderer_version", lambda: "a template changed")
    backfill(folder, out, force=True)

    assert len(rendered) == 7
    manifest = json.loads(PeriodFolder.of(out, "2026-10").manifest.read_text())
    assert manifest["renderer"] == "a template changed"
    after = outputs(out)
    assert {p: b for p, b in after.items() if not p.endswith("manifest.json")} == {
        p: b for p, b in before.items() if not p.endswith("manifest.json")
    }


def test_a_month_whose_rows_did_not_change_is_published_again_without_being_computed(
    make_inputs,  # noqa: ANN001
    tmp_path: Path,
    rendered: list[tuple[str, str]],
    computed: list[str],
) -> None:
    leads = [
        {
            "lead_id": f"L{i}",
            "rep_id": "R1",
            "created_date": "2026-10-02",
            "status": "converted",
            "closed_date": "2026-10-09",
            "first_contact_date": "2026-10-02",
        }
        for i in range(24)
    ]
    out = tmp_path / "out"
    backfill(make_inputs(leads=leads), out)
    computed.clear()
    rendered.clear()
    # R3's deal, created and won in October, is corrected; a lead nobody can use is added (it is quarantined).
    deals = corrected("O6", "90.00")
    leads = [*leads, {**leads[0], "lead_id": "L99", "rep_id": "R9"}]
    fixed = make_inputs("fixed", opportunities=deals, leads=leads)
    backfill(fixed, out)

    # August's and September's rows are those they were made from: nothing of them was computed or rendered.
    assert computed == ["2026-10"]
    assert {period for period, _ in rendered} == {"2026-10"}
    new_sha = hashlib.sha256((fixed / "opportunities.csv").read_bytes()).hexdigest()
    for period in ("2026-08", "2026-09"):
        folder = PeriodFolder.of(out, period)
        manifest = json.loads(folder.manifest.read_text())
        assert manifest["publication"] == 1
        assert {i["table"]: i["sha256"] for i in manifest["inputs"]}["opportunities"] == new_sha
        assert "L99" in folder.quarantined("leads").read_text()  # the whole input's quarantine, as ever
    # The same files as a clean backfill of the corrected input (October is its version 2 here, 1 there).
    clean = tmp_path / "clean"
    backfill(fixed, clean)
    assert but(outputs(clean), "2026-10") == but(outputs(out), "2026-10")

    # A published page changed by hand is not trusted: the month is computed and the page rendered again.
    tampered = card(out, "2026-08", "R1")
    tampered.write_text(tampered.read_text().replace("Ann Lee", "Someone Else"))
    computed.clear()
    rendered.clear()
    backfill(make_inputs("again", opportunities=[*deals, {**deals[-1], "opportunity_id": "O8"}], leads=leads), out)
    assert computed == ["2026-08", "2026-10"]
    assert [name for period, name in rendered if period == "2026-08"] == [card(out, "2026-08", "R1", ".xlsx").name]
    assert "Ann Lee" in tampered.read_text()


@pytest.mark.parametrize("code_changed", [False, True], ids=["same code", "other code"])
def test_a_month_is_computed_again_when_the_code_that_publishes_it_changed(
    make_inputs,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    computed: list[str],
    code_changed: bool,
) -> None:
    out = tmp_path / "out"
    backfill(make_inputs(), out)
    computed.clear()
    if code_changed:  # e.g. the CSV writer was edited in a checkout whose project version is the same
        monkeypatch.setattr(period_flow, "publishing_code", lambda: "the CSV writer changed")
    later = {
        **BASE_TABLES["opportunities"][0],
        "opportunity_id": "O9",
        "created_date": "2026-11-02",
        "close_date": "2026-11-03",
    }  # a deal after the range: every month's rows stay the same
    backfill(make_inputs("later", opportunities=[*BASE_TABLES["opportunities"], later]), out)
    assert computed == (list(MONTHS) if code_changed else [])


@settings(max_examples=8, deadline=None, database=None)
@given(tables=corrections())
def test_any_correction_published_again_gives_the_bytes_of_a_publication_that_carries_nothing_over(
    published: Path, tables: dict[str, list[dict[str, str]]]
) -> None:
    """Whatever was corrected, carrying months and cards over (digests, view hashes, linked pages) changes no byte."""
    with tempfile.TemporaryDirectory() as work:
        fixed = write_tables(Path(work) / "fixed", tables)
        results = {}
        for way in ("carried", "rebuilt"):
            out = Path(work) / way
            shutil.copytree(published, out)
            with pytest.MonkeyPatch.context() as patch:
                if way == "rebuilt":
                    patch.setattr(period_flow, "published_pages", lambda folder: None)
                    patch.setattr(period_flow, "unchanged_month", lambda *args: None)
                result = run_for_result(
                    backfill_flow, input_dir=fixed, first=MONTHS[0], last=MONTHS[-1], out_dir=out, settings=SETTINGS
                )
            outcomes = [(o.period, o.status, o.reps, o.message, o.version) for o in result.outcomes]
            results[way] = (result.report, outcomes, outputs(out))
        assert results["carried"] == results["rebuilt"]


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder with MONTHS published from BASE_TABLES."""
    work = tmp_path_factory.mktemp("published")
    backfill(write_tables(work / "input", BASE_TABLES), work / "out")
    return work / "out"
