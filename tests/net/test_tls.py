"""TLS to a vetted address: the certificate is checked against the host name and SNI carries it."""

from __future__ import annotations

import shutil
import ssl
import subprocess

import pytest

from trackless.errors import NetworkError
from trackless.net.resolve import Resolver
from trackless.net.transport import Transport
from trackless.result import Link

from .conftest import HttpFixture, Reply, loopback_getaddrinfo


@pytest.fixture
def tls_server(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", "/CN=tracker.example", "-addext", "subjectAltName=DNS:tracker.example"],
                   check=True, capture_output=True, timeout=60)
    srv = HttpFixture()
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(cert, key)
    srv.sni = []
    sctx.sni_callback = lambda sock, name, ctx: srv.sni.append(name)
    srv.server.socket = sctx.wrap_socket(srv.server.socket, server_side=True)
    srv.start()
    cctx = ssl.create_default_context(cafile=str(cert))
    try:
        yield srv, cctx
    finally:
        srv.stop()


def test_https_hop_checks_the_name_and_sends_sni(tls_server):
    srv, cctx = tls_server
    srv.routes["/ls/click"] = lambda req: Reply(302, [("Location", "https://dest.example/")])
    t = Transport(allow_private=True, getaddrinfo=loopback_getaddrinfo(), ssl_context=cctx)
    r = t.request("HEAD", f"https://tracker.example:{srv.port}/ls/click?upn=1")
    assert r.status == 302 and r.address == "127.0.0.1"
    assert srv.sni == ["tracker.example"]
    # same address, another name: the certificate does not match -> refused before any request is sent
    with pytest.raises(NetworkError, match="certificate"):
        t.request("HEAD", f"https://other.example:{srv.port}/ls/click?upn=1")
    assert len(srv.requests()) == 1


def test_resolver_over_https(tls_server):
    srv, cctx = tls_server
    srv.routes["/ls/click"] = lambda req: Reply(302, [("Location", "https://dest.example/landing")])
    t = Transport(allow_private=True, getaddrinfo=loopback_getaddrinfo(), ssl_context=cctx)
    r = Resolver(t, decode=lambda u: Link(u, None, "opaque", vendor="X") if "/ls/" in u else Link(u, u, "unchanged"),
                 classify=lambda u: None, domain_of=lambda h: h).resolve(f"https://tracker.example:{srv.port}/ls/click?upn=1")
    assert r.final == "https://dest.example/landing" and [h.status for h in r.chain] == [302]
