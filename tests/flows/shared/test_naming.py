"""File names derived from rep ids and team names are safe and never collide (SPEC §6)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorecards.flows.shared.naming import safe_stem


@pytest.mark.parametrize(
    ("identifier", "readable"),
    [
        ("R001", "R001"),
        ("../../etc/passwd", "etc_passwd"),
        ("a/b", "a_b"),
        ("CON", "CON"),
        ("王芳", "王芳"),
        (".hidden", "hidden"),
    ],
)
def test_stems_keep_what_is_readable_and_add_a_hash(identifier: str, readable: str) -> None:
    stem = safe_stem(identifier)
    assert stem.startswith(f"{readable}-")
    assert len(stem) == len(readable) + 11


def test_ids_that_look_alike_get_different_stems() -> None:
    assert len({safe_stem(i) for i in ("a/b", "a_b", "a b", "a\\b", "A_B")}) == 5


def test_an_id_with_nothing_readable_is_its_hash() -> None:
    assert len(safe_stem("///")) == 10


@given(st.text(min_size=1, max_size=300))
def test_any_id_gives_a_stem_that_stays_in_its_folder(identifier: str) -> None:
    stem = safe_stem(identifier)
    assert 0 < len(stem) <= 71
    assert "/" not in stem and "\\" not in stem and "\x00" not in stem
    assert not stem.startswith(".")
    base = Path("/out/reps")
    assert (base / f"{stem}.html").resolve().parent == base
