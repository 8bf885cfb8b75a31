"""Markdown report (the default format).

``mail(index, findings)`` renders one mail's section (the run spools these as
they come); ``document(meta, summary, mail_chunks)`` yields the whole report:
summary, vendors, hosts, time line, senders, DNS, then the mails and what was
skipped. Everything taken from a mail is escaped: it is shown, never
interpreted (no links, no HTML, no Markdown). URLs, ``www.`` names and
e-mail addresses in free text are written as code spans, so that renderers
that auto-link bare URLs (GitHub, GitLab, most editors) make no link.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator

from .aggregate import Count, Summary
from .analyse import MailFindings
from .meta import ReportMeta
from .words import (GLOSSARY, KIND_WORDS, counts_text, destination_text, evidence_rows, fmt_date, fmt_day,
                    group_periods, how_text, month_counts, identifies_text, link_status_text, pct, plural, summary_rows,
                    verdict_parts, visible)

__all__ = ["mail", "document", "esc", "code"]

VENDORS_NOTE = ("Companies named by the tracker and link rules. \"Mails\": mails in which the vendor appears; "
                "\"References\": trackers and tracking links naming it.")
HOSTS_NOTE = ("Hosts of trackers and tracking links; a link that only carries tracking parameters counts its "
              "destination host, which receives them.")

# Enough to keep text literal: no emphasis, code, links/images ([ ] escaped, so "(" is harmless),
# HTML or entities, table cells; text from a mail never starts a line here.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~&])")


# What Markdown renderers auto-link: scheme URLs, www. names, e-mail addresses.
_AUTOLINK = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)[^\s\"'<>`]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)


def esc(s: str | None) -> str:
    """Text shown literally in Markdown (also inside table cells); URLs and addresses become code spans."""
    text = visible(s)
    out, pos = [], 0
    for m in _AUTOLINK.finditer(text):
        url = m.group(0).rstrip(".,;:!?)]")
        out.append(_MD_SPECIAL.sub(r"\\\1", text[pos:m.start()]))
        out.append(code(url))
        pos = m.start() + len(url)
    out.append(_MD_SPECIAL.sub(r"\\\1", text[pos:]))
    return "".join(out)


def code(s: str | None) -> str:
    """An inline code span holding ``s`` literally (safe in table cells)."""
    s = visible(s)
    if not s:
        return "–"
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""
    body = s.replace("|", "\\|")  # GFM splits table cells on | even inside code spans
    return f"{fence}{pad}{body}{pad}{fence}"


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _table(head: list[str], rows: Iterable[list[str]]) -> list[str]:
    out = [_row(head), _row(["---"] * len(head))]
    out.extend(_row(r) for r in rows)
    return out


def _counts(items: tuple[Count, ...], limit: int = 8) -> str:
    return counts_text(items, esc, limit)


def deceptive_lines(x) -> list[str]:
    """A sender's deceptive and lookalike links (none: no line)."""
    if not x.deceptive:
        return []
    out = [f"- Deceptive or lookalike links: {x.deceptive}"]
    out += [f"  - {d.kind}: {esc(d.evidence)} ({plural(d.mails, 'mail')})" for d in x.deceptive_links]
    return out


