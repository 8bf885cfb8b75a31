"""What a URL reference in a mail points at: local, remote, data: or active.

Browsers strip leading/trailing C0 controls and spaces from URL attributes
and drop tabs and newlines anywhere, treat ``\\`` like ``/`` in http URLs,
and accept ``https:host/x`` and protocol-relative ``//host``. A reference is
judged the way the engine would load it; anything with an unknown scheme is
treated as remote (fail closed).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

__all__ = ["Ref", "classify_ref", "clean_ref", "data_uri_info", "LOCAL_SCHEMES", "ACTIVE_SCHEMES"]

#: Schemes that stay inside the message or Thunderbird (never a network fetch).
LOCAL_SCHEMES = frozenset({
    "cid", "mid", "mailbox", "mailbox-message", "imap", "imap-message",
    "news-message", "ews", "owl", "about",
})
# news:, snews: and nntp: are not local: ``news://evil.example/x`` makes
# Thunderbird connect to that server. Like every other scheme, they count as remote.
#: Schemes that run code instead of fetching (Thunderbird disables scripts; removed anyway).
ACTIVE_SCHEMES = frozenset({"javascript", "vbscript", "livescript"})
#: data: types that are inert pictures or fonts.
RASTER_TYPES = frozenset({
    "image/png", "image/apng", "image/jpeg", "image/jpg", "image/pjpeg", "image/gif", "image/webp",
    "image/bmp", "image/x-ms-bmp", "image/x-icon", "image/vnd.microsoft.icon", "image/avif",
})
FONT_PREFIXES = ("font/", "application/font-", "application/x-font-", "application/vnd.ms-fontobject")

_STRIP = "".join(chr(c) for c in range(0x21)) + "\x7f"
_TABNL = re.compile(r"[\t\n\r]")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def clean_ref(value: str) -> str:
    """The reference as an engine reads it: trimmed, no tabs/newlines."""
    return _TABNL.sub("", value.strip(_STRIP))


@dataclass(frozen=True)
class Ref:
    """A classified reference.

    cls: ``"remote"``, ``"local"``, ``"data"``, ``"active"`` or ``"empty"``.
    url: for remote references, the absolute URL the engine would fetch
    (joined with a remote ``<base>``, ``//`` given ``https:``); else the cleaned value.
    """

    cls: str
    url: str


def classify_ref(value: str, base: str | None = None) -> Ref:
    v = clean_ref(value)
    if not v:
        return Ref("empty", v)
    m = _SCHEME.match(v)
    if m:
        scheme = m.group(1).lower()
        if scheme in ("http", "https"):
            rest = v[m.end():].replace("\\", "/")
            if not rest.startswith("//"):
                rest = "//" + rest.lstrip("/")  # https:host/x is https://host/x
            return Ref("remote", f"{scheme}:{rest}")
        if scheme == "data":
            return Ref("data", v)
        if scheme in ACTIVE_SCHEMES:
            return Ref("active", v)
        if scheme in LOCAL_SCHEMES:
            return Ref("local", v)
        return Ref("remote", v)  # ftp:, ws:, file:, resource:, unknown: fail closed
    if v.startswith(("//", "\\\\", "/\\", "\\/")):
        return Ref("remote", "https:" + "//" + v[2:].replace("\\", "/"))
    if base is not None and not v.startswith("#"):
        return Ref("remote", urljoin(base, v))
    return Ref("local", v)


def data_uri_info(value: str) -> tuple[str, bytes | None]:
    """(media type, decoded payload or None if undecodable) of a data: URI."""
    v = clean_ref(value)
    head, sep, payload = v[5:].partition(",")
    params = [p.strip().lower() for p in head.split(";")]
    mediatype = params[0] or "text/plain"
    if not sep:
        return mediatype, None
    try:
        if "base64" in params[1:]:
            raw = unquote_to_bytes(payload)
            raw = re.sub(rb"\s+", b"", raw)
            return mediatype, base64.b64decode(raw + b"=" * (-len(raw) % 4), validate=False)
        return mediatype, unquote_to_bytes(payload)
    except (ValueError, TypeError):
        return mediatype, None


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""
