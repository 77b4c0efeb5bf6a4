"""The measurements beside ours in one harness run: the pandas peer, and a whole `scorecards run` as a user runs it.

Both run as their own process trees; wall time and peak resident memory are
measured from outside, the memory as the largest sum of VmRSS over the tree
(the command and every worker process it starts), sampled every 50 ms.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd
import polars as pl

from benchmarks.pandas_peer import compare

BIN = Path(sys.executable).parent


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_mb(root: int) -> float:
    """Resident memory of a process and all its descendants, in MB."""
    tree, todo, total = _children(), [root], 0
    while todo:
        pid = todo.pop()
        total += _rss_kb(pid)
        todo += tree.get(pid, [])
    return total / 1024


def measured(command: list[str], env: dict[str, str] | None = None, log: Path | None = None) -> dict[str, float]:
    """Run a command to its end: wall seconds and the peak RSS of its process tree; SystemExit when it fails."""
    peak = 0.0
    start = time.perf_counter()
    sink = log.open("wb") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE if log is None else sink, stderr=sink)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_mb(process.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout = process.stdout.read() if process.stdout is not None else b""
    code = process.wait()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if log is not None:
        sink.close()
    if code:
        tail = log.read_text(errors="replace")[-3000:] if log is not None else ""
        raise SystemExit(f"{' '.join(command)} failed with status {code}\n{tail}")
    return {"wall_s": wall, "peak_rss_mb": peak, "stdout": stdout.decode()}


def pandas_peer(input_dir: Path, period: str, work: Path) -> tuple[dict[str, float], pd.DataFrame]:
    """Run the pandas peer in its own process: its measurements and its scorecard numbers."""
    out = work / "peer.parquet"
    result = measured([sys.executable, "-m", "benchmarks.pandas_peer", str(input_dir), period, str(out)])
    return {"wall_s": result["wall_s"], "peak_rss_mb": result["peak_rss_mb"]}, pd.read_parquet(out)


def check_agrees(peer: pd.DataFrame, scorecards: Path, who: str) -> None:
    """Stop the benchmark loudly when our scorecards and the peer's numbers differ on any column the peer has."""
    problems = compare(peer, pl.read_parquet(scorecards))
    if problems:
        raise SystemExit(f"the pandas peer and {who} disagree:\n" + "\n".join(problems))


def whole_run(input_dir: Path, out_dir: Path, period: str, work: Path) -> dict[str, float]:
    """`prefect server start`, then the installed `scorecards run` against it, timed and measured as one tree.

    The server's start is not in the figures (a user's server is already
    running); the server's own memory is not either (it is not the command's).
    """
    home = work / "prefect-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    port = _free_port()
    with (work / "server.log").open("wb") as sink:
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/api"
    try:
        _wait_healthy(url, server, work / "server.log")
        command = [str(BIN / "scorecards"), "run", "--input", str(input_dir), "--period", period, "--out", str(out_dir)]
        result = measured(command, env={**env, "PREFECT_API_URL": url}, log=work / "run.log")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return {"wall_s": result["wall_s"], "peak_rss_mb": result["peak_rss_mb"]}


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log: Path, seconds: float = 180) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"prefect server start exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{url}/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit(f"the Prefect server did not answer within {seconds:.0f} s")


if __name__ == "__main__":  # a quick look: python -m benchmarks.peers INPUT PERIOD WORK
    folder, month, scratch = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    scratch.mkdir(parents=True, exist_ok=True)
    print(json.dumps(pandas_peer(folder, month, scratch)[0]))
