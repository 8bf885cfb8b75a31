"""The report counts and lists deceptive and lookalike links per sender."""

from __future__ import annotations

import io
import json

from trackless.report.aggregate import MAX_DECEPTIVE_LISTED, Aggregator
from trackless.report.run import write_report

PHISH = b"""From: "PayPal" <service@account-check.example>
To: you@example.org
Subject: Verify
Date: Tue, 03 Nov 2026 08:00:00 +0000
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p><a href="https://login.account-check.example/x">www.paypal.com</a>
<a href="https://www.paypa1.com/signin">Sign in</a>
<a href="https://u1234.ct.sendgrid.net/ls/click?upn=abc">www.paypal.com</a></p>
"""

NEWS = b"""From: news@brand.example
To: you@example.org
Subject: News
Date: Tue, 03 Nov 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<p><a href="https://www.brand.example/a">www.brand.example</a>
<a href="https://www.facebook.com/brand"><img alt="Facebook" src="cid:fb"></a></p>
"""


def _report(tmp_path, fmt):
    paths = []
    # a second phishing mail (not a copy of the first: the report counts a copy once)
    phish2 = PHISH.replace(b"Subject: Verify", b"Subject: Verify again").replace(b"08:00:00", b"08:30:00")
    for name, data in (("phish.eml", PHISH), ("phish2.eml", phish2), ("news.eml", NEWS)):
        p = tmp_path / name
        p.write_bytes(data)
        paths.append(str(p))
    out = io.StringIO()
    write_report(paths, out, fmt=fmt, generated="2026-11-03T10:00:00Z", version="test")
    return out.getvalue()


def test_json_per_sender(tmp_path):
    doc = json.loads(_report(tmp_path, "json"))
    by = {s["sender"]: s for s in doc["senders"]}
    phish, news = by["service@account-check.example"], by["news@brand.example"]
    assert phish["deceptive"] == 4  # two mails, two each (hidden is not counted)
    assert [(d["kind"], d["domain"], d["names"], d["imitates"], d["mails"]) for d in phish["deceptive_links"]] == [
        ("deceptive", "account-check.example", "paypal.com", "", 2),
        ("lookalike", "paypa1.com", "", "paypal.com", 2),
    ]
    assert news["deceptive"] == 0 and news["deceptive_links"] == []


def test_markdown_and_html(tmp_path):
    md = _report(tmp_path, "md")
    assert "- Deceptive or lookalike links: 4" in md
    assert "deceptive: the link's text names paypal.com, but it goes to account-check.example (2 mails)" in md
    html = _report(tmp_path, "html")
    assert "<h2>Deceptive and lookalike links</h2>" in html
    assert "paypa1.com imitates paypal.com" in html


def test_listing_is_bounded():
    from trackless.report.analyse import DeceptiveFinding, MailFindings

    agg = Aggregator()
    for i in range(MAX_DECEPTIVE_LISTED + 5):
        d = DeceptiveFinding("deceptive", f"https://e{i}.example/", f"e{i}.example", "www.paypal.com",
                             "paypal.com", "", "why")
        agg.add(MailFindings("o", "", None, "a@b.example", "b.example", "", "", (), (), (), (), 1, (), True, False,
                             deceptive=(d,)))
    s = agg.summary().senders[0]
    assert s.deceptive == MAX_DECEPTIVE_LISTED + 5 and len(s.deceptive_links) == MAX_DECEPTIVE_LISTED
