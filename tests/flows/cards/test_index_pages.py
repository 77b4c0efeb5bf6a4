"""The period index and the rep pages (SPEC §11) as people open them: links, order, grades, hostile names, a browser."""

from __future__ import annotations

import itertools
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import polars as pl
import pytest
from browser import A4_WIDTH, evaluated, ink, on_paper, screenshot
from builders import BASE_TABLES
from hostile.test_identities import HOSTILE_REPS, LONG_ID, PAYLOADS, ROSTER, TABLES, assert_inert_html
from publishing import publish

from scorecards.config import Settings, load_settings
from scorecards.config.settings import default_config_path
from scorecards.flows import period_flow
from scorecards.flows.cards.index_view import grade_chart
from scorecards.flows.period_flow import rebuild_index
from scorecards.flows.shared.layout import NAMED_PARTS, OutFolder
from scorecards.transforms.period import Period

PERIODS = ["2026-08", "2026-09", "2026-10"]


class Page(HTMLParser):
    """The links of a page, its headings, and the rows of its tables as the text of their cells."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.headings: list[str] = []
        self.rows: list[list[str]] = []
        self._heading: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value or "" for name, value in attrs if name in ("href", "src")]
        if tag == "h2":
            self._heading = []
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        for part in (self._heading, self._cell):
            if part is not None:
                part.append(data)


def parsed(page: Path) -> Page:
    parser = Page()
    parser.feed(page.read_text("utf-8"))
    parser.close()
    return parser


def pages(out: Path) -> list[Path]:
    """The index and the rep pages, in every language they are written in."""
    layout = OutFolder(out)
    parts = [part for part in ("", *NAMED_PARTS) if layout.index_in(part).is_file()]
    return [page for part in parts for page in (layout.index_in(part), *sorted(layout.people_in(part).iterdir()))]


def lenient(tmp_path: Path) -> Settings:
    config = tmp_path / "lenient.toml"
    config.write_text(default_config_path().read_text().replace("ceiling = 0.05", "ceiling = 0.5"))
    return load_settings(config)


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """August to October 2026 of the test data, published as the period flow does (each rebuilding the index)."""
    root = tmp_path_factory.mktemp("index")
    publish(root, BASE_TABLES, PERIODS, load_settings(), root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile identities of tests/hostile, published for September and October."""
    root = tmp_path_factory.mktemp("hostile")
    publish(root, TABLES, ["2026-09", "2026-10"], lenient(root), root / "out")
    return root / "out"


def assert_every_link_resolves(folder: Path) -> int:
    """Every link of every page under OUT (index, rep pages, cards, rollups, fairness pages, in every language)
    leads to a file in OUT; how many links there are."""
    checked = 0
    for page in sorted(folder.rglob("*.html")):
        for link in parsed(page).links:
            parts = urlsplit(link)
            if link.startswith("#"):  # a part of the same page: the index's jumps to a month or a team
                assert f'id="{parts.fragment}"' in page.read_text("utf-8"), (page, link)
                checked += 1
                continue
            if parts.scheme == "mailto" and page.parent.name == "reps":
                continue  # a card's question to the rep's manager
            assert not parts.scheme and not parts.netloc, (page, link)  # no network, no mailto, no javascript
            target = (page.parent / unquote(parts.path)).resolve()
            assert target.is_file() and target.is_relative_to(folder.resolve()), (page, link)
            checked += 1
    return checked


def test_every_link_resolves_to_a_published_file(out: Path, hostile: Path) -> None:
    for folder in (out, hostile):
        assert assert_every_link_resolves(folder) > 100


def test_every_page_of_a_period_leads_back_to_the_index_in_its_readers_language(out: Path, hostile: Path) -> None:
    words = {"en": "← All periods", "zh-CN": "← 全部考核期"}
    index = {"en": "index.html", "zh-CN": "index.zh-CN.html"}  # the config's default locale is en
    seen = set()
    for folder in (out, hostile):
        for period in OutFolder(folder).periods():
            pages = [*period.cards.glob("*.html"), *period.rollups.glob("*.html"), *period.path.glob("fairness*.html")]
            assert len(pages) > 3
            for page in pages:
                html = page.read_text("utf-8")
                lang = re.search(r'<html lang="([^"]+)"', html).group(1)
                back = re.findall(r'<p class="back"><a href="([^"]*)">([^<]*)</a>(.*?)</p>', html)
                assert len(back) == 1, page
                ((href, text, onward),) = back
                assert (page.parent / unquote(href)).resolve() == (folder / index[lang]).resolve(), (page, href)
                assert text == words[lang], page
                assert onward == "" or page.parent == period.cards, page  # only a card leads on to its rep's page
                seen.add(lang)
    assert seen == {"en", "zh-CN"}
    assert "@media print { .back, .languages { display: none; } }" in html  # a printed card is not cluttered by it


