"""The --dns adapter over trackless.net.cname, with a fake checker (no network)."""

from __future__ import annotations

from trackless.net.cname import Uncloaked
from trackless.report.dns import describe, lookup_chains
from trackless.report.meta import DnsChain


class FakeChecker:
    def __init__(self, verdicts):
        self.verdicts = verdicts
        self.calls = []

    def check_many(self, hosts, identity=None):
        self.calls.append((list(hosts), identity.addresses if identity else ()))
        return {h: self.verdicts[h] for h in hosts}


def test_lookup_chains_rows_and_first_party_note():
    checker = FakeChecker({
        "epost.brand.example": Uncloaked("epost.brand.example", "tracker", ("brand.emsecure.net",), "Selligent", "selligent"),
        "t.esp.example": Uncloaked("t.esp.example", "tracker", ("x.sendgrid.net",), "SendGrid", "sendgrid", cached=True),
        "www.brand.example": Uncloaked("www.brand.example", "clean", ()),
        "cdn.brand.example": Uncloaked("cdn.brand.example", "clean", ("brand.cdn.example",)),
        "u7a8b9c0d1e2f.brand.example": Uncloaked("u7a8b9c0d1e2f.brand.example", "skipped",
                                                  reason="not looked up: hex id label (u7a8b9c0d1e2...)"),
        "gone.example": Uncloaked("gone.example", "nxdomain"),
        "slow.example": Uncloaked("slow.example", "failed", reason="DNS lookup timed out"),
    })
    rows = lookup_chains(list(checker.verdicts), first_party={"epost.brand.example"},
                         readers=["a@b.example"], checker=checker)
    assert checker.calls == [(list(checker.verdicts), ("a@b.example",))]
    assert rows == [
        DnsChain("epost.brand.example", ("brand.emsecure.net",), "Selligent",
                 "the sender's own domain is an alias of Selligent: a cloaked third-party tracker"),
        DnsChain("t.esp.example", ("x.sendgrid.net",), "SendGrid", "alias of SendGrid (cached answer)"),
        DnsChain("www.brand.example", (), None, "no CNAME"),
        DnsChain("cdn.brand.example", ("brand.cdn.example",), None, "no known tracker in the chain"),
        DnsChain("u7a8b9c0d1e2f.brand.example", (), None, "not looked up: hex id label (u7a8b9c0d1e2...)"),
        DnsChain("gone.example", (), None, "the name does not exist"),
        DnsChain("slow.example", (), None, "DNS lookup timed out"),
    ]


def test_describe_failed_without_reason():
    assert describe(Uncloaked("x.example", "failed"), False).note == "lookup failed"


# ------------------------------------------------------------------ end to end over a loopback DNS server

import functools  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402

import pytest  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(__file__), "fixtures")


@pytest.fixture
def loopback_dns():
    """A UDP DNS server on 127.0.0.1 answering A queries from ``zone`` (CNAMEs followed), via dnspython."""
    import dns.message
    import dns.rcode
    import dns.rrset

    zone = {
        "epost.brand-shop.example": ("CNAME", "brand-shop.emsecure.net"),
        "brand-shop.emsecure.net": ("A", "192.0.2.10"),
        "www.brand-shop.example": ("A", "192.0.2.11"),
    }
    queries = []
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.05)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                wire, addr = sock.recvfrom(4096)
            except (socket.timeout, OSError):
                continue
            q = dns.message.from_wire(wire)
            name = q.question[0].name.to_text().rstrip(".").lower()
            queries.append(name)
            resp = dns.message.make_response(q)
            current = name
            if current not in zone:
                resp.set_rcode(dns.rcode.NXDOMAIN)
            while current in zone:
                kind, value = zone[current]
                resp.answer.append(dns.rrset.from_text(current + ".", 600, "IN", kind,
                                                       value + "." if kind == "CNAME" else value))
                if kind != "CNAME":
                    break
                current = value
            sock.sendto(resp.to_wire(), addr)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        yield sock.getsockname()[1], queries
    finally:
        stop.set()
        t.join(5)
        sock.close()


@pytest.mark.network
def test_report_shows_a_cloaked_first_party_host(loopback_dns):
    from trackless.net.cname import CnameChecker
    from trackless.report.run import write_report

    port, queries = loopback_dns
    checker = CnameChecker(nameservers=("127.0.0.1",), port=port, timeout=1.0)
    out = io.StringIO()
    write_report([os.path.join(FIXTURES, "mailbox.mbox")], out, fmt="md", jobs=1, generated="2026-11-26T00:00:00Z",
                 version="t", dns=functools.partial(lookup_chains, checker=checker))
    text = out.getvalue()
    section = text[text.index("## DNS (CNAME chains)"):text.index("## Mails")]
    assert ("| `epost.brand-shop.example` | `brand-shop.emsecure.net` | Selligent | the sender's "
            "own domain is an alias of Selligent: a cloaked third-party tracker |") in section
    assert "| `www.brand-shop.example` | no CNAME |" in section
    # each tracker / link host of the report once, plus the ESP name the chain led to; nothing else
    hosts = {"epost.brand-shop.example", "www.brand-shop.example", "coffee-roasters.us21.list-manage.com",
             "www.facebook.com", "www.coffee-roasters.example", "u7654321.ct.sendgrid.net",
             "a1b2c3d4.r.eu-west-1.awstrack.me", "track.adtech.example"}
    assert set(queries) - {"brand-shop.emsecure.net"} == hosts
    assert sorted(queries) == sorted(set(queries))
