"""``resolve``: resolve an opaque tracking link over the network (on the user's request).

Params: ``url`` (string, required, <= 8192 characters). The address rule can
only be lifted by the ``resolve_allow_private`` setting, never by the
request. Per-hop budget ``request_timeout_ms``, hops ``max_redirects``
(at most 10); the whole resolution stays under 12 s so the add-on's 15 s
timeout never fires first. Result: the object of ``trackless resolve --json``:
``{url, final, chain: [{url, status, method}], vendor, warning, stop,
removed, cached}``. Refusals and failures are error frames with the codes
``refused``, ``network``, ``timeout``, ``redirect_loop``, ``too_many_redirects``.
"""

from __future__ import annotations

from ..protocol import req_str
from . import store_of

#: Total budget of one resolution inside the host (the add-on waits 15 s).
TOTAL_TIMEOUT = 12.0


def handle(params: dict, ctx) -> dict:
    from ...net.addresses import MAX_URL_LENGTH
    from ...net.service import make_resolver

    url = req_str(params, "url", max_len=MAX_URL_LENGTH)
    options = store_of(ctx).load().options
    resolver = make_resolver(options)
    resolver.total_timeout = min(resolver.total_timeout, TOTAL_TIMEOUT)
    result = resolver.resolve(url)
    ctx.log.info("resolve: %d hop(s), stop=%s, cached=%s", len(result.chain), result.stop, result.cached)
    return result.to_dict()