def test_a_card_leads_to_its_rep_s_page_of_every_month_in_the_card_s_language(out: Path, hostile: Path) -> None:
    # Found by a zh-CN manager's trial: from a card, the rep's other months were two clicks away, through the index.
    words = {"en": "Overall grade by period", "zh-CN": "各期综合等级"}
    part = {"en": "", "zh-CN": ".zh-CN"}
    cards = 0
    for folder in (out, hostile):
        layout = OutFolder(folder)
        for period in layout.periods():
            for card in period.cards.glob("*.html"):
                html = card.read_text("utf-8")
                lang = re.search(r'<html lang="([^"]+)"', html).group(1)
                ((href, text),) = re.findall(
                    r'<p class="back"><a href="[^"]*">[^<]*</a> · <a href="([^"]*)">([^<]*)</a>', html
                )
                target = (card.parent / unquote(href)).resolve()
                # The card's and the page's file stems are both the rep's id made safe.
                assert target == (layout.people_in(part[lang]) / card.name).resolve(), (card, href)
                assert target.is_file() and text == words[lang], card
                title = re.search(r"<h1>(.*?)</h1>", html, re.DOTALL).group(1)
                assert f"<bdi>{title}</bdi>" in target.read_text("utf-8"), card  # the same rep's name heads both
                cards += 1
    assert cards > 10


def test_no_page_refers_to_anything_outside_out(out: Path) -> None:
    for page in pages(out):
        html = page.read_text("utf-8")
        assert not re.search(r"https?:|//|@import|url\(", html), page
        assert "<script" not in html and "<link" not in html, page


def test_periods_are_listed_newest_first_with_their_version(out: Path) -> None:
    assert parsed(OutFolder(out).index).headings == [
        "October 2026 · Version 1",
        "September 2026 · Version 1",
        "August 2026 · Version 1",
    ]


def test_each_period_lists_its_teams_and_every_rep_with_the_overall_grade(out: Path) -> None:
    rows = [row for row in parsed(OutFolder(out).index).rows if row[0] != "Rep"]
    assert rows == [
        ["Team: East"],
        ["Ann Lee", "B", "Scorecard"],
        ["王芳", "D", "Scorecard"],
        ["Team: West"],
        ["Bob Ray", "B", "Scorecard"],
        ["Team: East"],
        ["王芳", "C", "Scorecard"],
        ["Ann Lee", "D", "Scorecard"],
        ["Team: East"],
        ["Ann Lee", "D", "Scorecard"],
        ["王芳", "D", "Scorecard"],
    ]
    grades = pl.concat(
        pl.read_parquet(out / p / "scorecards.parquet").select("rep_name", "overall_grade") for p in PERIODS
    )
    assert sorted(tuple(row[:2]) for row in rows if len(row) == 3) == sorted(
        grades.rows()
    )  # as the periods' tables say
    links = parsed(OutFolder(out).index).links
    assert links.count("people/R1-a791366f6f.html") == 3 and "2026-10/reps/R3-021bbd75cf.html" in links
    assert "2026-10/teams/West-41a6741e9a.html" in links


@pytest.mark.parametrize("part", ["", ".zh-CN"])
def test_the_index_leads_to_each_month_and_to_each_team_of_a_month(out: Path, part: str) -> None:
    # Found in a trial: a year of a big sales floor is thousands of rows, and a manager scrolled to find a team.
    jumps = evaluated(
        OutFolder(out).index_in(part),
        "[...document.querySelectorAll('p.jump')].map(p => [...p.querySelectorAll('a')].map(a =>"
        " [a.textContent, document.getElementById(a.getAttribute('href').slice(1)).textContent.trim()]))",
    )
    # September and August had one team each: nothing to jump to, and no line saying so.
    months, october = jumps
    if part:
        assert months == [[f"2026年{m}月", f"2026年{m}月 · 第 1 版"] for m in (10, 9, 8)]
        assert october == [["East", "团队：East"], ["West", "团队：West"]]
    else:
        assert months == [[f"{m} 2026", f"{m} 2026 · Version 1"] for m in ("October", "September", "August")]
        assert october == [["East", "Team: East"], ["West", "Team: West"]]


