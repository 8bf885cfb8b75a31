"""``uncloak``: CNAME check of first-party hosts, only when the user enabled ``dns_uncloaking``.

Params: ``hosts`` (array of host names, at most 200 used), ``to`` (optional
array of the reader's addresses: names carrying them are never looked up).
Refused (``refused``) while the ``dns_uncloaking`` setting is off, so a DNS
query can only happen with the user's consent. The add-on calls it after the
first render with the hosts of the mail's remote references and links.

Result: ``{"hosts": {host: {host, status, chain, vendor, rule, reason, cached}}}``
where ``status`` is ``tracker`` (a CNAME target matched ``rules/cname.toml``;
``vendor`` names it), ``clean``, ``nxdomain``, ``skipped`` (per-recipient-looking
name, IP literal or invalid: not looked up) or ``failed`` (timeout/server failure,
or not looked up once the call's ``TOTAL_TIMEOUT`` budget is spent: the
sender's DNS servers, which a hostile mail names, cannot hold the helper --
and every request queued behind this one -- longer than that).
"""

from __future__ import annotations

from ..protocol import str_list
from . import store_of

MAX_HOSTS = 200
#: Seconds for all lookups of one call (under the add-on's 20 s request timeout).
TOTAL_TIMEOUT = 15.0


def handle(params: dict, ctx) -> dict:
    from ...domains import is_ip
    from ...errors import RefusedError
    from ...core.identity import Identity
    from ...net.cname import Uncloaked
    from ...net.service import make_cname_checker
    from ...net.transport import Deadline

    hosts = str_list(params, "hosts", required=True, max_items=10_000)
    recipients = str_list(params, "to", required=False, max_items=1000)
    options = store_of(ctx).load().options
    if not options.get("dns_uncloaking"):
        raise RefusedError("refused: DNS uncloaking is off (setting dns_uncloaking)")
    checker = make_cname_checker(options)
    identity = Identity.of(recipients)
    deadline = Deadline(TOTAL_TIMEOUT)
    out: dict[str, dict] = {}
    for raw in hosts:
        host = raw.strip().rstrip(".").lower()
        if not host or host in out:
            continue
        if len(out) >= MAX_HOSTS:
            break
        if is_ip(host):
            out[host] = Uncloaked(host, "skipped", reason="an IP address has no CNAME").to_dict()
            continue
        out[host] = checker.check(host, identity, deadline).to_dict()
    found = sum(1 for v in out.values() if v["status"] == "tracker")
    ctx.log.info("uncloak: %d host(s), %d cloaked tracker(s)", len(out), found)
    return {"hosts": out}
