"""A real headless browser for the HTML tests: Debian's chromium, as .ci/run installs it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: CSS pixels of an A4 page at 96 dpi.
A4_WIDTH = 794


def require_browser() -> str:
    """The chromium binary; a test without one fails under CI and is skipped elsewhere."""
    if CHROMIUM:
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed (.ci/run installs Debian's chromium and fonts-noto-cjk)")
    pytest.skip("chromium is not installed; run `bash .ci/run` to install it")


def screenshot(page: Path, out: Path, width: int = A4_WIDTH, height: int = 1600) -> Image.Image:
    """Render a local HTML file headless, without network, and return the screenshot."""
    binary = require_browser()
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={out}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    return Image.open(out).convert("RGB")


def ink(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> int:
    """How many pixels of the image (or of a box of it) are not near-white."""
    region = image.crop(box) if box else image
    return sum(region.convert("L").histogram()[:200])
