"""Per-mail findings from hand-made Result objects (the pure core) and from real bytes."""

from __future__ import annotations

import hashlib

import pytest

from trackless.core.identity import Identity
from trackless.mail import Mail
from trackless.report.analyse import (
    LinkFinding, analyse, findings_from, is_tracked_link, parse_date, query_pairs, text_urls,
)
from trackless.result import Link, Remote, Result

READER = "alex.martin@example.org"
MD5 = hashlib.md5(READER.encode()).hexdigest()


def _mail(**kw) -> Mail:
    base = dict(html="<p>x</p>", text=None, sender="news@brand.example", recipients=(READER,),
                subject="Hi", date="Tue, 08 Sep 2026 07:30:12 +0200", message_id="<m1@brand.example>")
    base.update(kw)
    return Mail(**base)


@pytest.mark.parametrize("header, iso", [
    ("Tue, 08 Sep 2026 07:30:12 +0200", "2026-09-08T05:30:12Z"),
    ("Tue, 08 Sep 2026 07:30:12 -0000", "2026-09-08T07:30:12Z"),  # -0000: no zone info, taken as UTC
    ("8 Sep 2026 23:59:59 -0330", "2026-09-09T03:29:59Z"),
    ("Tue, 08 Sep 2026 07:30 GMT", "2026-09-08T07:30:00Z"),
    ("", None),
    ("yesterday", None),
    ("Tue, 99 Sep 2026 07:30:12 +0200", None),
])
def test_parse_date(header, iso):
    assert parse_date(header) == iso


def test_findings_from_hand_made_result():
    result = Result(
        html="",
        remote=(
            Remote(url=f"https://t.esp.example/o/abc?e={MD5}", kind="pixel", action="blocked", tracker=True,
                   vendor="ESP", reason="declared size 1x1", identifies_you=True, confidence="high",
                   element="img", attribute="src", host="t.esp.example", domain="esp.example", token=MD5),
            Remote(url="https://img.brand.example/hero.jpg", kind="image", action="blocked", tracker=False,
                   vendor=None, reason="remote image", identifies_you=False, host="img.brand.example",
                   domain="brand.example"),
            Remote(url="https://cdn.other.example/x.png", kind="image", action="blocked", tracker=False,
                   vendor=None, reason="remote image", identifies_you=False),  # host/domain left empty
        ),
        links=(
            Link(original="https://click.esp.example/ls/click?upn=XYZ", final=None, status="opaque", vendor="ESP",
                     tracker=True),
            Link(original="https://www.brand.example/p?utm_source=nl&id=7&mc_eid=abc123", final="https://www.brand.example/p?id=7",
                 status="cleaned", removed=("utm_source", "mc_eid"), vendor="Mailchimp", tracker=True),
            Link(original="https://www.brand.example/about", final="https://www.brand.example/about", status="unchanged"),
        ),
    )
    f = findings_from(_mail(), result, origin="box#1")
    assert f.date_utc == "2026-09-08T05:30:12Z"
    assert f.sender_domain == "brand.example"
    assert f.links_total == 3
    assert len(f.trackers) == 1
    t = f.trackers[0]
    assert (t.kind, t.host, t.domain, t.third_party, t.identifies_you, t.identifies_how, t.token) == (
        "pixel", "t.esp.example", "esp.example", True, True, "md5", MD5)
    assert [(o.host, o.domain, o.third_party) for o in f.other_remote] == [
        ("img.brand.example", "brand.example", False), ("cdn.other.example", "other.example", True)]
    assert [(l.status, l.destination, l.tracking_params, l.third_party) for l in f.links] == [
        ("opaque", None, (), True),
        ("cleaned", "https://www.brand.example/p?id=7", (("utm_source", "nl"), ("mc_eid", "abc123")), False),
    ]
    assert f.tracked and f.identifies_you and f.has_html and not f.has_text


def test_link_identifies_reader_even_if_engine_did_not_say():
    link = Link(original=f"https://x.example/r?u=https%3A%2F%2Fa.example%2F&e={READER.replace('@', '%40')}",
                final=None, status="opaque", tracker=True)
    f = findings_from(_mail(), Result(html="", links=(link,)), origin="o")
    # the encoding is named by trackless.core.identity (its naming is its own contract)
    assert f.links[0].identifies_you
    assert f.links[0].identifies_how == Identity.of([READER]).found_in(link.original) is not None


def test_extra_reader_addresses_count():
    url = "https://t.example/o.gif?h=" + hashlib.sha1(b"me@private.example").hexdigest()
    r = Remote(url=url, kind="pixel", action="blocked", tracker=True, vendor=None, reason="r", identifies_you=False)
    f = findings_from(_mail(recipients=()), Result(html="", remote=(r,)), origin="o", extra_to=("me@private.example",))
    assert f.trackers[0].identifies_you and f.trackers[0].identifies_how == "sha1"


