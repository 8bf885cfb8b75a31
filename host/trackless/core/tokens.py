"""Per-recipient tokens: long random-looking ids in a URL's path or query. Pure.

Tracking URLs carry an id unique to the reader (``?e=5a4b3c2d1e9f``,
``/o/eJwlzEsOgjAQ...``). Content is addressed by random-looking names too,
and those are not per-recipient (issue 17): a file name with an asset
extension (image, font, stylesheet, video: a content hash), a file on a known
content CDN (``rules/content_hosts.toml``: fonts.gstatic.com, mcusercontent,
googleusercontent, Salesforce ``/lib/...``) or under a static path
(``/static/``, ``/assets/``, ``/images/``, ``/uploads/`` ...). ``content_reason``
says which; ``find_token`` then finds no token. Other evidence (a 1x1 size,
hidden, a tracker host or path, the reader's address) is judged elsewhere.

``host_token`` finds the other shape: a random-looking path on a tracking
host (``open.convertkit-mail4.com/<id>``, ``t.brand.example/o/<id>``), a
sizeless image there is an open pixel. ``tokenish`` is the looser test both
use (and the link engine's list-free judgment).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
import math
import re
from collections import Counter
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

from ..domains import registrable_domain
from ..errors import RuleError
from ..ruleload import rule_files

__all__ = ["find_token", "token_facts", "TokenFacts", "looks_like_token", "tokenish", "content_reason", "host_token", "tracking_host",
           "load_content_hosts"]

_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)
_HEX = re.compile(r"^[0-9a-f]{20,}$", re.I)
_B64ISH = re.compile(r"^[A-Za-z0-9_\-+/=.%]{20,}$")
_IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp|ico|avif)$", re.I)
#: Asset files whose random-looking names are content addresses.
_ASSET_FILE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp|ico|avif|heic|tiff?|woff2?|ttf|otf|eot|css|js|mp4|webm|"
                         r"mov|mp3|ogg|pdf)$", re.I)
#: Path segments under which files are static content.
_STATIC_DIRS = frozenset({"static", "assets", "asset", "images", "image", "img", "imgs", "media", "uploads",
                          "upload", "wp-content", "content", "files", "file", "lib", "cdn", "public", "pictures",
                          "photos", "photo", "resources", "res", "dist", "build", "hubfs", "fonts", "font", "css",
                          "thumbnails", "thumbs", "gallery", "banners", "logos", "icons", "editor_images"})
#: First labels of hosts that mail services use for click tracking.
_TRACKING_LABEL = re.compile(
    r"(?:click|clicks|clk|link|links|lnk|lnks|track|tracking|trk|t|l|r|go|email|emails|e|em|eml|mail|mailing|"
    r"mailer|news|newsletter|newsletters|nl|url|urls|ct|cl|elink|ablink|redirect|redir|out|mkt|m|ss|sl|ls|u|x|"
    r"ea|cmail|mandrill|mg|sg|sp|spgo|c)[0-9]*\Z")
#: ... and for open tracking (images only: ``open.spotify.com`` links are pages).
_OPEN_LABEL = re.compile(r"(?:open|opens|o|pixel|px|beacon|stat|stats|analytics|metrics|ping|imp|impression|"
                         r"view|views)[0-9]*\Z")
_ALNUM_ID = re.compile(r"[A-Za-z0-9_\-]{12,}\Z")
_CLASS = re.compile(r"[0-9]+|[A-Za-z]+")
#: On a tracking host, a shorter id counts: letters and digits, 10+ characters.
_SHORT_TOKEN = re.compile(r"(?=[A-Za-z0-9_-]*[0-9])(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{10,}\Z")
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


def tokenish(value: str) -> bool:
    """A random-looking id: ``looks_like_token``, or a 12+ character run of
    letters and digits that changes between them at least four times
    (``b09ec13a504ro9gus``). An encoded URL, address or path is not an id."""
    if "%" in value:
        value = unquote(value)
        if "://" in value or value.startswith("/") or any(c in value for c in "@ "):
            return False  # an encoded URL, path or address
    if looks_like_token(value):
        return True
    if len(value) < 12 or len(value) > 2048 or not _ALNUM_ID.match(value):
        return False
    runs = _CLASS.findall(value)
    digits = sum(len(r) for r in runs if r.isdigit())
    if len(runs) >= 5 and digits >= 3 and len(value) - digits >= 3:
        return True
    if len(value) >= 20 and value.isalpha():  # random letters of both cases, no words
        switches = sum(a.isupper() != b.isupper() for a, b in zip(value, value[1:]))
        return switches >= 0.3 * (len(value) - 1) and _entropy(value) >= 4.0
    return False


@functools.lru_cache(maxsize=1)
def load_content_hosts() -> dict[str, str]:
    """host -> rule id, from ``rules/content_hosts.toml`` (validated once)."""
    out: dict[str, str] = {}
    for label, data in rule_files():
        for raw in data.get("content", []):
            rid = raw.get("id")
            hosts = raw.get("hosts")
            if not isinstance(rid, str) or not rid or not isinstance(raw.get("source"), str):
                raise RuleError(f"{label}: content rule {rid!r}: needs an id and a source")
            if not isinstance(hosts, list) or not hosts or not all(isinstance(h, str) and h and h == h.lower() for h in hosts):
                raise RuleError(f"{label}: content rule {rid!r}: 'hosts' must be non-empty lower-case strings")
            examples = raw.get("examples")
            if not isinstance(examples, list) or not examples or not all(
                    isinstance(e, dict) and isinstance(e.get("url"), str) and isinstance(e.get("content"), bool)
                    for e in examples):
                raise RuleError(f"{label}: content rule {rid!r}: each example needs url (str) and content (bool)")
            for h in hosts:
                if h in out:
                    raise RuleError(f"{label}: content rule {rid!r}: host {h!r} already listed by {out[h]!r}")
                out[h] = rid
    return out


def _content_host(host: str) -> str | None:
    index = load_content_hosts()
    labels = host.lower().rstrip(".").split(".")
    for i in range(len(labels) - 1):
        rid = index.get(".".join(labels[i:]))
        if rid is not None:
            return rid
    return None


@functools.lru_cache(maxsize=1024)  # pure; asked by find_token, token_facts and learn.slots for one URL
def content_reason(parts: SplitResult) -> str | None:
    """Why the random-looking names in this URL name content (a content host, a
    content file such as an image, font or style sheet, a static path), or None."""
    host = (parts.hostname or "").rstrip(".")
    rid = _content_host(host) if host else None
    if rid is not None:
        return f"content host {host} (rule {rid})"
    segments = [s for s in parts.path.split("/") if s]
    if segments and _ASSET_FILE.search(segments[-1]):
        return f"a content file name ({segments[-1][-40:]})"
    for seg in segments[:-1]:
        if seg.lower() in _STATIC_DIRS:
            return f"static path (/{seg}/)"
    return None


def tracking_host(host: str, *, opens: bool = False) -> bool:
    """A tracking-shaped subdomain of its site: ``click.``, ``t.``, ``email.`` ...
    (``opens``: also the open-tracking shapes ``open.``, ``pixel.``, ``o.`` ...)."""
    reg = registrable_domain(host)
    if not reg or host == reg or not host.endswith("." + reg):
        return False
    label = host[: -len(reg) - 1].split(".")[0]
    return bool(_TRACKING_LABEL.match(label) or (opens and _OPEN_LABEL.match(label)))


def host_token(parts: SplitResult) -> str | None:
    """A random-looking path segment (or keyless query) on a tracking-shaped
    host whose path has no words: ``open.convertkit-mail4.com/<id>``."""
    host = (parts.hostname or "").rstrip(".")
    if not host or not tracking_host(host, opens=True):
        return None
    segments = [s for s in parts.path.split("/") if s]
    found = None
    for seg in segments:
        stem = seg.rsplit(".", 1)[0] if "." in seg[-6:] else seg
        if tokenish(stem) or _SHORT_TOKEN.match(stem):
            found = found or stem
        elif not (seg.isdigit() or len(seg) <= 3):
            return None  # a word in the path: a page or a file, not a pixel
    if found is None and parts.query and "=" not in parts.query and tokenish(parts.query):
        found = parts.query
    return found


@dataclass(frozen=True)
class TokenFacts:
    """What a URL's names say: ``content`` why they are content addresses (or
    None), ``host_token`` a per-recipient path on a tracking host (or None)."""

    content: str | None = None
    host_token: str | None = None


def token_facts(parts: SplitResult | None) -> TokenFacts:
    if parts is None:
        return TokenFacts()
    content = content_reason(parts)
    return TokenFacts(content, None if content else host_token(parts))


def find_token(url: str, parts: SplitResult | None = None) -> str | None:
    """The first per-recipient-looking token in the URL's query or path, or None
    (none in a content address: see ``content_reason``).

    ``parts``: ``urlsplit(url)``, when the caller has it already."""
    if parts is None:
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
    content = content_reason(parts)
    if content is not None and content.startswith("content host"):
        return None  # a content CDN: its names are content addresses
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key.lower() in _BENIGN_KEYS:
            continue
        if looks_like_token(value) or (key.lower() in _RECIPIENT_KEYS and _SHORT_ID.match(value)
                                       and any(c.isdigit() for c in value)):
            return value
    if content is not None:
        return None  # path names of a content file (a hash file name, a static path): not per-recipient
    segments = [s for s in parts.path.split("/") if s]
    for i, seg in enumerate(segments):
        if i == len(segments) - 1 and _IMAGE_FILE.search(seg):
            continue  # content-hash file names are not per-recipient
        stem = seg.rsplit(".", 1)[0] if "." in seg[-6:] else seg
        if looks_like_token(stem):
            return stem
    return None
