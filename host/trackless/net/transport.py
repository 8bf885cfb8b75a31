"""One HTTP request to a vetted address, with a hard time and size budget.

``Transport.request(method, url)`` does exactly one hop, never follows a
redirect, and never sends or keeps cookies:

1. the URL policy (``addresses.check_url``) -- scheme, credentials, port;
2. the host is resolved once (``getaddrinfo``, injectable, bounded in time);
   every address it returns is vetted (``addresses.vet_address``) -- if any
   is refused the host is refused (a mixed answer is a rebinding attempt);
3. the socket connects to a vetted address itself (``http.client`` never
   resolves anything), TLS is wrapped with ``server_hostname`` = the host, so
   certificate and SNI are checked against the name, not the address;
4. the request carries a common browser User-Agent, no Cookie, no Referer,
   ``Connection: close``; the body is read only when asked, up to a cap;
5. a watchdog shuts the socket down when the deadline passes, so a server
   that drips one byte at a time cannot hold a request past its budget.

``allow_private`` lifts the address rule only (tests, intranets); the URL
policy always applies. Environment proxies are never used.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

from ..errors import NetworkError, RefusedError, TimeoutNetworkError, TooLargeError
from .addresses import Target, check_url, vet_address

__all__ = ["Response", "Transport", "Fetcher", "Deadline", "USER_AGENT"]

#: A common desktop browser's User-Agent (never one naming a library or Trackless).
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"

DEFAULT_HOP_TIMEOUT = 8.0


class Deadline:
    """A monotonic deadline shared by the hops of one operation."""

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self.at = clock() + seconds

    def remaining(self) -> float:
        return self.at - self._clock()

    def check(self, what: str = "request") -> float:
        left = self.remaining()
        if left <= 0:
            raise TimeoutNetworkError(f"{what} timed out")
        return left


@dataclass(frozen=True)
class Response:
    """What one hop returned. ``headers`` are (lower-cased name, value) pairs in order."""

    url: str
    method: str
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    address: str = ""
    elapsed: float = 0.0

    def header(self, name: str) -> str | None:
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None


class Fetcher(Protocol):
    """What the resolver and the image fetcher need (tests inject fakes)."""

    def request(self, method: str, url: str, *, max_body: int = 0, deadline: Deadline | None = None,
                accept: str | None = None) -> Response: ...


def _default_getaddrinfo(host, port):
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)


def _lookup_with_timeout(lookup, host: str, port: int, timeout: float):
    """Run a blocking getaddrinfo with a time bound (the thread is left to finish alone)."""
    box: dict = {}

    def work():
        try:
            box["ok"] = lookup(host, port)
        except BaseException as exc:  # handed to the caller
            box["err"] = exc

    t = threading.Thread(target=work, name="trackless-getaddrinfo", daemon=True)
    t.start()
    t.join(max(timeout, 0.0))
    if t.is_alive():
        raise TimeoutNetworkError(f"looking up {host} timed out")
    if "err" in box:
        err = box["err"]
        if isinstance(err, socket.gaierror):
            raise NetworkError(f"cannot resolve {host}: {err.strerror or err}") from None
        if isinstance(err, (OSError, UnicodeError)):
            raise NetworkError(f"cannot resolve {host}: {err}") from None
        raise err
    return box["ok"]


class _Watchdog:
    """Shut a socket down when a deadline passes (unblocks any recv/send)."""

    def __init__(self, seconds: float):
        self._sock: socket.socket | None = None
        self.fired = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def arm(self, sock: socket.socket) -> None:
        with self._lock:
            self._sock = sock
            if not self._timer.is_alive() and not self.fired:
                self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            if self._sock is not None:
                try:
                    self._sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cancel(self) -> None:
        self._timer.cancel()


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTPConnection over a socket we connected ourselves (no resolution inside)."""

    def __init__(self, sock: socket.socket, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.sock = sock

    def connect(self):  # pragma: no cover - never called: the socket is given
        raise NetworkError("internal: pinned connection has no socket")


@dataclass
class Transport:
    """The real network edge. Every parameter is injectable for tests."""

    allow_private: bool = False
    hop_timeout: float = DEFAULT_HOP_TIMEOUT
    user_agent: str = USER_AGENT
    getaddrinfo: Callable = _default_getaddrinfo
    ssl_context: ssl.SSLContext | None = None
    connect_timeout: float = 5.0
    _ctx: ssl.SSLContext | None = field(default=None, init=False, repr=False)

    # -- addresses -----------------------------------------------------
    def addresses(self, target: Target, deadline: Deadline) -> list[tuple[int, tuple]]:
        """Resolve the host once and vet every address: [(family, sockaddr)]."""
        if target.literal is not None:
            vet_address(target.literal, allow_private=self.allow_private)
            fam = socket.AF_INET6 if ":" in target.literal else socket.AF_INET
            addr = (target.literal, target.port) if fam == socket.AF_INET else (target.literal, target.port, 0, 0)
            return [(fam, addr)]
        infos = _lookup_with_timeout(self.getaddrinfo, target.host, target.port,
                                     min(deadline.check(f"looking up {target.host}"), self.connect_timeout))
        out: list[tuple[int, tuple]] = []
        for fam, _type, _proto, _canon, sockaddr in infos:
            if fam not in (socket.AF_INET, socket.AF_INET6):
                continue
            ip = sockaddr[0]
            if fam == socket.AF_INET6 and len(sockaddr) >= 4 and sockaddr[3]:
                if not self.allow_private:
                    raise RefusedError(f"refused: {target.host} resolves to a scoped address {ip}")
            try:
                vet_address(ip, allow_private=self.allow_private)
            except RefusedError as exc:
                raise RefusedError(f"refused: {target.host} resolves to {ip}: {str(exc).removeprefix('refused: ')}") from None
            if (fam, sockaddr) not in out:
                out.append((fam, sockaddr))
        if not out:
            raise NetworkError(f"cannot resolve {target.host}: no IPv4 or IPv6 address")
        return out

    def _connect(self, target: Target, addrs, deadline: Deadline, dog: _Watchdog) -> tuple[socket.socket, str]:
        last: Exception | None = None
        for i, (fam, sockaddr) in enumerate(addrs):
            left = deadline.check(f"connecting to {target.host}")
            # with addresses still to try, one attempt may use at most half of what is left
            # (an unreachable IPv6 address must not eat the budget of the IPv4 one)
            share = left if i == len(addrs) - 1 else left / 2
            sock = socket.socket(fam, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            dog.arm(sock)
            sock.settimeout(min(share, self.connect_timeout, self.hop_timeout))
            try:
                sock.connect(sockaddr)
            except (OSError, ValueError) as exc:
                sock.close()
                last = exc
                continue
            return sock, sockaddr[0]
        if isinstance(last, (socket.timeout, TimeoutError)):
            raise TimeoutNetworkError(f"connecting to {target.host} timed out")
        raise NetworkError(f"cannot connect to {target.host}: {last}")

    def _context(self) -> ssl.SSLContext:
        if self.ssl_context is not None:
            return self.ssl_context
        if self._ctx is None:
            self._ctx = ssl.create_default_context()
        return self._ctx

    # -- one request ---------------------------------------------------
    def request(self, method: str, url: str, *, max_body: int = 0, deadline: Deadline | None = None,
                accept: str | None = None) -> Response:
        """One request. ``max_body`` > 0 reads the body (more is ``TooLargeError``); 0 reads none."""
        target = check_url(url)
        started = time.monotonic()
        hop_deadline = Deadline(self.hop_timeout)
        if deadline is not None and deadline.remaining() < hop_deadline.remaining():
            hop_deadline = deadline
        addrs = self.addresses(target, hop_deadline)
        dog = _Watchdog(hop_deadline.check(f"request to {target.host}"))
        sock = None
        try:
            sock, ip = self._connect(target, addrs, hop_deadline, dog)
            if target.scheme == "https":
                sock.settimeout(max(hop_deadline.check(f"TLS with {target.host}"), 0.01))
                tls = self._context().wrap_socket(sock, server_hostname=target.host)
                sock = tls
                dog.arm(tls)
            sock.settimeout(max(hop_deadline.check(f"request to {target.host}"), 0.01))
            conn = _PinnedConnection(sock, target, hop_deadline.remaining())
            conn.putrequest(method, target.path, skip_host=True, skip_accept_encoding=True)
            conn.putheader("Host", target.host_header)
            conn.putheader("User-Agent", self.user_agent)
            conn.putheader("Accept", accept or "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
            conn.putheader("Accept-Language", "en-US,en;q=0.5")
            conn.putheader("Accept-Encoding", "identity")
            conn.putheader("Connection", "close")
            conn.endheaders()
            resp = conn.getresponse()
            if dog.fired or hop_deadline.remaining() <= 0:
                # the watchdog's shutdown ends the header block early: what was read is not an answer
                raise TimeoutNetworkError(f"reading the headers from {target.host} timed out")
            headers = tuple((k.lower(), v) for k, v in resp.getheaders())
            body = b""
            if max_body > 0 and method != "HEAD":
                declared = resp.getheader("Content-Length")
                if declared and declared.strip().isdigit() and int(declared) > max_body:
                    raise TooLargeError(f"{target.host} sent {int(declared)} bytes, more than the {max_body}-byte limit")
                chunks, size = [], 0
                while True:
                    hop_deadline.check(f"reading from {target.host}")
                    chunk = resp.read1(min(65536, max_body + 1 - size)) if size <= max_body else b""
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > max_body:
                        raise TooLargeError(f"{target.host} sent more than the {max_body}-byte limit")
                if dog.fired:
                    raise TimeoutNetworkError(f"reading from {target.host} timed out")
                if declared and declared.strip().isdigit() and size != int(declared):
                    raise NetworkError(f"{target.host} closed the connection before the end of the body")
                body = b"".join(chunks)
            return Response(url=url, method=method, status=resp.status, headers=headers, body=body,
                            address=ip, elapsed=time.monotonic() - started)
        except (TooLargeError, RefusedError, TimeoutNetworkError):
            raise
        except NetworkError:
            if dog.fired:
                raise TimeoutNetworkError(f"request to {target.host} timed out") from None
            raise
        except (socket.timeout, TimeoutError):
            raise TimeoutNetworkError(f"request to {target.host} timed out") from None
        except ssl.SSLCertVerificationError as exc:
            raise NetworkError(f"TLS certificate of {target.host} not valid: {exc.verify_message}") from None
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if dog.fired:
                raise TimeoutNetworkError(f"request to {target.host} timed out") from None
            raise NetworkError(f"request to {target.host} failed: {exc.__class__.__name__}: {exc}") from None
        finally:
            dog.cancel()
            if sock is not None:
                try:
                    sock.close()
                except OSError:
                    pass
