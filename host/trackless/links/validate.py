"""Is a URL a safe, well-formed http(s) link? Two parsers must agree.

``accept(candidate)`` is the gate every decoded destination passes before it
may replace a link: absolute http(s) only (never ``javascript:``, ``data:``,
``file:``), a valid host, no credentials, no control characters or
backslashes (browsers read ``\\`` as ``/``), and ``urllib.parse`` and our own
splitter (``urls.split``) must name the same host. Anything else: None, and
the caller keeps the original link.

``check_original(url)`` applies the same host checks to a link as written, so
that rules are never matched against a host a browser would not visit.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

from .urls import Parts, split

__all__ = ["accept", "check_original", "valid_host", "MAX_URL"]

#: Longest URL the engine works on (longer: left as is, status "unchanged").
MAX_URL = 16384

# C0/C1 controls, DEL, bidi overrides/isolates, zero-width and BOM characters.
_BAD_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\\\\]")
_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)\Z")
_IPISH = re.compile(r"(?i)(?:0x[0-9a-f]*|[0-9]+)\Z")


@lru_cache(maxsize=1024)  # pure; the same hosts recur in every link of a mail
def valid_host(host: str, *, require_dot: bool = True) -> bool:
    """A DNS name, a canonical dotted-quad IPv4 or a bracketed IPv6 literal."""
    if not host or len(host) > 253:
        return False
    if host.startswith("["):
        if not host.endswith("]") or "%" in host:
            return False
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
        return True
    name = host[:-1] if host.endswith(".") else host
    if not name:
        return False
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            return False
    labels = name.split(".")
    if _IPISH.match(labels[-1]):
        # Numeric last label: only a canonical IPv4 is a host both parsers and
        # browsers agree on (no 0177.0.0.1, 2130706433, 127.1, 0x7f.1).
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            return False
        return True
    if require_dot and len(labels) < 2:
        return False
    return all(_LABEL.match(label) for label in labels)


@lru_cache(maxsize=512)  # pure (Parts is frozen); a link is checked by the vendor screen, the engine and the cleaner
def _check(url: str, *, require_dot: bool) -> Parts | None:
    if len(url) > MAX_URL or _BAD_CHARS.search(url) or " " in url:
        return None
    parts = split(url)
    if parts is None or parts.userinfo or not valid_host(parts.host, require_dot=require_dot):
        return None
    if parts.port is not None and not (parts.port.isdigit() and parts.port.isascii() and 0 < int(parts.port) < 65536):
        return None
    try:
        other = urlsplit(url)
        other_host = other.hostname
        other.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return None
    ours = parts.host[1:-1] if parts.host.startswith("[") else parts.host
    if other.scheme.lower() != parts.scheme or (other_host or "") != ours:
        return None
    return parts


def check_original(url: str) -> Parts | None:
    """The parts of a link as written if its host is unambiguous, else None."""
    return _check(url, require_dot=False)


def _ascii_host(url: str, parts: Parts) -> str:
    """Rewrite an IDN host to its punycode form (shows homographs as xn--)."""
    host = parts.host
    if host.isascii():
        return url
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:  # pragma: no cover - valid_host already checked
        return url
    start = len(parts.scheme) + 3
    authority = parts.authority
    # the authority has no userinfo here; replace the host part only
    lowered = authority.lower()
    i = lowered.find(host)
    if i < 0:
        return url
    new_authority = authority[:i] + ascii_host + authority[i + len(host) :]
    return url[:start] + new_authority + url[start + len(authority) :]


def accept(candidate: object) -> str | None:
    """The candidate as a safe destination URL, or None.

    Leading/trailing whitespace is trimmed and inner spaces become ``%20``
    (what a browser does); the scheme must be http or https.
    """
    if not isinstance(candidate, str):
        return None
    url = candidate.strip(" \t\r\n")
    if " " in url:
        url = url.replace(" ", "%20")
    parts = _check(url, require_dot=True)
    if parts is None:
        return None
    return _ascii_host(url, parts)
