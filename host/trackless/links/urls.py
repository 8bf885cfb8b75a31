"""Splitting http(s) URLs by hand, without normalising anything.

The link engine must hand back every part of a URL it did not mean to change
byte for byte (encoding, empty ``?``, empty ``#``, separators), so it never
rebuilds URLs with ``urlunsplit``. ``split`` is also the second, independent
parser that ``validate`` compares with ``urllib.parse``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Parts", "split", "query_segments", "segment_name", "first_values"]

# scheme "://" authority path ["?" query] ["#" fragment]; exactly two slashes.
_HTTP = re.compile(r"(?i)(https?)://([^/\\?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?\Z", re.S)


@dataclass(frozen=True)
class Parts:
    scheme: str          # lower-case "http" / "https"
    authority: str       # as written
    host: str            # lower-cased host (IPv6 keeps its brackets)
    port: str | None     # digits as written, or None
    path: str            # as written ("" allowed)
    query: str | None    # as written without "?", None when there is no "?"
    fragment: str | None  # as written without "#", None when there is no "#"
    userinfo: bool       # authority carries "user@" or "user:pass@"


def split(url: str) -> Parts | None:
    """Split an absolute http(s) URL; None for anything else (no exceptions)."""
    m = _HTTP.match(url)
    if m is None:
        return None
    scheme, authority, path, query, fragment = m.groups()
    userinfo = "@" in authority
    hostport = authority.rpartition("@")[2]
    port = None
    if hostport.startswith("["):
        end = hostport.find("]")
        if end < 0:
            return None
        host, rest = hostport[: end + 1], hostport[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                return None
            port = rest[1:]
    else:
        host, sep, p = hostport.partition(":")
        if sep:
            port = p
    return Parts(scheme.lower(), authority, host.lower(), port, path, query, fragment, userinfo)


def query_segments(query: str) -> list[str]:
    """Raw ``&``-separated segments, empties kept (``a=1&&b`` -> ``['a=1', '', 'b']``).

    ``;`` is deliberately not a separator: a segment containing ``;`` is
    ambiguous (some servers split on it, most do not) and is kept whole.
    """
    return query.split("&")


def segment_name(segment: str) -> str:
    """The raw (still percent-encoded) name of one query segment."""
    return segment.partition("=")[0]


def first_values(query: str | None) -> dict[str, str]:
    """name -> first raw value, names as written (not decoded)."""
    out: dict[str, str] = {}
    if not query:
        return out
    for seg in query.split("&"):
        name, _, value = seg.partition("=")
        if name and name not in out:
            out[name] = value
    return out
