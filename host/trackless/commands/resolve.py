"""``trackless resolve [--json] [--allow-private] [--no-cache] URL``: resolve an opaque tracking link.

Follows the link's redirects one hop at a time (HEAD, GET without body if
HEAD is refused), stops as soon as the next URL can be decoded offline or
leaves the tracker, and prints the cleaned destination -- which is never
requested. SSRF-safe: loopback, private, link-local, CGNAT, multicast,
reserved, IPv4-mapped and NAT64 forms are refused on every hop;
``--allow-private`` (or the ``resolve_allow_private`` setting) lifts that
address rule only. Results are cached (``$TRACKLESS_CACHE_DIR/resolve``).

Output: the destination, the chain (each hop with its status) and a warning
that the vendor has probably recorded a click. ``--json`` prints the object
``{url, final, chain: [{url, status, method}], vendor, warning, stop,
removed, cached}``; a refusal or failure exits 1 with a message on stderr
(``--json``: ``{"error": {"code", "message"}}`` on stdout).
"""

from __future__ import annotations

import json
import sys

__all__ = ["add_arguments", "run"]


def add_arguments(parser) -> None:
    parser.add_argument("url", metavar="URL", help="the tracking link to resolve (it is contacted!)")
    parser.add_argument("--json", action="store_true", help="print the result (or the error) as a JSON object")
    parser.add_argument("--allow-private", action="store_true",
                        help="allow loopback/private addresses (tests, intranets); nothing else changes")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the resolve cache")


def _options():
    from ..errors import StoreError
    from ..store import Store

    try:
        return Store().load().options
    except StoreError as exc:
        print(f"trackless resolve: settings ignored: {exc}", file=sys.stderr)
        return None


def run(args, *, resolver=None, out=None) -> int:
    from ..errors import TracklessError
    from ..net.service import make_resolver

    out = out or sys.stdout
    try:
        if resolver is None:
            options = _options()
            allow = True if args.allow_private else None
            resolver = make_resolver(options, allow_private=allow, cache=not args.no_cache)
        result = resolver.resolve(args.url)
    except TracklessError as exc:
        if args.json:
            json.dump({"error": {"code": exc.code, "message": str(exc)}}, out, ensure_ascii=False)
            out.write("\n")
        print(f"trackless resolve: {exc}", file=sys.stderr)
        return 1
    if args.json:
        json.dump(result.to_dict(), out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    out.write(f"{result.final}\n")
    for i, hop in enumerate(result.chain, 1):
        out.write(f"  hop {i}: {hop.status} {hop.method} {hop.url}\n")
    notes = []
    if result.vendor:
        notes.append(f"vendor: {result.vendor}")
    notes.append({"decoded": "destination decoded offline", "left-tracker": "stopped where the link leaves the tracker",
                  "page": "the last hop answered with a page", "not-http": "the link leads to an e-mail address"
                  }.get(result.stop, result.stop))
    if result.removed:
        notes.append("removed " + ", ".join(result.removed))
    if result.cached:
        notes.append("from the cache: nobody was contacted now")
    out.write("  (" + "; ".join(notes) + ")\n")
    if result.warning:
        print(f"warning: {result.warning}", file=sys.stderr)
    out.flush()
    return 0
