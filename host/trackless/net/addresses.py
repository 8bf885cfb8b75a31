"""The SSRF address rules: which URLs and which IP addresses may be contacted.

Pure functions, no I/O. Two checks, both applied on every hop:

* ``check_url(url)`` -- the URL policy: ``http``/``https`` only, no
  credentials (not even an empty ``user@``), a host, a sane length, and a
  port that is not on the Fetch standard's "bad port" list (the ports a
  browser refuses: SMTP, IMAP, SSH, ...). Any other explicit port is allowed,
  because the address rule below is what protects the local network.
* ``address_refusal(ip)`` -- why an address must not be contacted, or None.
  The rule is an allowlist in spirit: only globally routable unicast passes.
  IPv4: "this network" 0/8, private 10/8 172.16/12 192.168/16, CGNAT
  100.64/10, loopback 127/8, link-local 169.254/16, IETF 192.0.0/24,
  documentation 192.0.2/24 198.51.100/24 203.0.113/24, 6to4 relay
  192.88.99/24, benchmarking 198.18/15, multicast 224/4, reserved 240/4,
  broadcast. IPv6: only 2000::/3 (global unicast) and the NAT64 well-known
  prefix can pass; inside 2000::/3 the documentation (2001:db8::/32,
  3fff::/20), IETF/Teredo/benchmarking (2001::/23) and SRv6 (5f00::/16 lies
  outside anyway) ranges are refused; 6to4 (2002::/16) and NAT64
  (64:ff9b::/96) are judged by the IPv4 address they embed; the local-use
  NAT64 prefix 64:ff9b:1::/48 (network-specific mapping, cannot be judged),
  IPv4-mapped ``::ffff:a.b.c.d`` and IPv4-compatible ``::a.b.c.d`` forms,
  ULA, link-local, site-local, multicast and scoped addresses are refused.

Host strings are never trusted: ``0177.0.0.1``, ``2130706433``, ``127.1``
and ``0x7f.1`` all mean 127.0.0.1 to the system resolver. ``loose_ipv4``
reads them exactly as ``inet_aton`` does so they are refused before any
lookup, and the transport vets again the address it actually connects to.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import RefusedError

__all__ = [
    "Target", "check_url", "address_refusal", "vet_address", "loose_ipv4", "BAD_PORTS",
    "MAX_URL_LENGTH",
]

MAX_URL_LENGTH = 8192

#: The Fetch standard's "bad ports" (https://fetch.spec.whatwg.org/#port-blocking).
BAD_PORTS = frozenset({
    0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95,
    101, 102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179,
    389, 427, 465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601,
    636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566,
    6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
})

_N4 = ipaddress.IPv4Network
_N6 = ipaddress.IPv6Network

#: (network, reason) for IPv4, most specific first where they overlap.
_V4_RULES: tuple[tuple[ipaddress.IPv4Network, str], ...] = (
    (_N4("255.255.255.255/32"), "broadcast"),
    (_N4("0.0.0.0/32"), "unspecified"),
    (_N4("0.0.0.0/8"), "this-network"),
    (_N4("10.0.0.0/8"), "private"),
    (_N4("100.64.0.0/10"), "cgnat"),
    (_N4("127.0.0.0/8"), "loopback"),
    (_N4("169.254.0.0/16"), "link-local"),
    (_N4("172.16.0.0/12"), "private"),
    (_N4("192.0.0.0/24"), "ietf-reserved"),
    (_N4("192.0.2.0/24"), "documentation"),
    (_N4("192.88.99.0/24"), "6to4-relay"),
    (_N4("192.168.0.0/16"), "private"),
    (_N4("198.18.0.0/15"), "benchmarking"),
    (_N4("198.51.100.0/24"), "documentation"),
    (_N4("203.0.113.0/24"), "documentation"),
    (_N4("224.0.0.0/4"), "multicast"),
    (_N4("240.0.0.0/4"), "reserved"),
)

_V6_UNSPECIFIED = ipaddress.IPv6Address("::")
_V6_LOOPBACK = ipaddress.IPv6Address("::1")
_V6_MAPPED = _N6("::ffff:0:0/96")
_V6_COMPAT = _N6("::/96")
_V6_NAT64 = _N6("64:ff9b::/96")
_V6_NAT64_LOCAL = _N6("64:ff9b:1::/48")
_V6_6TO4 = _N6("2002::/16")
_V6_TEREDO = _N6("2001::/32")
_V6_GLOBAL_UNICAST = _N6("2000::/3")
#: Refused inside 2000::/3, and well-known ranges outside it (for a better reason).
_V6_RULES: tuple[tuple[ipaddress.IPv6Network, str], ...] = (
    (_N6("2001:db8::/32"), "documentation"),
    (_N6("3fff::/20"), "documentation"),
    (_N6("2001:2::/48"), "benchmarking"),
    (_N6("2001::/23"), "ietf-reserved"),
    (_N6("fc00::/7"), "private"),
    (_N6("fe80::/10"), "link-local"),
    (_N6("fec0::/10"), "site-local"),
    (_N6("ff00::/8"), "multicast"),
    (_N6("100::/64"), "discard"),
    (_N6("5f00::/16"), "srv6"),
)


def _v4_refusal(ip: ipaddress.IPv4Address) -> str | None:
    for net, reason in _V4_RULES:
        if ip in net:
            return reason
    return None


def address_refusal(ip) -> str | None:
    """Why ``ip`` (str or ipaddress object) must not be contacted, or None if it may.

    An unparsable address is refused (``"not an address"``).
    """
    if isinstance(ip, str):
        text = ip.strip().strip("[]")
        if "%" in text:
            return "scoped"
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            return "not an address"
    if isinstance(ip, ipaddress.IPv4Address):
        return _v4_refusal(ip)
    if getattr(ip, "scope_id", None):
        return "scoped"
    if ip == _V6_UNSPECIFIED:
        return "unspecified"
    if ip == _V6_LOOPBACK:
        return "loopback"
    if ip in _V6_MAPPED:
        return "ipv4-mapped"
    if ip in _V6_COMPAT:
        return "ipv4-compatible"
    if ip in _V6_NAT64_LOCAL:
        return "nat64-local"
    if ip in _V6_NAT64:
        inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        why = _v4_refusal(inner)
        return f"nat64 of {why} {inner}" if why else None
    if ip in _V6_TEREDO:
        return "teredo"
    if ip in _V6_6TO4:
        inner = ip.sixtofour
        why = _v4_refusal(inner)
        return f"6to4 of {why} {inner}" if why else None
    for net, reason in _V6_RULES:
        if ip in net:
            return reason
    if ip not in _V6_GLOBAL_UNICAST:
        return "reserved"
    return None


def vet_address(ip, *, allow_private: bool = False) -> None:
    """Raise ``RefusedError`` if ``ip`` must not be contacted (unless ``allow_private``)."""
    if allow_private:
        if address_refusal(ip) == "not an address":
            raise RefusedError(f"refused: {ip!r} is not an IP address")
        return
    why = address_refusal(ip)
    if why:
        raise RefusedError(f"refused: {ip} is a {why} address")


_LOOSE_PART = re.compile(r"^(?:0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)$")


def loose_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Read ``host`` as ``inet_aton`` would (1-4 parts, octal/hex/decimal), or None.

    ``0177.0.0.1``, ``2130706433``, ``127.1`` and ``0x7f.1`` all give 127.0.0.1.
    """
    host = host.rstrip(".") if host.count(".") <= 4 else host
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_LOOSE_PART.match(p) for p in parts):
        return None
    values = []
    for p in parts:
        if p[:2].lower() == "0x":
            values.append(int(p[2:] or "0", 16))
        elif len(p) > 1 and p[0] == "0":
            values.append(int(p, 8))
        else:
            values.append(int(p))
    *head, last = values
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return None
    n = 0
    for v in head:
        n = n * 256 + v
    n = (n << (8 * (4 - len(head)))) | last
    return ipaddress.IPv4Address(n)


