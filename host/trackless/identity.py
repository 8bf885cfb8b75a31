"""Does a URL identify the reader? Their address in any common encoding.

A tracking URL that carries the recipient's address (plain, percent-encoded,
base64 / base64url, or hashed with MD5, SHA-1 or SHA-256) identifies the
reader: such a reference is always blocked and such a link is flagged.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass, field
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
    # derived from _needles (so left out of equality and hashing):
    _folded: re.Pattern | None = field(default=None, compare=False)  # case-insensitive needles, one alternation
    _exact: re.Pattern | None = field(default=None, compare=False)  # base64 needles, case-sensitive
    _names: dict = field(default_factory=dict, compare=False)  # needle -> encoding name

    @classmethod
    def of(cls, addresses) -> "Identity":
        addrs = tuple(dict.fromkeys(a.strip().lower() for a in addresses if a and "@" in a))
        needles = tuple(n for a in addrs for n in _needles(a))
        if not needles:
            return cls(addrs, needles)
        folded = [n for _, n, cs in needles if not cs]
        exact = [n for _, n, cs in needles if cs]
        names: dict[str, str] = {}
        for name, n, cs in needles:  # the first name wins where encodings coincide
            names.setdefault(n if cs else n.lower(), name)
        return cls(addrs, needles,
                   re.compile("|".join(map(re.escape, sorted(folded, key=len, reverse=True))), re.I),
                   re.compile("|".join(map(re.escape, sorted(exact, key=len, reverse=True)))), names)

    def __bool__(self) -> bool:
        return bool(self.addresses)

    def found_in(self, text: str) -> str | None:
        """The encoding in which an address appears in ``text``, or None."""
        if not self._needles or not text:
            return None
        variants = [text]
        if "%" in text:
            once = unquote(text)
            variants.append(once)
            if "%" in once:
                variants.append(unquote(once))
        for v in variants:
            m = self._folded.search(v)
            if m:
                return self._names[m.group().lower()]
        for v in variants:
            m = self._exact.search(v)
            if m:
                return self._names[m.group()]
        return None
