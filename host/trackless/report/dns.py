"""``--dns``: CNAME chains of the report's tracker and link hosts (via ``trackless.net.cname``).

Each distinct host is looked up once, after all mails are read, through the
shared ``CnameChecker`` (answers cached on disk with their TTL). Hosts with a
per-recipient-looking label, or carrying a reader's address, are never
looked up (the checker refuses them: a DNS query for such a name would tell
the sender the mail was opened); the report says so for each.
"""

from __future__ import annotations

from typing import Iterable

from ..core.identity import Identity
from .meta import DnsChain

__all__ = ["lookup_chains", "describe"]


def describe(u, first_party: bool) -> DnsChain:
    """One ``Uncloaked`` verdict as a report row."""
    cached = " (cached answer)" if getattr(u, "cached", False) else ""
    if u.status == "tracker":
        if first_party:
            note = f"the sender's own domain is an alias of {u.vendor}: a cloaked third-party tracker"
        else:
            note = f"alias of {u.vendor}"
    elif u.status == "clean":
        note = "no known tracker in the chain" if u.chain else "no CNAME"
    elif u.status == "nxdomain":
        note = "the name does not exist"
    elif u.status == "skipped":
        note = u.reason or "not looked up"
    else:
        note = u.reason or "lookup failed"
    return DnsChain(u.host, tuple(u.chain), u.vendor, note + cached)


def lookup_chains(hosts: Iterable[str], *, first_party: Iterable[str] = (), readers: Iterable[str] = (),
                  checker=None) -> list[DnsChain]:
    """Rows for the report's DNS section, in the order of ``hosts``."""
    if checker is None:
        from ..net.service import make_cname_checker

        checker = make_cname_checker()
    first = set(first_party)
    verdicts = checker.check_many(list(hosts), Identity.of(readers))
    return [describe(u, host in first) for host, u in verdicts.items()]
