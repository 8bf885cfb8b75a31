"""Accuracy of the deceptive-link verdicts on real mail folders.

    .venv/bin/python bench/bench_deceptive.py FOLDER... [--show N] [--kinds deceptive,lookalike]

For each FOLDER (``.eml`` files, mbox files, or ``.html`` bodies; duplicates
by content are counted once) prints how many mails have at least one
verdict, by kind, and how many links were judged. Point it at a phishing
corpus (share of mails caught) and at ordinary newsletters (share with a
false verdict: any verdict there is false, except ``hidden``, which only says
a wrapper hides where a link that names a site goes). ``--show N`` prints
the first N verdicts of each folder with their evidence, to inspect them.
Also prints the median time per mail of ``sanitize`` with the judge, to see
what it costs. Nothing is fetched: the judge is offline.
"""

from __future__ import annotations

import argparse
import hashlib
import mailbox
import os
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

from trackless import sanitize
from trackless.errors import TracklessError
from trackless.mail import decode_html_bytes, parse_message

KINDS = ("deceptive", "lookalike", "hidden")


def mails(folder: Path):
    """(name, html, sender) for every mail in a folder, each content once."""
    seen: set[str] = set()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        if path.suffix.lower() in (".html", ".htm"):
            yield path.name, decode_html_bytes(data), None
        elif data.startswith(b"From ") and path.suffix.lower() != ".eml":
            for i, msg in enumerate(mailbox.mbox(str(path), create=False)):
                yield f"{path.name}#{i}", *_parts(msg.as_bytes())
        else:
            yield path.name, *_parts(data)


def _parts(data: bytes):
    try:
        mail = parse_message(data)
    except TracklessError:
        return None, None
    return mail.html, mail.sender


def measure(folder: Path, show: int, counted: tuple[str, ...]) -> dict:
    stats = Counter()
    times: list[float] = []
    shown = 0
    for name, html, sender in mails(folder):
        if html is None:
            stats["no html"] += 1
            continue
        t0 = time.perf_counter()
        try:
            result = sanitize(html, sender=sender)
        except TracklessError:
            stats["refused"] += 1
            continue
        times.append(time.perf_counter() - t0)
        stats["mails"] += 1
        stats["links"] += len(result.links)
        kinds = {l.verdict.kind for l in result.links if l.verdict}
        for k in kinds:
            stats[f"mails with {k}"] += 1
        for l in result.links:
            if l.verdict:
                stats[f"links {l.verdict.kind}"] += 1
                if shown < show and l.verdict.kind in counted:
                    shown += 1
                    print(f"  {name} [{sender}] {l.verdict.kind}: {l.verdict.evidence}")
        if kinds & set(counted):
            stats["mails with any counted verdict"] += 1
        if kinds:
            stats["mails with any verdict"] += 1
    stats["median ms"] = round(statistics.median(times) * 1000, 2) if times else 0
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+", type=Path)
    ap.add_argument("--show", type=int, default=0, help="print the first N verdicts of each folder")
    ap.add_argument("--kinds", default="deceptive,lookalike",
                    help="verdict kinds that count (default: deceptive,lookalike)")
    args = ap.parse_args(argv)
    counted = tuple(k for k in args.kinds.split(",") if k)
    for folder in args.folders:
        if not folder.is_dir():
            print(f"not a folder: {folder}", file=sys.stderr)
            return 2
        print(f"{folder}:")
        s = measure(folder, args.show, counted)
        n = s["mails"] or 1
        print(f"  mails with HTML: {s['mails']} (no HTML: {s['no html']}, refused: {s['refused']}), links: {s['links']}")
        for k in KINDS:
            print(f"  mails with {k}: {s[f'mails with {k}']} ({100 * s[f'mails with {k}'] / n:.1f} %), "
                  f"links: {s[f'links {k}']}")
        c = s["mails with any counted verdict"]
        print(f"  mails with any of {'/'.join(counted)}: {c} ({100 * c / n:.1f} %)")
        a = s["mails with any verdict"]
        print(f"  mails with any verdict: {a} ({100 * a / n:.1f} %)")
        print(f"  median sanitize time per mail: {s['median ms']} ms")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
