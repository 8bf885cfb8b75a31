"""Table tests of the SSRF rules: every numeric and IPv6 form, and the URL policy."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

import pytest
from hypothesis import given, strategies as st

from trackless.errors import RefusedError
from trackless.net.addresses import BAD_PORTS, address_refusal, check_url, loose_ipv4, vet_address

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.255.254", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("100.64.0.1", "cgnat"),
    ("100.127.255.254", "cgnat"),
    ("169.254.169.254", "link-local"),
    ("0.0.0.0", "unspecified"),
    ("0.1.2.3", "this-network"),
    ("224.0.0.1", "multicast"),
    ("239.255.255.250", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "broadcast"),
    ("192.0.0.9", "ietf-reserved"),
    ("192.0.2.10", "documentation"),
    ("198.51.100.7", "documentation"),
    ("203.0.113.99", "documentation"),
    ("198.18.0.1", "benchmarking"),
    ("192.88.99.1", "6to4-relay"),
    ("::1", "loopback"),
    ("[::1]", "loopback"),
    ("::", "unspecified"),
    ("::ffff:127.0.0.1", "ipv4-mapped"),
    ("::ffff:8.8.8.8", "ipv4-mapped"),
    ("::127.0.0.1", "ipv4-compatible"),
    ("64:ff9b::7f00:1", "nat64 of loopback 127.0.0.1"),
    ("64:ff9b::a9fe:a9fe", "nat64 of link-local 169.254.169.254"),
    ("64:ff9b::10.0.0.1", "nat64 of private 10.0.0.1"),
    ("64:ff9b:1::8.8.8.8", "nat64-local"),
    ("2002:7f00:1::", "6to4 of loopback 127.0.0.1"),
    ("2002:c0a8:101::1", "6to4 of private 192.168.1.1"),
    ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "teredo"),
    ("fe80::1", "link-local"),
    ("fe80::1%eth0", "scoped"),
    ("fec0::1", "site-local"),
    ("fc00::1", "private"),
    ("fd12:3456:789a::1", "private"),
    ("ff02::1", "multicast"),
    ("2001:db8::1", "documentation"),
    ("3fff::1", "documentation"),
    ("2001:2::1", "benchmarking"),
    ("2001:10::1", "ietf-reserved"),
    ("100::1", "discard"),
    ("4000::1", "reserved"),
    ("not-an-ip", "not an address"),
]

ALLOWED = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "100.63.255.255", "100.128.0.0", "172.32.0.1",
           "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "64:ff9b::808:808", "2002:808:808::1"]


@pytest.mark.parametrize("ip,reason", REFUSED)
def test_refused_addresses(ip, reason):
    assert address_refusal(ip) == reason
    with pytest.raises(RefusedError):
        vet_address(ip)


@pytest.mark.parametrize("ip", ALLOWED)
def test_global_addresses_pass(ip):
    assert address_refusal(ip) is None
    vet_address(ip)


def test_allow_private_lifts_only_the_address_rule():
    vet_address("127.0.0.1", allow_private=True)
    vet_address("::ffff:127.0.0.1", allow_private=True)
    with pytest.raises(RefusedError):
        vet_address("not-an-ip", allow_private=True)


LOOSE = [
    ("0177.0.0.1", "127.0.0.1"),
    ("2130706433", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("0x7f.1", "127.0.0.1"),
    ("0x7F000001", "127.0.0.1"),
    ("017700000001", "127.0.0.1"),
    ("127.0.1", "127.0.0.1"),
    ("0", "0.0.0.0"),
    ("10.0x10.1", "10.16.0.1"),
    ("0xa9.0376.43518", "169.254.169.254"),
    ("8.8.8.8", "8.8.8.8"),
    ("127.0.0.1.", "127.0.0.1"),
]


@pytest.mark.parametrize("host,ip", LOOSE)
def test_loose_ipv4_reads_like_inet_aton(host, ip):
    assert str(loose_ipv4(host)) == ip
    # and the system's own parser agrees (numeric only: no DNS query is possible)
    infos = socket.getaddrinfo(host.rstrip("."), 80, socket.AF_INET, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)
    assert infos[0][4][0] == ip


@pytest.mark.parametrize("host", ["example.com", "1.2.3.4.5", "08.1.1.1", "256.1.1.1", "1.2.3.256",
                                  "4294967296", "", "a.1", "1..1"])
def test_loose_ipv4_rejects_non_numbers(host):
    assert loose_ipv4(host) is None


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_loose_ipv4_decimal_and_hex_roundtrip(n):
    ip = ipaddress.IPv4Address(n)
    assert loose_ipv4(str(n)) == ip
    assert loose_ipv4(hex(n)) == ip
    assert loose_ipv4(str(ip)) == ip


@pytest.mark.parametrize("url,literal", [
    ("http://0177.0.0.1/x", "127.0.0.1"),
    ("http://2130706433/", "127.0.0.1"),
    ("http://127.1/", "127.0.0.1"),
    ("http://0x7f.1/", "127.0.0.1"),
    ("http://[::1]:8080/", "::1"),
    ("http://[::ffff:127.0.0.1]/", "::ffff:7f00:1"),
    ("https://[64:ff9b::7f00:1]/", "64:ff9b::7f00:1"),
])
def test_check_url_exposes_numeric_hosts_as_literals(url, literal):
    t = check_url(url)
    assert t.literal == literal
    assert address_refusal(t.literal) is not None


@pytest.mark.parametrize("url,why", [
    ("ftp://example.com/x", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("file:///etc/passwd", "only http and https"),
    ("/relative/path", "only http and https"),
    ("http://user:pw@example.com/", "credentials"),
    ("http://user@example.com/", "credentials"),
    ("http://@example.com/", "credentials"),
    ("http://example.com@127.0.0.1/", "credentials"),
    ("http://example.com:25/", "port 25"),
    ("http://example.com:22/", "port 22"),
    ("https://example.com:6667/", "port 6667"),
    ("http://example.com:99999/", "malformed"),
    ("http:///nohost", "no host"),
    ("http://exa mple.com/", "spaces"),
    ("http://example.com/\n", "control"),
    ("http://ex_ample!.com/", "not a valid domain"),
    ("http://" + "a" * 9000 + ".com/", "longer than"),
])
def test_url_policy_refusals(url, why):
    with pytest.raises(RefusedError, match=why):
        check_url(url)


@pytest.mark.parametrize("url,host,port,path,header", [
    ("https://Click.Example.COM/ls/click?upn=abc", "click.example.com", 443, "/ls/click?upn=abc", "click.example.com"),
    ("http://example.com:8080", "example.com", 8080, "/", "example.com:8080"),
    ("http://bücher.example/", "xn--bcher-kva.example", 80, "/", "xn--bcher-kva.example"),
    ("http://example.com./a#frag", "example.com", 80, "/a", "example.com"),
    ("http://[2606:4700::1]:8443/x", "2606:4700::1", 8443, "/x", "[2606:4700::1]:8443"),
])
def test_url_policy_accepts_and_normalises(url, host, port, path, header):
    t = check_url(url)
    assert (t.host, t.port, t.path, t.host_header) == (host, port, path, header)


def test_bad_ports_cover_mail_and_shell_services():
    assert {25, 110, 143, 465, 587, 993, 995, 22, 23}.issubset(BAD_PORTS)
    assert 80 not in BAD_PORTS and 443 not in BAD_PORTS and 8080 not in BAD_PORTS


def test_bare_0x_is_read_as_zero_like_bsd_inet_aton():
    # glibc rejects "0x", BSD libcs read it as 0: the stricter reading is refused either way.
    assert str(loose_ipv4("0x")) == "0.0.0.0"
    assert address_refusal(check_url("http://0x/").literal) == "unspecified"


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_ipv4_rule_is_at_least_as_strict_as_python_and_embeddings_agree(n):
    v4 = ipaddress.IPv4Address(n)
    why = address_refusal(v4)
    if why is None:
        assert v4.is_global
    nat64 = ipaddress.IPv6Address((0x0064FF9B << 96) | n)
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (n << 80) | 1)
    assert (address_refusal(nat64) is None) == (why is None)
    assert (address_refusal(sixtofour) is None) == (why is None)
    assert address_refusal(ipaddress.IPv6Address((0xFFFF << 32) | n)) == "ipv4-mapped"


@given(st.integers(min_value=0, max_value=2**128 - 1))
def test_ipv6_rule_passes_only_global_unicast_or_nat64(n):
    ip = ipaddress.IPv6Address(n)
    if address_refusal(ip) is None:
        assert ip in ipaddress.IPv6Network("2000::/3") or ip in ipaddress.IPv6Network("64:ff9b::/96")


@given(st.text(max_size=200))
def test_check_url_fails_closed_on_any_text(text):
    for url in (text, "http://" + text, "https://" + text + "/x"):
        try:
            t = check_url(url)
        except RefusedError:
            continue
        assert t.scheme in ("http", "https") and t.host and 0 < t.port < 65536 and t.port not in BAD_PORTS
        assert "@" not in urlsplit(url).netloc
