"""Precise image verdicts (issue 17): content addresses are not per-recipient
tokens, a sizeless image with a per-recipient path on a tracking host is an
open pixel, every verdict has a confidence and its evidence, and the badge
counts only trackers."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from trackless import sanitize
from trackless.core import tokens
from trackless.errors import RuleError

CONTENT_CASES = [
    (ex["url"], ex["content"])
    for label, data in __import__("trackless.ruleload", fromlist=["x"]).rule_files()
    for raw in data.get("content", [])
    for ex in raw["examples"]
]


@pytest.mark.parametrize("url,content", CONTENT_CASES, ids=[c[0][:50] for c in CONTENT_CASES])
def test_content_host_examples(url, content):
    reason = tokens.content_reason(urlsplit(url))
    assert (reason is not None and reason.startswith("content host")) is content


def test_bad_content_rules_are_refused(monkeypatch):
    tokens.load_content_hosts.cache_clear()
    monkeypatch.setattr(tokens, "rule_files", lambda *a: [("rules/bad.toml", {"content": [{"id": "x", "hosts": ["A.example"],
                                                                                          "source": "s", "examples": []}]})])
    try:
        with pytest.raises(RuleError, match=r"rules/bad\.toml: content rule 'x'"):
            tokens.load_content_hosts()
    finally:
        monkeypatch.undo()
        tokens.load_content_hosts.cache_clear()


def _one(html: str):
    res = sanitize(html)
    assert len(res.remote) == 1, res.remote
    return res.remote[0], res


# content: random-looking names that are content addresses (issue 17's false positives)
CONTENT_IMAGES = [
    '<img src="https://mcusercontent.com/be85915f30cd1a565fe122207/images/ab1ca2ee-1e29-508a-d426-87c38ced9852.png" width="600">',
    '<img src="https://image.s4.sfmc-content.com/lib/fe3b468e1264aa83b473/m/1/c1f5df8f-c8a5-9f53-3ad1-5b9a36501782.png">',
    '<img src="https://lh3.googleusercontent.com/B62HBC_2HmmRcyKG2zU1XbAsqYhGGowKMuT7T83FsiwHcVY8BXs4OAwVJ2iE=w600">',
    '<img src="https://cdn.brand.example/assets/img/hero.8f3a9c2b1d4e5f6a7b8c.jpg" width="640">',
    '<img src="https://cdn.brand.example/images/x7F6xKd2mUPbOhPJOfz9BVjekDAbnG0q" width="120">',
    '<style>@font-face { font-family: B; src: url(https://fonts.gstatic.com/s/roboto/v30/KFOmCnqEu92Fr1Mu4mxK.woff2) }</style>',
]


@pytest.mark.parametrize("html", CONTENT_IMAGES, ids=range(len(CONTENT_IMAGES)))
def test_content_addresses_are_not_trackers(html):
    r, res = _one(html)
    assert r.tracker is False, r.reason
    assert r.action == "blocked"  # still blocked: every remote reference is
    assert r.confidence == "high"
    assert "not a tracker: " in r.reason
    assert res.badge == 0


PIXELS = [
    # the example: ConvertKit's open pixel, no declared size
    ('<img src="https://open.convertkit-mail4.com/64hqjkhru98548">', "tracking host open.convertkit-mail4.com"),
    ('<img src="https://t.brand-mail.example/x/k2f9x0qe3lm7">', "tracking host t.brand-mail.example"),
    # other evidence wins over a content host
    ('<img src="https://mcusercontent.com/be85915f30cd1a565fe122207/images/x.png" width="1" height="1">', "declared size 1x1"),
    # a query token on an image file is still a token
    ('<img src="https://news.brand.example/big.png?r=Kd8aQ2bM9vR4tY7uZ1wE3nP6">', "per-recipient token"),
]


@pytest.mark.parametrize("html,why", PIXELS, ids=range(len(PIXELS)))
def test_per_recipient_images_are_trackers(html, why):
    r, res = _one(html)
    assert r.tracker is True
    assert why in r.reason
    assert r.confidence in ("high", "medium")
    assert res.badge == 1


def test_a_sized_content_image_on_a_tracking_host_is_not_a_pixel():
    r, _ = _one('<img src="https://t.brand-mail.example/x/k2f9x0qe3lm7" width="600" height="300">')
    assert r.tracker is False


def test_badge_counts_trackers_only():
    html = "".join(CONTENT_IMAGES[:5]) + PIXELS[0][0]
    res = sanitize(html)
    assert len(res.remote) == 6
    assert res.badge == 1
