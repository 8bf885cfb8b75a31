"""The pure core: parse -> find remote references -> classify -> rewrite -> serialize.

``sanitize(html, sender=..., recipients=..., allow=..., keep_links=...,
sender_images=..., auth=...)`` returns a ``Result``. No network, no disk.
Every remote reference is blocked unless ``policy.decide`` allows it (an
``<img src>`` that is not a tracker, from an allowlisted registrable domain or
from the authenticated sender's own domain); blocked references are removed from the document so
nothing can load even with remote content allowed. Local content (``cid:``,
``mailbox:`` parts, raster ``data:`` images, links) is kept.

Markers left in the sanitized HTML (a contract with the add-on):
- ``data-trackless-blocked="<kind>"`` on an element whose reference was removed;
- ``data-trackless-allowed="<absolute URL>"`` on an allowed ``<img>`` (no ``src``
  yet: the helper's image proxy fills it in as a ``data:`` URI);
- ``data-trackless-original="<href as written>"`` on a link whose ``href`` was
  cleaned or unwrapped;
- ``data-trackless-link="opaque"`` on a link whose destination cannot be known offline;
- ``data-trackless-verdict="deceptive|lookalike|hidden"`` and
  ``data-trackless-evidence="<why>"`` on a link judged by where it really goes.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from . import css, trackers, vectors
from ..domains import domain_of, registrable_domain
from .html import HTML_NS, Document, parse, settle
from .tree import gone as _gone, has_content, remove as _remove
from .walk_common import (ALLOWED_ATTR, BLOCKED_ATTR, LINK_ATTR, MAX_NESTING, ORIGINAL_ATTR, VERDICT_ATTRS,
                          attr_text as _attr_text)
from .walk_foreign import ForeignWalk
from .walk_frames import FrameWalk
from .walk_head import HeadWalk
from .walk_links import LinkWalk
from .walk_media import MediaWalk
from .walk_styles import StyleWalk
from .identity import Identity
from .policy import SenderImages, decide, sender_images as sender_policy
from .refs import classify_ref
from ..result import Link, Remote, Result
from . import learn
from .tokens import find_token, token_facts

__all__ = ["sanitize", "Policy", "MAX_NESTING", "BLOCKED_ATTR", "ALLOWED_ATTR", "ORIGINAL_ATTR", "LINK_ATTR"]


# Used with fullmatch on stripped text: one blank run, so no backtracking over runs of blanks
_SIZE_ATTR = re.compile(r"(\d+(?:\.\d+)?)\s*(?:px)?", re.I)
_CSS_DECL = re.compile(r"(?:^|;)\s*([a-z-]+)\s*:\s*([^;]*)", re.I)
_CSS_PX = re.compile(r"(\d+(?:\.\d+)?)(?:px)?\s*(?:!important)?", re.I)


@dataclass(frozen=True)
class Policy:
    """What the user allows: image domains, link-keeping domains, and who they are."""

    allow: frozenset[str] = frozenset()
    keep_links: frozenset[str] = frozenset()
    identity: Identity = Identity()
    sender_domain: str = ""
    sender: SenderImages = SenderImages()


def _domains(values) -> frozenset[str]:
    """Registrable domains (punycode) of domain names or URLs."""
    out = set()
    for v in values or ():
        v = str(v).strip()
        d = domain_of(v) if "://" in v else registrable_domain(v)
        if d:
            out.add(d)
    return frozenset(out)


def sanitize(html: str, *, sender=None, recipients=(), allow=(), keep_links=(), sender_images=False,
             auth=None, learned=None) -> Result:
    """Sanitize mail HTML. Raises ``InputError``/``TooLargeError`` on bad input.

    ``sender_images``: show images from the sender's own registrable domain
    when ``auth`` (an ``authres.AuthVerdict``) says the mail is authenticated
    for it; trackers stay blocked either way.
    ``learned``: ids learned from earlier mails of this sender (digest ->
    evidence, ``learn.Learner.known``); ids within this mail are found too."""
    if isinstance(recipients, str):
        recipients = (recipients,)
    sender_domain = ""
    address = parseaddr(sender)[1] if sender else ""  # "News <news@x.example>" too
    if "@" in address:
        sender_domain = registrable_domain(address.rsplit("@", 1)[1])
    policy = Policy(_domains(allow), _domains(keep_links), Identity.of(recipients), sender_domain,
                    sender_policy(bool(sender_images), sender_domain, auth))
    doc = parse(html)
    walker = _Walker(policy)
    walker.walk(doc)
    remote, links = learn.apply(tuple(walker.remote), tuple(walker.links), learned)  # ids of the reader
    return Result(html=settle(doc, doc.serialize()), remote=remote, links=links, sender_images=policy.sender)




#: Attribute names the DOM's ``setAttribute`` accepts (the XML Name production, ASCII part).
#: The HTML parser also makes names like ``rgb(255,`` or ``100%;`` out of a broken unquoted
#: style; the add-on could not set them on the page, so they are never written out.
_DOM_ATTR_NAME = re.compile(r"[A-Za-z_:][-A-Za-z0-9_.:]*")


def _px(value: str) -> float | None:
    m = _SIZE_ATTR.fullmatch(value.strip())
    return float(m.group(1)) if m else None


def _style_map(style: str) -> dict[str, str]:
    return {k.lower(): v.strip().lower() for k, v in _CSS_DECL.findall(style)}


def _hidden_reason(styles: dict[str, str], el) -> str | None:
    if styles.get("display", "").startswith("none"):
        return "display:none"
    if styles.get("visibility", "").startswith(("hidden", "collapse")):
        return "visibility:hidden"
    opacity = styles.get("opacity", "").replace("!important", "").strip()
    if opacity:
        try:
            if float(opacity) == 0:
                return "opacity:0"
        except ValueError:
            pass
    if el.has_attr("hidden"):
        return "hidden attribute"
    return None


def _size_reason(el, styles: dict[str, str]) -> str | None:
    dims = {}
    for name in ("width", "height"):
        v = _px(_attr_text(el.get(name, ""))) if el.get(name) is not None else None
        css_v = styles.get(name) or styles.get("max-" + name)
        if css_v is not None:
            m = _CSS_PX.fullmatch(css_v.strip())
            if m:
                v = float(m.group(1)) if v is None else min(v, float(m.group(1)))
        if v is not None:
            dims[name] = v
    if dims and all(v <= 2 for v in dims.values()):
        w = dims.get("width")
        h = dims.get("height")
        fmt = lambda x: "?" if x is None else f"{x:g}"  # noqa: E731
        return f"declared size {fmt(w)}x{fmt(h)}"
    return None


class _Walker(HeadWalk, StyleWalk, MediaWalk, LinkWalk, FrameWalk, ForeignWalk):
    """The walk: every element once, in document order, handed to the mixin
    for its kind (walk_head, walk_styles, walk_media, walk_links, walk_frames,
    walk_foreign); every remote reference judged here (``_record``)."""

    def __init__(self, policy: Policy, depth: int = 0, report_only: str | None = None):
        self.policy = policy
        self.depth = depth
        self.report_only = report_only  # reason suffix: find and report, the tree is discarded
        self.remote: list[Remote] = []
        self.links: list[Link] = []
        self.base: str | None = None

    # ---- the walk --------------------------------------------------------
    def walk(self, doc: Document) -> None:
        elements, specials = doc.nodes()
        self._find_base(elements)
        self._comments(specials)
        for el in elements:
            # a parent is visited before its children: what lies under a removed node is removed
            if _gone(el) or el.parent is None or _gone(el.parent):
                _remove(el)
                continue
            self._element(el)

    def _element(self, el) -> None:
        tag = el.name.lower()
        if tag in vectors.REMOVED_ELEMENTS:
            self._removed_element(el, tag)
            return
        if tag == "meta" and self._meta(el):
            return
        if tag in vectors.ANIMATION_ELEMENTS and self._animation(el):
            return
        if tag == "style":
            self._style_block(el)
        elif tag in vectors.RAW_TEXT_ELEMENTS and not self.report_only and el.namespace == HTML_NS:
            self._raw_text(el, tag)
        pixel = False
        if not self.report_only and tag in vectors.LINK_ELEMENTS:
            for forged in VERDICT_ATTRS:  # only the judge sets these (the add-on trusts them)
                el.attrs.pop(forged, None)
        for attr in list(el.attrs):
            if _gone(el):
                return
            if not _DOM_ATTR_NAME.fullmatch(attr):
                del el[attr]
                continue
            name = attr.lower()
            value = _attr_text(el.attrs[attr])
            if name == "style":
                pixel |= self._style_attr(el, attr, value, tag)
            elif name in vectors.SRCSET_ATTRIBUTES:
                self._srcset(el, attr, value, tag)
            elif name in vectors.PING_ATTRIBUTES:
                for u in value.split():
                    ref = classify_ref(u, self.base)
                    if ref.cls == "remote":
                        self._record(u, ref.url, "other", el, name, extra=["hyperlink auditing ping on click"],
                                     force_tracker=True)
                del el[attr]
            elif name == "srcdoc":
                self._srcdoc(el, attr, value)
            elif tag in vectors.LINK_ELEMENTS and name in ("href", "xlink:href"):
                self._link(el, attr, value)
            elif name in vectors.URL_ATTRIBUTES:
                pixel |= self._url_attr(el, attr, name, value, tag)
            elif name.startswith("data-trackless-") or name in vectors.INERT_URL_ATTRIBUTES:
                continue
            elif name.startswith("on") and not self.report_only:
                del el[attr]  # an event handler: script (never kept)
            elif "(" in value and name not in vectors.TEXT_ATTRIBUTES and css.may_reference(value):
                self._css_attr(el, attr, value, tag)  # SVG presentation attributes: fill="url(...)", mask=...
        if pixel and not _gone(el) and not self.report_only:
            # a pixel goes; what it holds stays (it lost its reference already)
            if has_content(el):
                el[BLOCKED_ATTR] = "pixel"
            else:
                _remove(el)

    # ---- judging one remote reference -------------------------------------
    def _record(self, written: str, url: str, kind: str, el, attr: str, *, element=None,
                proxiable: bool = False, extra: list[str] | None = None, force_tracker: bool = False) -> Remote:
        r = judge(written, url, kind, element, self.policy, proxiable=proxiable, extra=extra or [],
                  force_tracker=force_tracker, tag=el.name if el is not None else "", attr=attr)
        if self.report_only:
            r = _blocked(r, self.report_only)
        self.remote.append(r)
        return r


def _blocked(r: Remote, why: str) -> Remote:
    from dataclasses import replace

    return replace(r, action="blocked", allowed_by="", reason=f"{r.reason}; {why}")


def _link_vendor(url: str) -> str | None:
    try:
        from ..links import classify_host
    except ImportError:  # pragma: no cover - the link engine ships with the core
        return None
    return classify_host(url)


@functools.lru_cache(maxsize=4096)
def _url_facts(url: str, identity: Identity):
    """What a URL alone says (host, registrable domain, your address, tracker
    rule, click-wrapper vendor, token): the same URL recurs across mails and
    within one (image and link), so this is cached per process."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        parts, host = None, ""
    m = trackers.match_url(url, parts) if parts is not None else None
    return (host, registrable_domain(host) if host else "", identity.found_in(url), m,
            None if m is not None else _link_vendor(url), find_token(url, parts) if parts is not None else None,
            token_facts(parts))


