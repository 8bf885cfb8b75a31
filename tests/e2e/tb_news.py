"""A stand-in news (NNTP) server on 127.0.0.1 that records every connection.

Thunderbird connects to a server named in ``news://`` or ``nntp://`` URLs and
sends ``MODE READER`` after the greeting; this listener greets, answers a
little, and keeps what each connection sent, so a test can tell whether
opening a mail contacted it.
"""

from __future__ import annotations

import socket
import threading
import time


class NewsListener:
    def __init__(self, lifetime: float = 900.0):
        self.connections: list[dict] = []
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._stop = threading.Event()
        self._end = time.monotonic() + lifetime
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._end:
            try:
                conn, _ = self._sock.accept()
            except (socket.timeout, OSError):
                continue
            record = {"at": time.time(), "lines": []}
            with self._lock:
                self.connections.append(record)
            threading.Thread(target=self._talk, args=(conn, record), daemon=True).start()

    def _talk(self, conn: socket.socket, record: dict) -> None:
        conn.settimeout(5)
        try:
            conn.sendall(b"200 news.example ready (trackless e2e)\r\n")
            buf = b""
            while len(record["lines"]) < 20:
                data = conn.recv(4096)
                if not data:
                    break
                buf += data
                while b"\r\n" in buf:
                    line, buf = buf.split(b"\r\n", 1)
                    with self._lock:
                        record["lines"].append(line.decode("latin-1"))
                    word = line.split(b" ", 1)[0].upper()
                    if word == b"QUIT":
                        conn.sendall(b"205 bye\r\n")
                        return
                    conn.sendall(b"200 reader mode\r\n" if word == b"MODE" else b"430 no such article\r\n")
        except OSError:
            pass
        finally:
            conn.close()

    def snapshot(self) -> list[dict]:
        with self._lock:
            return [{"at": c["at"], "lines": list(c["lines"])} for c in self.connections]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()
