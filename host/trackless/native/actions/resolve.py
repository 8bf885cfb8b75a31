"""``resolve``: resolve an opaque tracking link over the network (on the user's request).

Params: ``url`` (string, required, <= 8192 characters). The address rule can
only be lifted by the ``resolve_allow_private`` setting, never by the
request. Per-hop budget ``request_timeout_ms``, hops ``max_redirects``
(at most 10); the whole resolution stays under 12 s so the add-on's 15 s
timeout never fires first. Result: the object of ``trackless resolve --json``:
``{url, final, chain: [{url, status, method}], vendor, warning, stop,
removed, cached}``, plus ``verdict``: what ``trackless.links.deceptive``
says of the resolved destination (null when nothing is wrong), judged from
the optional ``text``, ``title``, ``alts`` (what the reader is shown) and
``from`` (the sender's address). Refusals and failures are error frames with the codes
``refused``, ``network``, ``timeout``, ``redirect_loop``, ``too_many_redirects``.
"""

from __future__ import annotations

from ..protocol import opt_str, req_str, str_list
from . import store_of

#: Total budget of one resolution inside the host (the add-on waits 15 s).
TOTAL_TIMEOUT = 12.0


def handle(params: dict, ctx) -> dict:
    from ...net.addresses import MAX_URL_LENGTH
    from ...net.service import make_resolver

    url = req_str(params, "url", max_len=MAX_URL_LENGTH)
    shown = (opt_str(params, "text", "") or "", opt_str(params, "title", "") or "",
             str_list(params, "alts", required=False, max_items=8))
    sender = opt_str(params, "from", "") or ""
    options = store_of(ctx).load().options
    resolver = make_resolver(options)
    resolver.total_timeout = min(resolver.total_timeout, TOTAL_TIMEOUT)
    result = resolver.resolve(url)
    ctx.log.info("resolve: %d hop(s), stop=%s, cached=%s", len(result.chain), result.stop, result.cached)
    return {**result.to_dict(), "verdict": _verdict(url, result.final, shown, sender)}


def _verdict(url: str, final: str, shown: tuple, sender: str) -> dict | None:
    """The deceptive-link verdict on the resolved destination (offline, pure)."""
    from dataclasses import asdict

    from ...domains import registrable_domain
    from ...links.deceptive import judge, shown_of
    from ...result import Link

    sender_domain = registrable_domain(sender.rsplit("@", 1)[1]) if "@" in sender else ""
    verdict = judge(Link(url, None, "opaque"), shown_of(*shown), sender_domain=sender_domain, destination=final)
    return asdict(verdict) if verdict is not None else None