def test_a_rep_page_lists_the_rep_s_cards_across_periods_with_the_grade_chart(out: Path) -> None:
    page = OutFolder(out).person("R1")
    shown = parsed(page)
    assert shown.rows == [
        ["Period", "Name", "Team", "Overall grade"],
        ["October 2026", "Ann Lee", "East", "B"],
        ["September 2026", "Ann Lee", "East", "D"],
        ["August 2026", "Ann Lee", "East", "D"],
    ]
    assert shown.links == [
        "../people.zh-CN/R1-a791366f6f.html",  # the same page in Chinese, which 王芳's card is in
        "../index.html",
        "../2026-10/reps/R1-a791366f6f.html",
        "../2026-09/reps/R1-a791366f6f.html",
        "../2026-08/reps/R1-a791366f6f.html",
    ]
    html = page.read_text("utf-8")
    # Oldest left: D, D, then B (A at the top of the chart, D at the bottom).
    assert 'points="118.0,106.0 298.0,106.0 478.0,42.0"' in html
    assert [parsed(OutFolder(out).person(r)).rows[1:] for r in ("R3",)] == [[["October 2026", "Bob Ray", "West", "B"]]]


def test_the_latest_month_s_label_fits_inside_the_chart_however_many_periods() -> None:
    for count, locale in itertools.product((1, 3, 13, 60), ("en", "zh-CN")):
        months = [Period(2020, 12)]
        while len(months) < count:
            months.insert(0, months[0].previous())
        chart = grade_chart([str(m) for m in months], ["B"] * count, locale)
        x, label = chart.months[-1]
        # Centred on its column; at 11 px a character is under 7 px, a Chinese one 11 px (`2026年12月`).
        width = sum(11 if ord(ch) > 0x2E80 else 7 for ch in label)
        assert x + width / 2 <= chart.width, (count, locale, label)


def test_a_renamed_rep_is_titled_by_the_latest_name_and_each_row_keeps_its_own(tmp_path: Path) -> None:
    reps = [dict(r) for r in BASE_TABLES["reps"]]
    settings = load_settings()
    publish(tmp_path, {**BASE_TABLES, "reps": reps}, ["2026-09"], settings, tmp_path / "out")
    reps[0]["rep_name"] = "Ann Lee-Smith"
    publish(tmp_path, {**BASE_TABLES, "reps": reps}, ["2026-10"], settings, tmp_path / "out")
    page = parsed(OutFolder(tmp_path / "out").person("R1"))
    assert '<h1 class="wrap"><bdi>Ann Lee-Smith</bdi></h1>' in OutFolder(tmp_path / "out").person("R1").read_text()
    assert [row[:2] for row in page.rows[1:]] == [["October 2026", "Ann Lee-Smith"], ["September 2026", "Ann Lee"]]


def test_hostile_names_and_teams_are_shown_as_text(hostile: Path) -> None:
    shown = {
        page.relative_to(hostile).as_posix(): assert_inert_html(page.read_text("utf-8"), page)
        for page in pages(hostile)
    }
    index = shown.pop("index.html")
    names = [r[1] for r in HOSTILE_REPS if r[0] != "crlf-mail"]
    teams = [r[3] for r in HOSTILE_REPS if r[0] != "crlf-mail"]
    for text in [*names, *teams]:
        assert text.replace("\r\n", "\n") in index.replace("\r\n", "\n"), text
    assert all(payload in "\n".join(shown.values()) for payload in PAYLOADS)
    html = (hostile / "index.html").read_text("utf-8")
    assert "<bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi>" in html
    assert "<bdi>&#34; onmouseover=&#34;alert(1)</bdi>" in html
    for people in ("people", "people.zh-CN"):  # one page per rep, however alike their ids (a/b, a_b)
        assert len([name for name in shown if name.startswith(f"{people}/")]) == len(ROSTER), people


