"""Running `scorecards` in processes of its own, against the session's Prefect server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

KILL_AT = Path(__file__).with_name("kill_at.py")


def prefect_api_url() -> str:
    """The address of the Prefect server the test session started."""
    from prefect.settings import get_current_settings

    return str(get_current_settings().api.url)


def start_scorecards(*arguments: str, kill_at: str | None = None, api_url: str | None = None) -> subprocess.Popen[str]:
    """Start `scorecards ARGUMENTS`; read its output with communicate() (killed at the step `kill_at` names, if given).

    `api_url`: the Prefect API to talk to, if not the session's server itself (a proxy in front of it).
    """
    command = (
        [sys.executable, str(KILL_AT), kill_at] if kill_at else [str(Path(sys.executable).with_name("scorecards"))]
    )
    return subprocess.Popen(
        [*command, *arguments],
        env={**os.environ, "PREFECT_API_URL": api_url or prefect_api_url()},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
