"""Loopback fixtures: an HTTP server and a DNS server on 127.0.0.1 that stop by themselves.

Nothing here ever talks to another address. The HTTP server logs every
request (method, path, headers) so tests can assert what was -- and was not
-- sent. Routes are plain functions ``route(req) -> Reply``.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Reply:
    status: int = 200
    headers: list = field(default_factory=list)
    body: bytes = b""
    delay: float = 0.0           # before the status line
    drip: float = 0.0            # seconds between body chunks
    chunks: int = 1              # body sent in this many writes
    stream_forever: bool = False  # keep sending body bytes until the client leaves (bounded)
    header_drip: float = 0.0     # seconds between header lines (each line sent on its own)


@dataclass
class Seen:
    method: str
    path: str
    headers: dict


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class HttpFixture:
    def __init__(self):
        self.routes: dict = {}
        self.log: list[Seen] = []
        self._lock = threading.Lock()
        fixture = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 5

            def log_message(self, *a):  # quiet
                pass

            def _handle(self):
                path = self.path
                with fixture._lock:
                    fixture.log.append(Seen(self.command, path, {k.lower(): v for k, v in self.headers.items()}))
                route = fixture.routes.get(path.split("?")[0])
                reply = route(self) if route else Reply(404, body=b"no route")
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    names = {k.lower() for k, _ in reply.headers}
                    for k, v in reply.headers:
                        if reply.header_drip:
                            self.flush_headers()
                            time.sleep(reply.header_drip)
                        self.send_header(k, v)
                    if reply.stream_forever:
                        self.send_header("Content-Length", str(1 << 34))
                    elif "content-length" not in names:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    if self.command == "HEAD":
                        return
                    if reply.stream_forever:
                        block = b"\0" * 65536
                        end = time.monotonic() + 10
                        while time.monotonic() < end:
                            self.wfile.write(block)
                        return
                    body, n = reply.body, max(1, reply.chunks)
                    step = max(1, -(-len(body) // n))
                    for i in range(0, len(body), step):
                        if reply.drip and i:
                            time.sleep(reply.drip)
                        self.wfile.write(body[i:i + step])
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
                    pass
                self.close_connection = True

            do_GET = do_HEAD = do_POST = _handle

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def requests(self, path: str | None = None) -> list[Seen]:
        with self._lock:
            return [s for s in self.log if path is None or s.path.split("?")[0] == path]

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def http_server():
    srv = HttpFixture().start()
    try:
        yield srv
    finally:
        srv.stop()


def loopback_getaddrinfo(names=None):
    """A getaddrinfo that maps every name (or those in ``names``) to 127.0.0.1, never the real DNS."""
    calls: list[str] = []

    def gai(host, port):
        calls.append(host)
        if names is not None and host not in names:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        ip = (names or {}).get(host, "127.0.0.1")
        fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
        addr = (ip, port) if fam == socket.AF_INET else (ip, port, 0, 0)
        return [(fam, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", addr)]

    gai.calls = calls
    return gai


# ---------------------------------------------------------------- DNS fixture

class DnsFixture:
    """A UDP DNS server on 127.0.0.1 answering from ``zone`` with dnspython's message API.

    zone: name -> ("CNAME", target, ttl) | ("A", "192.0.2.1", ttl) | "NXDOMAIN" | "TIMEOUT".
    A query for a name follows CNAMEs inside the zone (like a recursive
    resolver) unless ``follow`` is False.
    """

    def __init__(self, follow: bool = True):
        import dns.message  # noqa: F401

        self.zone: dict = {}
        self.follow = follow
        self.queries: list[tuple[str, str]] = []
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _answer(self, wire: bytes):
        import dns.message
        import dns.rcode
        import dns.rdatatype
        import dns.rrset

        q = dns.message.from_wire(wire)
        question = q.question[0]
        name = question.name.to_text().rstrip(".").lower()
        self.queries.append((name, dns.rdatatype.to_text(question.rdtype)))
        resp = dns.message.make_response(q)
        resp.flags |= 0x80  # RA
        current, depth = name, 0
        while depth < 20:
            entry = self.zone.get(current)
            if entry == "TIMEOUT":
                return None
            if entry is None or entry == "NXDOMAIN":
                if depth == 0 or entry == "NXDOMAIN":
                    resp.set_rcode(dns.rcode.NXDOMAIN)
                break
            kind, value, ttl = entry
            owner = current + "."
            if kind == "CNAME":
                resp.answer.append(dns.rrset.from_text(owner, ttl, "IN", "CNAME", value.rstrip(".") + "."))
                if not self.follow:
                    break
                current = value.rstrip(".").lower()
                depth += 1
                continue
            if question.rdtype == dns.rdatatype.from_text(kind):
                resp.answer.append(dns.rrset.from_text(owner, ttl, "IN", kind, value))
            break
        return resp.to_wire()

    def _serve(self):
        while not self._stop.is_set():
            try:
                wire, addr = self.sock.recvfrom(4096)
            except (socket.timeout, OSError):
                continue
            out = self._answer(wire)
            if out is not None:
                self.sock.sendto(out, addr)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self._stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.fixture
def dns_server():
    srv = DnsFixture().start()
    try:
        yield srv
    finally:
        srv.stop()


_SERVER_FIXTURES = {"http_server", "dns_server", "tls_server"}
_HERE = __import__("pathlib").Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Mark every test here that starts a loopback server with ``network`` (see pyproject markers)."""
    for item in items:
        try:
            inside = _HERE in item.path.resolve().parents
        except AttributeError:  # pragma: no cover - very old pytest
            continue
        if inside and _SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.network)
