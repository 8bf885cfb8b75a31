"""The list-free judgment (issue 17): per-recipient links no rule names are
caught, ``cleaned`` never leaves an id, a literal space goes through the engine."""

from __future__ import annotations

import pytest

from trackless.core.identity import Identity
from trackless.links import unwrap

# (url, status, reason fragment): links through a host that is not the destination's, with an id
TRACKED = [
    ("https://t.brand-mail.example/zw/vaWrWgGsLKEtufKySVpAXq/jwytef", "opaque", "tracking-shaped host"),
    ("https://click.mailsvc3.example/r?qx=Kd8aQ2bM9vR4tY7uZ1wE3nP6sT5q&l=ab12cd", "opaque", "tracking-shaped host"),
    ("https://email.shop.example/c/b09ec13a504ro9gus", "opaque", "b09ec13a504r"),
    # no tracking-shaped host, but a path without words and an id in it
    ("https://www.mailsvc.example/x/7/Kd8aQ2bM9vR4tY7uZ1wE3nP6", "opaque", "no page name"),
    # a base64 destination: unwrapped, the id goes with the wrapper
    ("https://go.brand.example/k2f9x0qe3lm7/aHR0cHM6Ly93d3cuZXhhbXBsZS5jb20vc2hvZXM_Y29sb3I9cmVk", "unwrapped",
     "destination decoded from base64"),
]

# content links: ids that are the destination's own (documents, commits, products)
PAGES = [
    "https://docs.google.com/document/d/1aBcD2eFgH3iJkL4mNoP5qRsT6uVwX7yZ/edit",
    "https://github.com/python/cpython/commit/8f3a9c2b1d4e5f6a7b8c9d0e1f2a3b4c5d6e7f80",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://zoom.us/j/1234567890?pwd=Kd8aQ2bM9vR4tY7uZ1wE3nP6",
    "https://t.me/joinchat/AAAAAEkV9xQ2mZ7pLw3R5t",
    "https://www.example.com/blog/2026/03/spring-collection",
    "https://shop.example.com/product/8f3a9c2b1d4e5f6a7b8c?color=red",
]


@pytest.mark.parametrize("url,status,why", TRACKED, ids=[t[0][:40] for t in TRACKED])
def test_list_free_judgment_catches_per_recipient_links(url, status, why):
    link = unwrap(url)
    assert link.status == status, link
    assert link.rule == "judgment.token"
    assert why in link.reason
    if status == "unwrapped":
        assert link.final == "https://www.example.com/shoes?color=red"


@pytest.mark.parametrize("url", PAGES)
def test_content_links_are_not_judged_tracked(url):
    link = unwrap(url)
    assert link.status == "unchanged", link
    assert link.reason is None


def test_cleaned_never_keeps_an_id():
    # Eloqua's elq GUID stays (it is functional on landing pages): the link is not "cleaned"
    link = unwrap("https://pages.example.com/register?elq=4f5e6d7c8b9a4f5e6d7c8b9a&elqaid=1234")
    assert link.status == "opaque"
    assert link.final is None
    assert link.rule == "judgment.id-left"
    assert "elq=" in link.reason and "elqaid" in link.reason
    # only tracking parameters: cleaned, and it says which
    link = unwrap("https://www.example.com/offers?ecmUid=X7QK2M4ZP9AB&utm_source=newsletter")
    assert (link.status, link.final) == ("cleaned", "https://www.example.com/offers")
    assert link.reason == "tracking parameters removed: ecmUid, utm_source"


def test_cleaned_never_keeps_your_address():
    me = Identity.of(["reader@example.org"])
    link = unwrap("https://brand.example/welcome?who=reader%40example.org&utm_source=mail", identity=me)
    assert link.status == "opaque" and link.identifies_you
    assert "your address" in link.reason


def test_a_literal_space_goes_through_the_engine():
    me = Identity.of(["reader@example.org"])
    link = unwrap("https://www.example.com/my page?email=reader@example.org&utm_source=mail", identity=me)
    assert link.identifies_you is True
    assert link.status == "opaque"  # the address stays: not "cleaned"
    link = unwrap("https://www.example.com/my page?utm_source=mail")
    assert (link.status, link.final) == ("cleaned", "https://www.example.com/my%20page")
    assert link.original == "https://www.example.com/my page?utm_source=mail"


def test_the_issue_examples():
    link = unwrap("https://121070.seu2.cleverreach.com/c/79180030/b09ec13a504-ro9gus")
    assert (link.status, link.vendor) == ("opaque", "CleverReach")
    assert "CleverReach" in link.reason


def test_an_encoded_base64_id_is_an_id_but_an_encoded_url_is_not():
    link = unwrap("https://pages.example.com/email/webview?md_id=2454&aliId=hkhRccHHKgMpzjEAhYzkU9KJ7V20He%2FHwt4MeJSdtahF"
                  "&utm_source=mail")
    assert (link.status, link.rule) == ("opaque", "judgment.id-left")
    link = unwrap("https://app.example.com/login?next=https%3A%2F%2Fapp.example.com%2Finbox%2F7f3a9c2b1d4e&utm_source=mail")
    assert link.status == "cleaned"
