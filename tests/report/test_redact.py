"""Redaction: no reader address (any encoding Identity knows) and no per-recipient token survives."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote

import pytest
from hypothesis import given, settings, strategies as st

from trackless.core.identity import Identity
from trackless.report.analyse import LinkFinding, MailFindings, TrackerFinding
from trackless.report.redact import LEFTOVER, Redactor, looks_like_token

READER = "alex.martin@example.org"


def encodings(addr: str) -> dict[str, str]:
    raw = addr.encode()
    return {
        "plain": addr,
        "upper": addr.upper(),
        "percent": quote(addr, safe=""),
        "percent-lower": quote(addr, safe="").lower(),
        "double-percent": quote(quote(addr, safe=""), safe=""),
        "base64": base64.b64encode(raw).decode(),
        "base64url": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "md5": hashlib.md5(raw).hexdigest(),
        "md5-upper": hashlib.md5(raw).hexdigest().upper(),
        "sha1": hashlib.sha1(raw).hexdigest(),
        "sha256": hashlib.sha256(raw).hexdigest(),
    }


@pytest.mark.parametrize("name, encoded", sorted(encodings(READER).items()))
def test_every_encoding_is_replaced_in_urls_and_text(name, encoded):
    r = Redactor([READER])
    url = r.url(f"https://t.example/o.gif?x=1&e={encoded}&y=2")
    assert Identity.of([READER]).found_in(url) is None
    assert encoded not in url and "[reader-1" in url
    text = r.text(f"Hello {encoded}, your offer")
    assert encoded not in text and "[reader-1" in text


@pytest.mark.parametrize("value, token", [
    ("27-4982", False),  # short: caught only as the value of an id-named parameter
    ("newsletter", False),
    ("autumn26", False),
    ("black-friday-deals-for-everyone", False),  # a plain slug
    ("Qm8Rt2Vw5Xy9Za3B", True),
    ("u001.Hq8KxVb2Lm7Nc4Pz9Rw3Ty6", True),
    ("7c4a2f9e1d", True),
    ("0102018f2a3b4c5d-6e7f8091", True),
    ("eyJlbWFpbCI6ImFAYi5jIn0", True),
    ("[token-3]", False),
])
def test_looks_like_token(value, token):
    assert looks_like_token(value) is token


def test_structural_redaction_keeps_host_names_and_campaign_values():
    r = Redactor([READER])
    out = r.url("https://click.esp.example/ls/click/Qm8Rt2Vw5Xy9Za3B?utm_source=newsletter&at_recipient_id=27-4982&id=9#frag=Hq8KxVb2Lm7Nc4Pz9Rw")
    assert out == ("https://click.esp.example/ls/click/[token-1]?utm_source=newsletter&at_recipient_id=[token-2]"
                   "&id=9#frag=[token-3]")


def test_placeholders_are_stable_across_mails():
    r = Redactor()

    def mk(token):
        t = TrackerFinding(kind="pixel", url=f"https://t.example/o/{token}", host="t.example", domain="t.example",
                           vendor=None, reason="r", confidence="high", identifies_you=False, identifies_how=None,
                           token=token, element="img", attribute="src", third_party=True)
        return MailFindings(origin="o", date="", date_utc=None, sender="n@brand.example", sender_domain="brand.example",
                            subject="s", message_id=f"<{token}@mail.example>", recipients=(READER, "b@x.example"),
                            trackers=(t,), links=(), other_remote=(), links_total=0, read_receipts=(),
                            has_html=True, has_text=False)

    a = r.mail(mk("Zk2p1Lr8Qm8Rt2Vw"))
    b = r.mail(mk("Tz4Kc8Nm1Bv6Hq2J"))
    c = r.mail(mk("Zk2p1Lr8Qm8Rt2Vw"))
    assert a.recipients == c.recipients == ("[reader-1]", "[reader-2]")
    assert a.trackers[0].token == c.trackers[0].token == "[token-1]" != b.trackers[0].token
    assert a.trackers[0].url == "https://t.example/o/[token-1]" and a.message_id == "<[token-1]@mail.example>"
    assert r.readers == {READER: "[reader-1]", "b@x.example": "[reader-2]"}


def test_tracker_token_that_is_the_address_keeps_reader_placeholder():
    r = Redactor([READER])
    b64 = base64.b64encode(READER.encode()).decode().rstrip("=")
    assert r._token_field(b64) == "[reader-1:base64]"


def test_leftover_identity_match_is_replaced_whole():
    # an address with one letter percent-encoded ('%61' = 'a'): no needle matches it textually, but
    # Identity finds it after decoding, so the whole string goes: fail closed
    r = Redactor([READER])
    sneaky = "https://t.example/?e=%61lex.martin%40example.org"
    out = r.url(sneaky)
    assert out == LEFTOVER


def test_link_fields_are_redacted():
    r = Redactor([READER])
    l = LinkFinding(original=f"https://w.example/c?u=https%3A%2F%2Fa.example%2F&r={quote(READER, safe='')}",
                    host="w.example", domain="w.example", status="unwrapped", vendor="V",
                    destination=f"https://a.example/welcome?email={READER}",
                    tracking_params=(("mc_eid", "7c4a2f9e1d"), ("utm_source", "nl"), ("utm_term", None)),
                    identifies_you=True, identifies_how="plain", rule=None,
                    chain=(f"https://mid.example/{hashlib.sha256(READER.encode()).hexdigest()}",), third_party=True)
    f = MailFindings(origin="o", date="", date_utc=None, sender="n@w.example", sender_domain="w.example",
                     subject=f"For {READER}", message_id="", recipients=(READER,), trackers=(), links=(l,),
                     other_remote=(), links_total=1, read_receipts=(), has_html=True, has_text=False)
    g = r.mail(f)
    x = g.links[0]
    assert x.original.endswith("&r=[reader-1:percent-encoded]")
    assert x.destination == "https://a.example/welcome?email=[reader-1]"
    assert x.chain == ("https://mid.example/[reader-1:sha256]",)
    assert x.tracking_params == (("mc_eid", "[token-1]"), ("utm_source", "nl"), ("utm_term", None))
    assert g.subject == "For [reader-1]"


local = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-+", min_size=1, max_size=20).filter(
    lambda s: s[0] not in ".-" and s[-1] != ".")
domain = st.from_regex(r"[a-z]{2,10}\.(example|org|co\.uk|de)", fullmatch=True)
token = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", min_size=16, max_size=40).filter(
    lambda s: sum(c.isdigit() for c in s) >= 3 and sum(c.isalpha() for c in s) >= 3)


@settings(max_examples=150, deadline=None)
@given(local=local, domain=domain, tok=token, enc=st.sampled_from(sorted(encodings("a@b.example"))),
       where=st.sampled_from(["query", "path", "fragment"]))
def test_property_no_address_or_token_survives(local, domain, tok, enc, where):
    addr = f"{local}@{domain}"
    encoded = encodings(addr)[enc]
    url = {
        "query": f"https://t.esp.example/o.gif?cid=77&e={encoded}&k={tok}",
        "path": f"https://t.esp.example/o/{tok}/{encoded}/p.gif",
        "fragment": f"https://t.esp.example/o.gif#{tok}/{encoded}",
    }[where]
    r = Redactor([addr])
    out = r.url(url)
    assert Identity.of([addr]).found_in(out) is None
    assert encoded.lower() not in out.lower() or len(encoded) < 6
    assert tok not in out


@pytest.mark.parametrize("mid, expected", [
    ("<20260908053012.4711.88213@epost.brand.example>", "<[token-1]@epost.brand.example>"),
    ("<1f0c9a3e.d3465286@mail21.mcsv.net>", "<[token-1]@mail21.mcsv.net>"),
    ("no-at-sign-here", "[token-1]"),
    ("", ""),
    (f"<{READER}>", "<[reader-1]>"),
])
def test_message_id_local_part_is_always_replaced(mid, expected):
    r = Redactor([READER])
    assert r._final(r._message_id(r._addresses(mid))) == expected


# -- the final pass over the written output (issue 11, item 5) ---------------------------------------------

def _leaky_mail(reader: str) -> bytes:
    import base64 as b64
    import hashlib as hl

    raw = reader.encode()
    md5, sha1, sha256 = (hl.new(n, raw).hexdigest() for n in ("md5", "sha1", "sha256"))
    b64v = b64.b64encode(raw).decode().rstrip("=")
    return (
        f"From: News <news@brand.example>\nTo: {reader}\n"
        f"Date: Tue, 08 Sep 2026 07:30:12 +0200 ({reader})\n"
        f"Subject: For {reader.upper()}\nMessage-ID: <m1@brand.example>\n"
        f"Authentication-Results: mx.example.org; dkim=pass header.d=brand.example; "
        f"spf=pass smtp.rcpttodomain={reader}\n"
        "Content-Type: text/html\n\n"
        f'<img src="https://{md5}.open.tracker.example/o.gif" width="1" height="1">'
        f'<img src="https://t.brand.example/{sha1}/p.gif" width="1" height="1">'
        f'<img src="https://t.brand.example/o/{sha256.upper()}.gif" width="1" height="1">'
        f'<a href="https://click.brand.example/c?u={b64v}&r=https%3A%2F%2Fshop.example%2F%3Fe%3D{reader.replace("@", "%40")}">x</a>'
        f'<a href="https://www.brand.example/p?ref={md5}">y</a>\n'
    ).encode()


@pytest.mark.parametrize("fmt", ["md", "html", "json"])
def test_redacted_output_holds_the_reader_in_no_encoding(tmp_path, fmt, monkeypatch):
    import base64 as b64
    import hashlib as hl
    from urllib.parse import quote

    from goldens import run_report
    from trackless.commands import report as cmd
    from trackless.report.meta import DnsChain

    reader = "jo_doe+news@example.org"  # "_" and "+" exercise Markdown escaping and percent-encoding
    raw = reader.encode()
    md5 = hl.md5(raw).hexdigest()
    (tmp_path / "a.eml").write_bytes(_leaky_mail(reader))
    # the --dns table lists the tracker hosts, including the one whose label is the reader's MD5
    monkeypatch.setattr(cmd, "_dns_lookup", lambda: lambda hosts, **kw: [DnsChain(h, (), None, "no CNAME") for h in hosts])
    monkeypatch.setattr(cmd, "_dkim_verifier", lambda readers: lambda f: f)
    code, out, err = run_report("--redact", "--dns", "--format", fmt, "--jobs", "1", str(tmp_path))
    assert code == 0, err
    needles = [reader, quote(reader, safe=""), quote(reader, safe="@"), b64.b64encode(raw).decode().rstrip("="),
               b64.urlsafe_b64encode(raw).decode().rstrip("="), md5, hl.sha1(raw).hexdigest(),
               hl.sha256(raw).hexdigest(), "jo\\_doe", "jo_doe", "jo%5Fdoe"]
    low = out.lower()
    for n in needles:
        assert n.lower() not in low, (n, fmt)
    assert "[reader-1:md5].open.tracker.example" in out  # the host label is redacted, the host's rest stays
    assert "open.tracker.example" in out and "brand.example" in out


def test_scrubbing_writer_catches_needles_cut_between_writes():
    import io

    from trackless.report.redact import Scrubber, ScrubbingWriter

    text = "a jo_doe@example.org b 3c0a1b... JO_DOE@EXAMPLE.ORG c jo\\_doe@example.org"
    scrub = Scrubber({"jo_doe@example.org": "[reader-1]"})
    want = scrub(text)
    assert "example.org" not in want
    for size in range(1, len(text) + 1):
        out = io.StringIO()
        w = ScrubbingWriter(out, scrub, block=4)
        for i in range(0, len(text), size):
            w.write(text[i:i + size])
        w.flush_all()
        assert out.getvalue() == want, size
