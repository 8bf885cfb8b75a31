"""One mail's evidence: raw bytes -> ``MailFindings`` (pure, no I/O).

``analyse(data, origin, extra_to)`` parses the mail with
``trackless.mail.parse_message``, runs ``trackless.sanitize`` on its HTML part
(the reader = the mail's recipients plus ``extra_to``) and keeps what a
complaint needs: each tracker (kind, URL, host, registrable domain, vendor,
why, the per-recipient token when one is visible, whether and how the URL
carries the reader's address), each tracked link (wrapper vendor, decoded or
opaque destination, tracking parameters with their values, whether it
identifies the reader), read-receipt headers and whether a plain-text
alternative exists. A mail with no HTML part has its plain-text links run
through the link engine instead (``trackless.unwrap``).

``findings_from(mail, result, ...)`` is the pure core, testable with
hand-made ``Result`` objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import timezone
from email.utils import parsedate_to_datetime
from typing import Callable, Iterable
from urllib.parse import unquote, unquote_plus, urlsplit

from ..domains import registrable_domain
from ..core.identity import Identity
from ..mail import Mail, parse_message
from ..result import Link, Result
from .evidence import Evidence, evidence_of

__all__ = [
    "TrackerFinding", "LinkFinding", "OtherRemote", "MailFindings",
    "analyse", "findings_from", "parse_date", "is_tracked_link", "query_pairs", "text_urls", "MAX_TEXT_LINKS",
]

#: At most this many links are taken from a plain-text-only mail.
MAX_TEXT_LINKS = 500
_TEXT_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)


@dataclass(frozen=True)
class TrackerFinding:
    """A remote reference judged a tracker (from ``Result.remote``).

    identifies_how: the encoding in which the reader's address appears in the
    URL ("plain", "md5", ...) or None; third_party: its registrable domain is
    not the sender's.
    """

    kind: str
    url: str
    host: str
    domain: str
    vendor: str | None
    reason: str
    confidence: str
    identifies_you: bool
    identifies_how: str | None
    token: str | None
    element: str
    attribute: str
    third_party: bool


@dataclass(frozen=True)
class OtherRemote:
    """Remote content not judged a tracker (it would still be fetched on display)."""

    kind: str
    url: str
    host: str
    domain: str
    third_party: bool


@dataclass(frozen=True)
class LinkFinding:
    """A tracked link (wrapped, opaque, carrying tracking parameters or the reader's address).

    destination: the decoded, cleaned destination, or None when it is opaque
    (known only to the wrapper's server). tracking_params: (name, value) of
    each tracking parameter found, value as written in the URL (None if it
    could not be located).
    """

    original: str
    host: str
    domain: str
    status: str
    vendor: str | None
    destination: str | None
    tracking_params: tuple[tuple[str, str | None], ...]
    identifies_you: bool
    identifies_how: str | None
    rule: str | None
    chain: tuple[str, ...]
    third_party: bool
    in_text: bool = False


@dataclass(frozen=True)
class DeceptiveFinding:
    """A link judged ``deceptive`` or ``lookalike`` (trackless.links.deceptive).

    href: the link as written; domain: where it really goes; shown: what the
    reader is shown ("" when none); names: the domain that names;
    imitates: the domain a lookalike imitates; evidence: why, in words.
    """

    kind: str
    href: str
    domain: str
    shown: str
    names: str
    imitates: str
    evidence: str


#: Verdicts the report lists per sender (``hidden`` only says a wrapper hides a destination).
REPORTED_VERDICTS = ("deceptive", "lookalike")


def deceptive_findings(links) -> tuple[DeceptiveFinding, ...]:
    """The deceptive and lookalike links among a sanitize result's links."""
    return tuple(DeceptiveFinding(l.verdict.kind, l.original, l.verdict.domain, l.verdict.shown, l.verdict.names,
                                  l.verdict.imitates, l.verdict.evidence)
                 for l in links if l.verdict is not None and l.verdict.kind in REPORTED_VERDICTS)


@dataclass(frozen=True)
class MailFindings:
    """Everything the report says about one mail."""

    origin: str
    date: str
    date_utc: str | None
    sender: str | None
    sender_domain: str
    subject: str
    message_id: str
    recipients: tuple[str, ...]
    trackers: tuple[TrackerFinding, ...]
    links: tuple[LinkFinding, ...]
    other_remote: tuple[OtherRemote, ...]
    links_total: int
    read_receipts: tuple[str, ...]
    has_html: bool
    has_text: bool
    size: int = 0
    evidence: Evidence | None = None  # hash, DKIM, Authentication-Results, source position
    deceptive: tuple[DeceptiveFinding, ...] = ()

    @property
    def with_trackers(self) -> bool:
        """At least one tracker (remote reference judged a tracker)."""
        return bool(self.trackers)

    @property
    def with_tracking_links(self) -> bool:
        return bool(self.links)

    @property
    def tracked(self) -> bool:
        """The mail is tracked: it has a tracker (remote reference) or a tracking link.

        (Read-receipt requests are counted separately.)"""
        return bool(self.trackers or self.links)

    @property
    def identifies_you(self) -> bool:
        return any(t.identifies_you for t in self.trackers) or any(l.identifies_you for l in self.links)


def parse_date(value: str) -> str | None:
    """A Date header as ISO 8601 UTC (``2026-11-03T08:12:00Z``), or None if unparsable."""
    if not value:
        return None
    try:
        dt = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (ValueError, OverflowError):
        return None


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def _domain(host: str) -> str:
    return registrable_domain(host) if host else ""


def is_tracked_link(link: Link) -> bool:
    """A tracking link in the add-on's vocabulary (its countLinks, ``trackless sanitize``): one that
    tracks the reader (``Link.tracker``) or carries the reader's address. A redirect or a link with
    only campaign tags (utm_*) is cleaned but is not a tracking link."""
    return link.tracker or link.identifies_you


def query_pairs(url: str) -> list[tuple[str, str]]:
    """(name, raw value) pairs of a URL's query, values exactly as written (not decoded)."""
    try:
        query = urlsplit(url).query
    except ValueError:
        return []
    out = []
    for part in query.split("&"):
        if not part:
            continue
        key, _, value = part.partition("=")
        try:
            key = unquote_plus(key)
        except Exception:  # pragma: no cover - unquote does not raise on str
            pass
        out.append((key, value))
    return out


def _param_values(names: tuple[str, ...], urls: Iterable[str]) -> tuple[tuple[str, str | None], ...]:
    """Each tracking parameter with its value as written, looked up in the URLs as given and then in
    their percent-decoded forms (a wrapper may carry the destination encoded in its path).
    None when the value could not be located."""
    found: dict[str, str] = {}
    urls = list(urls)
    for url in urls:
        for key, value in query_pairs(url):
            if key in names and key not in found:
                found[key] = value
    missing = [n for n in names if n not in found]
    if missing:
        for url in urls:
            once = unquote(url)
            for variant in dict.fromkeys((once, unquote(once))):
                if variant == url:
                    continue
                for n in missing:
                    if n in found:
                        continue
                    m = re.search(r"[?&;#]" + re.escape(n) + r"=([^&#;/]*)", variant)
                    if m:
                        found[n] = m.group(1)
    return tuple((n, found.get(n)) for n in dict.fromkeys(names))


def _link_finding(link: Link, sender_domain: str, identity: Identity, in_text: bool = False) -> LinkFinding:
    host = _host(link.original)
    domain = _domain(host)
    urls = (link.original, *link.chain)
    how = None
    if link.identifies_you or identity:
        for u in urls:
            how = identity.found_in(u)
            if how:
                break
    return LinkFinding(
        original=link.original,
        host=host,
        domain=domain,
        status=link.status,
        vendor=link.vendor,
        destination=link.final if link.status != "opaque" else None,
        tracking_params=_param_values(tuple(link.removed), urls),
        identifies_you=bool(link.identifies_you or how),
        identifies_how=how,
        rule=link.rule,
        chain=tuple(link.chain),
        third_party=bool(domain) and domain != sender_domain,
        in_text=in_text,
    )


def findings_from(mail: Mail, result: Result | None, *, origin: str, extra_to: Iterable[str] = (),
                  text_links: Iterable[Link] = (), size: int = 0) -> MailFindings:
    """Pure: a parsed mail and its sanitize result -> the report's findings."""
    sender_domain = _domain(mail.sender.rsplit("@", 1)[1]) if mail.sender and "@" in mail.sender else ""
    identity = Identity.of((*mail.recipients, *extra_to))
    trackers: list[TrackerFinding] = []
    other: list[OtherRemote] = []
    links: list[LinkFinding] = []
    links_total = 0
    if result is not None:
        for r in result.remote:
            host = r.host or _host(r.url)
            domain = r.domain or _domain(host)
            third = bool(domain) and domain != sender_domain
            if r.tracker or r.identifies_you:
                how = identity.found_in(r.url) if identity else None
                trackers.append(TrackerFinding(
                    kind=r.kind, url=r.url, host=host, domain=domain, vendor=r.vendor, reason=r.reason,
                    confidence=r.confidence, identifies_you=bool(r.identifies_you or how), identifies_how=how,
                    token=r.token, element=r.element, attribute=r.attribute, third_party=third,
                ))
            else:
                other.append(OtherRemote(kind=r.kind, url=r.url, host=host, domain=domain, third_party=third))
        links_total += len(result.links)
        links.extend(_link_finding(l, sender_domain, identity) for l in result.links if is_tracked_link(l))
    text_links = tuple(text_links)
    links_total += len(text_links)
    links.extend(_link_finding(l, sender_domain, identity, in_text=True) for l in text_links if is_tracked_link(l))
    return MailFindings(
        origin=origin,
        date=mail.date,
        date_utc=parse_date(mail.date),
        sender=mail.sender,
        sender_domain=sender_domain,
        subject=mail.subject,
        message_id=mail.message_id,
        recipients=tuple(mail.recipients),
        trackers=tuple(trackers),
        links=tuple(links),
        other_remote=tuple(other),
        links_total=links_total,
        read_receipts=tuple(mail.read_receipts),
        has_html=mail.html is not None,
        has_text=mail.text is not None and bool(mail.text.strip()),
        size=size,
        deceptive=deceptive_findings(result.links) if result is not None else (),
    )


def text_urls(text: str, limit: int = MAX_TEXT_LINKS) -> list[str]:
    """Absolute http(s) URLs in plain text, in order, unique, trailing punctuation trimmed."""
    out: dict[str, None] = {}
    for m in _TEXT_URL.finditer(text):
        url = m.group(0).rstrip(".,;:!?)>")
        out.setdefault(url, None)
        if len(out) >= limit:
            break
    return list(out)


def _default_sanitize():
    from .. import sanitize

    return sanitize


def _default_unwrap():
    from .. import unwrap

    return unwrap


def analyse(data: bytes, origin: str, extra_to: Iterable[str] = (), *,
            sanitize: Callable[..., Result] | None = None,
            unwrap: Callable[..., Link] | None = None, learner=None) -> MailFindings:
    """Raw mail bytes -> findings. Raises ``InputError`` when the bytes are not a mail.

    ``learner`` (``core.learn.Learner``): ids learned from the sender's earlier
    mails are used, and this mail is learned from."""
    mail = parse_message(data)
    extra_to = tuple(extra_to)
    recipients = tuple(dict.fromkeys((*mail.recipients, *(a.lower() for a in extra_to))))
    result = None
    text_links: list[Link] = []
    if mail.html is not None:
        sanitize = sanitize or _default_sanitize()
        learned = learner.known(mail.sender) if learner is not None else None
        result = sanitize(mail.html, sender=mail.sender, recipients=recipients, **({"learned": learned} if learned else {}))
        if learner is not None:
            learner.learn(mail.sender, [r.url for r in result.remote] + [l.original for l in result.links])
    elif mail.text:
        unwrap = unwrap or _default_unwrap()
        text_links = [unwrap(u, recipients=recipients) for u in text_urls(mail.text)]
    found = findings_from(mail, result, origin=origin, extra_to=extra_to, text_links=text_links, size=len(data))
    return replace(found, evidence=evidence_of(data))
