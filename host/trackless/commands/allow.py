"""``trackless allow``: manage the per-domain allowlist (the same file the host uses).

    trackless allow add DOMAIN [--keep-links] [--no-images]
    trackless allow remove DOMAIN
    trackless allow list [--json]

DOMAIN may be a name or a URL; it is normalised to its registrable domain
(IDN to punycode, lower case: ``News.Brand.co.uk`` -> ``brand.co.uk``).
Exit codes: 0 done, 1 ``remove`` of a domain not in the list, 2 invalid
domain or usage, 3 settings-file problem (unreadable file, read-only dir).
"""

from __future__ import annotations

import json
import sys


def add_arguments(parser) -> None:
    sub = parser.add_subparsers(dest="allow_command", metavar="{add,remove,list}", required=True)
    p = sub.add_parser("add", help="allow a domain's images (and optionally keep its links unmodified)")
    p.add_argument("domain", help="domain or URL (reduced to its registrable domain)")
    p.add_argument("--keep-links", action="store_true", help="leave this domain's links unmodified")
    p.add_argument("--no-images", action="store_true", help="do not show this domain's images")
    p = sub.add_parser("remove", help="remove a domain from the allowlist")
    p.add_argument("domain")
    p = sub.add_parser("list", help="show the allowlist")
    p.add_argument("--json", action="store_true", help="print the allowlist as JSON")


def run(args, *, store=None, out=None) -> int:
    from ..store import Store

    store = store or Store()
    out = out or sys.stdout
    cmd = args.allow_command
    if cmd == "add":
        images, keep = not args.no_images, args.keep_links
        if not images and not keep:
            print("trackless allow: nothing to allow (--no-images without --keep-links)", file=sys.stderr)
            return 2
        try:
            name, entry = store.add(args.domain, images=images, keep_links=keep)
        except ValueError as exc:
            print(f"trackless allow: {exc}", file=sys.stderr)
            return 2
        print(f"allowed {name}: {_describe(entry)}", file=out)
        return 0
    if cmd == "remove":
        name, removed = store.remove(args.domain)
        if not removed:
            print(f"trackless allow: {name} is not in the allowlist", file=sys.stderr)
            return 1
        print(f"removed {name}", file=out)
        return 0
    settings = store.load()
    if args.json:
        print(json.dumps(settings.allowlist_dict(), indent=2, ensure_ascii=False), file=out)
        return 0
    if not settings.allowlist:
        print(f"the allowlist is empty ({store.path})", file=out)
        return 0
    width = max(len(d) for d in settings.allowlist)
    for domain, entry in sorted(settings.allowlist.items()):
        print(f"{domain:<{width}}  {_describe(entry)}  (added {entry.added or '?'})", file=out)
    return 0


def _describe(entry) -> str:
    parts = []
    if entry.images:
        parts.append("images shown")
    if entry.keep_links:
        parts.append("links kept unmodified")
    return ", ".join(parts) or "nothing"