def mail(index: int, f: MailFindings) -> str:
    out: list[str] = []
    subject = esc(f.subject) or "(no subject)"
    out.append(f"### {index}. {subject}")
    out.append("")
    verdict = verdict_parts(f, "**identifies you**")
    out += _table(["Field", "Value"], [
        ["Date", f"{fmt_date(f.date_utc)} (header: {code(f.date) if f.date else 'none'})"],
        ["From", code(f.sender) if f.sender else "unknown"],
        ["To (recipients)", ", ".join(code(r) for r in f.recipients) or "none"],
        ["Subject", subject],
        ["Message-ID", code(f.message_id) if f.message_id else "none"],
        ["Source", code(f.origin)],
        *([k, v] for k, v in evidence_rows(f, code)),
        ["Plain-text alternative", "yes" if f.has_text else "no"],
        ["Read-receipt headers", ", ".join(code(h) for h in f.read_receipts) if f.read_receipts else "none"],
        ["Links in the mail", str(f.links_total)],
        ["Verdict", ", ".join(verdict) if verdict else "no tracking found"],
    ])
    if f.trackers:
        out += ["", f"**Trackers ({len(f.trackers)})**", ""]
        out += _table(
            ["#", "Kind", "Host", "Registrable domain", "Vendor", "Why", "Per-recipient token", "Identifies you"],
            ([str(i), esc(KIND_WORDS.get(t.kind, t.kind)), code(t.host),
              esc(t.domain) + (" (third party)" if t.third_party else " (sender's domain)"),
              esc(t.vendor) or "unknown", esc(t.reason) + f" (confidence: {t.confidence})",
              code(t.token) if t.token else "none visible", identifies_text(t.identifies_you, t.identifies_how)]
             for i, t in enumerate(f.trackers, 1)),
        )
        out += ["", "Tracker URLs:", ""]
        out += [f"{i}. {code(t.url)}" for i, t in enumerate(f.trackers, 1)]
    if f.links:
        out += ["", f"**Tracking links ({len(f.links)})**", ""]
        out += _table(
            ["#", "Link host", "Type", "Wrapper vendor", "Destination", "Tracking parameters", "Identifies you"],
            ([str(i), code(l.host), esc(link_status_text(l)) + (" (plain-text part)" if l.in_text else ""),
              esc(l.vendor) or "unknown",
              "opaque" if l.destination is None or l.status == "opaque" else "see below",
              ", ".join(code(n if v is None else f"{n}={v}") for n, v in l.tracking_params) or "none",
              identifies_text(l.identifies_you, l.identifies_how)]
             for i, l in enumerate(f.links, 1)),
        )
        out += ["", "Link URLs (as in the mail → destination):", ""]
        for i, l in enumerate(f.links, 1):
            out.append(f"{i}. {code(l.original)}")
            for c in l.chain:
                out.append(f"   - via {code(c)}")
            dest = destination_text(l)
            out.append(f"   - → {code(dest) if l.destination is not None and l.status != 'opaque' else esc(dest)}")
    if f.other_remote:
        out += ["", f"**Other remote content ({len(f.other_remote)}, not judged trackers)**: "
                + ", ".join(f"{esc(o.kind)} from {code(o.host)}" for o in f.other_remote[:20])
                + (f", and {len(f.other_remote) - 20} more" if len(f.other_remote) > 20 else "")]
    out.append("")
    return "\n".join(out) + "\n"


def _vendor_sections(s: Summary) -> list[str]:
    out = ["", "## Who tracked which mail", "",
           "For each vendor: how it tracked the reader (in how many mails), when, for which senders, and the "
           "numbers of the mails (see \"Mails\" below).", ""]
    if not s.vendor_details:
        return out + ["No named vendor found."]
    for v in s.vendor_details:
        unit, periods = group_periods(month_counts(v.months), 24)
        out += [f"### {esc(v.name)}", ""]
        out.append(f"- {plural(v.mails, 'mail')}, {fmt_day(v.first_seen)} to {fmt_day(v.last_seen)}")
        out.append(f"- How: {how_text(v.how)}")
        out.append(f"- Senders: {_counts(v.senders)}")
        out.append(f"- Timeline (mails per {unit}): " + ", ".join(f"{label}: {n}" for label, n, _ in periods))
        out.append("- Mails: " + ", ".join(f"#{i}" for i in v.indices))
        out.append("")
    return out


def __init__(self, month: str, mails: int):
        self.month, self.mails, self.with_trackers = month, mails, mails


def _verdict_short(f: MailFindings) -> list[str]:
    return [str(len(f.trackers)), str(len(f.links)), "yes" if f.identifies_you else "no",
            "yes" if f.read_receipts else "no"]


def index_row(index: int, f: MailFindings) -> str:
    """One row of the "Mails at a glance" table."""
    return _row([str(index), fmt_day(f.date_utc), code(f.sender) if f.sender else "unknown",
                 esc(f.subject) or "(no subject)", *_verdict_short(f)]) + "\n"


