"""Deceptive links: every example in rules/brands.toml, table-driven vectors,
the data files' validation and properties of the skeleton."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from trackless.domains import registrable_domain
from trackless.errors import RuleError
from trackless.links import deceptive, unwrap
from trackless.links.deceptive import judge, shown_of, skeleton
from trackless.result import Link, VERDICTS

BRANDS = deceptive.load_brands()


def _run(text="", title="", alt=None, href="", sender="", destination=None):
    shown = shown_of(text, title, [alt] if alt is not None else [])
    sender_domain = registrable_domain(sender.rsplit("@", 1)[1]) if "@" in sender else ""
    return judge(unwrap(href), shown, sender_domain=sender_domain, destination=destination)


@pytest.mark.parametrize("ex", BRANDS.examples,
                         ids=[f"{i}:{e.get('text') or e.get('alt') or e.get('title')}" for i, e in enumerate(BRANDS.examples)])
def test_brand_example(ex):
    v = _run(ex.get("text", ""), ex.get("title", ""), ex.get("alt"), ex["href"], ex.get("sender", ""))
    assert (v.kind if v else "") == ex["verdict"], v
    if ex.get("imitates"):
        assert v.imitates == ex["imitates"]
    if v is not None:
        assert v.kind in VERDICTS and v.evidence and v.domain


def test_examples_cover_every_verdict_and_none():
    kinds = {e["verdict"] for e in BRANDS.examples}
    assert kinds == {"", *VERDICTS}


@pytest.mark.parametrize("text, expected", [
    ("www.paypal.com", "paypal.com"),
    ("https://accounts.google.co.uk/signin?x=1", "google.co.uk"),
    ("PAYPAL.COM", "paypal.com"),
    ("<https://www.dhl.de/track>", "dhl.de"),
    ("paypal.com.", "paypal.com"),
    ("support@paypal.com", "paypal.com"),
    ("bücher.de", "xn--bcher-kva.de"),
    ("Read more on paypal.com", ""),      # a sentence names no site
    ("README.md", ""),                    # a file name, not Moldova
    ("https://example.md/readme", "example.md"),
    ("v1.2", ""),
    ("file.txt", ""),
    ("192.168.0.1", ""),
    ("Click here", ""),
    ("", ""),
    ("x" * 400 + ".com", ""),
])
def test_text_names(text, expected):
    got = shown_of(text)
    assert (got[0].domain if got else "") == expected


def test_alt_brand_names_and_titles():
    assert [s.domain for s in shown_of(alts=["Prime Video"])] == ["primevideo.com"]
    assert [s.domain for s in shown_of(alts=["PayPal"])] == ["paypal.com"]
    assert shown_of(alts=["Instagram"]) == ()  # a social icon's label names no site
    assert shown_of(title="PayPal") == ()  # a title is a URL or nothing
    assert shown_of(alts=["Our logo"]) == ()
    both = shown_of("www.brand.example", "https://www.brand.example/", ["paypal.com"])
    assert [(s.source, s.domain) for s in both] == [("text", "brand.example"), ("alt", "paypal.com")]


def test_resolved_destination_is_judged():
    """An opaque link the user resolved is judged by where it really went."""
    href = "https://u1234.ct.sendgrid.net/ls/click?upn=abcdef"
    assert _run("www.paypal.com", href=href).kind == "hidden"
    assert _run("www.paypal.com", href=href, destination="https://www.paypal.com/us/home") is None
    v = _run("www.paypal.com", href=href, destination="https://login.account-check.example/")
    assert v.kind == "deceptive" and v.domain == "account-check.example" and v.names == "paypal.com"


def test_non_http_and_ip_destinations_are_left_alone():
    assert judge(Link("mailto:a@b.example", "mailto:a@b.example", "unchanged"), shown_of("www.paypal.com")) is None
    assert judge(Link("http://10.0.0.1/", "http://10.0.0.1/", "unchanged"), shown_of("www.paypal.com")) is None


def test_verdict_json_shape():
    v = _run("www.paypal.com", href="https://evil.example/")
    link = unwrap("https://evil.example/")
    from dataclasses import replace

    d = replace(link, verdict=v).to_dict()
    assert d["verdict"] == {"kind": "deceptive", "domain": "evil.example", "shown": "www.paypal.com",
                            "source": "text", "names": "paypal.com", "imitates": "",
                            "evidence": "the link's text names paypal.com, but it goes to evil.example"}
    assert unwrap("https://evil.example/").to_dict()["verdict"] is None


def test_skeleton_confusables():
    assert skeleton("paypa1.com") == skeleton("paypal.com")
    assert skeleton("аpple.com") == skeleton("apple.com")  # Cyrillic a
    assert skeleton("arnazon") == skeleton("amazon")
    assert skeleton("G00GLE") == skeleton("google")
    assert skeleton("bücher") != skeleton("bucher")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=20))
def test_skeleton_is_idempotent_on_ascii(name):
    assert skeleton(skeleton(name)) == skeleton(name)


@given(st.sampled_from([d for b in BRANDS.brands for d in b.domains]),
       st.sampled_from(["", "www.", "login.", "a.b."]))
def test_a_brands_own_domains_are_never_flagged(domain, sub):
    href = f"https://{sub}{domain}/path"
    for b in BRANDS.brands:
        if domain in b.domains:
            for other in b.domains:
                assert _run(f"www.{other}", href=href) is None, (other, href)


@given(st.text(min_size=0, max_size=60), st.text(min_size=0, max_size=60))
def test_judge_never_raises(text, title):
    judge(unwrap("https://evil.example/"), shown_of(text, title, [text]), sender_domain="brand.example")


def test_bad_brand_file_is_a_rule_error(monkeypatch):
    import tomllib

    real = tomllib.loads

    def fake(text):
        data = real(text)
        data["brand"].append({"id": "bad", "domains": ["www.bad.example.co.uk"]})
        return data

    deceptive.load_brands.cache_clear()
    monkeypatch.setattr(deceptive.tomllib, "loads", fake)
    try:
        with pytest.raises(RuleError, match="not a registrable domain"):
            deceptive.load_brands()
    finally:
        monkeypatch.undo()
        deceptive.load_brands.cache_clear()


def test_a_public_suffix_is_no_brand_domain():
    """github.io's sites are anyone's: a page there is not GitHub's."""
    assert _run("www.github.com", href="https://evil.github.io/login").kind == "deceptive"


@pytest.mark.parametrize("href, text, expected", [
    # issue 17's Symantec rule decodes ?u=: the decoded destination is judged
    ("https://clicktime.symantec.com/15t5ZvK8mQ2pJ7rX4bN9yW3hL?h=Ab&u=https%3A%2F%2Flogin.account-check.example%2Fx",
     "https://www.paypal.com/", "deceptive"),
    ("https://clicktime.symantec.com/15t5ZvK8mQ2pJ7rX4bN9yW3hL?h=Ab&u=https%3A%2F%2Fwww.paypal.com%2Fx",
     "https://www.paypal.com/", ""),
    # without ?u= the destination stays on Symantec's server: hidden when the text names a site
    ("https://clicktime.symantec.com/39e8TeBHakB1PfMJjJ1h1zf7V", "https://www.paypal.com/", "hidden"),
    ("https://clicktime.symantec.com/39e8TeBHakB1PfMJjJ1h1zf7V", "Read more", ""),
])
def test_symantec_clicktime_links_are_judged_by_their_destination(href, text, expected):
    v = _run(text, href=href)
    assert (v.kind if v else "") == expected, v
