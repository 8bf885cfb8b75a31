"""One hop against a loopback server: headers sent, budgets, and the address rule before connecting."""

from __future__ import annotations

import socket
import time

import pytest

from trackless.errors import NetworkError, RefusedError, TimeoutNetworkError, TooLargeError
from trackless.net.transport import USER_AGENT, Deadline, Transport

from .conftest import Reply, loopback_getaddrinfo


def test_headers_sent_no_cookie_no_referer_browser_ua(http_server):
    http_server.routes["/a"] = lambda req: Reply(200, [("Set-Cookie", "id=abc; Path=/")], b"ok")
    t = Transport(allow_private=True, getaddrinfo=loopback_getaddrinfo())
    r1 = t.request("GET", f"http://shop.example:{http_server.port}/a", max_body=10)
    r2 = t.request("GET", f"http://shop.example:{http_server.port}/a", max_body=10)
    assert (r1.status, r1.body, r2.body) == (200, b"ok", b"ok")
    assert r1.header("set-cookie") == "id=abc; Path=/"
    seen = http_server.requests("/a")
    assert len(seen) == 2
    for s in seen:
        assert "cookie" not in s.headers
        assert "referer" not in s.headers
        ua = s.headers["user-agent"]
        assert ua == USER_AGENT
        assert not any(w in ua.lower() for w in ("python", "urllib", "trackless", "requests", "http.client"))
        assert s.headers["host"] == f"shop.example:{http_server.port}"


def test_loopback_refused_before_any_connection(http_server):
    http_server.routes["/a"] = lambda req: Reply(200, body=b"ok")
    gai = loopback_getaddrinfo()
    t = Transport(getaddrinfo=gai)  # allow_private False
    for url in (f"http://127.0.0.1:{http_server.port}/a", f"http://0177.0.0.1:{http_server.port}/a",
                f"http://2130706433:{http_server.port}/a", f"http://127.1:{http_server.port}/a",
                f"http://0x7f.1:{http_server.port}/a", f"http://[::ffff:127.0.0.1]:{http_server.port}/a",
                f"http://localhost.example:{http_server.port}/a"):
        with pytest.raises(RefusedError):
            t.request("GET", url)
    assert gai.calls == ["localhost.example"]  # numeric forms never reach the resolver
    assert http_server.requests() == []


def test_mixed_answer_refuses_the_host(http_server):
    gai_calls = []

    def gai(host, port):
        gai_calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", port)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    with pytest.raises(RefusedError, match="resolves to 127.0.0.1"):
        Transport(getaddrinfo=gai).request("HEAD", f"http://rebind.example:{http_server.port}/")
    assert http_server.requests() == []


def test_resolver_failure_is_a_network_error():
    t = Transport(getaddrinfo=loopback_getaddrinfo(names={}))
    with pytest.raises(NetworkError, match="cannot resolve"):
        t.request("HEAD", "http://nowhere.example/")


def test_slow_getaddrinfo_is_bounded():
    def slow(host, port):
        time.sleep(3)
        return []

    t = Transport(getaddrinfo=slow, connect_timeout=0.3)
    start = time.monotonic()
    with pytest.raises(TimeoutNetworkError):
        t.request("HEAD", "http://slow-dns.example/")
    assert time.monotonic() - start < 2


def test_slow_headers_time_out(http_server):
    http_server.routes["/slow"] = lambda req: Reply(200, body=b"late", delay=3)
    t = Transport(allow_private=True, hop_timeout=0.5)
    start = time.monotonic()
    with pytest.raises(TimeoutNetworkError):
        t.request("GET", http_server.url("/slow"), max_body=100)
    assert time.monotonic() - start < 2


def test_dripping_body_cannot_outlive_the_hop_budget(http_server):
    # 40 chunks 0.1 s apart: each recv is quick, the whole takes 4 s; budget 0.6 s.
    http_server.routes["/drip"] = lambda req: Reply(200, body=b"x" * 40, chunks=40, drip=0.1)
    t = Transport(allow_private=True, hop_timeout=0.6)
    start = time.monotonic()
    with pytest.raises(TimeoutNetworkError):
        t.request("GET", http_server.url("/drip"), max_body=1000)
    assert time.monotonic() - start < 2


@pytest.mark.parametrize("method", ["HEAD", "GET"])
def test_dripping_headers_are_a_timeout_not_an_answer(http_server, method):
    # The status line at once, then one header line every 0.1 s (4 s in all); budget 0.6 s.
    # The watchdog's shutdown ends the header block early: that must not read as a 200.
    headers = [(f"X-Pad-{i}", "y") for i in range(40)] + [("Refresh", "0; url=http://dest.example/")]
    http_server.routes["/drip"] = lambda req: Reply(200, headers, body=b"x", header_drip=0.1)
    t = Transport(allow_private=True, hop_timeout=0.6)
    start = time.monotonic()
    with pytest.raises(TimeoutNetworkError):
        t.request(method, http_server.url("/drip"), max_body=0 if method == "HEAD" else 100)
    assert time.monotonic() - start < 2


def test_total_deadline_is_honoured(http_server):
    http_server.routes["/slow"] = lambda req: Reply(200, delay=2)
    t = Transport(allow_private=True, hop_timeout=10)
    start = time.monotonic()
    with pytest.raises(TimeoutNetworkError):
        t.request("HEAD", http_server.url("/slow"), deadline=Deadline(0.4))
    assert time.monotonic() - start < 1.5


def test_body_cap_by_declared_length_and_by_bytes(http_server):
    http_server.routes["/big"] = lambda req: Reply(200, body=b"y" * 5000)
    t = Transport(allow_private=True)
    with pytest.raises(TooLargeError):
        t.request("GET", http_server.url("/big"), max_body=1000)
    assert t.request("GET", http_server.url("/big"), max_body=5000).body == b"y" * 5000


def test_endless_body_is_cut_at_the_cap(http_server):
    http_server.routes["/endless"] = lambda req: Reply(200, [("Content-Type", "image/png")], stream_forever=True)
    t = Transport(allow_private=True, hop_timeout=3)
    start = time.monotonic()
    with pytest.raises(TooLargeError):
        t.request("GET", http_server.url("/endless"), max_body=100_000)
    assert time.monotonic() - start < 2
    # without max_body nothing is read at all
    r = t.request("GET", http_server.url("/endless"))
    assert r.status == 200 and r.body == b""


def test_no_redirect_is_followed(http_server):
    http_server.routes["/r"] = lambda req: Reply(302, [("Location", "/never")])
    r = Transport(allow_private=True).request("HEAD", http_server.url("/r"))
    assert r.status == 302 and r.header("location") == "/never"
    assert http_server.requests("/never") == []


def test_connection_refused_is_a_network_error():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(NetworkError, match="cannot connect"):
        Transport(allow_private=True).request("HEAD", f"http://127.0.0.1:{port}/")


def test_truncated_body_is_an_error_not_a_short_image(http_server):
    http_server.routes["/short"] = lambda req: Reply(200, [("Content-Length", "1000")], b"only ten b")
    with pytest.raises(NetworkError, match="before the end"):
        Transport(allow_private=True).request("GET", http_server.url("/short"), max_body=5000)
