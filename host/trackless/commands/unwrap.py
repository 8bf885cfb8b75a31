"""``trackless unwrap [--json] [--to ADDR]... URL...``: the link engine on the command line.

With ``--json``: a JSON list, one object per input URL in order, with the
fields of the ``links`` entries of ``trackless sanitize --json`` (original,
final, status, removed, vendor, identifies_you, plus rule and chain).
Without: one line per URL, ``STATUS  ORIGINAL -> FINAL  [vendor; removed; identifies you]``.
``--to`` gives the reader's address(es) so ``identifies_you`` can be computed.
"""

from __future__ import annotations

import json
import sys

__all__ = ["add_arguments", "run", "human_line"]


def add_arguments(parser) -> None:
    parser.add_argument("urls", nargs="+", metavar="URL", help="link(s) to unwrap and clean")
    parser.add_argument("--json", action="store_true", help="print a JSON list, one object per URL")
    parser.add_argument("--to", action="append", default=[], metavar="ADDR",
                        help="the reader's address (repeatable): flags links that identify them")


def human_line(link) -> str:
    """One readable line for one link result."""
    if link.status == "unchanged":
        target = link.original
    elif link.final is None:
        target = f"{link.original} -> (destination hidden: resolve on request)"
    else:
        target = f"{link.original} -> {link.final}"
    notes = []
    if link.vendor:
        notes.append(f"by {link.vendor}")
    if link.removed:
        notes.append("removed " + ", ".join(link.removed))
    if link.identifies_you:
        notes.append("identifies you")
    tail = f"  [{'; '.join(notes)}]" if notes else ""
    return f"{link.status:<9}  {target}{tail}"


def run(args) -> int:
    from ..core.identity import Identity
    from ..links import load_rules, unwrap

    load_rules()  # a bad rule file fails here, with its RuleError, before any output
    identity = Identity.of(args.to) if args.to else None
    links = [unwrap(u, identity=identity) for u in args.urls]
    out = sys.stdout
    if args.json:
        json.dump([l.to_dict() for l in links], out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        for l in links:
            out.write(human_line(l) + "\n")
    out.flush()
    return 0
