"""The walk of the document head and what loads from anywhere without showing
anything: ``<base>``, comments (Outlook conditional comments are looked
into), elements removed whole (``script``, ``link``, ``bgsound``...) and
active ``<meta http-equiv>``."""

from __future__ import annotations

import re

from .html import parse_fragment
from .refs import classify_ref
from .tree import remove as _remove, remove_keep_content
from . import vectors
from .walk_common import MAX_NESTING, REMOTEISH as _REMOTEISH, attr_text as _attr_text

_META_REFRESH_URL = re.compile(r"url\s*=\s*", re.I)
_LINK_HEADER_URL = re.compile(r"<([^<>]*)>")  # [^<>]: linear on a run of "<"
_CONDITIONAL = re.compile(r"^\s*\[if\b", re.I)


class HeadWalk:
    """Mixin of the walker (core/sanitizer.py)."""

    def _find_base(self, elements: list) -> None:
        for el in elements:
            if el.name != "base":
                continue
            href = el.get("href")
            if href is not None and self.base is None:
                ref = classify_ref(_attr_text(href))
                if ref.cls == "remote":
                    self.base = ref.url
                    self._record(_attr_text(href).strip(), ref.url, "other", el, "href",
                                 extra=["base URL: every relative URL would load from it"])

    def _comments(self, specials: list) -> None:
        """Remove comments and their kin; report what Outlook-only ones reference."""
        for node in specials:
            text = str(node)
            if (type(node).__name__ == "Comment" and _CONDITIONAL.match(text) and self.depth < MAX_NESTING
                    and (_REMOTEISH.search(text) or "url(" in text.lower())):  # most hold only Office XML
                inner = type(self)(self.policy, self.depth + 1,
                                report_only="inside an Outlook-only conditional comment (not rendered)")
                inner.base = self.base
                body = text.split("]>", 1)[1] if "]>" in text else text
                inner.walk(parse_fragment(body))
                self.remote.extend(inner.remote)
            _remove(node)

    def _removed_element(self, el, tag: str) -> None:
        if tag == "base":
            pass  # reported by _find_base
        elif tag == "link":
            href = el.get("href")
            rels = [r.lower() for r in (el.get("rel") or [])] if isinstance(el.get("rel"), list) else \
                str(el.get("rel", "")).lower().split()
            kind = next((vectors.LINK_REL_KINDS[r] for r in rels if r in vectors.LINK_REL_KINDS), "other")
            if href is not None:
                self._check_plain(el, "href", _attr_text(href), kind)
            if el.get("imagesrcset"):
                self._srcset(el, "imagesrcset", _attr_text(el["imagesrcset"]), "link")
        else:
            for attr in ("src", "href", "xlink:href"):
                if el.get(attr) is not None:
                    self._check_plain(el, attr, _attr_text(el[attr]), vectors.kind_for(tag, attr))
        if not self.report_only:
            if tag == "script":
                _remove(el)
            else:
                remove_keep_content(el)  # an unknown element to HTML5 (portal) shows its content

    def _check_plain(self, el, attr: str, value: str, kind: str) -> None:
        ref = classify_ref(value, self.base)
        if ref.cls == "remote":
            self._record(value.strip(), ref.url, kind, el, attr)
        elif ref.cls == "data":
            self._data_ok(value, el, attr, kind)  # reports what an inlined document references

    def _meta(self, el) -> bool:
        """Handle an active ``<meta http-equiv>``; True when it was removed."""
        equiv = str(el.get("http-equiv", "")).strip().lower()
        if equiv not in vectors.ACTIVE_META:
            return False
        content = _attr_text(el.get("content", ""))
        if equiv == "refresh":
            m = _META_REFRESH_URL.search(content)
            if m:
                url = content[m.end():].rstrip()
                if len(url) >= 2 and url[0] in "'\"" and url[-1] == url[0]:
                    url = url[1:-1]
                self._check_plain(el, "content", url, "refresh")
        elif equiv == "link":
            for u in _LINK_HEADER_URL.findall(content):
                self._check_plain(el, "content", u, "prefetch")
        if not self.report_only:
            _remove(el)
        return True
