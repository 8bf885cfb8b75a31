"""Typed results of sanitizing (frozen dataclasses) and their JSON form.

The JSON form is a contract (``trackless sanitize --json``, the host's
``sanitize`` action, the add-on): fields are only ever added.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["Remote", "Link", "Verdict", "Result", "KINDS", "LINK_STATUSES", "VERDICTS"]

#: Kinds of remote reference.
KINDS = ("pixel", "image", "css", "font", "media", "frame", "prefetch", "script", "refresh", "other")
#: Status of a link after the link engine.
LINK_STATUSES = ("unchanged", "cleaned", "unwrapped", "opaque")
#: Kinds of verdict on where a link really goes (trackless.links.deceptive).
VERDICTS = ("deceptive", "lookalike", "hidden")


@dataclass(frozen=True)
class Remote:
    """One remote reference found in a mail.

    url: the reference as written (entity-decoded, trimmed, not normalised).
    kind: one of ``KINDS``.
    action: ``"blocked"`` or ``"allowed"`` (allowed = fetched by the helper later).
    tracker: judged a tracker (pixel, known vendor, tracking path, token, your address).
    vendor: the tracker vendor's name when known.
    reason: why it was classified so (rule id or heuristic, human-readable).
    identifies_you: the URL carries the reader's address (plain or encoded/hashed).
    confidence: ``"high"``, ``"medium"`` or ``"low"`` for the tracker verdict.
    element / attribute: where it was found (``"style"`` for CSS blocks).
    host / domain: host and registrable domain of the URL ("" if none).
    token: a per-recipient-looking token seen in the URL, or None.
    allowed_by: why an allowed reference is allowed: ``"allowlist"`` or
        ``"sender"`` (the sender-domain policy); "" when blocked.
    """

    url: str
    kind: str
    action: str
    tracker: bool
    vendor: str | None
    reason: str
    identifies_you: bool
    confidence: str = "low"
    element: str = ""
    attribute: str = ""
    host: str = ""
    domain: str = ""
    token: str | None = None
    allowed_by: str = ""


@dataclass(frozen=True)
class Verdict:
    """What is wrong with where a link really goes (see ``trackless.links.deceptive``).

    kind: one of ``VERDICTS``: ``deceptive`` (what the reader is shown names
      one site, the link goes to another), ``lookalike`` (the destination's
      domain imitates a well-known or the sender's domain), ``hidden`` (the
      reader is shown a site but the destination cannot be known offline).
    domain: the registrable domain the link goes to (for ``hidden``: the
      wrapper's or shortener's, the only one known).
    shown: what the reader is shown that names a site ("" for a lookalike
      found from the destination alone).
    source: where ``shown`` comes from: ``text``, ``title`` or ``alt`` ("" if none).
    names: the registrable domain ``shown`` names ("" if none).
    imitates: for ``lookalike``, the domain imitated ("" otherwise).
    evidence: one human sentence saying why.
    """

    kind: str
    domain: str
    shown: str = ""
    source: str = ""
    names: str = ""
    imitates: str = ""
    evidence: str = ""


@dataclass(frozen=True)
class Link:
    """One link and what the link engine made of it.

    original: the href as written (entity-decoded, trimmed).
    final: the cleaned destination, or None when it cannot be known offline.
    status: one of ``LINK_STATUSES``.
    removed: names of the tracking parameters removed (in order).
    vendor: the wrapper vendor (or the parameter family) when known.
    identifies_you: the link carries the reader's address (plain, encoded or hashed).
    rule: id of the rule that decided, or None.
    chain: intermediate URLs when unwrapped (outermost first, excluding final).
    reason: the evidence for the verdict in words (the rule or the list-free
    judgment; why an id-carrying link is not ``cleaned``), or None.
    tracker: the link tracks the reader (a click tracker, an id, your address,
    per-reader tracking parameters); security gateways, redirectors, shorteners
    and campaign tags (``utm_*``) alone are not. The badge counts these.
    verdict: a ``Verdict`` when the link is deceptive, a lookalike or hidden, else None.
    """

    original: str
    final: str | None
    status: str
    removed: tuple[str, ...] = ()
    vendor: str | None = None
    identifies_you: bool = False
    rule: str | None = None
    chain: tuple[str, ...] = ()
    reason: str | None = None
    tracker: bool = False
    verdict: Verdict | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        d["removed"] = list(self.removed)
        d["chain"] = list(self.chain)
        return d


@dataclass(frozen=True)
class Result:
    """What ``trackless.sanitize`` returns.

    html: the sanitized HTML.
    remote: every remote reference found, in document order.
    links: every link (``a``/``area`` href) and what was done with it.
    headers: read-receipt style findings from mail headers (names), if any.
    sender_images: the "images from the sender's own domain" policy as applied
        to this mail (``core.policy.SenderImages``), or None.
    """

    html: str
    remote: tuple[Remote, ...] = ()
    links: tuple[Link, ...] = ()
    headers: tuple[str, ...] = field(default=())
    sender_images: object = None

    @property
    def badge(self) -> int:
        """Number of trackers found: tracking remote references plus links that
        track the reader (``Link.tracker``)."""
        return sum(1 for r in self.remote if r.tracker) + sum(1 for l in self.links if l.tracker)

    def to_dict(self) -> dict:
        return {
            "html": self.html,
            "remote": [asdict(r) for r in self.remote],
            "links": [l.to_dict() for l in self.links],
            "headers": list(self.headers),
            "badge": self.badge,
            "sender_images": self.sender_images.to_dict() if self.sender_images is not None else None,
        }
