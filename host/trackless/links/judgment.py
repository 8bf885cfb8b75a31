"""The list-free judgment: is a link no rule names a per-recipient click tracker?

A click tracker sends the reader through a host that is not the destination's
and names the reader with a random-looking token. Without a list we cannot
know the destination's host, but the link's own shape tells:

* a **token**: a path segment or query value that looks random (long,
  letters and digits mixed, no words; ``tokens.looks_like_token`` or a
  lower-case id with many letter/digit changes such as ``b09ec13a504ro9gus``);
* and a **redirect shape**: the host is a tracking-shaped subdomain of its
  site (``click.``, ``links.``, ``t.``, ``email.``, ``go.`` ...), or the path
  has no words at all (only tokens, numbers and one- to three-letter
  segments, the token in the path itself).

Then the link is tracked: ``unwrapped`` when a path segment or query value
base64-decodes to an http(s) URL (the destination), else ``opaque``. The
evidence goes into the link's ``reason``.

``id_left(parts)`` answers the other question (a link that was only cleaned):
does a query value still look like an id of the reader?

Pure: no I/O.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from ..core.tokens import tokenish, tracking_host
from .urls import Parts

__all__ = ["Judgment", "judge", "id_left"]

_B64_URL = re.compile(r"aHR0c[A-Za-z0-9_\-+/]{8,}={0,2}\Z")  # base64 of "http..."
#: Query keys whose values are never ids of the reader.
_BENIGN_KEYS = frozenset({"w", "h", "width", "height", "size", "format", "fm", "fit", "crop", "q", "quality",
                          "v", "ver", "version", "auto", "dpr", "lang", "locale", "hl", "page", "p", "sort",
                          "color", "colour", "s", "search", "query", "tab", "view", "ref_src", "list"})


@dataclass(frozen=True)
class Judgment:
    """A link judged tracked: ``dest`` the decoded destination (None: opaque),
    ``token`` the random-looking value, ``reason`` the evidence in words."""

    dest: str | None
    token: str
    reason: str


def _short(token: str) -> str:
    return token if len(token) <= 16 else token[:12] + "..."


def _b64_url(value: str) -> str | None:
    if not _B64_URL.match(value):
        return None
    body = value.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("utf-8")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    return text if text.lower().startswith(("http://", "https://")) else None


def _query_items(query: str | None) -> list[tuple[str, str]]:
    if not query:
        return []
    out = []
    for seg in query.split("&"):
        name, eq, value = seg.partition("=")
        out.append((name, value) if eq else ("", name))  # a keyless segment is a value
    return out


def judge(parts: Parts, accept) -> Judgment | None:
    """The list-free verdict for one link (``accept`` validates a decoded URL)."""
    segments = [s for s in parts.path.split("/") if s]
    path_tokens = [s for s in segments if tokenish(s.rsplit(".", 1)[0] if "." in s[-6:] else s)]
    query = _query_items(parts.query)
    query_tokens = [v for k, v in query if k.lower() not in _BENIGN_KEYS and tokenish(v)]
    if not path_tokens and not query_tokens:
        return None
    token = (path_tokens or query_tokens)[0]
    # a destination in base64 (ConvertKit-, Sailthru-like): unwrap
    for value in segments + [v for _k, v in query]:
        decoded = _b64_url(value)
        if decoded is not None:
            dest = accept(decoded)
            if dest is not None:
                return Judgment(dest, token, f"destination decoded from base64 in the link through {parts.host}")
    if tracking_host(parts.host):
        return Judgment(None, token, f"random-looking id {_short(token)!r} in a link through the tracking-shaped "
                                     f"host {parts.host}")
    wordless = all(s in path_tokens or s.isdigit() or len(s) <= 3 for s in segments)
    keyless = bool(query) and all(not k for k, _v in query)
    if (path_tokens or (keyless and query_tokens)) and wordless and all(len(k) <= 3 for k, _v in query):
        return Judgment(None, token, f"random-looking id {_short(token)!r} in a link with no page name "
                                     f"(path {parts.path[:40] or '/'})")
    return None


def id_left(parts: Parts) -> str | None:
    """A query parameter of a (cleaned) page link that still names the reader:
    ``name=value`` with a random-looking value, or None."""
    for name, value in _query_items(parts.query):
        if name and name.lower() not in _BENIGN_KEYS and tokenish(value):
            return f"{name}={_short(value)}"
    return None
