"""``allowlist.get`` / ``allowlist.add`` / ``allowlist.remove`` on the shared settings file.

Every result carries the whole allowlist after the call:
``{"allowlist": {"<domain>": {"images", "keep_links", "added"}}}``.
"""

from __future__ import annotations

from ..protocol import RequestError, opt_bool, req_str
from . import store_of


def get(params: dict, ctx) -> dict:
    return {"allowlist": store_of(ctx).load().allowlist_dict()}


def add(params: dict, ctx) -> dict:
    domain = req_str(params, "domain", max_len=2048)
    images = opt_bool(params, "images", True)
    keep_links = opt_bool(params, "keep_links", False)
    if not images and not keep_links:
        raise RequestError("bad_request", "nothing to allow: 'images' and 'keep_links' are both false")
    store = store_of(ctx)
    try:
        name, entry = store.add(domain, images=images, keep_links=keep_links)
    except ValueError as exc:
        raise RequestError("bad_request", str(exc)) from None
    return {"domain": name, "entry": entry.to_dict(), "allowlist": store.load().allowlist_dict()}


def remove(params: dict, ctx) -> dict:
    domain = req_str(params, "domain", max_len=2048)
    store = store_of(ctx)
    name, removed = store.remove(domain)
    return {"domain": name, "removed": removed, "allowlist": store.load().allowlist_dict()}