def judge(written: str, url: str, kind: str, el, policy: Policy, *, proxiable: bool = False,
          extra: list[str] = (), force_tracker: bool = False, tag: str = "", attr: str = "") -> Remote:
    """Classify one remote reference: is it a tracker, which kind, blocked or allowed."""
    high: list[str] = []
    medium: list[str] = list(extra) if force_tracker else []
    notes: list[str] = [] if force_tracker else list(extra)
    facts = _url_facts(url, policy.identity)
    host, domain, enc, m, wrapper, token, tfacts = facts
    vendor = None
    if enc:
        high.append(f"carries your address ({enc})")
    pixel_signal = False
    if el is not None and kind == "image":
        styles = _style_map(_attr_text(el.get("style", "")))
        size = _size_reason(el, styles)
        hidden = _hidden_reason(styles, el) or _hidden_ancestor(el)
        if size:
            high.append(size)
            pixel_signal = True
        if hidden:
            high.append(f"hidden ({hidden})")
            pixel_signal = True
    if m is not None:
        vendor = m.vendor
        (high if m.by_host or m.vendor else medium).append(
            f"{'known tracker host' if m.by_host else 'open-tracking path'} (rule {m.rule})")
        if tag == "img" and not m.by_host:
            pixel_signal = True
    elif wrapper:
        vendor = wrapper
        high.append(f"click-tracking host of {wrapper}")
    if token and not high and not medium:
        medium.append("per-recipient token in URL")
    # issue 17: a sizeless image with a per-recipient path on a tracking host is an open pixel
    sizeless = el is not None and kind == "image" and not _declares_size(el)
    if tfacts.host_token and sizeless and not high and not medium:
        medium.append(f"per-recipient path on the tracking host {host} (no declared size)")
    tracker = bool(high or medium)
    if kind == "image" and pixel_signal:
        kind = "pixel"
    decision = decide(kind=kind, domain=domain, proxiable=proxiable, tracker=tracker, allow=policy.allow,
                      sender=policy.sender)
    allowed = decision.allowed
    if tracker:
        reason = "; ".join(high + medium + notes)
        confidence = "high" if high else "medium"
    else:
        base = {
            "image": "remote image", "css": "remote stylesheet", "font": "remote font",
            "media": "remote media", "frame": "remote frame", "prefetch": "prefetch/preconnect hint",
            "script": "remote script", "refresh": "meta refresh", "other": "remote reference",
        }[kind]
        reason = "; ".join([f"{base} {decision.note}" if allowed else f"{base} (blocked by default)"] + notes
                           + ([f"not a tracker: {tfacts.content}"] if tfacts.content else []))
        confidence = "high" if tfacts.content else "medium"
    if decision.note and not allowed:
        reason += f"; {decision.note}"
    return Remote(
        url=written, kind=kind, action="allowed" if allowed else "blocked", tracker=tracker, vendor=vendor,
        reason=reason, identifies_you=bool(enc), confidence=confidence, element=tag, attribute=attr,
        host=host, domain=domain, token=token, allowed_by=decision.by,
    )


def _declares_size(el) -> bool:
    styles = _style_map(_attr_text(el.get("style", "")))
    return bool(el.get("width") or el.get("height") or "width" in styles or "height" in styles)


def _hidden_ancestor(el) -> str | None:
    node = el.parent
    for _ in range(4):
        if node is None or node.name in ("body", "html", "[document]"):
            return None
        why = _hidden_reason(_style_map(_attr_text(node.get("style", ""))), node)
        if why:
            return f"{why} on enclosing <{node.name}>"
        node = node.parent
    return None

