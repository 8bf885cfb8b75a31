"""The walk of hyperlinks (``<a>``/``<area>`` ``href``): cleaned or unwrapped
by the links engine, the original kept in a marker; script URLs removed."""

from __future__ import annotations

from ..domains import domain_of
from ..result import Link
from .identity import Identity
from .refs import classify_ref
from .walk_common import LINK_ATTR, ORIGINAL_ATTR


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
        self.links.append(link)
        if self.report_only:
            return
        if link.final and link.final != ref.url and link.status in ("cleaned", "unwrapped"):
            el[attr] = link.final
            if not el.has_attr(ORIGINAL_ATTR):
                el[ORIGINAL_ATTR] = original
        elif link.status == "opaque":
            el[LINK_ATTR] = "opaque"


def _replace_original(link: Link, original: str) -> Link:
    from dataclasses import replace

    return replace(link, original=original)


def _unwrap(url: str, identity: Identity, keep: bool) -> Link:
    from ..links import unwrap

    return unwrap(url, identity=identity, keep=keep)
