"""The one module that owns tldextract, always offline.

tldextract downloads the Public Suffix List on first use unless it is built
with ``suffix_list_urls=()``; Trackless never lets it. The extractor is built
once per process (its first lookup builds a trie, ~60 ms) and writes no
cache files (``cache_dir=None``). Private suffixes (``github.io``) count: their
subdomains belong to different owners.
"""

from __future__ import annotations

import functools
import ipaddress

__all__ = ["registrable_domain", "domain_of", "normalize_domain", "is_ip"]


@functools.lru_cache(maxsize=1)
def _extractor():
    import tldextract  # lazy: ~90 ms of imports

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@functools.lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str:
    """``news.brand.co.uk`` -> ``brand.co.uk``; IPs and bare suffixes come back as given.

    Internationalised names come back in their ASCII (punycode) form, as the
    allowlist stores them: ``img.bücher.de`` -> ``xn--bcher-kva.de``.
    """
    host = host.strip().rstrip(".").lower()
    if not host or is_ip(host):
        return host
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return host
    ext = _extractor()(host)
    if ext.domain and ext.suffix:
        return f"{ext.domain}.{ext.suffix}"
    labels = host.split(".")
    if not ext.suffix and len(labels) >= 2:
        # a name outside the Public Suffix List (.example, .test, .internal):
        # its last two labels are the best guess
        return ".".join(labels[-2:])
    return host


def domain_of(url: str) -> str:
    """The registrable domain of a URL's host ("" when it has none)."""
    from urllib.parse import urlsplit

    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return registrable_domain(host) if host else ""


def normalize_domain(text: str) -> str:
    """Validate and normalise a user-typed domain to its registrable domain.

    Accepts a bare domain or a URL; lower-cases, IDNA-encodes and reduces to
    the registrable domain. Raises ``ValueError`` with a human message.
    """
    raw = text.strip()
    if "://" in raw:
        from urllib.parse import urlsplit

        raw = urlsplit(raw).hostname or ""
    raw = raw.strip().rstrip(".")
    if not raw:
        raise ValueError(f"not a domain: {text!r}")
    try:
        ascii_host = raw.encode("idna").decode("ascii").lower()
        ascii_host.encode("ascii").decode("idna")  # punycode labels must decode (xn--zz is not a name)
    except UnicodeError as exc:
        raise ValueError(f"not a valid domain name: {text!r}") from exc
    labels = ascii_host.split(".")
    if len(labels) < 2 or any(
        not lab or len(lab) > 63 or not all(c.isalnum() or c == "-" for c in lab) or lab.startswith("-") or lab.endswith("-")
        for lab in labels
    ):
        raise ValueError(f"not a valid domain name: {text!r}")
    reg = registrable_domain(ascii_host)
    if reg == ascii_host and _extractor()(ascii_host).suffix and not _extractor()(ascii_host).domain:
        raise ValueError(f"{text!r} is a public suffix, not a domain")
    return reg
