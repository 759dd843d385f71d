"""A mail relay on a local socket, for the worker's tests: it answers a plain SMTP conversation and
keeps each message's recipients, or hangs (accepts the connection and never says another word),
from the start or after a given number of messages."""

from __future__ import annotations

import socket
import threading
import time


class Relay:
    def __init__(self, *, hang_after: int | None = None):
        self.hang_after = hang_after  # None: always answer; 0: hang at once; N: after N messages
        self.messages: list[list[str]] = []
        self.connections = 0
        self.hanging = threading.Event()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def answer_from_now_on(self) -> None:
        self.hang_after = None

    def close(self) -> None:
        self._closing.set()
        self._server.close()

    def recipients(self) -> list[str]:
        with self._lock:
            return [address for message in self.messages for address in message]

    # -- the server --------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _should_hang(self) -> bool:
        with self._lock:
            return self.hang_after is not None and len(self.messages) >= self.hang_after

    def _hang(self, conn: socket.socket) -> None:
        self.hanging.set()
        conn.settimeout(0.5)
        while not self._closing.is_set():  # say nothing; notice when the client goes away
            try:
                if conn.recv(4096) == b"":
                    break
            except TimeoutError:
                continue
            except OSError:
                break
        conn.close()

    def _serve(self, conn: socket.socket) -> None:
        if self._should_hang():
            return self._hang(conn)
        file = conn.makefile("rb")
        conn.sendall(b"220 relay.test ESMTP\r\n")
        recipients: list[str] = []
        try:
            for raw in file:
                line = raw.decode("ascii", "replace").strip()
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    conn.sendall(b"250-relay.test\r\n250 8BITMIME\r\n")
                elif verb == "MAIL":
                    if self._should_hang():
                        file.close()
                        return self._hang(conn)
                    recipients = []
                    conn.sendall(b"250 OK\r\n")
                elif verb == "RCPT":
                    recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                    conn.sendall(b"250 OK\r\n")
                elif verb == "DATA":
                    conn.sendall(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    for body in file:
                        if body in (b".\r\n", b".\n"):
                            break
                    with self._lock:
                        self.messages.append(recipients)
                    conn.sendall(b"250 Queued\r\n")
                elif verb == "QUIT":
                    conn.sendall(b"221 Bye\r\n")
                    break
                else:  # RSET, NOOP and anything else
                    conn.sendall(b"250 OK\r\n")
        except OSError:
            pass
        finally:
            conn.close()


def wait_for(condition, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout} s waiting for {what}")
