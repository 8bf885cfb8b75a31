"""Self-contained HTML report: one file, inline CSS, charts as inline SVG.

The page makes no network request and needs no script: no remote asset, no
``<script>``, no ``<a href>`` to anything but in-page anchors, URLs from mails
shown as text only. A Content-Security-Policy ``<meta>`` (``default-src
'none'``) is the second line of defence. Everything from a mail is escaped.
"""

from __future__ import annotations

from html import escape
from typing import Iterable, Iterator

from .aggregate import Count, MonthStat, SenderSummary, Summary
from .analyse import MailFindings
from .meta import ReportMeta
from .render_md import HOSTS_NOTE, VENDORS_NOTE
from .words import (GLOSSARY, KIND_WORDS, counts_text, destination_text, evidence_rows, fmt_date, fmt_day,
                    group_periods, how_text, month_counts, identifies_text, link_status_text, pct, plural, summary_rows,
                    verdict_parts, visible)

__all__ = ["mail", "document", "bar_chart", "month_chart", "CSP"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src 'none'; form-action 'none'"

_CSS = """
:root{--ink:#1d2430;--muted:#5b6576;--line:#d9dee7;--bad:#b3261e;--warn:#b35c00;--ok:#2e7d32;--bg:#fff;--soft:#f4f6f9;--bar:#c9d3e3;--barhot:#b3261e}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);margin:0 auto;max-width:1100px;padding:24px}
h1{font-size:1.7em;margin:.2em 0}h2{border-bottom:2px solid var(--line);padding-bottom:.2em;margin-top:2em}
h3{margin:1.4em 0 .4em}
table{border-collapse:collapse;margin:.5em 0 1em;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;overflow-wrap:anywhere;background:var(--soft);padding:0 3px;border-radius:3px}
td.who{min-width:12em}td.who code{overflow-wrap:break-word;word-break:normal}
.scroll{overflow-x:auto}
svg.fit{width:100%;height:auto}
ul.idx{display:flex;flex-wrap:wrap;gap:0 .8em;list-style:none;padding:0;margin:.3em 0;font-size:13px}
.muted{color:var(--muted)}.bad{color:var(--bad);font-weight:600}.warn{color:var(--warn)}.ok{color:var(--ok)}
.mail{border:1px solid var(--line);border-radius:6px;padding:4px 16px 8px;margin:16px 0;page-break-inside:avoid}
.mail h3{margin-top:.6em}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:.4em 0}
dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
ol.urls li{margin:2px 0}
.charts{display:flex;flex-wrap:wrap;gap:24px}
.chart{flex:1 1 480px}
svg text{font:12px system-ui,sans-serif;fill:var(--ink)}
.note{background:var(--soft);border-left:4px solid var(--warn);padding:6px 12px}
@page{size:A4;margin:14mm 12mm}
@media print{
body{max-width:none;padding:0;font-size:10.5pt}
h2{break-after:avoid;margin-top:1.2em}h3,h4{break-after:avoid}
table{font-size:9pt;width:100%}thead{display:table-header-group}tr,dl.facts{break-inside:avoid}
code{background:none;padding:0;font-size:8.5pt}
.charts{display:block}.chart{break-inside:avoid}
.mail{break-inside:auto;border:none;border-top:1px solid var(--line);border-radius:0;padding:0}
a{color:inherit;text-decoration:none}
.scroll{overflow:visible}
}
"""


def e(s) -> str:
    return escape(visible(s if isinstance(s, str) else str(s)), quote=True)


def c(s: str | None) -> str:
    return f"<code>{e(s)}</code>" if s else "–"


def _table(head: list[str], rows: Iterable[list[str]], numeric: set[int] = frozenset(),
           classes: dict[int, str] | None = None) -> str:
    """``classes``: a CSS class per column (``who``: an address or host that must not wrap letter by letter)."""
    classes = classes or {}

    def cls(i: int) -> str:
        names = (["n"] if i in numeric else []) + ([classes[i]] if i in classes else [])
        return f' class="{" ".join(names)}"' if names else ""

    th = "".join(f'<th{cls(i)}>{h}</th>' for i, h in enumerate(head))
    body = "".join(
        "<tr>" + "".join(f'<td{cls(i)}>{v}</td>' for i, v in enumerate(r)) + "</tr>\n"
        for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>\n{body}</tbody></table>\n"


def bar_chart(senders: tuple[SenderSummary, ...], limit: int = 15) -> str:
    """Horizontal bars per sender: all mails (light) and mails with trackers (dark)."""
    rows = senders[:limit]
    if not rows:
        return "<p class=muted>No mails.</p>"
    top = max(x.mails for x in rows) or 1
    label_w, bar_w, row_h = 260, 300, 22
    h = row_h * len(rows) + 30
    parts = [f'<svg class="fit" role="img" aria-label="Mails tracked per sender" '
             f'style="max-width:{label_w + bar_w + 110}px" viewBox="0 0 {label_w + bar_w + 110} {h}">']
    for i, x in enumerate(rows):
        y = 10 + i * row_h
        name = x.sender if len(x.sender) <= 38 else x.sender[:36] + "…"
        full = round(bar_w * x.mails / top)
        hot = round(bar_w * x.with_trackers / top)
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{e(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{max(full, 1)}" height="{row_h - 6}" fill="#c9d3e3">'
                     f'<title>{e(x.sender)}: {x.mails} mails</title></rect>')
        if hot:
            parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{hot}" height="{row_h - 6}" fill="#b3261e">'
                         f'<title>{e(x.sender)}: {x.with_trackers} tracked</title></rect>')
        parts.append(f'<text x="{label_w + full + 6}" y="{y + 14}">{x.with_trackers}/{x.mails} '
                     f'({pct(x.with_trackers, x.mails)})</text>')
    parts.append(f'<text x="{label_w}" y="{h - 4}">dark: tracked · light: all mails</text>')
    parts.append("</svg>")
    return "".join(parts)


def month_chart(months: tuple[MonthStat, ...], max_columns: int = 24) -> str:
    """Columns per period: all mails (light) and tracked mails (dark). Months, or quarters or years when
    more months than ``max_columns`` would not fit; the SVG scales to the page width."""
    if not months:
        return "<p class=muted>No mails.</p>"
    unit, periods = group_periods(months, max_columns)
    return _columns(periods, unit, "Mails tracked per " + unit)


def _columns(periods: list[tuple[str, int, int]], unit: str, label: str, light: str = "all mails",
             dark: str = "tracked") -> str:
    top = max(p[1] for p in periods) or 1
    rotate = len(periods) > 10 or any(len(p[0]) > 7 for p in periods)
    col_w, gap, plot_h, left = (22, 8, 160, 40) if rotate else (40, 18, 160, 40)
    w = max(left + len(periods) * (col_w + gap) + 10, 300)
    h = plot_h + (90 if rotate else 60)
    base = plot_h + 10
    parts = [f'<svg class="fit" role="img" aria-label="{e(label)}" style="max-width:{w}px" viewBox="0 0 {w} {h}">',
             f'<line x1="{left - 4}" y1="{base}" x2="{w - 5}" y2="{base}" stroke="#5b6576"/>',
             f'<text x="{left - 8}" y="16" text-anchor="end">{top}</text>',
             f'<text x="{left - 8}" y="{base}" text-anchor="end">0</text>']
    for i, (name, total, hot_n) in enumerate(periods):
        x = left + i * (col_w + gap)
        full = round(plot_h * total / top)
        hot = round(plot_h * hot_n / top)
        parts.append(f'<rect x="{x}" y="{base - full}" width="{col_w}" height="{full}" fill="#c9d3e3">'
                     f'<title>{e(name)}: {plural(total, "mail")}</title></rect>')
        if hot and dark:
            parts.append(f'<rect x="{x}" y="{base - hot}" width="{col_w}" height="{hot}" fill="#b3261e">'
                         f'<title>{e(name)}: {hot_n} {dark}</title></rect>')
        cx = x + col_w / 2
        if rotate:
            parts.append(f'<text x="{cx}" y="{base + 12}" text-anchor="end" '
                         f'transform="rotate(-60 {cx} {base + 12})">{e(name)}</text>')
        else:
            parts.append(f'<text x="{cx}" y="{base + 16}" text-anchor="middle">{e(name)}</text>')
    legend = f"dark: {dark} · light: {light}" if dark else f"mails per {unit}"
    parts.append(f'<text x="{left}" y="{h - 6}">{e(legend)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _counts(items: tuple[Count, ...], limit: int = 8) -> str:
    return counts_text(items, e, limit)


def deceptive_section(senders) -> list[str]:
    """Deceptive and lookalike links per sender (nothing when there are none)."""
    rows = [x for x in senders if x.deceptive]
    if not rows:
        return []
    return ["<h2>Deceptive and lookalike links</h2>", _table(
        ["Sender", "Links", "What"],
        ([c(x.sender), str(x.deceptive),
          "<ul>" + "".join(f"<li>{e(d.kind)}: {e(d.evidence)} ({plural(d.mails, 'mail')})</li>"
                           for d in x.deceptive_links) + "</ul>"] for x in rows),
        {1})]


def mail(index: int, f: MailFindings) -> str:
    subject = e(f.subject) or "(no subject)"
    verdict = verdict_parts(f, "<span class=bad>identifies you</span>")
    out = [f'<section class="mail" id="mail-{index}">', f"<h3>{index}. {subject}</h3>", '<dl class="facts">']
    facts = [
        ("Date", f"{fmt_date(f.date_utc)} <span class=muted>(header: {c(f.date) if f.date else 'none'})</span>"),
        ("From", c(f.sender) if f.sender else "unknown"),
        ("To (recipients)", ", ".join(c(r) for r in f.recipients) or "none"),
        ("Message-ID", c(f.message_id) if f.message_id else "none"),
        ("Source", c(f.origin)),
        *evidence_rows(f, c),
        ("Plain-text alternative", "yes" if f.has_text else "no"),
        ("Read-receipt headers", ", ".join(c(h) for h in f.read_receipts) if f.read_receipts else "none"),
        ("Links in the mail", str(f.links_total)),
        ("Verdict", ", ".join(verdict) if verdict else '<span class=ok>no tracking found</span>'),
    ]
    out += [f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts]
    out.append("</dl>")
    if f.trackers:
        out.append(f"<h4>Trackers ({len(f.trackers)})</h4>")
        out.append(_table(
            ["#", "Kind", "URL", "Host (registrable domain)", "Vendor", "Why", "Per-recipient token", "Identifies you"],
            ([str(i), e(KIND_WORDS.get(t.kind, t.kind)), c(t.url),
              c(t.host) + f"<br><span class=muted>{e(t.domain)}</span>"
              + (" <span class=warn>(third party)</span>" if t.third_party else " (sender's domain)"),
              e(t.vendor) or "unknown", f"{e(t.reason)} <span class=muted>(confidence: {e(t.confidence)})</span>",
              c(t.token) if t.token else "none visible",
              f'<span class=bad>{e(identifies_text(True, t.identifies_how))}</span>' if t.identifies_you else "no"]
             for i, t in enumerate(f.trackers, 1)),
            classes={3: "who"},
        ))
    if f.links:
        out.append(f"<h4>Tracking links ({len(f.links)})</h4>")
        rows = []
        for i, l in enumerate(f.links, 1):
            via = "".join(f"<br><span class=muted>via</span> {c(x)}" for x in l.chain)
            dest = (c(l.destination) if l.destination is not None and l.status != "opaque"
                    else f"<span class=warn>{e(destination_text(l))}</span>")
            rows.append([
                str(i), c(l.original) + via, c(l.host),
                e(link_status_text(l)) + (" (plain-text part)" if l.in_text else ""),
                e(l.vendor) or "unknown", dest,
                ", ".join(c(n if v is None else f"{n}={v}") for n, v in l.tracking_params) or "none",
                f'<span class=bad>{e(identifies_text(True, l.identifies_how))}</span>' if l.identifies_you else "no",
            ])
        out.append(_table(["#", "Link as in the mail", "Link host", "Type", "Wrapper vendor", "Destination",
                           "Tracking parameters", "Identifies you"], rows, classes={2: "who"}))
    if f.other_remote:
        shown = ", ".join(f"{e(o.kind)} from {c(o.host)}" for o in f.other_remote[:20])
        more = f", and {len(f.other_remote) - 20} more" if len(f.other_remote) > 20 else ""
        out.append(f"<p><b>Other remote content ({len(f.other_remote)}, not judged trackers):</b> {shown}{more}</p>")
    out.append("</section>\n")
    return "\n".join(out)


def _vendor_sections(s: Summary) -> list[str]:
    out = ["<h2 id=vendors-detail>Who tracked which mail</h2>",
           "<p class=muted>For each vendor: how it tracked the reader (in how many mails), when, for which "
           "senders, and links to the mails.</p>"]
    if not s.vendor_details:
        return out + ["<p>No named vendor found.</p>"]
    for v in s.vendor_details:
        unit, periods = group_periods(month_counts(v.months), 24)
        out.append(f"<section class=vendor><h3>{e(v.name)}</h3><dl class=facts>"
                   f"<dt>Mails</dt><dd>{plural(v.mails, 'mail')}, {fmt_day(v.first_seen)} to {fmt_day(v.last_seen)}</dd>"
                   f"<dt>How</dt><dd>{e(how_text(v.how))}</dd>"
                   f"<dt>Senders</dt><dd>{_counts(v.senders)}</dd></dl>")
        if len(periods) > 1:
            out.append(_columns(periods, unit, f"{v.name}: mails per {unit}", dark=""))
        out.append("<ul class=idx>" + "".join(f'<li><a href="#mail-{i}">#{i}</a></li>' for i in v.indices)
                   + "</ul></section>")
    return out


def __init__(self, month: str, mails: int):
        self.month, self.mails, self.with_trackers = month, mails, mails


def index_row(index: int, f: MailFindings) -> str:
    """One row of the "Mails at a glance" table, linking to the mail's section."""
    cells = [f'<a href="#mail-{index}">{index}</a>', e(fmt_day(f.date_utc)), c(f.sender) if f.sender else "unknown",
             e(f.subject) or "(no subject)", str(len(f.trackers)), str(len(f.links)),
             '<span class=bad>yes</span>' if f.identifies_you else "no", "yes" if f.read_receipts else "no"]
    return "<tr>" + "".join(f'<td{" class=n" if i in (4, 5) else ""}>{v}</td>' for i, v in enumerate(cells)) + "</tr>\n"


def document(meta: ReportMeta, s: Summary, mail_chunks: Iterable[str], index_chunks: Iterable[str] = ()) -> Iterator[str]:
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
           '<meta name="referrer" content="no-referrer">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>Trackless evidence report</title>", f"<style>{_CSS}</style></head><body>",
           "<h1>Trackless evidence report</h1>"]
    dns_note = " (only DNS CNAME records were looked up, as asked with <code>--dns</code>)" if meta.dns is not None else ""
    out.append(f"<p>Generated {e(fmt_date(meta.generated))} by trackless {e(meta.version)} from the mails "
               f"themselves, offline: no remote content was loaded and no link was followed{dns_note}.</p>")
    out.append("<p>Sources: " + ", ".join(c(p) for p in meta.sources) + ".</p>")
    out.append("<p>The reader: each mail's own recipients (To, Cc, Delivered-To, X-Original-To)"
               + (", and the addresses given with <code>--to</code>: " + ", ".join(c(r) for r in meta.readers)
                  if meta.readers else "") + ".</p>")
    if meta.redacted:
        out.append('<p class="note">This report is <b>redacted</b>: the reader\'s addresses and per-recipient '
                   "tokens are replaced by stable placeholders (<code>[reader-N]</code>, <code>[token-N]</code>; "
                   "an encoded address as <code>[reader-N:md5]</code> etc.).</p>")
    out.append("<h2>Summary</h2>")
    out.append(_table(["Measure", "Value"], summary_rows(s) + [
        ["Duplicates (copies counted once)", f'<a href="#duplicates">{len(meta.duplicates)}</a>'],
        ["Files or mails skipped", f'<a href="#skipped">{len(meta.skipped)}</a>'],
    ]))
    unit = group_periods(s.months)[0]
    out.append('<div class="charts"><div class="chart"><h3>Mails tracked per sender</h3>' + bar_chart(s.senders)
               + f'</div><div class="chart"><h3>Mails tracked per {e(unit)}</h3>' + month_chart(s.months)
               + "</div></div>")
    out.append(f"<h2>Top tracking vendors</h2><p class=muted>{e(VENDORS_NOTE)}</p>")
    out.append(_table(["Vendor", "Mails", "References"], ([e(x.name), str(x.mails), str(x.refs)] for x in s.top_vendors), {1, 2})
               if s.top_vendors else "<p>No named vendor found.</p>")
    out.append(f"<h2>Top tracking hosts</h2><p class=muted>{e(HOSTS_NOTE)}</p>")
    out.append(_table(["Host", "Mails", "References"], ([c(x.name), str(x.mails), str(x.refs)] for x in s.top_hosts), {1, 2})
               if s.top_hosts else "<p>No tracking host found.</p>")
    out += _vendor_sections(s)
    out.append("<h2>Tracking over time</h2>")
    out.append(_table(["Month (UTC)", "Mails", "Tracked", "Share"],
                      ([e(m.month), str(m.mails), str(m.with_trackers), pct(m.with_trackers, m.mails)] for m in s.months),
                      {1, 2, 3}))
    out.append("<h2>Senders</h2>")
    out.append(_table(
        ["Sender", "Mails", "Tracked", "Share", "Trackers", "Tracking links", "Identifies you", "Seen"],
        ([c(x.sender), str(x.mails), str(x.with_trackers), pct(x.with_trackers, x.mails), str(x.trackers),
          str(x.tracked_links), str(x.identifies_you), f"{fmt_day(x.first_seen)} to {fmt_day(x.last_seen)}"]
         for x in s.senders),
        {1, 2, 3, 4, 5, 6}, {0: "who"},
    ))
    for x in s.senders:
        out.append(f"<h3>{e(x.sender)}</h3><dl class=facts>"
                   f"<dt>Domain</dt><dd>{e(x.domain) or 'unknown'}</dd>"
                   f"<dt>Tracked</dt><dd>{x.with_trackers} of {plural(x.mails, 'mail')}: {x.with_remote_trackers} with "
                   f"trackers, {x.with_tracking_links} with tracking links</dd>"
                   f"<dt>Vendors</dt><dd>{_counts(x.vendors)}</dd>"
                   f"<dt>Third-party hosts</dt><dd>{_counts(x.third_party_hosts)}</dd>"
                   f"<dt>By month (tracked / mails)</dt><dd>"
                   + ", ".join(f"{e(m.month)}: {m.with_trackers}/{m.mails}" for m in x.months) + "</dd></dl>")
    out += deceptive_section(s.senders)
    if meta.dns is not None:
        out.append("<h2>DNS (CNAME chains)</h2>")
        out.append(_table(["Host", "CNAME chain", "Vendor", "Note"],
                          ([c(d.host), " → ".join(c(x) for x in d.chain) or "no CNAME", e(d.vendor) or "–",
                            e(d.note) or "–"] for d in meta.dns)) if meta.dns else "<p>No host needed a lookup.</p>")
    out.append("<h2>Mails at a glance</h2>")
    out.append("<table><thead><tr><th>#</th><th>Date (UTC)</th><th>From</th><th>Subject</th><th class=n>Trackers</th>"
               "<th class=n>Tracking links</th><th>Identifies you</th><th>Read receipt</th></tr></thead><tbody>")
    yield "\n".join(out) + "\n"
    yield from index_chunks
    yield "</tbody></table>\n<h2>Mails</h2>\n"
    for chunk in mail_chunks:
        yield chunk
    out = ['<h2 id="duplicates">Duplicates (counted once)</h2>']
    if meta.duplicates:
        out.append("<p>Copies of mails already counted (same Message-ID and body), not counted again:</p>")
        out.append(_table(["Copy", "SHA-256", "Same mail as"],
                          ([c(d.origin), c(d.sha256), f'<a href="#mail-{d.index}">#{d.index}</a>']
                           for d in meta.duplicates)))
    else:
        out.append("<p>No mail was found twice.</p>")
    out.append('<h2 id="skipped">Skipped</h2>')
    out.append(_table(["Source", "Code", "Problem"], ([c(x.origin), c(x.code), e(x.message)] for x in meta.skipped))
               if meta.skipped else "<p>Nothing was skipped.</p>")
    out.append("<h2>How to read this report</h2><dl class=facts>")
    out += [f"<dt>{e(term)}</dt><dd>{e(text)}</dd>" for term, text in GLOSSARY]
    out.append("</dl><p class=muted>Findings come from the HTML and plain-text parts of each mail as stored. "
               "A mail's trackers may differ from what another recipient received. Dates are the mails' own "
               "Date headers, in UTC.</p>")
    out.append("</body></html>\n")
    yield "\n".join(out)