@dataclass(frozen=True)
class Target:
    """A URL that passed ``check_url``: what to connect to and what to send."""

    url: str
    scheme: str
    host: str  # ASCII (IDNA) host, no brackets, no trailing dot
    port: int
    path: str  # path + query, never empty ("/")
    literal: str | None  # the host as an IP address when it is one

    @property
    def host_header(self) -> str:
        h = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return h if self.port == default else f"{h}:{self.port}"


def check_url(url: str) -> Target:
    """Apply the URL policy; raise ``RefusedError`` with a clear message when refused."""
    if not isinstance(url, str) or not url:
        raise RefusedError("refused: empty URL")
    if len(url) > MAX_URL_LENGTH:
        raise RefusedError(f"refused: URL longer than {MAX_URL_LENGTH} characters")
    if any(ord(c) <= 0x20 or ord(c) == 0x7F for c in url):
        raise RefusedError("refused: URL contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedError(f"refused: malformed URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise RefusedError(f"refused: only http and https URLs are resolved, not {scheme or 'a relative URL'}")
    if "@" in parts.netloc:
        raise RefusedError("refused: URL carries credentials (user@host)")
    raw_host = parts.hostname or ""
    if not raw_host:
        raise RefusedError("refused: URL has no host")
    literal: str | None = None
    if parts.netloc.startswith("["):
        try:
            literal = str(ipaddress.IPv6Address(raw_host))
        except ValueError:
            raise RefusedError(f"refused: bad IPv6 literal {raw_host!r}") from None
        host = literal
    else:
        host = raw_host.rstrip(".")
        if not host:
            raise RefusedError("refused: URL has no host")
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            raise RefusedError(f"refused: host {raw_host!r} is not a valid domain name") from None
        loose = loose_ipv4(host)
        if loose is not None:
            literal = str(loose)
        elif not re.fullmatch(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*", host):
            raise RefusedError(f"refused: host {raw_host!r} is not a valid domain name")
    if port is None:
        port = 443 if scheme == "https" else 80
    if port in BAD_PORTS:
        raise RefusedError(f"refused: port {port} is blocked (a non-web service port)")
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(url=url, scheme=scheme, host=host, port=port, path=path, literal=literal)
