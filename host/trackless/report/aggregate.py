"""Per sender over time and overall: a streaming, pure accumulator.

``Aggregator.add(findings)`` folds one mail in; ``Aggregator.summary()``
returns a frozen ``Summary``. The state grows with the number of distinct
senders, vendors, hosts and months, never with the number of mails.

Definitions (also in docs/report-schema.md), in the add-on's words:
- a "tracker" is a remote reference judged a tracker (a pixel, mostly); a
  "tracking link" is a link that is wrapped, opaque or carries tracking
  parameters or the reader's address;
- a mail is "tracked" when it has at least one tracker or one tracking link
  (``with_trackers``, its name kept for compatibility);
  ``with_remote_trackers`` counts mails with a tracker,
  ``with_tracking_links`` mails with a tracking link; read-receipt requests
  are counted apart;
- a vendor is counted from trackers and tracked links that name one (the link
  engine's "A, B" for several parameter families counts A and B; names that
  differ only by a parenthesised suffix, "SendGrid" / "SendGrid (Twilio)",
  count as one, shown with the longest spelling);
- tracking hosts are the hosts of trackers and of tracked links (a link that
  only carries tracking parameters counts its destination host, which
  receives them);
- a sender's third-party hosts are all remote-content and tracked-link hosts
  whose registrable domain is not the sender's registrable domain;
- months are UTC months of the Date header; mails with no usable Date are
  counted under "unknown" and do not move first/last seen;
- per vendor (``vendor_details``): the report numbers of the mails it
  appears in, how it tracked them (pixel, other remote tracker, tracking
  link, per-recipient id: the sanitizer's per-recipient token, the reader's
  address, or a token-looking value of an id-like tracking parameter, as
  ``--redact`` judges them) and
  its mails per month. The list of numbers grows with the mails (4-8 bytes
  each); everything else with distinct names only.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

from .analyse import MailFindings
from .redact import IDENTIFYING_PARAM, looks_like_token

__all__ = ["vendor_names", "vendor_key", "Count", "MonthStat", "SenderSummary", "Summary", "VendorDetail", "Aggregator",
           "UNKNOWN_MONTH", "NO_SENDER", "HOW_WORDS",
           "DeceptiveLink", "MAX_DECEPTIVE_LISTED"]

#: How a vendor tracked a mail, in the order shown.
HOW_WORDS = {"pixel": "tracking pixel", "remote": "other remote tracker", "link": "tracking link",
             "recipient_id": "per-recipient id"}

UNKNOWN_MONTH = "unknown"
NO_SENDER = "(no sender)"


@dataclass(frozen=True)
class Count:
    """A name seen in ``mails`` distinct mails, ``refs`` times in all."""

    name: str
    mails: int
    refs: int


@dataclass(frozen=True)
class MonthStat:
    month: str  # "YYYY-MM" or "unknown"
    mails: int
    with_trackers: int


#: Distinct deceptive/lookalike links listed per sender (all are counted).
MAX_DECEPTIVE_LISTED = 20


@dataclass(frozen=True)
class DeceptiveLink:
    """One deceptive or lookalike link of a sender, seen in ``mails`` mails."""

    kind: str
    domain: str
    names: str
    imitates: str
    evidence: str
    mails: int


@dataclass(frozen=True)
class SenderSummary:
    sender: str
    domain: str
    mails: int
    with_trackers: int
    trackers: int
    tracked_links: int
    identifies_you: int
    read_receipts: int
    vendors: tuple[Count, ...]
    third_party_hosts: tuple[Count, ...]
    first_seen: str | None
    last_seen: str | None
    months: tuple[MonthStat, ...]
    with_remote_trackers: int = 0
    with_tracking_links: int = 0
    deceptive: int = 0                                 # deceptive or lookalike links, in all
    deceptive_links: tuple[DeceptiveLink, ...] = ()    # the distinct ones, most seen first

    @property
    def share(self) -> float:
        return self.with_trackers / self.mails if self.mails else 0.0


@dataclass(frozen=True)
class VendorDetail:
    """One vendor: the mails (report numbers) it appears in, how, and when."""

    name: str
    mails: int
    how: tuple[tuple[str, int], ...]      # (key of HOW_WORDS, mails) in HOW_WORDS order, zero counts left out
    months: tuple[tuple[str, int], ...]   # (month, mails), oldest first, "unknown" last
    indices: tuple[int, ...]
    senders: tuple[Count, ...]
    first_seen: str | None
    last_seen: str | None


@dataclass(frozen=True)
class Summary:
    mails: int
    with_trackers: int
    trackers: int
    tracked_links: int
    identifies_you: int
    read_receipts: int
    plain_text: int
    html: int
    first_seen: str | None
    last_seen: str | None
    senders: tuple[SenderSummary, ...]
    top_vendors: tuple[Count, ...]
    top_hosts: tuple[Count, ...]
    months: tuple[MonthStat, ...]
    with_remote_trackers: int = 0
    with_tracking_links: int = 0
    vendor_details: tuple[VendorDetail, ...] = ()

    @property
    def share(self) -> float:
        return self.with_trackers / self.mails if self.mails else 0.0


def vendor_names(vendor: str | None) -> list[str]:
    """The vendors named by one finding: the link engine joins parameter families with ", "."""
    if not vendor:
        return []
    return [v.strip() for v in vendor.split(", ") if v.strip()]


def vendor_key(name: str) -> str:
    """Rules name the same company "SendGrid" or "SendGrid (Twilio)": count them as one."""
    return name.split(" (", 1)[0].strip().casefold()


class _Counter:
    """Counts names per mail and per reference; ``keyed`` merges names with the same ``vendor_key``
    and shows the longest spelling seen."""

    __slots__ = ("mails", "refs", "label", "keyed")

    def __init__(self, keyed: bool = False):
        self.mails: dict[str, int] = {}
        self.refs: dict[str, int] = {}
        self.label: dict[str, str] = {}
        self.keyed = keyed

    def add_mail(self, names: list[str]) -> None:
        keys = []
        for n in names:
            k = vendor_key(n) if self.keyed else n
            if len(n) > len(self.label.get(k, "")):
                self.label[k] = n
            keys.append(k)
            self.refs[k] = self.refs.get(k, 0) + 1
        for k in set(keys):
            self.mails[k] = self.mails.get(k, 0) + 1

    def top(self, limit: int | None = None) -> tuple[Count, ...]:
        items = sorted(self.mails, key=lambda k: (-self.mails[k], -self.refs[k], self.label[k]))
        if limit is not None:
            items = items[:limit]
        return tuple(Count(self.label[k], self.mails[k], self.refs[k]) for k in items)


@dataclass
class _Sender:
    domain: str
    mails: int = 0
    with_trackers: int = 0
    trackers: int = 0
    tracked_links: int = 0
    identifies_you: int = 0
    read_receipts: int = 0
    with_remote_trackers: int = 0
    with_tracking_links: int = 0
    first: str | None = None
    last: str | None = None
    vendors: _Counter = field(default_factory=lambda: _Counter(keyed=True))
    hosts: _Counter = field(default_factory=_Counter)
    months: dict = field(default_factory=dict)
    deceptive: int = 0
    deceptive_links: dict = field(default_factory=dict)  # (kind, domain, names, imitates) -> [evidence, mails]


def _month(f: MailFindings) -> str:
    return f.date_utc[:7] if f.date_utc else UNKNOWN_MONTH


def _months(d: dict) -> tuple[MonthStat, ...]:
    keys = sorted(k for k in d if k != UNKNOWN_MONTH) + ([UNKNOWN_MONTH] if UNKNOWN_MONTH in d else [])
    return tuple(MonthStat(k, d[k][0], d[k][1]) for k in keys)


def _span(first, last, date):
    if date is None:
        return first, last
    return (date if first is None or date < first else first), (date if last is None or date > last else last)


@dataclass
class _Vendor:
    label: str
    indices: array = field(default_factory=lambda: array("I"))
    how: dict = field(default_factory=dict)
    months: dict = field(default_factory=dict)
    senders: _Counter = field(default_factory=_Counter)
    first: str | None = None
    last: str | None = None


def _vendor_hows(f: MailFindings) -> dict[str, set[str]]:
    """vendor key -> how it tracked this mail."""
    out: dict[str, set[str]] = {}
    for t in f.trackers:
        for v in vendor_names(t.vendor):
            hows = out.setdefault(vendor_key(v), set())
            hows.add("pixel" if t.kind == "pixel" else "remote")
            if t.token or t.identifies_you:
                hows.add("recipient_id")
    for l in f.links:
        for v in vendor_names(l.vendor):
            hows = out.setdefault(vendor_key(v), set())
            hows.add("link")
            if l.identifies_you or any(val is not None and IDENTIFYING_PARAM.search(n) and looks_like_token(val)
                                       for n, val in l.tracking_params):
                hows.add("recipient_id")
    return out


class Aggregator:
    """Fold ``MailFindings`` one at a time; ``summary()`` at any point."""

    def __init__(self, *, top: int = 20):
        self.top = top
        self._senders: dict[str, _Sender] = {}
        self._vendors = _Counter(keyed=True)
        self._hosts = _Counter()
        self._months: dict[str, list[int]] = {}
        self.mails = self.with_trackers = self.trackers = self.tracked_links = 0
        self.identifies_you = self.read_receipts = self.plain_text = self.html = 0
        self.with_remote_trackers = self.with_tracking_links = 0
        self.first: str | None = None
        self.last: str | None = None
        self._vendor_details: dict[str, _Vendor] = {}

    def add(self, f: MailFindings, index: int | None = None) -> None:
        """Fold one mail in; ``index`` is its number in the report (default: the count so far)."""
        key = f.sender or NO_SENDER
        s = self._senders.get(key)
        if s is None:
            s = self._senders[key] = _Sender(domain=f.sender_domain)
        tracked = f.tracked
        vendors = [v for t in f.trackers for v in vendor_names(t.vendor)] + [v for l in f.links for v in vendor_names(l.vendor)]
        hosts = [t.host for t in f.trackers if t.host] + [l.host for l in f.links if l.host]
        third = ([t.host for t in f.trackers if t.third_party and t.host]
                 + [l.host for l in f.links if l.third_party and l.host]
                 + [o.host for o in f.other_remote if o.third_party and o.host])
        month = _month(f)
        for target in (s, self):
            target.mails += 1
            target.with_trackers += tracked
            target.trackers += len(f.trackers)
            target.tracked_links += len(f.links)
            target.identifies_you += f.identifies_you
            target.read_receipts += bool(f.read_receipts)
            target.with_remote_trackers += bool(f.trackers)
            target.with_tracking_links += bool(f.links)
            target.first, target.last = _span(target.first, target.last, f.date_utc)
        _add_deceptive(s, f)
        s.vendors.add_mail(vendors)
        s.hosts.add_mail(third)
        m = s.months.setdefault(month, [0, 0])
        m[0] += 1
        m[1] += tracked
        self._vendors.add_mail(vendors)
        self._hosts.add_mail(hosts)
        m = self._months.setdefault(month, [0, 0])
        m[0] += 1
        m[1] += tracked
        self.plain_text += f.has_text
        self.html += f.has_html
        number = self.mails if index is None else index
        names = {vendor_key(v): v for v in vendors}
        for k, hows in _vendor_hows(f).items():
            d = self._vendor_details.get(k)
            if d is None:
                d = self._vendor_details[k] = _Vendor(label=names.get(k, k))
            if len(names.get(k, "")) > len(d.label):
                d.label = names[k]
            d.indices.append(number)
            for h in hows:
                d.how[h] = d.how.get(h, 0) + 1
            d.months[month] = d.months.get(month, 0) + 1
            d.senders.add_mail([key])
            d.first, d.last = _span(d.first, d.last, f.date_utc)

    def summary(self) -> Summary:
        senders = []
        for name, s in self._senders.items():
            senders.append(SenderSummary(
                sender=name, domain=s.domain, mails=s.mails, with_trackers=s.with_trackers, trackers=s.trackers,
                tracked_links=s.tracked_links, identifies_you=s.identifies_you, read_receipts=s.read_receipts,
                vendors=s.vendors.top(), third_party_hosts=s.hosts.top(), first_seen=s.first, last_seen=s.last,
                months=_months(s.months), with_remote_trackers=s.with_remote_trackers,
                with_tracking_links=s.with_tracking_links,
                deceptive=s.deceptive, deceptive_links=_deceptive_links(s),
            ))
        senders.sort(key=lambda x: (-x.mails, -x.with_trackers, x.sender))
        return Summary(
            mails=self.mails, with_trackers=self.with_trackers, trackers=self.trackers,
            tracked_links=self.tracked_links, identifies_you=self.identifies_you, read_receipts=self.read_receipts,
            plain_text=self.plain_text, html=self.html, first_seen=self.first, last_seen=self.last,
            senders=tuple(senders), top_vendors=self._vendors.top(self.top), top_hosts=self._hosts.top(self.top),
            months=_months(self._months), with_remote_trackers=self.with_remote_trackers,
            with_tracking_links=self.with_tracking_links, vendor_details=self._details(),
        )

    def _details(self) -> tuple[VendorDetail, ...]:
        out = []
        for d in self._vendor_details.values():
            months = sorted(k for k in d.months if k != UNKNOWN_MONTH) + ([UNKNOWN_MONTH] if UNKNOWN_MONTH in d.months else [])
            out.append(VendorDetail(
                name=d.label, mails=len(d.indices), how=tuple((h, d.how[h]) for h in HOW_WORDS if d.how.get(h)),
                months=tuple((m, d.months[m]) for m in months), indices=tuple(d.indices),
                senders=d.senders.top(), first_seen=d.first, last_seen=d.last,
            ))
        out.sort(key=lambda v: (-v.mails, v.name.casefold()))
        return tuple(out)


# ---- deceptive and lookalike links per sender (trackless.links.deceptive) ----
def _add_deceptive(s: _Sender, f: MailFindings) -> None:
    s.deceptive += len(f.deceptive)
    for k, d in {(d.kind, d.domain, d.names, d.imitates): d for d in f.deceptive}.items():
        entry = s.deceptive_links.get(k)
        if entry is None:
            if len(s.deceptive_links) >= MAX_DECEPTIVE_LISTED:
                continue  # counted above, not listed: the state stays bounded
            entry = s.deceptive_links[k] = [d.evidence, 0]
        entry[1] += 1


def _deceptive_links(s: _Sender) -> tuple[DeceptiveLink, ...]:
    items = sorted(s.deceptive_links.items(), key=lambda kv: (kv[0][0] != "deceptive", -kv[1][1], kv[0]))
    return tuple(DeceptiveLink(k[0], k[1], k[2], k[3], v[0], v[1]) for k, v in items)
