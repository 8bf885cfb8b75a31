"""Nesting: gateway around ESP around redirector, unwrapped outer first to a fixed point."""

from __future__ import annotations

import base64
import json
import zlib
from urllib.parse import quote

import pytest

from trackless.core.identity import Identity
from trackless.links import unwrap
from trackless.links.engine import MAX_DEPTH

DEST = "https://www.example.com/account/orders/1001?lang=de&utm_source=mail&utm_medium=email#details"
CLEAN = "https://www.example.com/account/orders/1001?lang=de#details"


def google(u: str) -> str:
    return "https://www.google.com/url?q=" + quote(u, safe="") + "&sa=D&ust=1700000000000000"


def mailgun(u: str, rcpt: str = "reader@example.org") -> str:
    q = "l=" + quote(u, safe="") + "&r=" + quote(rcpt, safe="") + "&t=c&sig=ab12"
    token = base64.urlsafe_b64encode(zlib.compress(q.encode())).decode().rstrip("=")
    return "https://email.mg.brand.example/c/" + token


def safelinks(u: str) -> str:
    return ("https://eur02.safelinks.protection.outlook.com/?url=" + quote(u, safe="")
            + "&data=05%7C02%7Cme%40work.example%7C0a1b&sdata=xyz%3D&reserved=0")


def proofpoint_v2(u: str) -> str:
    enc = quote(u, safe="").replace("-", "%2D").replace("_", "%5F")
    return "https://urldefense.proofpoint.com/v2/url?u=" + enc.replace("%", "-").replace("/", "_") + "&d=DwMF&c=x&r=y&m=z&s=w&e="


def customerio(u: str) -> str:
    payload = base64.urlsafe_b64encode(json.dumps({"email_id": "x", "href": u}).encode()).decode().rstrip("=")
    return "https://track.brand.example/e/c/" + payload + "/sig"


def test_gateway_around_esp_around_redirector():
    inner_google = google(DEST)
    esp = mailgun(inner_google)
    outer = safelinks(esp)
    link = unwrap(outer)
    assert link.status == "unwrapped"
    assert link.final == CLEAN
    assert link.removed == ("utm_source", "utm_medium")
    assert link.chain == (esp, inner_google)
    assert link.vendor == "Microsoft Safe Links > Mailgun > Google"
    assert link.rule == "microsoft.safelinks > mailgun.click > google.url"


def test_identity_found_in_compressed_inner_payload():
    """Mailgun's r= is inside zlib: only the decoded payload shows the address."""
    esp = mailgun("https://www.example.com/", rcpt="reader@example.org")
    assert "reader" not in esp
    me = Identity.of(["reader@example.org"])
    assert unwrap(esp, identity=me).identifies_you is True
    assert unwrap(esp, identity=Identity.of(["someone.else@example.org"])).identifies_you is False
    assert unwrap(esp).identifies_you is False


def test_identity_in_gateway_data_param():
    link = unwrap(safelinks("https://www.example.com/"), identity=Identity.of(["me@work.example"]))
    assert link.status == "unwrapped" and link.identifies_you is True


def test_proofpoint_around_customerio():
    link = unwrap(proofpoint_v2(customerio("https://app.example.io/settings?tab=billing&utm_campaign=x")))
    assert link.status == "unwrapped"
    assert link.final == "https://app.example.io/settings?tab=billing"
    assert link.vendor == "Proofpoint URL Defense > Customer.io"


def test_gateway_around_opaque_esp_stays_opaque_and_exposes_inner_wrapper():
    sendgrid = "https://u1234567.ct.sendgrid.net/ls/click?upn=u001.abcDEF123-2BghiJKL456-3D"
    outer = safelinks(sendgrid)
    link = unwrap(outer)
    assert link.status == "opaque"
    assert link.final is None
    assert link.chain == (sendgrid,)  # chain[-1] is what click-to-resolve should fetch
    assert link.vendor == "Microsoft Safe Links > SendGrid"
    assert link.rule == "microsoft.safelinks > sendgrid.ls-click"


def test_depth_limit_reports_opaque():
    url = "https://www.example.com/end"
    for _ in range(MAX_DEPTH + 2):
        url = google(url)
    link = unwrap(url)
    assert link.status == "opaque"
    assert link.final is None
    assert len(link.chain) == MAX_DEPTH


def test_exactly_max_depth_unwraps():
    url = "https://www.example.com/end"
    for _ in range(MAX_DEPTH):
        url = google(url)
    link = unwrap(url)
    assert link.status == "unwrapped"
    assert link.final == "https://www.example.com/end"


def test_self_loop_is_not_followed():
    # a generic redirector pointing at itself
    url = "https://r.example.net/redirect?url=https%3A%2F%2Fr.example.net%2Fredirect"
    inner = "https://r.example.net/redirect"
    link = unwrap(url)
    # the inner URL has no url= parameter: a page, so one step and done
    assert link.status == "unwrapped" and link.final == inner
    loop = "https://www.google.com/url?q=" + quote("https://www.google.com/url?q=x", safe="")
    assert unwrap(loop).status == "opaque"  # inner google link has no http(s) target


ME = "reader@example.org"
MD5 = __import__("hashlib").md5(ME.encode()).hexdigest()
SHA256 = __import__("hashlib").sha256(ME.encode()).hexdigest()


@pytest.mark.parametrize("url,status", [
    ("https://brand.example/unsubscribe?email=reader@example.org&list=7", "unchanged"),
    ("https://brand.example/welcome?vero_id=reader%40example.org", "cleaned"),
    ("https://brand.lt.acemlna.com/Prod/link-tracker?redirectUrl=aHR0cHMlM0ElMkYlMkZibG9nLmV4YW1wbGUubmV0JTJGcG9zdA%3D%3D"
     "&email=cmVhZGVyQGV4YW1wbGUub3Jn&s=1", "unwrapped"),                  # base64 of the address
    (f"https://ctrk.klclick.com/ls/click?upn=u001.abc&e={MD5}", "opaque"),  # md5
    (f"https://www.example.com/?utm_source=x&uid={SHA256}", "opaque"),      # sha256: an id stays, never "cleaned"
])
def test_identifies_you_in_any_encoding(url, status):
    link = unwrap(url, identity=Identity.of([ME]))
    assert link.status == status
    assert link.identifies_you is True
    assert unwrap(url, identity=Identity.of(["other@example.net"])).identifies_you is False


def test_outer_fragment_carries_over_like_a_redirect():
    link = unwrap("https://www.google.com/url?q=https%3A%2F%2Fdocs.example.com%2Fguide&sa=D#install")
    assert link.final == "https://docs.example.com/guide#install"
    # the destination's own fragment wins
    link = unwrap("https://www.google.com/url?q=https%3A%2F%2Fdocs.example.com%2Fguide%23faq&sa=D#install")
    assert link.final == "https://docs.example.com/guide#faq"
