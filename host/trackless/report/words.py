"""Wording and value formatting shared by the Markdown and HTML renderers (pure)."""

from __future__ import annotations

import re

from .analyse import LinkFinding

__all__ = ["visible", "fmt_date", "fmt_day", "pct", "destination_text", "identifies_text", "KIND_WORDS",
           "GLOSSARY", "link_status_text", "plural"]

# C0/C1 controls, bidi overrides/isolates, zero-width and BOM: shown as \uXXXX, never interpreted.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]")


def visible(s: str | None) -> str:
    """Text from a mail made safe to show: controls and invisible characters made visible."""
    if not s:
        return ""
    s = s.replace("\r\n", " ").replace("\n", " ").replace("\t", " ")
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", s)


def fmt_date(iso: str | None) -> str:
    """``2026-11-03T08:12:00Z`` -> ``2026-11-03 08:12 UTC``; None -> ``unknown``."""
    if not iso:
        return "unknown"
    return f"{iso[:10]} {iso[11:16]} UTC"


def fmt_day(iso: str | None) -> str:
    return iso[:10] if iso else "unknown"


def pct(n: int, d: int) -> str:
    return f"{round(100 * n / d)}%" if d else "–"


def plural(n: int, word: str, words: str | None = None) -> str:
    return f"{n} {word if n == 1 else (words or word + 's')}"


def destination_text(l: LinkFinding) -> str:
    if l.status == "opaque" or l.destination is None:
        return "opaque: only the wrapper's server knows the destination"
    return l.destination


def link_status_text(l: LinkFinding) -> str:
    return {
        "opaque": "opaque wrapper",
        "unwrapped": "wrapper, decoded",
        "cleaned": "tracking parameters",
        "unchanged": "carries your address",
    }.get(l.status, l.status)


def identifies_text(flag: bool, how: str | None) -> str:
    if not flag:
        return "no"
    return f"yes ({how})" if how else "yes"


KIND_WORDS = {
    "pixel": "tracking pixel (invisible image)",
    "image": "remote image",
    "css": "remote style sheet / CSS image",
    "font": "remote font",
    "media": "remote audio/video",
    "frame": "remote frame",
    "prefetch": "prefetch / preconnect hint",
    "script": "remote script",
    "refresh": "meta refresh",
    "other": "other remote reference",
}

GLOSSARY = (
    ("Tracker", "a reference to remote content (usually an invisible 1x1 image) that tells the sender, "
                "or a company acting for it, that and when this mail was opened, and from which IP address."),
    ("Tracked link", "a link that passes through a tracking server (a wrapper) before reaching its destination, "
                     "or that carries tracking parameters such as utm_* or a per-recipient id."),
    ("Opaque", "the real destination is not contained in the link; only the tracking server knows it."),
    ("Per-recipient token", "a value in a URL that differs per recipient; it lets the sender tie a request to you."),
    ("Identifies you", "the URL contains your e-mail address, plainly, encoded (percent, base64) or hashed "
                       "(MD5, SHA-1, SHA-256)."),
    ("Third party", "a host whose registrable domain differs from the sender's domain."),
    ("Read-receipt header", "a header asking your mail program to confirm that you read the mail."),
)


def summary_rows(s) -> list[list[str]]:
    """The summary table's rows (measure, plain-text value), shared by the renderers.
    The last row is the skipped count, which the HTML page turns into a link."""
    return [
        ["Mails read", str(s.mails)],
        ["Mails with trackers", f"{s.with_trackers} ({pct(s.with_trackers, s.mails)})"],
        ["Trackers found", str(s.trackers)],
        ["Tracked links found", str(s.tracked_links)],
        ["Mails whose trackers or links carry your address", str(s.identifies_you)],
        ["Mails asking for a read receipt", str(s.read_receipts)],
        ["Mails with an HTML part", str(s.html)],
        ["Mails with a plain-text alternative", str(s.plain_text)],
        ["Period (UTC)", f"{fmt_day(s.first_seen)} to {fmt_day(s.last_seen)}"],
        ["Senders", str(len(s.senders))],
    ]


def counts_text(items, escape, limit: int = 8) -> str:
    """"A (3), B (1), and 2 more": the first ``limit`` counts, names escaped for the format."""
    if not items:
        return "none"
    shown = ", ".join(f"{escape(x.name)} ({x.mails})" for x in items[:limit])
    more = len(items) - limit
    return shown + (f", and {more} more" if more > 0 else "")


def verdict_parts(f, identifies: str) -> list[str]:
    """The one-line verdict of a mail, in words; ``identifies`` is the
    format's emphasised "identifies you"."""
    parts = []
    if f.trackers:
        parts.append(plural(len(f.trackers), "tracker"))
    if f.links:
        parts.append(plural(len(f.links), "tracked link"))
    if f.read_receipts:
        parts.append("asks for a read receipt")
    if f.identifies_you:
        parts.append(identifies)
    return parts
