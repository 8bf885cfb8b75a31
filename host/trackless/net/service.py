"""Build the network features from the user's settings (one place, shared by the CLI and the host).

Options used (``trackless.store.OPTIONS``): ``request_timeout_ms`` (per-hop
budget), ``max_redirects`` (clamped to the resolver's 10-hop maximum),
``image_max_bytes`` (per-image cap), ``resolve_allow_private`` (lifts the
address rule only). Caches live under ``$TRACKLESS_CACHE_DIR`` or the
platform cache dir: ``resolve/`` (1,000 entries), ``images/`` (64 MiB),
``dns/`` (5,000 entries).
"""

from __future__ import annotations

from collections.abc import Mapping

from .cache import DiskCache
from .resolve import MAX_HOPS, Resolver
from .transport import Transport

__all__ = ["make_transport", "make_resolver", "make_image_proxy", "make_cname_checker"]


def _opt(options: Mapping | None, name: str, default):
    if options is None:
        return default
    value = options.get(name, default)
    return default if value is None else value


def make_transport(options: Mapping | None = None, *, allow_private: bool | None = None) -> Transport:
    if allow_private is None:
        allow_private = bool(_opt(options, "resolve_allow_private", False))
    hop = max(0.1, int(_opt(options, "request_timeout_ms", 5000)) / 1000.0)
    return Transport(allow_private=allow_private, hop_timeout=hop, connect_timeout=min(hop, 5.0))


def make_resolver(options: Mapping | None = None, *, allow_private: bool | None = None,
                  cache: bool = True) -> Resolver:
    hops = max(1, min(MAX_HOPS, int(_opt(options, "max_redirects", MAX_HOPS))))
    return Resolver(make_transport(options, allow_private=allow_private), max_hops=hops,
                    cache=DiskCache.named("resolve", max_entries=1000, max_bytes=8 * 1024 * 1024) if cache else None)


def make_image_proxy(options: Mapping | None = None, *, allow_private: bool | None = None, cache: bool = True,
                     allowed=None):
    from .images import ImageProxy

    per_image = int(_opt(options, "image_max_bytes", 5 * 1024 * 1024))
    return ImageProxy(make_transport(options, allow_private=allow_private), max_image_bytes=per_image,
                      max_total_bytes=max(per_image, 16 * 1024 * 1024), allowed=allowed,
                      cache=DiskCache.named("images", max_entries=2000, max_bytes=64 * 1024 * 1024) if cache else None)


def make_cname_checker(options: Mapping | None = None, *, cache: bool = True):
    from .cname import CnameChecker

    timeout = max(0.5, min(5.0, int(_opt(options, "request_timeout_ms", 5000)) / 1000.0))
    return CnameChecker(timeout=timeout,
                        cache=DiskCache.named("dns", max_entries=5000, max_bytes=4 * 1024 * 1024) if cache else None)