def test_tracking_param_value_found_in_decoded_wrapper_path():
    link = Link(original="https://r.awstrack.me/L0/https:%2F%2Fa.example%2Fx%3Futm_source%3Dclub%26utm_medium%3Demail/1/abc=1",
                final="https://a.example/x", status="unwrapped", removed=("utm_source", "utm_medium", "utm_term"),
                tracker=True)
    f = findings_from(_mail(), Result(html="", links=(link,)), origin="o")
    assert f.links[0].tracking_params == (("utm_source", "club"), ("utm_medium", "email"), ("utm_term", None))


@pytest.mark.parametrize("link, tracked", [
    (Link("https://a.example/", "https://a.example/", "unchanged"), False),
    # the add-on's vocabulary (issue 13): campaign tags or a plain redirect are cleaned, not tracking
    (Link("https://a.example/?utm_source=x", "https://a.example/", "cleaned", removed=("utm_source",)), False),
    (Link("https://w.example/?u=https://a.example/", "https://a.example/", "unwrapped"), False),
    (Link("https://a.example/?mc_eid=1", "https://a.example/", "cleaned", removed=("mc_eid",), tracker=True), True),
    (Link("https://w.example/c/1", None, "opaque", tracker=True), True),
    (Link("https://a.example/?e=x", "https://a.example/?e=x", "unchanged", identifies_you=True), True),
])
def test_is_tracked_link(link, tracked):
    assert is_tracked_link(link) is tracked


def test_query_pairs_keep_raw_values():
    assert query_pairs("https://a.example/?a=1%202&b&c=x+y&&d=") == [("a", "1%202"), ("b", ""), ("c", "x+y"), ("d", "")]


def test_text_urls():
    text = "See https://a.example/x?y=1. Or (https://b.example/p), again https://a.example/x?y=1 and <https://c.example/>"
    assert text_urls(text) == ["https://a.example/x?y=1", "https://b.example/p", "https://c.example/"]
    assert len(text_urls(" ".join(f"https://a.example/{i}" for i in range(600)))) == 500


def test_analyse_plain_text_mail_uses_link_engine():
    raw = (b"From: Club <club@runners.example>\nTo: alex.martin@example.org\nSubject: Meet-up\n"
           b"Date: Tue, 03 Nov 2026 18:45:00 +0000\n\nCalendar: https://www.runners.example/c?utm_source=club&x=1&mc_eid=7f\n")
    seen = []

    def fake_unwrap(url, *, recipients=()):
        seen.append((url, tuple(recipients)))
        return Link(url, "https://www.runners.example/c?x=1", "cleaned", removed=("utm_source", "mc_eid"), tracker=True)

    f = analyse(raw, "a.eml", ("me@else.example",), unwrap=fake_unwrap, sanitize=lambda *a, **k: pytest.fail("no html"))
    assert seen == [("https://www.runners.example/c?utm_source=club&x=1&mc_eid=7f",
                     ("alex.martin@example.org", "me@else.example"))]
    assert f.links[0].in_text and f.links[0].tracking_params == (("utm_source", "club"), ("mc_eid", "7f"))
    assert not f.has_html and f.has_text


def test_analyse_passes_sender_and_readers_to_sanitize():
    raw = (b"From: News <news@brand.example>\nTo: A <alex.martin@example.org>\nCc: b@x.example\n"
           b"Content-Type: text/html\n\n<p>hi</p>\n")
    calls = []

    def fake_sanitize(html, *, sender=None, recipients=()):
        calls.append((html.strip(), sender, tuple(recipients)))
        return Result(html="")

    analyse(raw, "a.eml", ("ME@Else.example",), sanitize=fake_sanitize)
    assert calls == [("<p>hi</p>", "news@brand.example", ("alex.martin@example.org", "b@x.example", "me@else.example"))]


def test_analyse_real_pipeline_on_a_small_mail():
    raw = (b"From: News <news@brand.example>\nTo: alex.martin@example.org\nSubject: s\n"
           b"Content-Type: text/html\n\n<img src=\"https://t.esp.example/track/open.php?u=1&e=" + MD5.encode()
           + b"\" width=1 height=1><a href=\"https://www.brand.example/?utm_source=nl\">x</a>"
           b"<a href=\"https://www.brand.example/?utm_source=nl&mc_eid=abc123\">y</a>\n")
    f = analyse(raw, "a.eml")
    assert len(f.trackers) == 1 and f.trackers[0].identifies_how == "md5"
    # the utm-only link is cleaned but is not a tracking link (the add-on's count); the mc_eid one is
    assert f.links_total == 2 and len(f.links) == 1
    assert isinstance(f.links[0], LinkFinding) and f.links[0].tracking_params == (("utm_source", "nl"), ("mc_eid", "abc123"))
