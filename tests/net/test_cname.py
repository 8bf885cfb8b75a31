"""CNAME uncloaking: the per-recipient label rule (pure), the rules file, and lookups against a loopback DNS server."""

from __future__ import annotations

import base64
import hashlib
import time

import pytest

from trackless.errors import RuleError
from trackless.core.identity import Identity
from trackless.net.cache import DiskCache
from trackless.net.cname import CnameChecker, load_cname_rules, parse_cname_rules, recipient_label

ME = Identity.of(["john.doe@example.org"])

MAY_LOOK_UP = [
    "epost.brand.example", "newsletter.brand.co.uk", "url1234.brand.example", "em5678.brand.example",
    "u1234567.ct.sendgrid.net", "click.e.brand.example", "links.mail-service-provider.example",
    "email-marketing-subscriptions.example.com", "r.eu-west-1.awstrack.me", "s1234.t.en25.com",
    "brand-mkt-prod1-t.campaign.adobe.com", "123-abc-456.mktoweb.com", "view.s7.exct.net",
    "internationalization.example", "xn--bcher-kva.example", "communicationsteam.example",
]

NEVER_LOOK_UP = [
    ("3f2a9c8e1b7d.track.example", "hex id"),
    ("d41d8cd98f00b204e9800998ecf8427e.esp.example", "hex id"),
    ("123e4567-e89b-12d3-a456-426614174000.t.example", "uuid-like"),
    ("id-123e4567-e89b-12d3.t.example", "random-looking"),
    ("1234567890.t.example", "long number"),
    ("x7k2m9q4z8.t.example", "random-looking"),
    ("kq3xzt7mpl0vbnw2ecr8ya.t.example", "random-looking"),
    ("qwertzuiopasdfgh.t.example", "random-looking"),
    ("kavobemiluqotezy.t.example", "high-entropy"),
    ("bwvazxhhbxbszs5vcmc.t.example", "random-looking"),  # base64("me@example.org"), lower-cased by DNS
    ("a" * 41 + ".t.example", "long label"),
    (hashlib.md5(b"john.doe@example.org").hexdigest() + ".t.example", "contains your address"),
    (hashlib.sha1(b"john.doe@example.org").hexdigest()[:40] + ".t.example", "contains your address"),
    (base64.b32encode(b"john.doe@example.org").decode().lower().rstrip("=") + ".t.example", "random-looking"),
    ("johndoe.news.brand.example", "contains your address"),
    ("john-doe.news.brand.example", "contains your address"),
    ("", "not a host name"),
    ("a..example", "not a host name"),
]


@pytest.mark.parametrize("name", MAY_LOOK_UP)
def test_ordinary_names_may_be_looked_up(name):
    assert recipient_label(name, ME) is None


@pytest.mark.parametrize("name,why", NEVER_LOOK_UP)
def test_per_recipient_names_are_never_looked_up(name, why):
    assert why in (recipient_label(name, ME) or "")


def test_shipped_rule_examples():
    rules = load_cname_rules()
    assert len(rules.rules) >= 15
    for rule in rules.rules:
        for host, chain, match in rule.examples:
            assert recipient_label(host) is None, (rule.id, host)
            got = rules.match_chain(chain)
            assert (got is not None and got.id == rule.id) == match, (rule.id, host, chain)


@pytest.mark.parametrize("data,msg", [
    ({"cname": [{"id": "x", "vendor": "X", "targets": ["X.COM"], "examples": []}]}, "targets"),
    ({"cname": [{"id": "x", "vendor": "", "targets": ["x.com"]}]}, "vendor"),
    ({"cname": [{"id": "x", "vendor": "X", "targets": ["x.com"], "examples": []}]}, "matching example"),
    ({"cname": [{"id": "x", "vendor": "X", "targets": ["x.com"], "oops": 1}]}, "unknown keys"),
    ({"cname": [{"id": "x", "vendor": "X", "targets": ["x.com"],
                 "examples": [{"host": "a.b", "chain": ["x.com"], "match": True}]}] * 2}, "unique id"),
    ({"rules": []}, "unknown top-level"),
])
def test_bad_rule_files_are_refused(data, msg):
    with pytest.raises(RuleError, match=msg):
        parse_cname_rules("rules/cname.toml", data)


def _checker(dns_server, **kw):
    return CnameChecker(nameservers=("127.0.0.1",), port=dns_server.port, timeout=kw.pop("timeout", 1.0), **kw)


