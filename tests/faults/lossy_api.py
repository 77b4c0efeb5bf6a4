"""A TCP proxy on loopback, in front of a Prefect API, that loses the answer to each flow run's final state.

The request reaches the server, which commits the state; the proxy then
closes the connection instead of passing the answer on. Prefect's client
sees "server disconnected" and sends the same request again, as it does on
any dropped connection; the server rejects it as a duplicate transition and
answers with the run's state as stored, which carries no result.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading

from loopback_proxy import LoopbackProxy, close_hard

# A final state proposed for a flow run (a client's JSON has no spaces; allow them anyway).
_FINAL_STATE = re.compile(rb"^POST /api/flow_runs/[0-9a-f-]+/set_state HTTP/1\.1\r\n.*?\r\n\r\n", re.DOTALL)
_PREFIX = b"POST /api/flow_runs/"
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)
_TOP_TYPE = re.compile(rb'^\{"state":\s*\{"type":\s*"(COMPLETED|FAILED)"')


class LosingProxy(LoopbackProxy):
    """Forwards every connection to the API at 127.0.0.1:`upstream`; loses each first answer to a final state."""

    def __init__(self, upstream: int) -> None:
        self.lost = 0
        self._answered: set[bytes] = set()  # the request bodies whose answer was already lost once
        super().__init__(upstream)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _serve(self, client: socket.socket) -> None:
        server = socket.create_connection(("127.0.0.1", self.upstream))
        lose = threading.Event()
        threading.Thread(target=self._answers, args=(server, client, lose), daemon=True).start()
        pending = b""
        with contextlib.suppress(OSError):
            while chunk := client.recv(65536):
                pending = self._scan(pending + chunk, lose)
                server.sendall(chunk)  # after the mark: the answer cannot overtake it
        close_hard(client, server)

    def _scan(self, pending: bytes, lose: threading.Event) -> bytes:
        """Keep only what may still be the start of a final state's request; mark `lose` when one is whole."""
        head = _FINAL_STATE.match(pending)
        if head is None:
            # Not (yet) such a request: keep a head that may still become one, drop anything else.
            arriving = b"\r\n\r\n" not in pending and pending[: len(_PREFIX)] == _PREFIX[: len(pending)]
            return pending if arriving else b""
        declared = _LENGTH.search(head.group(0))
        if declared is None:
            raise AssertionError("a final state's request without Content-Length: the proxy cannot find its end")
        length = int(declared.group(1))
        body = pending[head.end() : head.end() + length]
        if len(body) < length:
            return pending
        if _TOP_TYPE.match(body):
            with self._lock:
                first = body not in self._answered
                self._answered.add(body)
            if first:
                lose.set()
        return pending[head.end() + length :]

    def _answers(self, server: socket.socket, client: socket.socket, lose: threading.Event) -> None:
        """Server to client; the answer to a marked request is dropped with the connection."""
        with contextlib.suppress(OSError):
            while chunk := server.recv(65536):
                if lose.is_set():
                    with self._lock:
                        self.lost += 1
                    break
                client.sendall(chunk)
        close_hard(client, server)
