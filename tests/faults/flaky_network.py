"""A TCP proxy on loopback that cuts chosen SMTP connections in the middle of the message data."""

from __future__ import annotations

import re
import socket
import threading
from collections import Counter

from loopback_proxy import LoopbackProxy, close_hard, pump

_RECIPIENT = re.compile(rb"RCPT TO:<([^>]+)>", re.IGNORECASE)
_DATA = re.compile(rb"(?:^|\r\n)DATA\r\n", re.IGNORECASE)  # smtplib writes it in lower case


class CuttingProxy(LoopbackProxy):
    """Forwards to the SMTP server at `upstream`; cuts the first `cuts[recipient]` connections for a recipient.

    A cut connection is closed on both sides after part of the message data
    has gone through: the server never sees its end, the client sees the
    connection drop.
    """

    def __init__(self, upstream: int, cuts: dict[str, int], after_bytes: int = 1024) -> None:
        self.to_cut = Counter(cuts)
        self.cut = Counter[str]()
        self.after_bytes = after_bytes
        super().__init__(upstream)

    def _serve(self, client: socket.socket) -> None:
        server = socket.create_connection(("127.0.0.1", self.upstream))
        threading.Thread(target=pump, args=(server, client), daemon=True).start()
        seen, recipient, sent_data = b"", None, -1
        try:
            while chunk := client.recv(4096):
                if sent_data < 0:
                    seen += chunk
                    found = _RECIPIENT.search(seen)
                    recipient = found.group(1).decode() if found else None
                    command = _DATA.search(seen)
                    if command:
                        sent_data = len(seen) - command.end()
                elif recipient is not None and self._cuts(recipient, sent_data + len(chunk)):
                    server.sendall(chunk[: max(self.after_bytes - sent_data, 0)])
                    break
                else:
                    sent_data += len(chunk)
                server.sendall(chunk)
        except OSError:
            pass
        close_hard(client, server)

    def _cuts(self, recipient: str, data_bytes: int) -> bool:
        if data_bytes < self.after_bytes:
            return False
        with self._lock:
            if self.cut[recipient] >= self.to_cut[recipient]:
                return False
            self.cut[recipient] += 1
            return True
