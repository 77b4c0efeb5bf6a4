"""Prefect's temporary server (no PREFECT_API_URL), started so that Ctrl-C stops the command before it."""

from __future__ import annotations

import signal


def start_temporary_server() -> None:
    """Start Prefect's temporary server, when no PREFECT_API_URL is set, deaf to Ctrl-C (SIGTERM still stops it).

    A terminal sends Ctrl-C to every process of a command. A temporary server that heard it stopped first, and
    Prefect then retried recording the interrupted run for ~2.5 minutes (or, during start-up, waited out the
    server's start-up time) before the command could exit (docs/decisions.md). Started here, the command unwinds
    against a server still there and stops it on exit.
    """
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        return
    # Imported only here: the server's modules take seconds to import, which a command run against a server
    # set by PREFECT_API_URL would pay for nothing.
    from prefect.server.api.server import SubprocessASGIServer

    # The server process inherits the signal mask of the thread that starts it. Prefect keeps one instance per
    # port: its client then finds this one started.
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        SubprocessASGIServer().start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
