"""A real headless browser for the HTML tests: Debian's chromium, as .ci/run installs it."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PDFTOTEXT = shutil.which("pdftotext")
#: CSS pixels of an A4 page at 96 dpi.
A4_WIDTH = 794
#: CSS pixels of a phone's screen held upright (an iPhone 12 to 15), where managers open the mail and its links.
PHONE_WIDTH = 390
#: The narrowest window headless chromium lays a page out in when it dumps the DOM (a 390-px one is 500 wide).
NARROWEST_WINDOW = 500


def require_browser() -> str:
    """The chromium binary; a test without one fails under CI and is skipped elsewhere."""
    return _required(CHROMIUM, "chromium", "Debian's chromium and fonts-noto-cjk")


def _required(binary: str | None, name: str, installed: str) -> str:
    """The tool's binary; a test without it fails under CI (.ci/run installs `installed`) and is skipped elsewhere."""
    if binary:
        return binary
    if os.environ.get("CI"):
        pytest.fail(f"{name} is not installed (.ci/run installs {installed})")
    pytest.skip(f"{name} is not installed; run `bash .ci/run` to install it")


def screenshot(page: Path, out: Path, width: int = A4_WIDTH, height: int = 1600) -> Image.Image:
    """Render a local HTML file headless, without network, and return the screenshot."""
    _headless(page, width, height, f"--screenshot={out}")
    return Image.open(out).convert("RGB")


def on_paper(page: Path, out: Path, height: int = 1600) -> Image.Image:
    """A screenshot of a local HTML page at A4 width with its tables laid out as on paper, where none scrolls: a
    table that scrolls in its own box on a screen (`.scroll`) is drawn whole, so one wider than the page shows
    past the page's edge."""
    unclipped = out.with_suffix(".html")
    style = "<style>.scroll { overflow: visible !important; }</style>"
    unclipped.write_text(page.read_text("utf-8").replace("</head>", f"{style}</head>", 1), "utf-8")
    return screenshot(unclipped, out, A4_WIDTH, height)


def printed_pages(page: Path, out: Path) -> list[list[str]]:
    """A local HTML page as chromium prints it to PDF: each page's lines of text (blank ones left out)."""
    pdftotext = _required(PDFTOTEXT, "pdftotext", "Debian's poppler-utils")
    _headless(page, A4_WIDTH, 1600, "--no-pdf-header-footer", f"--print-to-pdf={out}")
    text = subprocess.run([pdftotext, "-layout", str(out), "-"], check=True, capture_output=True, text=True).stdout
    return [
        [line.strip() for line in sheet.splitlines() if line.strip()] for sheet in text.split("\f") if sheet.strip()
    ]


def _headless(page: Path, width: int, height: int, *output: str) -> None:
    """Open a local HTML file in headless chromium, without network, with the flags that say what to write."""
    binary = require_browser()
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [*_chromium(binary, profile, width, height), *output, page.resolve().as_uri()],
            check=True,
            capture_output=True,
            timeout=60,
        )


def _chromium(binary: str, profile: str, width: int, height: int) -> list[str]:
    return [
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
    ]


def evaluated(page: Path, expression: str, width: int = A4_WIDTH) -> Any:  # noqa: ANN401 - any JSON value
    """What a JavaScript expression gives (as JSON) on a local HTML page, as chromium lays it out at `width`."""
    binary = require_browser()
    with tempfile.TemporaryDirectory() as profile:
        measured = Path(profile) / "page.html"
        if width >= NARROWEST_WINDOW:
            probe = f"<script>document.documentElement.dataset.probe = JSON.stringify({expression});</script>"
            measured.write_text(page.read_text("utf-8").replace("</body>", probe + "</body>"), "utf-8")
            flags = [*_chromium(binary, profile, width, 1600)]
        else:  # narrower than a window can be: the page is laid out in a frame of that width, and measured there
            (Path(profile) / "framed.html").write_text(page.read_text("utf-8"), "utf-8")
            measure = f"document.documentElement.dataset.probe = frame.contentWindow.eval({json.dumps(f'JSON.stringify({expression})')})"
            measured.write_text(
                f'<html><body style="margin:0"><iframe src="framed.html" style="width:{width}px;height:1600px;'
                f'border:0"></iframe><script>const frame = document.querySelector("iframe");'
                f" frame.onload = () => {{ {measure}; }};</script></body></html>",
                "utf-8",
            )
            flags = [
                *_chromium(binary, profile, NARROWEST_WINDOW, 1600),
                "--allow-file-access-from-files",  # the frame's page is the measuring page's origin
                "--virtual-time-budget=5000",  # the dump waits for the frame's load
            ]
        dom = subprocess.run(
            [*flags, "--dump-dom", measured.as_uri()],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    found = re.search(r'data-probe="([^"]*)"', dom)
    assert found, "the page's layout was not measured"
    return json.loads(html.unescape(found[1]))


def lines_of(page: Path, selector: str, width: int = A4_WIDTH) -> list[tuple[str, int]]:
    """Each element the CSS selector matches in a local HTML page, as chromium lays it out at `width`: its text
    and the number of lines it takes."""
    measured = evaluated(
        page,
        f"[...document.querySelectorAll({json.dumps(selector)})].map(e => {{"
        " const r = document.createRange(); r.selectNodeContents(e);"
        " const tops = new Set([...r.getClientRects()].map(c => Math.round(c.top)));"
        " return [e.textContent.trim(), tops.size]; })",
        width,
    )
    return [(text, count) for text, count in measured]


def ink(image: Image.Image, box: tuple[int, int, int, int] | None = None) -> int:
    """How many pixels of the image (or of a box of it) are not near-white."""
    region = image.crop(box) if box else image
    return sum(region.convert("L").histogram()[:200])
