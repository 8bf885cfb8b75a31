"""Authentication-Results -> verdict for the From domain: a table of real-shaped headers."""

import pytest

from trackless.core.authres import AuthVerdict, parse, verdict

GMAIL_PASS = (
    "mx.google.com; dkim=pass header.i=@news.shop.example header.s=s1 header.b=AbCd; "
    "spf=pass (google.com: domain of bounce@esp.example designates 192.0.2.1 as permitted sender) "
    "smtp.mailfrom=bounce@esp.example; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=shop.example"
)
FASTMAIL_DKIM = (
    "mx3.messagingengine.com; dkim=pass (2048-bit rsa key sha256) header.d=shop.example "
    "header.i=@shop.example header.b=xyz header.a=rsa-sha256 header.s=fm1; spf=pass smtp.mailfrom=shop.example"
)
ESP_ONLY_DKIM = "mx.example.org; dkim=pass header.d=sendgrid.net header.s=smtpapi; dmarc=none header.from=shop.example"
DMARC_FAIL = "mx.example.org; dkim=pass header.d=shop.example; dmarc=fail (p=none) header.from=shop.example"
FORGED_BELOW = "attacker.example; dmarc=pass header.from=shop.example"
SPF_ONLY = "mx.example.org; spf=pass smtp.mailfrom=shop.example"
NONE = "mx.example.org; none"

CASES = [
    # (headers topmost first, From, passed, method, reason contains)
    ([GMAIL_PASS], "news@shop.example", True, "dmarc", "DMARC passed"),
    ([GMAIL_PASS], "News <news@SHOP.example>", True, "dmarc", "DMARC passed"),
    ([FASTMAIL_DKIM], "news@mail.shop.example", True, "dkim", "DKIM signature of shop.example"),
    ([ESP_ONLY_DKIM], "news@shop.example", False, "", "another domain"),
    ([DMARC_FAIL], "news@shop.example", False, "", "DMARC failed"),
    ([NONE, FORGED_BELOW], "news@shop.example", False, "", "did not check"),
    ([SPF_ONLY], "news@shop.example", False, "", "did not check"),
    ([GMAIL_PASS], "news@other.example", False, "", "another domain"),
    ([], "news@shop.example", False, "", "no Authentication-Results"),
    (["", "   "], "news@shop.example", False, "", "no Authentication-Results"),
    ([GMAIL_PASS], None, False, "", "no sender"),
    ([GMAIL_PASS], "no address", False, "", "no sender"),
    # a comment cannot smuggle a result in, a quoted value is read
    (["mx.example.org; dkim=fail (dmarc=pass header.from=shop.example) header.d=shop.example"],
     "a@shop.example", False, "", "neither"),
    (['mx.example.org; dmarc=pass header.from="shop.example"'], "a@shop.example", True, "dmarc", "DMARC"),
    (["mx.example.org;\r\n\tdkim=pass\r\n header.d=shop.example"], "a@shop.example", True, "dkim", "DKIM"),
    (["mx.example.org; dkim/1=pass header.d=shop.example"], "a@shop.example", True, "dkim", "DKIM"),
    # lookalike domains are not aligned
    (["mx.example.org; dkim=pass header.d=shop.example.evil.test"], "a@shop.example", False, "", "another domain"),
    (["mx.example.org; dmarc=pass header.from=evilshop.example"], "a@shop.example", False, "", "neither"),
]


@pytest.mark.parametrize("headers, sender, passed, method, reason", CASES)
def test_verdict_table(headers, sender, passed, method, reason):
    v = verdict(headers, sender)
    assert isinstance(v, AuthVerdict)
    assert (v.passed, v.method) == (passed, method), v
    assert reason in v.reason, v


def test_only_the_topmost_header_counts():
    assert not verdict([SPF_ONLY, GMAIL_PASS], "news@shop.example").passed
    assert verdict([GMAIL_PASS, SPF_ONLY], "news@shop.example").passed


def test_parse_skips_authserv_id_and_comments():
    assert parse("example.org (comment; with dmarc=pass); dkim=pass (ok) header.d=a.example") == [
        ("dkim", "pass", {"header.d": "a.example"})]


def test_huge_header_is_bounded():
    v = verdict(["mx; " + "x" * 100_000 + "; dmarc=pass header.from=shop.example"], "a@shop.example")
    assert not v.passed
