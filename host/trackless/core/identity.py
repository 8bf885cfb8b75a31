"""Does a URL identify the reader? Their address in any common encoding.

A tracking URL that carries the recipient's address (plain, percent-encoded,
base64 / base64url, or hashed with MD5, SHA-1 or SHA-256) identifies the
reader: such a reference is always blocked and such a link is flagged.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from urllib.parse import quote, unquote

__all__ = ["Identity"]


def _needles(address: str) -> list[tuple[str, str, bool]]:
    """(encoding name, needle, case_sensitive) for one address."""
    a = address.strip().lower()
    raw = a.encode("utf-8")
    out: list[tuple[str, str, bool]] = [("plain", a, False), ("percent-encoded", quote(a, safe=""), False)]
    b64 = base64.b64encode(raw).decode("ascii")
    out.append(("base64", b64.rstrip("="), True))
    out.append(("base64url", base64.urlsafe_b64encode(raw).decode("ascii").rstrip("="), True))
    for name in ("md5", "sha1", "sha256"):
        out.append((name, hashlib.new(name, raw).hexdigest(), False))
    # the local part alone is not enough (too short); the address is.
    return out


@dataclass(frozen=True)
class Identity:
    """The reader's addresses, precomputed into needles to look for in URLs."""

    addresses: tuple[str, ...] = ()
    _needles: tuple[tuple[str, str, bool], ...] = ()

    @classmethod
    def of(cls, addresses) -> "Identity":
        addrs = tuple(dict.fromkeys(a.strip().lower() for a in addresses if a and "@" in a))
        return cls(addrs, tuple(n for a in addrs for n in _needles(a)))

    def __bool__(self) -> bool:
        return bool(self.addresses)

    def found_in(self, text: str) -> str | None:
        """The encoding in which an address appears in ``text``, or None.

        The text as written is searched first, then percent-decoded once and
        twice, so the most literal encoding is the one named.
        """
        if not self._needles or not text:
            return None
        variant = text
        for _ in range(3):
            folded = variant.lower()
            for name, needle, case_sensitive in self._needles:
                if needle in (variant if case_sensitive else folded):
                    return name
            if "%" not in variant:
                return None
            decoded = unquote(variant)
            if decoded == variant:
                return None
            variant = decoded
        return None
