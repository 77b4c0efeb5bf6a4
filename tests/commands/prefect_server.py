"""A real `prefect server start` on a free port, and the installed `scorecards` command run against it, as a user would."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from smtp_server import free_port

BIN = Path(sys.executable).parent
SCORECARDS = str(BIN / "scorecards")


def clean_environ(**extra: str) -> dict[str, str]:
    """This process's environment without any Prefect setting (the test harness's own server included)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return {**env, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", **extra}


@dataclass
class PrefectServer:
    """A running `prefect server start`: its API address, its log, and a few read-only questions to its REST API."""

    url: str
    log: Path
    process: subprocess.Popen[bytes]

    def environ(self, home: Path, **extra: str) -> dict[str, str]:
        """The environment of a user whose Prefect client talks to this server."""
        return clean_environ(PREFECT_API_URL=self.url, PREFECT_HOME=str(home), **extra)

    def flow_runs(self, name_prefix: str = "") -> list[dict[str, Any]]:
        """Flow runs whose name starts with `name_prefix`, oldest expected start first."""
        body: dict[str, Any] = {"sort": "EXPECTED_START_TIME_ASC", "limit": 200}
        if name_prefix:
            body["flow_runs"] = {"name": {"like_": name_prefix}}
        response = httpx.post(f"{self.url}/flow_runs/filter", json=body, timeout=30)
        response.raise_for_status()
        return [run for run in response.json() if run["name"].startswith(name_prefix)]

    def progress(self, flow_run_name: str) -> list[float]:
        """The progress artifacts (0–100) of the flow run called `flow_run_name`."""
        (run,) = [r for r in self.flow_runs(flow_run_name) if r["name"] == flow_run_name]
        body = {"artifacts": {"type": {"any_": ["progress"]}, "flow_run_id": {"any_": [run["id"]]}}}
        response = httpx.post(f"{self.url}/artifacts/filter", json=body, timeout=30)
        response.raise_for_status()
        return [artifact["data"] for artifact in response.json()]

    def deployment(self, flow_name: str, deployment_name: str) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/deployments/name/{flow_name}/{deployment_name}", timeout=30)
        response.raise_for_status()
        return response.json()

    def error_lines(self) -> list[str]:
        """Lines of the server's log that report an error or a traceback."""
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines() if "ERROR" in line or "Traceback" in line]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_prefect_server(folder: Path, **settings: str) -> PrefectServer:
    """Start `prefect server start` with its own home in `folder`; return once its API answers."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=clean_environ(PREFECT_HOME=str(folder / "home"), **settings),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = PrefectServer(f"http://127.0.0.1:{port}/api", log, process)
    wait_for(lambda: _healthy(server), 180, f"the Prefect server on port {port} to answer", server)
    return server


def _healthy(server: PrefectServer) -> bool:
    if server.process.poll() is not None:
        raise AssertionError(f"prefect server start exited:\n{server.log.read_text(errors='replace')[-3000:]}")
    try:
        return httpx.get(f"{server.url}/health", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def wait_for(condition: Callable[[], Any], seconds: float, what: str, *logs: Any) -> Any:  # noqa: ANN401
    """Poll `condition` until it returns something true; fail naming `what` (and showing the logs) after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(1)
    tails = "\n".join(_tail(log) for log in logs)
    raise AssertionError(f"waited {seconds:.0f} s for {what}\n{tails}")


def _tail(log: Any) -> str:  # noqa: ANN401 - a PrefectServer or a Path
    path = log.log if isinstance(log, PrefectServer) else log
    return f"--- {path} ---\n{path.read_text(errors='replace')[-4000:]}" if path.exists() else ""


def start_scorecards(*arguments: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start the installed `scorecards ARGUMENTS` with its output going to `log`."""
    with log.open("wb") as sink:
        return subprocess.Popen(
            [SCORECARDS, *arguments], env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )


def run_scorecards(*arguments: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the installed `scorecards ARGUMENTS` to the end and return its exit status and output."""
    return subprocess.run(
        [SCORECARDS, *arguments], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def run_on_terminal(*arguments: str, env: dict[str, str], timeout: float = 300) -> tuple[str, str, int]:
    """Run the installed `scorecards ARGUMENTS` with stdout on a pseudo-terminal: what it drew there, its stderr, status."""
    primary, secondary = pty.openpty()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen([SCORECARDS, *arguments], env=env, stdout=secondary, stderr=stderr)
        os.close(secondary)
        screen = bytearray()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([primary], [], [], 1)
            if ready:
                try:
                    chunk = os.read(primary, 65536)
                except OSError:  # the terminal closed: the command has exited
                    break
                if not chunk:
                    break
                screen += chunk
            elif process.poll() is not None:
                break
        os.close(primary)
        status = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        stderr.seek(0)
        return screen.decode(errors="replace"), stderr.read().decode(errors="replace"), status
