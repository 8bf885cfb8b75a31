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
