"""The image decision (core.policy) and the sender-domain policy through sanitize()."""

import pytest

import trackless
from trackless.core.authres import AuthVerdict, verdict
from trackless.core.policy import SenderImages, decide, sender_images

ALLOW = frozenset({"shop.example"})
ON = SenderImages(True, "brand.example", True, "ok")

DECIDE = [
    # kind, domain, proxiable, tracker, allow, sender -> allowed, by
    ("image", "shop.example", True, False, ALLOW, SenderImages(), True, "allowlist"),
    ("image", "shop.example", True, True, ALLOW, SenderImages(), False, ""),
    ("pixel", "shop.example", True, True, ALLOW, SenderImages(), False, ""),
    ("image", "shop.example", False, False, ALLOW, SenderImages(), False, ""),  # CSS background
    ("css", "shop.example", True, False, ALLOW, SenderImages(), False, ""),
    ("image", "other.example", True, False, ALLOW, SenderImages(), False, ""),
    ("image", "brand.example", True, False, frozenset(), ON, True, "sender"),
    ("image", "brand.example", True, True, frozenset(), ON, False, ""),
    ("image", "brand.example", True, False, frozenset(), SenderImages(True, "brand.example", False, "x"), False, ""),
    ("image", "brand.example", True, False, frozenset(), SenderImages(False, "brand.example", True, "x"), False, ""),
    ("image", "", True, False, frozenset({""}), SenderImages(True, "", True, "x"), False, ""),
]


@pytest.mark.parametrize("kind, domain, proxiable, tracker, allow, sender, allowed, by", DECIDE)
def test_decide_table(kind, domain, proxiable, tracker, allow, sender, allowed, by):
    d = decide(kind=kind, domain=domain, proxiable=proxiable, tracker=tracker, allow=allow, sender=sender)
    assert (d.allowed, d.by) == (allowed, by)


def test_sender_policy_needs_an_authenticated_sender():
    assert not sender_images(False, "brand.example", AuthVerdict("brand.example", True, "dmarc", "ok")).active
    assert not sender_images(True, "brand.example", None).active
    assert not sender_images(True, "brand.example", AuthVerdict("other.example", True, "dmarc", "ok")).active
    assert sender_images(True, "brand.example", AuthVerdict("brand.example", True, "dkim", "ok")).active


MAIL = (
    '<img src="https://img.brand.example/hero.jpg" width="600" height="300">'
    '<img src="https://img.brand.example/open.gif?u=0123456789abcdef0123" width="1" height="1">'
    '<img src="https://cdn.other.example/pic.jpg" width="100" height="100">'
)
PASS = ["mx.reader.example; dkim=pass header.d=brand.example; dmarc=pass header.from=brand.example"]


def _by_url(result):
    return {r.url.split("/")[-1]: r for r in result.remote}


def test_allowlisted_domain_shows_content_images_and_keeps_its_pixel_blocked():
    result = trackless.sanitize(MAIL, sender="news@brand.example", allow=["brand.example"])
    r = _by_url(result)
    assert (r["hero.jpg"].action, r["hero.jpg"].allowed_by) == ("allowed", "allowlist")
    assert r["open.gif?u=0123456789abcdef0123"].action == "blocked" and r["open.gif?u=0123456789abcdef0123"].tracker
    assert "allowlisted domain but a tracker" in r["open.gif?u=0123456789abcdef0123"].reason
    assert r["pic.jpg"].action == "blocked"
    assert 'data-trackless-allowed="https://img.brand.example/hero.jpg"' in result.html
    assert "open.gif" not in result.html


@pytest.mark.parametrize("enabled, headers, sender, shown", [
    (True, PASS, "news@brand.example", True),
    (True, [], "news@brand.example", False),  # no verdict: a forged From cannot turn it on
    (True, PASS, "news@other.example", False),  # the verdict is for another domain
    (False, PASS, "news@brand.example", False),
])
def test_sender_domain_policy(enabled, headers, sender, shown):
    result = trackless.sanitize(MAIL, sender=sender, sender_images=enabled, auth=verdict(headers, sender))
    r = _by_url(result)
    assert (r["hero.jpg"].action == "allowed") is shown
    assert r["hero.jpg"].allowed_by == ("sender" if shown else "")
    assert r["open.gif?u=0123456789abcdef0123"].action == "blocked"
    assert r["pic.jpg"].action == "blocked"
    policy = result.to_dict()["sender_images"]
    assert policy["enabled"] is enabled and policy["active"] is shown
    assert policy["reason"]


def test_an_allowlisted_image_that_is_never_rendered_is_blocked_without_an_allowed_by():
    html = '<!--[if mso]><img src="https://img.brand.example/outlook.jpg" width="600" height="300"><![endif]-->'
    result = trackless.sanitize(html, allow=["brand.example"])
    [r] = result.remote
    assert (r.action, r.allowed_by) == ("blocked", "")