def document(meta: ReportMeta, s: Summary, mail_chunks: Iterable[str], index_chunks: Iterable[str] = ()) -> Iterator[str]:
    out: list[str] = ["# Trackless evidence report", ""]
    out.append(f"Generated {fmt_date(meta.generated)} by trackless {esc(meta.version)} from the mails themselves, "
               "offline: no remote content was loaded and no link was followed"
               + (" (only DNS CNAME records were looked up, as asked with `--dns`)" if meta.dns is not None else "")
               + ".")
    out.append("")
    out.append("Sources: " + ", ".join(code(p) for p in meta.sources) + ".")
    out.append("")
    out.append("The reader: each mail's own recipients (To, Cc, Delivered-To, X-Original-To)"
               + (", and the addresses given with `--to`: " + ", ".join(code(r) for r in meta.readers)
                  if meta.readers else "") + ".")
    if meta.redacted:
        out += ["", "This report is **redacted**: the reader's addresses and per-recipient tokens are replaced by "
                "stable placeholders (`[reader-N]`, `[token-N]`; an encoded address as `[reader-N:md5]` etc.)."]
    out += ["", "## Summary", ""]
    out += _table(["Measure", "Value"], summary_rows(s) + [
        ["Duplicates (copies counted once)", str(len(meta.duplicates))],
        ["Files or mails skipped", str(len(meta.skipped))],
    ])
    out += ["", "## Top tracking vendors", "", VENDORS_NOTE, ""]
    if s.top_vendors:
        out += _table(["Vendor", "Mails", "References"], ([esc(c.name), str(c.mails), str(c.refs)] for c in s.top_vendors))
    else:
        out.append("No named vendor found.")
    out += ["", "## Top tracking hosts", "", HOSTS_NOTE, ""]
    if s.top_hosts:
        out += _table(["Host", "Mails", "References"], ([code(c.name), str(c.mails), str(c.refs)] for c in s.top_hosts))
    else:
        out.append("No tracking host found.")
    out += _vendor_sections(s)
    out += ["", "## Tracking over time", ""]
    out += _table(["Month (UTC)", "Mails", "Tracked", "Share"],
                  ([m.month, str(m.mails), str(m.with_trackers), pct(m.with_trackers, m.mails)] for m in s.months))
    out += ["", "## Senders", ""]
    out += _table(
        ["Sender", "Mails", "Tracked", "Share", "Trackers", "Tracking links", "Identifies you", "First seen", "Last seen"],
        ([code(x.sender), str(x.mails), str(x.with_trackers), pct(x.with_trackers, x.mails), str(x.trackers),
          str(x.tracked_links), str(x.identifies_you), fmt_day(x.first_seen), fmt_day(x.last_seen)] for x in s.senders),
    )
    for x in s.senders:
        out += ["", f"### {esc(x.sender)}", ""]
        out.append(f"- Domain: {esc(x.domain) or 'unknown'}")
        out.append(f"- Seen: {fmt_day(x.first_seen)} to {fmt_day(x.last_seen)}, {plural(x.mails, 'mail')}, "
                   f"{x.with_trackers} tracked ({pct(x.with_trackers, x.mails)}): {x.with_remote_trackers} with "
                   f"trackers, {x.with_tracking_links} with tracking links")
        out.append(f"- Vendors: {_counts(x.vendors)}")
        out.append(f"- Third-party hosts: {_counts(x.third_party_hosts)}")
        if x.read_receipts:
            out.append(f"- Mails asking for a read receipt: {x.read_receipts}")
        out += deceptive_lines(x)
        out.append("- By month: " + ", ".join(f"{m.month}: {m.with_trackers}/{m.mails}" for m in x.months))
    if meta.dns is not None:
        out += ["", "## DNS (CNAME chains)", ""]
        if meta.dns:
            out += _table(["Host", "CNAME chain", "Vendor", "Note"],
                          ([code(d.host), " → ".join(code(c) for c in d.chain) or "no CNAME",
                            esc(d.vendor) or "–", esc(d.note) or "–"] for d in meta.dns))
        else:
            out.append("No host needed a lookup.")
    out += ["", "## Mails at a glance", ""]
    out += _table(["#", "Date (UTC)", "From", "Subject", "Trackers", "Tracking links", "Identifies you",
                   "Read receipt"], [])
    yield "\n".join(out) + "\n"
    yield from index_chunks
    yield "\n## Mails\n\n"
    for chunk in mail_chunks:
        yield chunk
    out = ["## Duplicates (counted once)", ""]
    if meta.duplicates:
        out.append("Copies of mails already counted (same Message-ID and body), not counted again:")
        out.append("")
        out += _table(["Copy", "SHA-256", "Same mail as"],
                      ([code(d.origin), code(d.sha256), f"#{d.index}"] for d in meta.duplicates))
    else:
        out.append("No mail was found twice.")
    out += ["", "## Skipped", ""]
    if meta.skipped:
        out += _table(["Source", "Code", "Problem"], ([code(e.origin), code(e.code), esc(e.message)] for e in meta.skipped))
    else:
        out.append("Nothing was skipped.")
    out += ["", "## How to read this report", ""]
    out += [f"- **{term}**: {text}" for term, text in GLOSSARY]
    out += ["- Findings come from the HTML and plain-text parts of each mail as stored. A mail's trackers may "
            "differ from what another recipient received. Dates are the mails' own Date headers, in UTC.", ""]
    yield "\n".join(out)