def test_cname_chain_to_an_esp_is_a_tracker(dns_server):
    dns_server.zone.update({
        "epost.brand.example": ("CNAME", "brand.trk.esp-edge.example", 600),
        "brand.trk.esp-edge.example": ("CNAME", "u1234.wl022.sendgrid.net", 300),
        "u1234.wl022.sendgrid.net": ("A", "192.0.2.7", 300),
        "www.brand.example": ("A", "192.0.2.8", 300),
    })
    c = _checker(dns_server)
    got = c.check("epost.brand.example")
    assert (got.status, got.vendor, got.rule) == ("tracker", "SendGrid", "sendgrid")
    assert got.chain == ("brand.trk.esp-edge.example", "u1234.wl022.sendgrid.net")
    clean = c.check("www.brand.example")
    assert (clean.status, clean.chain, clean.vendor) == ("clean", (), None)
    assert dns_server.queries == [("epost.brand.example", "A"), ("www.brand.example", "A")]


def test_chain_is_followed_when_the_server_does_not(dns_server):
    dns_server.follow = False
    dns_server.zone.update({
        "news.brand.example": ("CNAME", "hop1.brand.example", 600),
        "hop1.brand.example": ("CNAME", "cname.createsend.com", 600),
        "cname.createsend.com": ("A", "192.0.2.9", 600),
    })
    got = _checker(dns_server).check("news.brand.example")
    assert got.status == "tracker" and got.vendor == "Campaign Monitor"
    assert got.chain == ("hop1.brand.example", "cname.createsend.com")
    assert [q for q, _ in dns_server.queries] == ["news.brand.example", "hop1.brand.example", "cname.createsend.com"]


def test_cname_loop_and_depth_are_bounded(dns_server):
    dns_server.follow = False
    dns_server.zone.update({"a.loop.example": ("CNAME", "b.loop.example", 60),
                            "b.loop.example": ("CNAME", "a.loop.example", 60)})
    got = _checker(dns_server).check("a.loop.example")
    assert got.status == "clean" and got.chain == ("b.loop.example",)
    assert len(dns_server.queries) <= 4


def test_nxdomain(dns_server):
    dns_server.zone["gone.brand.example"] = "NXDOMAIN"
    got = _checker(dns_server).check("gone.brand.example")
    assert (got.status, got.chain) == ("nxdomain", ())


def test_dangling_cname_to_esp_still_counts(dns_server):
    dns_server.zone["old.brand.example"] = ("CNAME", "brand.mailgun.org", 300)
    dns_server.zone["brand.mailgun.org"] = "NXDOMAIN"
    got = _checker(dns_server).check("old.brand.example")
    assert got.chain == ("brand.mailgun.org",) and got.vendor == "Mailgun"


def test_timeout_is_bounded_and_not_cached(dns_server, tmp_path):
    dns_server.zone["slow.brand.example"] = "TIMEOUT"
    cache = DiskCache(tmp_path / "dns")
    start = time.monotonic()
    got = _checker(dns_server, timeout=0.5, cache=cache).check("slow.brand.example")
    assert got.status == "failed" and "timed out" in got.reason
    assert time.monotonic() - start < 2
    assert list((tmp_path / "dns").glob("*.entry")) == []


def test_per_recipient_name_is_never_sent(dns_server):
    c = _checker(dns_server)
    got = c.check("d41d8cd98f00b204e9800998ecf8427e.t.brand.example")
    assert got.status == "skipped" and "hex id" in got.reason
    got = c.check("johndoe.news.brand.example", ME)
    assert got.status == "skipped" and "your address" in got.reason
    assert dns_server.queries == []


def test_answers_cached_with_ttl(dns_server, tmp_path):
    dns_server.zone["url1234.brand.example"] = ("CNAME", "sendgrid.net", 600)
    dns_server.zone["sendgrid.net"] = ("A", "192.0.2.10", 600)
    cache = DiskCache(tmp_path / "dns")
    first = _checker(dns_server, cache=cache).check("url1234.brand.example")
    again = _checker(dns_server, cache=cache).check("url1234.brand.example")
    assert (first.vendor, first.cached, again.vendor, again.cached) == ("SendGrid", False, "SendGrid", True)
    assert len(dns_server.queries) == 1
    after_ttl = DiskCache(tmp_path / "dns", clock=lambda: time.time() + 601)
    assert _checker(dns_server, cache=after_ttl).check("url1234.brand.example").cached is False
    assert len(dns_server.queries) == 2


def test_check_many_looks_up_each_host_once(dns_server):
    dns_server.zone["a.brand.example"] = ("CNAME", "go.pardot.com", 60)
    dns_server.zone["go.pardot.com"] = ("A", "192.0.2.11", 60)
    out = _checker(dns_server).check_many(["a.brand.example", "A.brand.example.", "b.brand.example"])
    assert list(out) == ["a.brand.example", "b.brand.example"]
    assert out["a.brand.example"].vendor.startswith("Salesforce")
    assert len(dns_server.queries) == 2
