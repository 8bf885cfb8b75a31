"""Per-recipient tokens: long random-looking ids in a URL's path or query. Pure.

Tracking URLs carry an id unique to the reader (``?e=5a4b3c2d1e9f``,
``/o/eJwlzEsOgjAQ...``). A content image's file name may be a content hash
(``/img/8f3a9c...d2.png``): a token in a file name with an image extension
does not count.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from urllib.parse import SplitResult, parse_qsl, urlsplit

__all__ = ["find_token"]

_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
_HEX = re.compile(r"^[0-9a-f]{20,}$", re.I)
_B64ISH = re.compile(r"^[A-Za-z0-9_\-+/=.%]{20,}$")
_IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp|ico|avif)$", re.I)
#: Query keys whose values are never per-recipient (layout, sizes, versions).
_BENIGN_KEYS = frozenset({"w", "h", "width", "height", "size", "format", "fm", "fit", "crop", "q", "quality",
                          "v", "ver", "version", "auto", "dpr", "lang", "locale"})


#: Query keys that name the recipient in ESP tracking URLs (Mailchimp ``e=``,
#: ``mc_eid``, generic recipient/subscriber ids): a shorter id counts there.
_RECIPIENT_KEYS = frozenset({"e", "eid", "mc_eid", "rid", "recipient", "recipient_id", "subscriber",
                             "subscriber_id", "contact_id", "uid", "user_id"})
_WORD_SEP = re.compile(r"[_\-.+]")
_SHORT_ID = re.compile(r"^[A-Za-z0-9_\-]{6,}$")


def _entropy(s: str) -> float:
    counts = Counter(s)
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_like_token(s: str) -> bool:
    if len(s) < 16 or len(s) > 2048:
        return False
    if _UUID.match(s) or _HEX.match(s):
        return True
    if not _B64ISH.match(s):
        return False
    if all(part.isalpha() or part.isdigit() for part in _WORD_SEP.split(s) if part):
        return False  # a slug of words and numbers (winter_sale_2026), not an id
    has_digit = any(c.isdigit() for c in s)
    has_alpha = any(c.isalpha() for c in s)
    mixed_case = any(c.isupper() for c in s) and any(c.islower() for c in s)
    return has_digit and has_alpha and (mixed_case or len(s) >= 24) and _entropy(s) >= 3.5


def find_token(url: str, parts: SplitResult | None = None) -> str | None:
    """The first per-recipient-looking token in the URL's query or path, or None.

    ``parts``: ``urlsplit(url)``, when the caller has it already."""
    if parts is None:
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key.lower() in _BENIGN_KEYS:
            continue
        if looks_like_token(value) or (key.lower() in _RECIPIENT_KEYS and _SHORT_ID.match(value)
                                       and any(c.isdigit() for c in value)):
            return value
    segments = [s for s in parts.path.split("/") if s]
    for i, seg in enumerate(segments):
        if i == len(segments) - 1 and _IMAGE_FILE.search(seg):
            continue  # content-hash file names are not per-recipient
        stem = seg.rsplit(".", 1)[0] if "." in seg[-6:] else seg
        if looks_like_token(stem):
            return stem
    return None
