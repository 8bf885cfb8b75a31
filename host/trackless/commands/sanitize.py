"""``trackless sanitize [--json] [--from ADDR] [--to ADDR]... [--allow DOMAIN]... [--out FILE] FILE``

FILE is an .html file, an .eml file (its HTML part; From and To default to
its headers) or ``-`` for standard input (sniffed: a mail has headers).
Without ``--json`` the sanitized HTML goes to stdout (or ``--out``) and a
one-line summary to stderr. With ``--json``, one JSON object (the ``Result``
form) goes to stdout. Nothing is written unless sanitizing succeeded whole.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections import Counter
from dataclasses import replace

from ..errors import InputError, TracklessError

_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")


def add_arguments(p) -> None:
    p.add_argument("file", metavar="FILE", help=".html or .eml file, or - for standard input")
    p.add_argument("--json", action="store_true", help="print the result as one JSON object")
    p.add_argument("--from", dest="sender", metavar="ADDR", help="sender address (default: the mail's From)")
    p.add_argument("--to", dest="to", metavar="ADDR", action="append", default=None,
                   help="your address (repeatable; default: the mail's To/Cc/Delivered-To)")
    p.add_argument("--allow", metavar="DOMAIN", action="append", default=[],
                   help="show images from this registrable domain (repeatable)")
    p.add_argument("--out", metavar="FILE", help="write the sanitized HTML here instead of stdout")


def _read(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc


def _allow_domains(values: list[str]) -> list[str]:
    from ..domains import normalize_domain

    out = []
    for v in values:
        try:
            out.append(normalize_domain(v))
        except ValueError as exc:
            raise InputError(f"--allow {v}: {exc}") from exc
    return out


def looks_like_mail(data: bytes) -> bool:
    head = data.lstrip()[:4096]
    if head.startswith(b"From ") and b"\n" in head:  # mbox From_ line
        head = head.split(b"\n", 1)[1]
    first = head.split(b"\n", 1)[0]
    return bool(_HEADER_LINE.match(first))


def load_input(path: str, data: bytes):
    """(html, sender, recipients, header findings) from a file's bytes."""
    from ..core.html import MAX_HTML_CHARS
    from ..errors import TooLargeError

    if len(data) > MAX_HTML_CHARS * 2:
        raise TooLargeError(f"the input is {len(data):,} bytes; the limit is {MAX_HTML_CHARS * 2:,}")
    lower = path.lower()
    is_mail = lower.endswith((".eml", ".msg", ".mbox")) or (
        not lower.endswith((".html", ".htm")) and looks_like_mail(data))
    if is_mail:
        from ..mail import parse_message

        mail = parse_message(data).require_sound()
        return mail.require_html(), mail.sender, mail.recipients, mail.read_receipts
    from ..mail import decode_html_bytes

    text = decode_html_bytes(data)
    if "<" not in text:
        raise InputError("this does not look like HTML (no tags)")
    return text, None, (), ()


def summary(result) -> str:
    kinds = Counter(r.kind for r in result.remote if r.tracker)
    blocked = sum(1 for r in result.remote if r.action == "blocked")
    allowed = sum(1 for r in result.remote if r.action == "allowed")
    statuses = Counter(l.status for l in result.links)
    parts = [f"{result.badge} tracker{'s' if result.badge != 1 else ''}"]
    if kinds:
        parts[0] += " (" + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) + ")"
    parts.append(f"{blocked} remote reference{'s' if blocked != 1 else ''} blocked")
    if allowed:
        parts.append(f"{allowed} allowed image{'s' if allowed != 1 else ''} to fetch")
    link_bits = [f"{statuses[s]} {s}" for s in ("unwrapped", "cleaned", "opaque") if statuses[s]]
    parts.append(f"{len(result.links)} link{'s' if len(result.links) != 1 else ''}"
                 + (" (" + ", ".join(link_bits) + ")" if link_bits else ""))
    if any(r.identifies_you for r in result.remote) or any(l.identifies_you for l in result.links):
        parts.append("your address is in tracking URLs")
    return "trackless: " + "; ".join(parts)


def run(args) -> int:
    from ..core.sanitizer import sanitize

    try:
        allow = _allow_domains(args.allow)
        html, sender, recipients, receipts = load_input(args.file, _read(args.file))
        result = sanitize(
            html,
            sender=args.sender or sender,
            recipients=tuple(args.to) if args.to else recipients,
            allow=allow,
        )
    except TracklessError as exc:
        if args.json:
            print(json.dumps({"error": {"code": exc.code, "message": str(exc)}}))
        print(f"trackless sanitize: {exc}", file=sys.stderr)
        return 2
    if receipts:
        result = replace(result, headers=tuple(receipts))
    if args.json:
        payload = json.dumps(result.to_dict(), ensure_ascii=False)
        _write(args.out, payload + "\n") if args.out else sys.stdout.write(payload + "\n")
    else:
        if args.out:
            _write(args.out, result.html)
        else:
            sys.stdout.write(result.html)
            if not result.html.endswith("\n"):
                sys.stdout.write("\n")
        print(summary(result), file=sys.stderr)
    return 0


def _write(path: str, text: str) -> None:
    """Write whole or not at all (temp file + rename)."""
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
