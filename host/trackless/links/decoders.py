"""Decoder steps: small named functions a wrapper rule chains into a pipeline.

A rule's ``decode`` is a list of steps, e.g.::

    decode = [{step = "query", name = "url"}, {step = "percent_decode"}]

Each step takes the current value (the wrapper URL at first; ``str`` or
``bytes``) and returns the next value, or None when it does not apply (the
pipeline then fails and the link is not unwrapped). Steps never raise: a
failure is a None. ``STEPS`` maps a name to ``(factory, argspec)``; the rule
loader checks arguments against the argspec and builds each step once.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Callable
from urllib.parse import unquote

from .urls import split

__all__ = ["STEPS", "Step", "run_pipeline", "proofpoint_v3"]

Value = str | bytes
Step = Callable[[Value], Value | None]

_MAX_DECODED = 65536  # cap on any decoded payload (zlib bombs, huge JSON)


def _text(value: Value) -> str | None:
    if isinstance(value, str):
        return value
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _unquote_strict(text: str) -> str | None:
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return None


def _is_http(text: str) -> bool:
    head = text[:8].lower()
    return head.startswith("http://") or head.startswith("https://")


# -- steps on the URL ---------------------------------------------------------

def query(name: str | None = None, names: list | None = None, require_url: bool = False) -> Step:
    """The raw value of the first query parameter named ``name`` (or the first of
    ``names``, in URL order). ``require_url``: only a value that is (or
    percent-decodes to) an absolute http(s) URL counts."""
    wanted = [name] if name is not None else list(names or ())

    def step(value: Value) -> Value | None:
        text = _text(value)
        parts = split(text) if text is not None else None
        if parts is None or not parts.query:
            return None
        for seg in parts.query.split("&"):
            key, sep, val = seg.partition("=")
            if not sep or key not in wanted:
                continue
            if require_url:
                decoded = val if _is_http(val) else (_unquote_strict(val) or "")
                if not _is_http(decoded):
                    continue
            return val
        return None

    return step


def rest_after_param(name: str) -> Step:
    """Everything after ``name=`` in the query, fragment included (the target of
    Commanders Act links is often not percent-encoded, so its own ``&`` and
    ``#`` belong to it)."""

    def step(value: Value) -> Value | None:
        text = _text(value)
        if text is None:
            return None
        q = text.find("?")
        if q < 0:
            return None
        rest = text[q + 1 :]
        pos = 0
        key = name + "="
        while True:
            if rest.startswith(key, pos):
                found = rest[pos + len(key) :]
                return found or None
            nxt = rest.find("&", pos)
            if nxt < 0:
                return None
            pos = nxt + 1

    return step


def path_segment(index: int) -> Step:
    """The raw path segment at ``index`` (0 = first after the leading ``/``;
    negative counts from the end, ignoring a trailing empty segment)."""

    def step(value: Value) -> Value | None:
        text = _text(value)
        parts = split(text) if text is not None else None
        if parts is None:
            return None
        segs = parts.path.split("/")[1:]
        if segs and segs[-1] == "" and index < 0:
            segs = segs[:-1]
        try:
            seg = segs[index]
        except IndexError:
            return None
        return seg or None

    return step


def regex(pattern: str, group: int = 1) -> Step:
    """Capture group ``group`` of ``pattern`` searched in the current value
    (ClearURLs style: the capture is the wrapped target)."""
    rx = re.compile(pattern)

    def step(value: Value) -> Value | None:
        text = _text(value)
        if text is None:
            return None
        m = rx.search(text)
        if m is None:
            return None
        try:
            return m.group(group) or None
        except IndexError:
            return None

    return step


# -- transforms ---------------------------------------------------------------

def percent_decode(when: str = "always") -> Step:
    """Percent-decode once (``+`` stays ``+``). ``when = "encoded"``: only if the
    value does not already start with ``http://`` or ``https://``."""

    def step(value: Value) -> Value | None:
        text = _text(value)
        if text is None:
            return None
        if when == "encoded" and _is_http(text):
            return text
        return _unquote_strict(text)

    return step


def strip_prefix(prefix: str) -> Step:
    """Remove a fixed prefix; fail when it is absent (Bing's ``a1``)."""

    def step(value: Value) -> Value | None:
        text = _text(value)
        if text is None or not text.startswith(prefix):
            return None
        return text[len(prefix) :] or None

    return step


def prepend(prefix: str) -> Step:
    """Put a fixed prefix in front (Google AMP's ``/amp/s/<host>/...`` -> ``https://``)."""

    def step(value: Value) -> Value | None:
        text = _text(value)
        return prefix + text if text else None

    return step


_B64_STD = re.compile(r"[A-Za-z0-9+/]+={0,2}\Z")
_B64_URL = re.compile(r"[A-Za-z0-9_-]+={0,2}\Z")


def b64(alphabet: str = "any", padding: str = "optional") -> Step:
    """Base64 decode to bytes: ``standard`` (+/), ``url`` (-_) or ``any``;
    ``padding = "optional"`` accepts missing ``=``."""

    def step(value: Value) -> Value | None:
        text = _text(value)
        if text is None or len(text) > _MAX_DECODED * 2:
            return None
        text = text.strip()
        ok_std = alphabet in ("standard", "any") and _B64_STD.match(text)
        ok_url = alphabet in ("url", "any") and _B64_URL.match(text)
        if not (ok_std or ok_url):
            return None
        body = text.rstrip("=")
        if padding == "required" and len(text) % 4:
            return None
        if len(body) % 4 == 1:
            return None
        padded = body + "=" * (-len(body) % 4)
        try:
            if ok_std and not ok_url:
                return base64.b64decode(padded, validate=True)
            if ok_url and not ok_std:
                return base64.urlsafe_b64decode(padded)
            return base64.b64decode(padded, validate=True)  # only [A-Za-z0-9]: same in both
        except (binascii.Error, ValueError):
            return None

    return step


def zlib_step(format: str = "auto") -> Step:  # noqa: A002 - rule argument name
    """Inflate (zlib or gzip header with ``auto``; ``raw`` for bare deflate),
    capped at 64 KiB of output."""
    wbits = {"auto": 47, "zlib": 15, "raw": -15}[format]

    def step(value: Value) -> Value | None:
        data = value if isinstance(value, bytes) else None
        if data is None:
            return None
        try:
            d = zlib.decompressobj(wbits)
            out = d.decompress(data, _MAX_DECODED)
            if d.unconsumed_tail or not d.eof:
                return None
            return out
        except zlib.error:
            return None

    return step


def json_field(path) -> Step:
    """Parse the value as JSON and walk ``path`` (a key or a list of keys);
    a string result that is itself JSON can be walked by a further
    ``json_field`` (nested JSON, as Mandrill does)."""
    keys = [path] if isinstance(path, str) else list(path)

    def step(value: Value) -> Value | None:
        text = _text(value)
        if text is None or len(text) > _MAX_DECODED:
            return None
        try:
            obj = json.loads(text)
        except ValueError:
            return None
        for key in keys:
            if not isinstance(obj, dict) or key not in obj:
                return None
            obj = obj[key]
        return obj if isinstance(obj, str) and obj else None

    return step


def form_field(name: str) -> Step:
    """The raw value of ``name`` in a value that is itself a query string
    (``a=1&l=...``), as Mailgun's inflated payload is."""

    def step(value: Value) -> Value | None:
        text = _text(value)
        if text is None:
            return None
        for seg in text.lstrip("?").split("&"):
            key, sep, val = seg.partition("=")
            if sep and key == name:
                return val or None
        return None

    return step


# -- vendor schemes -------------------------------------------------------------

# Proofpoint v3 run-length code: "**X" stands for a run of N characters, where
# X is A-Z a-z 0-9 - _ for N = 2, 3, ... 65 (Proofpoint's published decoder).
_RUN = {c: i + 2 for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}
_V3 = re.compile(r"/v3/__(.+?)__;([A-Za-z0-9_-]*)!!", re.S)
_V3_PLAIN = re.compile(r"/v3/__(.+?)__!!", re.S)


def proofpoint_v3(text: str) -> str | None:
    m = _V3.search(text)
    if m is None:
        m2 = _V3_PLAIN.search(text)
        return m2.group(1) if m2 and "*" not in m2.group(1) else None
    url, blob = m.groups()
    raw = b64("url")(blob) if blob else b""
    if raw is None:
        return None
    chars = _text(raw)
    if chars is None:
        return None
    out: list[str] = []
    i = pos = 0
    n = len(url)
    while i < n:
        c = url[i]
        if c != "*":
            out.append(c)
            i += 1
            continue
        if i + 2 < n and url[i + 1] == "*" and url[i + 2] in _RUN:
            run = _RUN[url[i + 2]]
            if pos + run > len(chars):
                return None
            out.append(chars[pos : pos + run])
            pos += run
            i += 3
            continue
        if pos >= len(chars):
            return None
        out.append(chars[pos])
        pos += 1
        i += 1
    if pos != len(chars):
        return None  # every replacement character must be used exactly once
    return "".join(out)


def proofpoint(version: int) -> Step:
    """Proofpoint URL Defense: v1 ``u=`` percent-encoded; v2 ``u=`` with ``-``
    for ``%`` and ``_`` for ``/``; v3 ``/v3/__URL__;BLOB!!...`` where each
    ``*`` in URL takes the next character of base64url(BLOB)."""
    take_u = query("u")

    def step(value: Value) -> Value | None:
        text = _text(value)
        if text is None:
            return None
        if version == 3:
            return proofpoint_v3(text)
        u = take_u(text)
        if not isinstance(u, str):
            return None
        if version == 2:
            u = u.replace("-", "%").replace("_", "/")
        return _unquote_strict(u)

    return step


_POSTMARK = re.compile(r"\A/([0-9]+[a-z]*)/([^/]+)")


def postmark() -> Step:
    """Postmark ``/<2|2s|3|3s|..>/<percent-encoded host+path>/...``: the version
    token's ``s`` means https, else http."""

    def step(value: Value) -> Value | None:
        text = _text(value)
        parts = split(text) if text is not None else None
        if parts is None:
            return None
        m = _POSTMARK.match(parts.path)
        if m is None:
            return None
        version, encoded = m.groups()
        rest = _unquote_strict(encoded)
        if not rest or "://" in rest[:12]:
            return None
        return ("https://" if "s" in version else "http://") + rest

    return step


#: name -> (factory, {arg: (types, required)})
STEPS: dict[str, tuple[Callable[..., Step], dict[str, tuple[tuple[type, ...], bool]]]] = {
    "query": (query, {"name": ((str,), False), "names": ((list,), False), "require_url": ((bool,), False)}),
    "rest_after_param": (rest_after_param, {"name": ((str,), True)}),
    "path_segment": (path_segment, {"index": ((int,), True)}),
    "regex": (regex, {"pattern": ((str,), True), "group": ((int,), False)}),
    "percent_decode": (percent_decode, {"when": ((str,), False)}),
    "strip_prefix": (strip_prefix, {"prefix": ((str,), True)}),
    "prepend": (prepend, {"prefix": ((str,), True)}),
    "base64": (b64, {"alphabet": ((str,), False), "padding": ((str,), False)}),
    "zlib": (zlib_step, {"format": ((str,), False)}),
    "json_field": (json_field, {"path": ((str, list), True)}),
    "form_field": (form_field, {"name": ((str,), True)}),
    "proofpoint": (proofpoint, {"version": ((int,), True)}),
    "postmark": (postmark, {}),
}

#: allowed values of enumerated arguments, checked at load
CHOICES = {
    ("percent_decode", "when"): ("always", "encoded"),
    ("base64", "alphabet"): ("standard", "url", "any"),
    ("base64", "padding"): ("optional", "required"),
    ("zlib", "format"): ("auto", "zlib", "raw"),
    ("proofpoint", "version"): (1, 2, 3),
}


def run_pipeline(steps: tuple[Step, ...], url: str, seen: list[str] | None = None) -> str | None:
    """Run steps over ``url``; the final value as text, or None. Decoded
    intermediate texts are appended to ``seen`` (for recipient-id checks)."""
    value: Value | None = url
    for step in steps:
        value = step(value)
        if value is None:
            return None
        if seen is not None:
            t = _text(value)
            if t is not None:
                seen.append(t)
    return _text(value) if value is not None else None
