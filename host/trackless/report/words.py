"""Wording and value formatting shared by the Markdown and HTML renderers (pure)."""

from __future__ import annotations

import re

from .analyse import LinkFinding

__all__ = ["visible", "fmt_date", "fmt_day", "pct", "destination_text", "identifies_text", "KIND_WORDS",
           "GLOSSARY", "link_status_text", "plural", "group_periods", "evidence_rows", "how_text", "month_counts"]

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
                "or a company acting for it, that and when this mail was opened, and from which IP address. "
                "The Trackless add-on blocks them (\"trackers blocked\")."),
    ("Tracking link", "a link that passes through a tracking server (a wrapper) before reaching its destination, "
                      "or that carries tracking parameters such as utm_* or a per-recipient id."),
    ("Mails tracked", "mails with at least one tracker or tracking link. \"Mails with trackers\" and \"mails "
                      "with tracking links\" count each kind on its own; a mail can be in both."),
    ("Opaque", "the real destination is not contained in the link; only the tracking server knows it."),
    ("Per-recipient token", "a value in a URL that differs per recipient; it lets the sender tie a request to you."),
    ("Identifies you", "the URL contains your e-mail address, plainly, encoded (percent, base64) or hashed "
                       "(MD5, SHA-1, SHA-256)."),
    ("Third party", "a host whose registrable domain differs from the sender's domain."),
    ("Read-receipt header", "a header asking your mail program to confirm that you read the mail."),
    ("SHA-256", "the fingerprint of the mail's raw bytes as stored; anyone holding the same file gets the same "
                "value (sha256sum), so each finding can be checked against the original mail."),
    ("DKIM signature", "the domain (d=) and key selector (s=) that signed the mail; with --dns the signature "
                       "is verified against the key the domain publishes in DNS."),
    ("Authentication-Results", "the verdicts (dkim, spf, dmarc) your mail provider recorded when it received "
                               "the mail; the first such header is the provider's own."),
    ("Duplicate", "another copy of a mail already counted (same Message-ID and body, e.g. in Inbox and All "
                  "Mail); listed, not counted twice."),
)


def summary_rows(s) -> list[list[str]]:
    """The summary table's rows (measure, plain-text value), shared by the renderers.
    The last row is the skipped count, which the HTML page turns into a link."""
    return [
        ["Mails read (each counted once)", str(s.mails)],
        ["Mails tracked (trackers or tracking links)", f"{s.with_trackers} ({pct(s.with_trackers, s.mails)})"],
        ["Mails with trackers", f"{s.with_remote_trackers} ({pct(s.with_remote_trackers, s.mails)})"],
        ["Mails with tracking links", f"{s.with_tracking_links} ({pct(s.with_tracking_links, s.mails)})"],
        ["Trackers found (blocked by the add-on)", str(s.trackers)],
        ["Tracking links found", str(s.tracked_links)],
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
        parts.append(plural(len(f.links), "tracking link"))
    if f.read_receipts:
        parts.append("asks for a read receipt")
    if f.identifies_you:
        parts.append(identifies)
    return parts


def group_periods(months, max_columns: int = 24) -> tuple[str, list[tuple[str, int, int]]]:
    """Months (``MonthStat``) as at most ``max_columns`` periods: months, else quarters, else years, else
    spans of several years. Returns (unit, [(label, mails, with_trackers)]); "unknown" stays last."""
    known = [m for m in months if m.month != "unknown"]
    unknown = [(m.month, m.mails, m.with_trackers) for m in months if m.month == "unknown"]
    room = max(1, max_columns - len(unknown))

    def grouped(key) -> list[tuple[str, int, int]]:
        out: dict[str, list[int]] = {}
        for m in known:
            k = key(m.month)
            acc = out.setdefault(k, [0, 0])
            acc[0] += m.mails
            acc[1] += m.with_trackers
        return [(k, a, b) for k, (a, b) in out.items()]

    if not known:
        return "month", unknown
    first, last = int(known[0].month[:4]), int(known[-1].month[:4])
    n_months = (last - first) * 12 + int(known[-1].month[5:7]) - int(known[0].month[5:7]) + 1
    if n_months <= room:
        return "month", [(m.month, m.mails, m.with_trackers) for m in known] + unknown
    def quarter(k: str) -> int:
        return int(k[:4]) * 4 + (int(k[5:7]) - 1) // 3

    if quarter(known[-1].month) - quarter(known[0].month) + 1 <= room:
        return "quarter", grouped(lambda k: f"{k[:4]}-Q{(int(k[5:7]) - 1) // 3 + 1}") + unknown
    years = last - first + 1
    step = 1
    while (years + step - 1) // step > room:
        step += 1
    if step == 1:
        return "year", grouped(lambda k: k[:4]) + unknown

    def bucket(k: str) -> str:
        lo = first + (int(k[:4]) - first) // step * step
        return f"{lo}–{min(lo + step - 1, last)}"

    return f"{step} years", grouped(bucket) + unknown


def month_counts(pairs) -> list:
    """(month, mails) pairs shaped like ``MonthStat`` (all counted as tracked) for ``group_periods``."""
    from .aggregate import MonthStat

    return [MonthStat(m, n, n) for m, n in pairs]


def how_text(how) -> str:
    """"tracking pixel in 3 mails, tracking link in 2" from a vendor's (how, mails) pairs."""
    from .aggregate import HOW_WORDS

    return ", ".join(f"{HOW_WORDS.get(h, h)} in {plural(n, 'mail')}" for h, n in how) or "–"


def evidence_rows(f, code) -> list[tuple[str, str]]:
    """(label, value) rows tying a mail to its source, values rendered with ``code`` (a literal span)."""
    ev = f.evidence
    if ev is None:
        return []
    rows = [("SHA-256 of the raw mail", code(ev.sha256) + f" ({plural(ev.size, 'byte')})"),
            ("Found in", code(ev.source or f.origin) + f", {ev.position}")]
    if ev.dkim:
        sigs = []
        for d in ev.dkim:
            text = f"d={code(d.domain)} s={code(d.selector)}"
            if d.verified:
                text += f" (verified: {d.verified})"
            sigs.append(text)
        rows.append(("DKIM signatures", "; ".join(sigs)))
    else:
        rows.append(("DKIM signatures", "none"))
    if ev.auth:
        a = ev.auth[0]
        verdict = ", ".join(f"{k}={v}" for k, v in (("dkim", a.dkim), ("spf", a.spf), ("dmarc", a.dmarc)) if v) or "no verdict"
        more = f" (and {plural(len(ev.auth) - 1, 'older header')})" if len(ev.auth) > 1 else ""
        rows.append(("Authentication-Results", f"{code(a.authserv_id) if a.authserv_id else 'unnamed server'}: "
                                               f"{verdict}{more}"))
    else:
        rows.append(("Authentication-Results", "none"))
    return rows
