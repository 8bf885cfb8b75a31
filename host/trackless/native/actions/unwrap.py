"""``unwrap``: unwrap and clean links offline.

Params: ``urls`` (array of strings, at most 10,000), ``to`` (optional array
of the reader's addresses, to flag links that carry them). A URL whose
registrable domain is allowlisted with ``keep_links`` is passed with
``keep=True``. Result: ``{"links": [Link.to_dict(), ...]}`` in request order.
"""

from __future__ import annotations

from ..protocol import str_list
from ...domains import domain_of
from . import store_of

MAX_URLS = 10_000


def handle(params: dict, ctx) -> dict:
    urls = str_list(params, "urls", required=True, max_items=MAX_URLS)
    recipients = str_list(params, "to", required=False, max_items=1000)
    keep_domains = set(store_of(ctx).load().keep_link_domains)
    from ...core.identity import Identity
    from ...links import unwrap

    identity = Identity.of(recipients)
    links = [unwrap(u, identity=identity, keep=bool(keep_domains) and domain_of(u) in keep_domains) for u in urls]
    return {"links": [link.to_dict() for link in links]}
