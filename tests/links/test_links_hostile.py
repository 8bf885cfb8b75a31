"""Hostile and malformed input: never a crash, never an unsafe destination."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest

from trackless.links import unwrap
from trackless.links.validate import accept, check_original, valid_host


def safelinks(target_raw: str) -> str:
    """A Safe Links wrapper around an arbitrary (already percent-encoded) value."""
    return "https://eur01.safelinks.protection.outlook.com/?url=" + target_raw + "&data=05%7C02&reserved=0"


NOT_HTTP = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "file:///etc/passwd",
    "mailto:reader@example.org?subject=hi&utm_source=x",
    "tel:+4930123456",
    "cid:part1.abc@example.org",
    "#top",
    "/relative/path?utm_source=x",
    "//www.example.com/protocol-relative?utm_source=x",
    "https:www.example.com/no-slashes?utm_source=x",
    "https:/www.example.com/one-slash?utm_source=x",
    "http:///three-slashes?utm_source=x",
    "https://",
    "",
    "   ",
    "not a url at all",
    "\x00\x01\x02",
    "https://www.example.com/\x00?utm_source=x",
    "https://exa mple.com/?utm_source=x",
    "ftp://ftp.example.com/file?utm_source=x",
]


@pytest.mark.parametrize("url", NOT_HTTP)
def test_non_http_links_come_back_unchanged(url):
    link = unwrap(url)
    assert link.status == "unchanged"
    assert link.final == url and link.original == url
    assert link.removed == () and link.chain == ()


AMBIGUOUS_ORIGINALS = [
    # a browser would visit a different host than urllib.parse names: never touched
    "https://user:pass@www.google.com/url?q=https%3A%2F%2Fevil.example%2F",
    "https://www.google.com@evil.example/url?q=https%3A%2F%2Fevil.example%2F",
    "https://www.google.com\\@evil.example/url?q=https%3A%2F%2Fevil.example%2F&utm_source=x",
    "https://www.google.com\\url?q=https%3A%2F%2Fevil.example%2F",
    "https://0x7f.1/?utm_source=x",
    "https://2130706433/?utm_source=x",
    "https://www.example.com:99999/?utm_source=x",
    "https://www.example.com:8o/?utm_source=x",
    "https://[::1/?utm_source=x",
    "https://exa%6dple.com/?utm_source=x",
    "https://www.example.com\u202e/?utm_source=x",
]


@pytest.mark.parametrize("url", AMBIGUOUS_ORIGINALS)
def test_ambiguous_hosts_are_left_alone(url):
    link = unwrap(url)
    assert link.status == "unchanged" and link.final == url


BAD_TARGETS = [
    quote("javascript:alert(1)", safe=""),
    quote("data:text/html,<script>alert(1)</script>", safe=""),
    quote("file:///C:/Windows/win.ini", safe=""),
    quote("https://good.example@evil.example/", safe=""),
    quote("https://user:pw@evil.example/", safe=""),
    quote("https://evil.example\\@good.example/", safe=""),
    quote("https:\\\\evil.example/", safe=""),
    quote("https:/\\evil.example/", safe=""),
    quote("https:///evil.example/", safe=""),
    quote("https://evil.example/\r\nSet-Cookie:x=1", safe=""),
    quote("https://evil.example\t.com/", safe=""),
    quote("http://0177.0.0.1/", safe=""),
    quote("http://2130706433/", safe=""),
    quote("http://127.1/", safe=""),
    quote("http://[::1%eth0]/", safe=""),
    quote("https://evil.example:0/", safe=""),
    quote("https://localhost/", safe=""),
    quote("https://-bad-.example/", safe=""),
    quote("https://a..example/", safe=""),
    quote("https://" + "a" * 64 + ".example/", safe=""),
    quote("https://evil.example\u202e.com/", safe=""),
    "%E0%A4%A",        # invalid UTF-8 once decoded
    "%ZZ%ZZ",
    "",
]


@pytest.mark.parametrize("raw", BAD_TARGETS)
def test_known_wrapper_with_unsafe_target_is_kept_as_opaque(raw):
    url = safelinks(raw)
    link = unwrap(url)
    assert link.status == "opaque"
    assert link.final is None
    assert link.original == url
    assert link.vendor == "Microsoft Safe Links"


def test_generic_fallback_with_unsafe_target_is_just_a_page():
    url = "https://r.example.net/redirect?url=" + quote("https://good.example@evil.example/", safe="") + "&utm_source=x"
    link = unwrap(url)
    assert link.status == "cleaned"
    assert link.final == "https://r.example.net/redirect?url=" + quote("https://good.example@evil.example/", safe="")


def test_idn_destination_is_shown_in_punycode():
    link = unwrap(safelinks(quote("https://bücher.example/suche?q=faust", safe="")))
    assert link.status == "unwrapped"
    assert link.final == "https://xn--bcher-kva.example/suche?q=faust"
    # a homograph (Cyrillic "а") cannot pass as apple.com
    link = unwrap(safelinks(quote("https://\u0430pple.com/login", safe="")))
    assert link.final == "https://xn--pple-43d.com/login"


def test_space_in_destination_is_encoded_not_passed_raw():
    link = unwrap(safelinks(quote("https://www.example.com/my file.pdf", safe="")))
    assert link.final == "https://www.example.com/my%20file.pdf"


def test_huge_inputs_are_bounded():
    huge_query = "https://www.example.com/?" + "a=1&" * 250_000 + "utm_source=x"
    t0 = time.perf_counter()
    link = unwrap(huge_query)
    elapsed = time.perf_counter() - t0
    assert link.status == "unchanged" and link.final == huge_query
    assert elapsed < 1.0  # generous: the real cost is a length check
    huge_token = safelinks(quote("https://www.example.com/?x=" + "A" * 20000, safe=""))
    assert unwrap(huge_token).status in ("opaque", "unchanged")
    many_params = "https://www.example.com/?" + "&".join(f"p{i}={i}" for i in range(1500)) + "&utm_source=x"
    assert unwrap(many_params).final == many_params[: -len("&utm_source=x")]


def test_zlib_bomb_in_mailgun_is_refused():
    import base64
    import zlib

    bomb = zlib.compress(b"l=https%3A%2F%2Fwww.example.com%2F&pad=" + b"A" * 5_000_000, 9)
    token = base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    url = "https://email.mg.brand.example/c/" + token
    assert len(url) < 16384
    link = unwrap(url)
    assert link.status == "unchanged"  # signature-only rule, payload refused: treated as a page
    assert link.final == url


def test_non_str_is_a_type_error():
    with pytest.raises(TypeError):
        unwrap(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        unwrap(b"https://www.example.com/")  # type: ignore[arg-type]


HOSTS = [
    ("www.example.com", True), ("example.com.", True), ("a-b.example", True), ("_dmarc.example.com", True),
    ("xn--bcher-kva.example", True), ("bücher.example", True), ("127.0.0.1", True), ("[::1]", True),
    ("[2001:db8::1]", True), ("localhost", False), ("", False), (".", False), ("-a.example", False),
    ("a-.example", False), ("a..example", False), ("0177.0.0.1", False), ("127.1", False), ("0x7f.0.0.1", False),
    ("2130706433", False), ("1.2.3.4.5", False), ("[::1%eth0]", False), ("[zz::1]", False), ("[::1", False),
    ("exa%6dple.com", False), ("a" * 64 + ".example", False), ("example.123", False),
]


@pytest.mark.parametrize("host,ok", HOSTS)
def test_valid_host(host, ok):
    assert valid_host(host) is ok


def test_check_original_allows_single_label_but_accept_does_not():
    assert check_original("http://intranet/wiki?utm_source=x") is not None
    assert accept("http://intranet/wiki") is None


@pytest.mark.parametrize("candidate,expected", [
    ("https://www.example.com/a?b=c#d", "https://www.example.com/a?b=c#d"),
    ("  https://www.example.com/  ", "https://www.example.com/"),
    ("HTTP://WWW.EXAMPLE.COM/", "HTTP://WWW.EXAMPLE.COM/"),
    ("https://www.example.com:443/", "https://www.example.com:443/"),
    ("https://[2001:db8::1]:8443/x", "https://[2001:db8::1]:8443/x"),
    ("https://www.example.com", "https://www.example.com"),
    ("www.example.com/no-scheme", None),
    ("https://www.example.com:/", None),
    ("https://www.example.com:65536/", None),
    (None, None),
    (b"https://www.example.com/", None),
])
def test_accept(candidate, expected):
    assert accept(candidate) == expected
