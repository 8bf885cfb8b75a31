"""The walk of hyperlinks (``<a>``/``<area>`` ``href``): cleaned or unwrapped
by the links engine, the original kept in a marker; script URLs removed; each
link judged by where it really goes against what the reader is shown
(trackless.links.deceptive), the verdict kept in a marker."""

from __future__ import annotations

from ..domains import domain_of
from ..result import Link
from .identity import Identity
from .refs import classify_ref
from .walk_common import ALIAS_ATTR, EVIDENCE_ATTR, LINK_ATTR, ORIGINAL_ATTR, VERDICT_ATTR, attr_text


class LinkWalk:
    """Mixin of the walker (core/sanitizer.py)."""

    def _link(self, el, attr: str, value: str) -> None:
        ref = classify_ref(value, self.base)
        if ref.cls == "active":
            if not self.report_only:
                del el[attr]
            return
        if ref.cls != "remote" or not ref.url.lower().startswith(("http://", "https://")):
            return
        original = value.strip()
        keep = bool(self.policy.keep_links) and (
            self.policy.sender_domain in self.policy.keep_links or domain_of(ref.url) in self.policy.keep_links)
        link = _unwrap(ref.url, self.policy.identity, keep)
        if link.original != original:
            link = _replace_original(link, original)
        link, alias = _with_verdict(link, el, self.policy.sender_domain)
        self.links.append(link)
        if self.report_only:
            return
        if link.verdict is not None:
            el[VERDICT_ATTR] = link.verdict.kind
            el[EVIDENCE_ATTR] = link.verdict.evidence
        elif alias:
            el[ALIAS_ATTR] = alias
        if link.final and link.final != ref.url and link.status in ("cleaned", "unwrapped"):
            el[attr] = link.final
            if not el.has_attr(ORIGINAL_ATTR):
                el[ORIGINAL_ATTR] = original
        elif link.status == "opaque":
            el[LINK_ATTR] = "opaque"


def _replace_original(link: Link, original: str) -> Link:
    from dataclasses import replace

    return replace(link, original=original)


# ---- deceptive links: what the reader is shown vs where the link goes -------
_MAX_LINK_TEXT = 2000  # a link whose text is longer names no single site
_MAX_LINK_NODES = 400  # nodes read inside one link: bounded work per link, even when links nest


def _shown_parts(el, limit: int = 4) -> tuple[str, list[str]]:
    """A link's text ("" when longer than _MAX_LINK_TEXT) and the alt texts of
    its first images, from at most _MAX_LINK_NODES nodes."""
    texts, alts, size = [], [], 0
    for n, node in enumerate(el.descendants):
        if n >= _MAX_LINK_NODES:
            break
        name = getattr(node, "name", None)
        if name is None:
            if type(node).__name__ == "NavigableString":
                texts.append(str(node))
                size += len(texts[-1])
                if size > _MAX_LINK_TEXT:
                    return "", alts
        elif name == "img" and len(alts) < limit:
            alts.append(attr_text(node.get("alt", "")))
    return " ".join(texts), alts


def _with_verdict(link: Link, el, sender_domain: str) -> tuple[Link, str]:
    """The link with its verdict (trackless.links.deceptive) from the text,
    ``title`` and image alts the reader is shown; and, for a link judged fine
    whose text is a URL of another registrable domain of the same owner
    (Thunderbird's own link check would call it a mismatch), that domain."""
    from dataclasses import replace

    from ..links.deceptive import judge, same_owner_text, shown_of

    text, alts = _shown_parts(el) if el.name != "area" else (attr_text(el.get("alt", "")), [])
    verdict = judge(link, shown_of(text, attr_text(el.get("title", "")), alts), sender_domain=sender_domain)
    if verdict is not None:
        return replace(link, verdict=verdict), ""
    return link, same_owner_text(link, text)


def _unwrap(url: str, identity: Identity, keep: bool) -> Link:
    from ..links import unwrap

    return unwrap(url, identity=identity, keep=keep)
