"""What the fault-injecting proxies share: a listener on loopback, a thread per connection, hard closes."""

from __future__ import annotations

import contextlib
import socket
import threading


class LoopbackProxy:
    """Listens on a free port of 127.0.0.1; each accepted connection goes to `_serve`, in a thread of its own.

    A subclass sets its own attributes before calling this __init__: connections may arrive once it returns.
    """

    def __init__(self, upstream: int) -> None:
        self.upstream = upstream
        self._lock = threading.Lock()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        """Stop accepting connections (those open stay as they are)."""
        close_hard(self._listener)  # a shutdown wakes the blocked accept(); close() alone would not

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        """Forward one client connection to the upstream server, with the subclass's fault."""
        raise NotImplementedError


def pump(source: socket.socket, target: socket.socket) -> None:
    """Copy what `source` sends to `target` until either side closes, then close both."""
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    close_hard(source, target)


def close_hard(*sides: socket.socket) -> None:
    """Shut down and close each socket, whatever state it is in."""
    for side in sides:
        with contextlib.suppress(OSError):
            side.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            side.close()
