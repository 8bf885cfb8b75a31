"""Benchmark the network edge's own overhead (loopback only; nothing leaves the machine).

Measured in the same run, medians of several rounds:

* address vetting: ``address_refusal`` over a mix of IPv4/IPv6 addresses,
  against the baseline ``ipaddress.ip_address(...).is_global`` (the check
  Python offers, which is not enough: 64:ff9b::7f00:1 counts as global);
* URL policy: ``check_url`` against the baseline ``urllib.parse.urlsplit``;
* one hop: ``Transport.request("HEAD", ...)`` (policy, vetting, pinned
  connect, watchdog) against a raw ``http.client.HTTPConnection`` HEAD to
  the same loopback server;
* resolve: a 3-hop redirect chain via ``Resolver`` against 3 raw HEADs;
* the per-recipient label rule ``recipient_label`` per host name.

Usage: ``.venv/bin/python bench/bench_net.py [--rounds 7]``
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ADDRS = ["8.8.8.8", "127.0.0.1", "10.1.2.3", "100.64.0.1", "169.254.169.254", "2606:4700::1111", "::1",
         "::ffff:127.0.0.1", "64:ff9b::7f00:1", "2002:c0a8:101::1", "fe80::1", "93.184.215.14"]
URLS = ["https://u1234567.ct.sendgrid.net/ls/click?upn=aBcD1234efGH5678", "http://0177.0.0.1/x",
        "https://news.brand.example/optiext/optiextension.dll?ID=abc&RCPT=1", "http://[::1]:8080/",
        "https://click.e.brand.example/?qs=7d8e9f0a1b2c3d4e5f"]
NAMES = ["epost.brand.example", "url1234.brand.example", "d41d8cd98f00b204e9800998ecf8427e.t.example",
         "kq3xzt7mpl0vbnw2ecr8ya.t.example", "links.mail-service-provider.example"]


class _H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_HEAD(self):
        n = int(self.path.rsplit("/", 1)[-1] or 0)
        if n < 3:
            self.send_response(302)
            self.send_header("Location", f"/ls/{n + 1}" if n < 2 else "http://dest.example/")
        else:
            self.send_response(200)
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()


def timeit(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()

    import ipaddress

    from trackless.net.addresses import address_refusal, check_url
    from trackless.net.cname import recipient_label
    from trackless.net.resolve import Resolver
    from trackless.net.transport import Transport
    from trackless.result import Link

    srv = ThreadingHTTPServer(("127.0.0.1", 0), _H)
    srv.daemon_threads = True
    port = srv.server_address[1]
    threading.Thread(target=srv.serve_forever, daemon=True).start()

    def raw_head(path="/ls/3"):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("HEAD", path, headers={"Connection": "close"})
        c.getresponse().read()
        c.close()

    transport = Transport(allow_private=True)
    resolver = Resolver(transport, decode=lambda u: Link(u, None, "opaque") if "/ls/" in u else Link(u, u, "unchanged"),
                        classify=lambda u: None, domain_of=lambda h: h)

    cases = {
        "address_refusal x12": (lambda: [address_refusal(a) for a in ADDRS],
                                lambda: [ipaddress.ip_address(a).is_global for a in ADDRS], 2000),
        "check_url x5": (lambda: [check_url(u) for u in URLS], lambda: [urlsplit(u).port for u in URLS], 2000),
        "recipient_label x5": (lambda: [recipient_label(n) for n in NAMES], lambda: [n.split(".") for n in NAMES], 2000),
        "one HEAD hop": (lambda: transport.request("HEAD", f"http://127.0.0.1:{port}/ls/3"), raw_head, 100),
        "resolve 3 hops": (lambda: resolver.resolve(f"http://127.0.0.1:{port}/ls/0"),
                           lambda: [raw_head(f"/ls/{i}") for i in range(3)], 50),
    }
    print(f"{'case':<22}{'trackless':>14}{'baseline':>14}{'ratio':>8}")
    for name, (ours, base, n) in cases.items():
        a = statistics.median(timeit(ours, n) for _ in range(args.rounds))
        b = statistics.median(timeit(base, n) for _ in range(args.rounds))
        print(f"{name:<22}{a * 1e6:>11.1f} us{b * 1e6:>11.1f} us{a / b:>8.2f}")
    srv.shutdown()
    srv.server_close()


if __name__ == "__main__":
    main()
