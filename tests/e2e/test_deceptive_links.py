"""Deceptive links in real headless Thunderbird (issue 14): the warning next to
each judged link, what Thunderbird's own link check says of the sanitized view
(its hrefs are the real destinations), and a click on a judged link asking
through Trackless, not through Thunderbird's mismatch prompt.

Thunderbird's check (PhishingDetector.linkTextMismatch, on click only) warns
when a link's text is an http(s) URL whose registrable domain is not the
href's. On the sanitized view it agrees with Trackless on deceptive links,
no longer fires on unwrapped tracking links, and would still fire on a link
to the same owner's other domain (amazon.de text, amazon.com href), which
Trackless judged fine: the add-on takes those clicks (and judged ones) before
Thunderbird's handler, so the two never say different things.
"""

from __future__ import annotations

import time

import pytest

import tb_harness as harness

pytestmark = pytest.mark.thunderbird

SUBJECT = "Deceptive links"

# Chrome-context script: for each link of the displayed message, what Trackless
# marked and what Thunderbird's own check says (the text as Thunderbird gathers it).
INSPECT = harness._COMMON + r"""
const { PhishingDetector } = ChromeUtils.importESModule("resource:///modules/PhishingDetector.sys.mjs");
const d = about3Pane.messageBrowser.contentDocument.getElementById("messagepane").contentDocument;
const out = {};
for (const a of d.querySelectorAll("a[id^='d-']")) {
  const next = a.nextElementSibling;
  const marker = next && next.hasAttribute("data-trackless-marker") ? next : null;
  out[a.id] = {
    href: a.getAttribute("href"),
    verdict: a.getAttribute("data-trackless-verdict"),
    alias: a.getAttribute("data-trackless-alias"),
    marker: marker ? marker.textContent : null,
    markerVisible: marker ? d.defaultView.getComputedStyle(marker).visibility === "visible"
      && marker.getBoundingClientRect().width > 0 : false,
    thunderbirdMismatch: PhishingDetector.linkTextMismatch(a.getAttribute("href"), a.textContent),
  };
}
return out;
"""

# Record Thunderbird's click-time check instead of letting it prompt (1 = block).
HOOK = r"""
const { PhishingDetector } = ChromeUtils.importESModule("resource:///modules/PhishingDetector.sys.mjs");
if (!PhishingDetector._e2eCalls) {
  PhishingDetector._e2eCalls = [];
  PhishingDetector._e2eOriginal = PhishingDetector.warnOnSuspiciousLinkClick;
  PhishingDetector.warnOnSuspiciousLinkClick = (win, url, text) => { PhishingDetector._e2eCalls.push([url, text]); return 1; };
}
PhishingDetector._e2eCalls.length = 0;
return true;
"""
CALLS = r"""
const { PhishingDetector } = ChromeUtils.importESModule("resource:///modules/PhishingDetector.sys.mjs");
return PhishingDetector._e2eCalls || [];
"""
UNHOOK = r"""
const { PhishingDetector } = ChromeUtils.importESModule("resource:///modules/PhishingDetector.sys.mjs");
if (PhishingDetector._e2eOriginal) {
  PhishingDetector.warnOnSuspiciousLinkClick = PhishingDetector._e2eOriginal;
  delete PhishingDetector._e2eOriginal;
  delete PhishingDetector._e2eCalls;
}
return true;
"""


def _click(tb, link_id: str) -> None:
    from marionette_driver.marionette import ActionSequence

    point = tb.client.execute_script(harness.LINK_POINT, script_args=[link_id])
    assert point, f"no link {link_id} in the message"
    seq = ActionSequence(tb.client, "pointer", f"mouse-{link_id}", {"pointerType": "mouse"})
    seq.pointer_move(point[0], point[1], origin="viewport").pointer_down(button=0).pointer_up(button=0).perform()


def test_deceptive_links_are_marked_and_thunderbird_agrees(tb, server):
    view = tb.open_message(SUBJECT, server.base)
    assert view["state"] == "sanitized", (view, tb.log_tail())
    links = tb.client.execute_script(INSPECT)
    d = links["d-deceptive"]
    assert d["verdict"] == "deceptive" and d["markerVisible"], d
    assert d["marker"].startswith("\u26a0 Deceptive link: the link's text names paypal.com"), d
    assert d["thunderbirdMismatch"] is True, "Thunderbird's own check agrees on a deceptive link"
    look = links["d-lookalike"]
    assert look["verdict"] == "lookalike" and look["markerVisible"] and "imitates paypal.com" in look["marker"], look
    wrapped = links["d-wrapped"]
    assert wrapped["href"] == "https://www.shop.example/sale" and wrapped["verdict"] is None and wrapped["marker"] is None
    assert wrapped["thunderbirdMismatch"] is False, "unwrapped: Thunderbird no longer sees a mismatch"
    alias = links["d-alias"]
    assert alias["verdict"] is None and alias["marker"] is None and alias["alias"] == "amazon.de", alias
    assert alias["thunderbirdMismatch"] is True, "this is the case the add-on must take over on click"
    plain = links["d-plain"]
    assert plain == {**plain, "verdict": None, "alias": None, "marker": None, "thunderbirdMismatch": False}
    forged = links["d-forged"]
    assert forged["alias"] is None, "a mail cannot mark its own link as an alias"
    assert server.snapshot() == [], server.snapshot()


def test_clicking_a_judged_link_asks_through_trackless_not_thunderbird(tb, server):
    tb.open_message(SUBJECT, server.base)
    tb.client.execute_script(HOOK)
    try:
        _click(tb, "d-deceptive")
        text = tb.wait_page_text("/confirm/confirm.html", "open it anyway", timeout=10)
        assert "Deceptive link: open it anyway?" in text, text
        assert "the link's text names paypal.com, but it goes to account-check.example" in text, text
        assert "https://login.account-check.example/signin" in text, text
        assert tb.client.execute_script(CALLS) == [], "Thunderbird's own prompt must not show as well"
        assert tb.close_window_with("/confirm/confirm.html")
        # an ordinary link is still Thunderbird's (its check runs, and passes)
        _click(tb, "d-plain")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not tb.client.execute_script(CALLS):
            time.sleep(0.1)
        assert tb.client.execute_script(CALLS) == [["https://www.shop.example/about", "about"]]
    finally:
        tb.client.execute_script(UNHOOK)
    assert server.snapshot() == [], server.snapshot()
