"""Every example of every rule (wrappers and parameters) runs as a test."""

from __future__ import annotations

import pytest

from trackless.links import classify_host, load_rules, unwrap

RULES = load_rules()
EXAMPLES = RULES.examples


@pytest.mark.parametrize("ex", EXAMPLES, ids=[f"{e.rule_id}#{i}" for i, e in enumerate(EXAMPLES)])
def test_rule_example(ex):
    link = unwrap(ex.url)
    assert link.original == ex.url
    assert link.status == ex.status, link
    assert link.final == ex.final, link
    if ex.vendor is not None:
        assert link.vendor == ex.vendor
    if ex.removed is not None:
        assert list(link.removed) == list(ex.removed)
    if ex.status in ("unwrapped", "opaque"):
        # the rule the example belongs to decided (first in a nest: the example's own URL)
        assert link.rule.split(" > ")[0] == ex.rule_id
    if ex.status == "cleaned" and ex.kind in ("family", "domain"):
        assert ex.rule_id in link.rule.split(", ")
    if ex.kind == "exception":
        # the names the exception keeps are still in the final URL
        exc = next(k for k in RULES.params.domain_keep.values() if k[2] == ex.rule_id)
        kept = [seg.split("=")[0] for seg in ex.url.split("?", 1)[1].split("&")
                if seg.split("=")[0].lower() in exc[0] or seg.split("=")[0].lower().startswith(exc[1])]
        assert kept and all(name + "=" in link.final for name in kept)
    if ex.status in ("unchanged", "cleaned") and ex.kind == "wrapper":
        # a counter-example: the wrapper rule must not have decided
        assert ex.rule_id not in (link.rule or "")


def test_every_rule_has_an_example_that_fires():
    """Each wrapper rule has at least one example it decides itself."""
    fired = {e.rule_id for e in EXAMPLES if e.status in ("unwrapped", "opaque")}
    missing = [r.id for r in RULES.wrappers if r.id not in fired]
    assert missing == []


@pytest.mark.parametrize("rule", [r for r in RULES.wrappers if not r.generic], ids=lambda r: r.id)
def test_classify_host_knows_every_vendor_rule(rule):
    firing = [e for e in EXAMPLES if e.rule_id == rule.id and e.status in ("unwrapped", "opaque")]
    assert classify_host(firing[0].url) == rule.vendor


def test_classify_host_ignores_pages_and_generic_heuristics():
    assert classify_host("https://www.example.com/article?id=1") is None
    assert classify_host("https://links.shop.example/click?url=https%3A%2F%2Fwww.example.com%2F") is None
    assert classify_host("mailto:someone@example.com") is None
    assert classify_host("not a url") is None


# Families DESIGN.md section 4 lists; each must have a rule that fires on an example.
DECODABLE = [
    "google.url", "facebook.lphp", "bing.ck", "youtube.redirect", "linkedin.redirect", "slack.redir",
    "duckduckgo.l", "microsoft.safelinks", "proofpoint.v1", "proofpoint.v2", "proofpoint.v3",
    "barracuda.linkprotect", "trendmicro.clicktime", "trellix.protect2", "amazonses.awstrack",
    "amazonses.custom-domain", "mandrill.click", "mailgun.click", "substack.redirect", "customerio.click",
    "postmark.click", "mailjet.lnk", "activecampaign.linktracker", "commandersact.c3",
    "generic.redirect-param", "generic.redirect-path",
]
OPAQUE = [
    "selligent.optiext", "sendgrid.ls-click", "klaviyo.ls-click", "mailchimp.track-click", "hubspot.ctc",
    "salesforce-mc.qs", "adobe-campaign.r", "brevo.tr-cl", "campaign-monitor.t", "constant-contact.tn",
    "mimecast.s",
]


@pytest.mark.parametrize("rid,status", [(r, "unwrapped") for r in DECODABLE] + [(r, "opaque") for r in OPAQUE])
def test_design_families_are_covered(rid, status):
    assert any(e.rule_id == rid and e.status == status for e in EXAMPLES)
    kinds = {r.id: r.kind for r in RULES.wrappers}
    assert kinds[rid] == ("decodable" if status == "unwrapped" else "opaque")
