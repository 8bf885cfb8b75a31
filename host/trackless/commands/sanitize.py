"""``trackless sanitize [--json] [--from ADDR] [--to ADDR]... [--allow DOMAIN]... [--out FILE] FILE``

FILE is an .html file (decoded by its BOM or declared charset, else UTF-8),
an .eml file (its HTML part; From and To default to its headers) or ``-`` for
standard input (sniffed: a mail has headers).
Without ``--json`` the sanitized HTML goes to stdout (or ``--out``) and a
one-line summary to stderr. With ``--json``, one JSON object (the ``Result``
form, plus ``format``: "html") goes to stdout. Nothing is written unless
sanitizing succeeded whole.

A plain-text mail (no HTML part) is accepted: its text is written unchanged
(``--json``: ``format`` "text", the text in ``text``, ``html`` empty) and its
links are unwrapped and reported in ``links`` and the summary.
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


def load_input(path: str, data: bytes, *, allow_text: bool = False):
    """(html, sender, recipients, header findings) from a file's bytes.

    With ``allow_text``, a plain-text mail gives ``PlainText(text)`` in place of the html.
    """
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
        if allow_text and mail.html is None and mail.text is not None:
            return PlainText(mail.text), mail.sender, mail.recipients, mail.read_receipts
        return mail.require_html(), mail.sender, mail.recipients, mail.read_receipts
    from ..mail import decode_html_bytes

    text = decode_html_bytes(data)
    if "<" not in text:
        raise InputError("this does not look like HTML (no tags)")
    return text, None, (), ()


class PlainText(str):
    """The text of a plain-text mail (no HTML part): returned unchanged, its links reported."""


def sanitize_text(text: str, *, recipients=()):
    """A ``Result`` for plain text: ``html`` empty, ``links`` = its http(s) URLs through the link engine."""
    from ..core.identity import Identity
    from ..links import unwrap
    from ..report.analyse import text_urls
    from ..result import Result

    identity = Identity.of(recipients)
    return Result(html="", links=tuple(unwrap(u, identity=identity) for u in text_urls(text)))


#: The add-on's words (extension/_locales/en/messages.json: kind*, link*), so the
#: CLI line reads like the badge tooltip and the popup.
KIND_WORDS = {"pixel": "tracking pixel", "image": "image", "css": "style sheet", "font": "font",
              "media": "audio or video", "frame": "embedded page", "prefetch": "preload hint",
              "script": "script", "refresh": "automatic redirect", "other": "other remote content"}
LINK_WORDS = {"unwrapped": "destination restored", "cleaned": "tracking removed",
              "opaque": "destination hidden by the sender's mail service"}


def _n(count: int, one: str, other: str) -> str:
    return f"{count} {one if count == 1 else other}"


def tracked_link(link) -> bool:
    """A link the add-on counts as a tracking link cleaned (its countLinks):
    one that tracks the reader (``Link.tracker``)."""
    return link.tracker


def summary(result) -> str:
    """The one-line summary in the add-on's vocabulary: its badge tooltip first
    ("3 trackers blocked · 5 tracking links cleaned"), then the details."""
    trackers = [r for r in result.remote if r.tracker]
    cleaned = [l for l in result.links if tracked_link(l)]
    head = [_n(len(trackers), "tracker blocked", "trackers blocked") if trackers else "no trackers found"]
    if cleaned:
        head.append(_n(len(cleaned), "tracking link cleaned", "tracking links cleaned"))
    details = []
    kinds = Counter(r.kind for r in trackers)
    if kinds:
        details.append(", ".join(f"{KIND_WORDS.get(k, k)}: {n}" for k, n in sorted(kinds.items())))
    states = Counter("cleaned" if l.status in ("cleaned", "unchanged") else l.status for l in cleaned)
    if states:
        details.append(", ".join(f"{LINK_WORDS[s]}: {states[s]}" for s in LINK_WORDS if states[s]))
    if result.remote:
        blocked = sum(1 for r in result.remote if r.action == "blocked")
        details.append(_n(blocked, "remote reference blocked", "remote references blocked"))
    allowed = sum(1 for r in result.remote if r.action == "allowed")
    if allowed:
        details.append(_n(allowed, "allowed image to fetch", "allowed images to fetch"))
    if any(r.identifies_you for r in result.remote) or any(l.identifies_you for l in result.links):
        details.append("your address is in tracking URLs")
    return "trackless: " + " · ".join(head) + (" — " + "; ".join(details) if details else "")


def run(args) -> int:
    from ..core.sanitizer import sanitize

    try:
        allow = _allow_domains(args.allow)
        html, sender, recipients, receipts = load_input(args.file, _read(args.file), allow_text=True)
        recipients = tuple(args.to) if args.to else recipients
        if isinstance(html, PlainText):
            result = sanitize_text(html, recipients=recipients)
        else:
            result = sanitize(html, sender=args.sender or sender, recipients=recipients, allow=allow)
    except TracklessError as exc:
        if args.json:
            print(json.dumps({"error": {"code": exc.code, "message": str(exc)}}))
        print(f"trackless sanitize: {exc}", file=sys.stderr)
        return 2
    if receipts:
        result = replace(result, headers=tuple(receipts))
    is_text = isinstance(html, PlainText)
    if args.json:
        form = result.to_dict()
        form["format"] = "text" if is_text else "html"
        if is_text:
            form["text"] = str(html)
        payload = json.dumps(form, ensure_ascii=False)
        _write(args.out, payload + "\n") if args.out else sys.stdout.write(payload + "\n")
    else:
        body = str(html) if is_text else result.html
        if args.out:
            _write(args.out, body)
        else:
            sys.stdout.write(body)
            if not body.endswith("\n"):
                sys.stdout.write("\n")
        line = summary(result)
        print(line.replace("trackless: ", "trackless: plain-text mail, text unchanged · ", 1) if is_text else line, file=sys.stderr)
    return 0


def _write(path: str, text: str) -> None:
    """Write whole or not at all (temp file + rename); straight into a special
    file such as ``/dev/null`` (a rename would replace the device)."""
    from ..paths import special_file

    if special_file(path):
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return
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
