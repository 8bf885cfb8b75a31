"""JSON report; the schema is documented in docs/report-schema.md (``schema`` = ``trackless-report/1``).

Fields are only ever added within a schema version. ``mails`` comes last so
the run can stream it: ``document`` yields the head, then the spooled mail
objects (each from ``mail``), then the tail. The concatenation is one JSON
object, indented by two spaces.
"""

from __future__ import annotations

import json
from typing import Iterable, Iterator

from .aggregate import HOW_WORDS, Count, MonthStat, SenderSummary, Summary, VendorDetail
from .analyse import LinkFinding, MailFindings, OtherRemote, TrackerFinding
from .evidence import Evidence
from .meta import ReportMeta

__all__ = ["SCHEMA", "mail", "mail_dict", "document", "head_dict"]

SCHEMA = "trackless-report/1"


def _tracker(t: TrackerFinding) -> dict:
    return {
        "kind": t.kind, "url": t.url, "host": t.host, "domain": t.domain, "third_party": t.third_party,
        "vendor": t.vendor, "reason": t.reason, "confidence": t.confidence, "token": t.token,
        "identifies_you": t.identifies_you, "identifies_how": t.identifies_how,
        "element": t.element, "attribute": t.attribute,
    }


def _link(l: LinkFinding) -> dict:
    return {
        "original": l.original, "host": l.host, "domain": l.domain, "third_party": l.third_party,
        "status": l.status, "vendor": l.vendor, "destination": l.destination if l.status != "opaque" else None,
        "opaque": l.status == "opaque" or l.destination is None,
        "tracking_params": [{"name": n, "value": v} for n, v in l.tracking_params],
        "identifies_you": l.identifies_you, "identifies_how": l.identifies_how,
        "rule": l.rule, "chain": list(l.chain), "in_text": l.in_text,
    }


def _other(o: OtherRemote) -> dict:
    return {"kind": o.kind, "url": o.url, "host": o.host, "domain": o.domain, "third_party": o.third_party}


def evidence_dict(ev: Evidence | None) -> dict | None:
    if ev is None:
        return None
    return {
        "sha256": ev.sha256, "size": ev.size, "source": ev.source, "offset": ev.offset, "position": ev.position,
        "content_key": ev.content_key,
        "dkim": [{"domain": d.domain, "selector": d.selector, "verified": d.verified} for d in ev.dkim],
        "authentication_results": [{"authserv_id": a.authserv_id, "dkim": a.dkim, "spf": a.spf, "dmarc": a.dmarc,
                                    "raw": a.raw} for a in ev.auth],
    }


def mail_dict(index: int, f: MailFindings) -> dict:
    return {
        "index": index, "origin": f.origin, "date": f.date, "date_utc": f.date_utc, "sender": f.sender,
        "sender_domain": f.sender_domain, "subject": f.subject, "message_id": f.message_id,
        "recipients": list(f.recipients), "has_html": f.has_html, "plain_text_alternative": f.has_text,
        "read_receipts": list(f.read_receipts), "links_total": f.links_total,
        "with_trackers": f.tracked, "with_remote_trackers": f.with_trackers,
        "with_tracking_links": f.with_tracking_links, "identifies_you": f.identifies_you,
        "evidence": evidence_dict(f.evidence),
        "trackers": [_tracker(t) for t in f.trackers],
        "tracked_links": [_link(l) for l in f.links],
        "other_remote": [_other(o) for o in f.other_remote],
    }


def _indent(text: str, n: int) -> str:
    pad = " " * n
    return "\n".join(pad + line for line in text.splitlines())


def mail(index: int, f: MailFindings) -> str:
    return _indent(json.dumps(mail_dict(index, f), indent=2, ensure_ascii=False), 4)


def _count(c: Count) -> dict:
    return {"name": c.name, "mails": c.mails, "refs": c.refs}


def _month(m: MonthStat) -> dict:
    return {"month": m.month, "mails": m.mails, "with_trackers": m.with_trackers}


def _sender(x: SenderSummary) -> dict:
    return {
        "sender": x.sender, "domain": x.domain, "mails": x.mails, "with_trackers": x.with_trackers,
        "share_with_trackers": round(x.share, 4), "trackers": x.trackers, "tracked_links": x.tracked_links,
        "identifies_you": x.identifies_you, "read_receipts": x.read_receipts,
        "vendors": [_count(c) for c in x.vendors], "third_party_hosts": [_count(c) for c in x.third_party_hosts],
        "first_seen": x.first_seen, "last_seen": x.last_seen, "months": [_month(m) for m in x.months],
        "with_remote_trackers": x.with_remote_trackers, "with_tracking_links": x.with_tracking_links,
        "deceptive": x.deceptive,
        "deceptive_links": [{"kind": d.kind, "domain": d.domain, "names": d.names, "imitates": d.imitates,
                             "evidence": d.evidence, "mails": d.mails} for d in x.deceptive_links],
    }


def _vendor(v: VendorDetail) -> dict:
    return {
        "name": v.name, "mails": v.mails, "how": {h: dict(v.how).get(h, 0) for h in HOW_WORDS},
        "months": [{"month": m, "mails": n} for m, n in v.months], "mail_indices": list(v.indices),
        "senders": [_count(c) for c in v.senders], "first_seen": v.first_seen, "last_seen": v.last_seen,
    }


def head_dict(meta: ReportMeta, s: Summary) -> dict:
    return {
        "schema": SCHEMA,
        "generator": {"name": "trackless", "version": meta.version},
        "generated": meta.generated,
        "sources": list(meta.sources),
        "readers": list(meta.readers),
        "redacted": meta.redacted,
        "summary": {
            "mails": s.mails, "with_trackers": s.with_trackers, "share_with_trackers": round(s.share, 4),
            "trackers": s.trackers, "tracked_links": s.tracked_links, "identifies_you": s.identifies_you,
            "read_receipts": s.read_receipts, "html": s.html, "plain_text_alternative": s.plain_text,
            "first_seen": s.first_seen, "last_seen": s.last_seen, "skipped": len(meta.skipped),
            "with_remote_trackers": s.with_remote_trackers, "with_tracking_links": s.with_tracking_links,
            "duplicates": len(meta.duplicates),
        },
        "top_vendors": [_count(c) for c in s.top_vendors],
        "top_hosts": [_count(c) for c in s.top_hosts],
        "months": [_month(m) for m in s.months],
        "senders": [_sender(x) for x in s.senders],
        "dns": None if meta.dns is None else [
            {"host": d.host, "chain": list(d.chain), "vendor": d.vendor, "note": d.note} for d in meta.dns
        ],
        "skipped": [{"origin": e.origin, "code": e.code, "message": e.message} for e in meta.skipped],
        "vendors": [_vendor(v) for v in s.vendor_details],
        "duplicates": [{"origin": d.origin, "index": d.index, "sha256": d.sha256}
                       for d in meta.duplicates],
    }


def document(meta: ReportMeta, s: Summary, mail_chunks: Iterable[str]) -> Iterator[str]:
    """``mail_chunks``: the outputs of ``mail`` joined by ",\n" (possibly split anywhere)."""
    head = json.dumps(head_dict(meta, s), indent=2, ensure_ascii=False)
    assert head.endswith("\n}")
    yield head[:-2] + ',\n  "mails": [\n'
    yield from mail_chunks
    yield "\n  ]\n}\n"