def test_a_rebuild_after_another_period_lists_it(tmp_path: Path) -> None:
    settings = load_settings()
    publish(tmp_path, BASE_TABLES, ["2026-09"], settings, tmp_path / "out")
    index = OutFolder(tmp_path / "out").index
    assert parsed(index).headings == ["September 2026 · Version 1"]
    assert not OutFolder(tmp_path / "out").person("R3").exists()
    publish(tmp_path, BASE_TABLES, ["2026-10"], settings, tmp_path / "out")
    assert parsed(index).headings == ["October 2026 · Version 1", "September 2026 · Version 1"]
    assert OutFolder(tmp_path / "out").person("R3").is_file()


def test_a_failing_rebuild_leaves_the_previous_index(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    before = {p.relative_to(copy).as_posix(): p.read_bytes() for p in pages(copy)}
    shutil.rmtree(copy / "2026-08")  # the next rebuild would drop August

    def broken(*_: object) -> dict[str, tuple[str, dict[str, str]]]:
        raise RuntimeError("template bug")

    monkeypatch.setattr(period_flow, "render_index_pages", broken)
    with pytest.raises(RuntimeError, match="template bug"):
        rebuild_index.fn(copy, load_settings())
    assert {p.relative_to(copy).as_posix(): p.read_bytes() for p in pages(copy)} == before


def test_the_same_publications_give_the_same_bytes(out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    for period in PERIODS:  # the period folders alone, in another place, at another time
        shutil.copytree(out / period, copy / period)
    rebuild_index.fn(copy, load_settings())
    assert [p.read_bytes() for p in pages(copy)] == [p.read_bytes() for p in pages(out)]
    assert [p.name for p in pages(copy)] == [p.name for p in pages(out)]


def test_the_index_speaks_the_config_s_default_locale(out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    config = tmp_path / "zh.toml"
    config.write_text(default_config_path().read_text().replace('locale = "en"', 'locale = "zh-CN"', 1))
    rebuild_index.fn(copy, load_settings(config))
    assert_every_link_resolves(copy)  # the cards published before still lead somewhere
    index = parsed(OutFolder(copy).index)
    assert index.headings[0] == "2026年10月 · 第 1 版"
    assert index.rows[:3] == [["销售", "综合等级", "考核卡"], ["团队：East"], ["Ann Lee", "B", "考核卡"]]
    assert '<html lang="zh-CN">' in OutFolder(copy).index.read_text()
    assert parsed(OutFolder(copy).person("R1")).rows[0] == ["考核期", "姓名", "团队", "综合等级"]
    assert "销售编号：R1" in OutFolder(copy).person("R1").read_text()
    # The months were published in English: their Chinese pages are the ones the Chinese index links.
    assert "2026-10/fairness.zh-CN.html" in index.links and "2026-10/fairness.html" not in index.links
    # Ann Lee and Bob Ray read English: the index and the rep pages are in English too, beside.
    assert parsed(OutFolder(copy).index_in(".en")).headings[0] == "October 2026 · Version 1"
    assert parsed(OutFolder(copy).person("R1", ".en")).rows[0] == ["Period", "Name", "Team", "Overall grade"]
    # 王芳's card still links index.zh-CN.html and people.zh-CN/: they stay, as copies of the Chinese index and
    # rep pages, which are index.html and people/ now.
    assert OutFolder(copy).index_in(".zh-CN").read_bytes() == OutFolder(copy).index.read_bytes()
    people, alias = OutFolder(copy).people, OutFolder(copy).people_in(".zh-CN")
    assert {p.name: p.read_bytes() for p in alias.iterdir()} == {p.name: p.read_bytes() for p in people.iterdir()}


def test_the_index_and_rep_pages_are_also_in_each_language_a_card_is_in(out: Path) -> None:
    layout = OutFolder(out)  # 王芳 (R2) reads Chinese; the config's default locale is English
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        *PERIODS,
        "index.html",
        "index.zh-CN.html",
        "people",
        "people.zh-CN",
    ]
    assert sorted(p.name for p in layout.people_in(".zh-CN").iterdir()) == sorted(
        p.name for p in layout.people.iterdir()
    )
    index = parsed(layout.index_in(".zh-CN"))
    assert '<html lang="zh-CN">' in layout.index_in(".zh-CN").read_text("utf-8")
    assert index.headings[0] == "2026年10月 · 第 1 版"
    assert index.rows[:3] == [["销售", "综合等级", "考核卡"], ["团队：East"], ["Ann Lee", "B", "考核卡"]]
    assert "2026-10/fairness.zh-CN.html" in index.links and "2026-10/fairness.html" not in index.links
    assert "people.zh-CN/R1-a791366f6f.html" in index.links and "people/R1-a791366f6f.html" not in index.links
    # Each page leads to itself in the other language, the language named in its own words.
    switch = r'<p class="languages"><a href="([^"]*)" lang="([^"]*)" hreflang="[^"]*">([^<]*)</a></p>'
    assert re.findall(switch, layout.index.read_text("utf-8")) == [("index.zh-CN.html", "zh-CN", "中文")]
    assert re.findall(switch, layout.index_in(".zh-CN").read_text("utf-8")) == [("index.html", "en", "English")]
    person = layout.person("R1", ".zh-CN")
    assert re.findall(switch, person.read_text("utf-8")) == [("../people/R1-a791366f6f.html", "en", "English")]
    assert parsed(person).links[1] == "../index.zh-CN.html"  # back to the index in the page's language
    assert "销售编号：R1" in person.read_text("utf-8")


def test_an_out_folder_of_one_language_has_one_index(tmp_path: Path) -> None:
    english = {**BASE_TABLES, "reps": [{**row, "locale": "en"} for row in BASE_TABLES["reps"]]}
    publish(tmp_path, english, ["2026-10"], load_settings(), tmp_path / "out")
    out = tmp_path / "out"
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == ["2026-10", "index.html", "people"]
    assert sorted(p.name for p in (out / "2026-10").glob("fairness*")) == [
        "fairness.csv",
        "fairness.html",
        "fairness.xlsx",
    ]
    assert '<p class="languages">' not in OutFolder(out).index.read_text("utf-8")


# --- in a real browser ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("which", ["index", "rep page", "hostile index", "hostile rep page"])
def test_the_pages_render_within_a4_width(out: Path, hostile: Path, tmp_path: Path, which: str) -> None:
    folder = hostile if which.startswith("hostile") else out
    rep = LONG_ID if which.startswith("hostile") else "R1"  # in team "TTT…" (300 letters)
    page = OutFolder(folder).index if which.endswith("index") else OutFolder(folder).person(rep)
    image = on_paper(page, tmp_path / "page.png")
    assert ink(image) > 5_000  # not blank (a blank page has none)
    assert ink(image, (A4_WIDTH - 8, 0, A4_WIDTH, image.height)) == 0  # nothing overflows the A4 width


def test_chinese_glyphs_are_drawn(out: Path, tmp_path: Path) -> None:
    page = OutFolder(out).person("R2")
    other = tmp_path / "other.html"
    other.write_text(page.read_text("utf-8").replace("王芳", "李伟"), "utf-8")
    first = screenshot(page, tmp_path / "a.png", height=400)
    second = screenshot(other, tmp_path / "b.png", height=400)
    title = (0, 50, 300, 110)
    # Missing glyphs would draw the same boxes for both names; real glyphs differ.
    assert ink(first, title) > 50
    assert first.crop(title).tobytes() != second.crop(title).tobytes()


def test_a_page_missing_from_a_period_folder_is_named_not_linked(out: Path, tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(out, copy)
    (copy / "2026-10" / "reps" / "R3-021bbd75cf.html").unlink()
    (copy / "2026-10" / "teams" / "West-41a6741e9a.html").unlink()
    (copy / "2026-09" / "fairness.html").unlink()  # as published before there was one
    (copy / "2026-08" / "fairness.zh-CN.html").unlink()  # as published before it was written in Chinese
    rebuild_index.fn(copy, load_settings())
    chinese = sorted(link for link in parsed(OutFolder(copy).index_in(".zh-CN")).links if "fairness" in link)
    assert chinese == ["2026-08/fairness.html", "2026-09/fairness.zh-CN.html", "2026-10/fairness.zh-CN.html"]
    index = parsed(OutFolder(copy).index)
    assert ["Team: West"] in index.rows and ["Bob Ray", "B", "No card published"] in index.rows
    assert not any("R3-021bbd75cf.html" in link and "reps" in link for link in index.links)
    assert not any("West-" in link for link in index.links)
    fairness = sorted(link for link in index.links if "fairness" in link)
    assert fairness == [f"{p.name}/fairness.html" for p in sorted(copy.glob("2026-*")) if p.name != "2026-09"]
    assert parsed(OutFolder(copy).person("R3")).links == ["../people.zh-CN/R3-021bbd75cf.html", "../index.html"]
