"""The walk of images and media: URL attributes (``src``, ``background``,
``poster``...), ``srcset`` candidate lists, and ``data:`` URIs (inert
pictures kept, documents looked into). An allowlisted image is marked for
the helper's proxy; a pixel is reported as one."""

from __future__ import annotations

from . import vectors
from .html import parse_fragment
from .refs import FONT_PREFIXES, RASTER_TYPES, classify_ref, data_uri_info
from .walk_common import ALLOWED_ATTR, BLOCKED_ATTR, MAX_NESTING, REMOTEISH as _REMOTEISH, TABNL as _TABNL


class MediaWalk:
    """Mixin of the walker (core/sanitizer.py)."""

    def _srcset(self, el, attr: str, value: str, tag: str) -> None:
        parent = el.parent.name if el.parent is not None else ""
        kind = vectors.kind_for(tag, "srcset", parent)
        bad = False
        for cand in _srcset_urls(value):
            ref = classify_ref(cand, self.base)
            if ref.cls == "remote":
                self._record(cand, ref.url, kind, el, attr)
                bad = True
            elif ref.cls == "data" and not self._data_ok(cand, el, attr, kind):
                bad = True
            elif ref.cls == "active":
                bad = True
        # fail closed: a candidate list that still names a remote place in any
        # spelling (a tab splitting the scheme, say) is dropped whole
        bad = bad or bool(_REMOTEISH.search(_TABNL.sub("", value)))
        if bad and not self.report_only:
            del el[attr]
            el[BLOCKED_ATTR] = el.get(BLOCKED_ATTR) or kind

    def _url_attr(self, el, attr: str, name: str, value: str, tag: str) -> bool:
        """Handle one URL attribute; True when the element turned out to be a pixel."""
        if name in ("usemap",) and value.strip().startswith("#"):
            return False
        parent = el.parent.name if el.parent is not None else ""
        kind = vectors.kind_for(tag, name, parent)
        if tag == "input" and name == "src" and str(el.get("type", "")).lower() != "image":
            kind = "image"
        ref = classify_ref(value, self.base)
        if ref.cls in ("empty", "local"):
            return False
        if ref.cls == "active":
            if not self.report_only:
                del el[attr]
            return False
        if ref.cls == "data":
            if not self._data_ok(value, el, attr, kind) and not self.report_only:
                del el[attr]
                el[BLOCKED_ATTR] = el.get(BLOCKED_ATTR) or kind
            return False
        proxiable = (tag, name) in vectors.PROXIABLE and (tag != "input" or str(el.get("type", "")).lower() == "image")
        r = self._record(value.strip(), ref.url, kind, el, name, element=el, proxiable=proxiable)
        if self.report_only:
            return False
        if r.action == "allowed":
            del el[attr]
            el[ALLOWED_ATTR] = ref.url
            return False
        if r.kind == "pixel" and tag in ("img", "input", "image"):
            return True
        del el[attr]
        el[BLOCKED_ATTR] = el.get(BLOCKED_ATTR) or r.kind
        return False

    def _data_ok(self, value: str, el, attr: str, kind: str, in_css: bool = False) -> bool:
        """Is this data: URI inert? Inner remote references are reported."""
        mediatype, payload = data_uri_info(value)
        if mediatype in RASTER_TYPES or mediatype.startswith(FONT_PREFIXES):
            return True
        if payload is None:
            return False
        if mediatype in ("image/svg+xml", "text/html", "application/xhtml+xml", "text/xml",
                         "application/xml", "text/css"):
            if self.depth >= MAX_NESTING:
                return False
            text = payload.decode("utf-8", errors="replace")
            inner = type(self)(self.policy, self.depth + 1, report_only="inside a data: document")
            if mediatype == "text/css":
                inner._rewrite_css(text, el, attr, in_block=True)
            else:
                inner.walk(parse_fragment(text))
            self.remote.extend(inner.remote)
            # An SVG loaded as an image (img, CSS images, SVG image/feImage)
            # fetches nothing; as a document (object, embed, iframe, use, or a
            # #fragment reference to a pattern, gradient, filter, mask...) it is
            # parsed as XML, with entities, any XLink prefix and animations
            # that our HTML-parser check cannot vouch for: only the first is kept.
            as_image = kind == "image" and "#" not in value and (
                in_css or attr in ("background", "poster")
                or (el is not None and el.name.lower() in vectors.DATA_SVG_IMAGE_ELEMENTS))
            return mediatype == "image/svg+xml" and as_image and not inner.remote
        return False


def _srcset_urls(value: str) -> list[str]:
    """Candidate URLs of a srcset (HTML's parsing: a URL is a run of non-spaces)."""
    urls, i, n = [], 0, len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        if i >= n:
            break
        j = i
        while j < n and not value[j].isspace():
            j += 1
        url = value[i:j]
        if url.endswith(","):
            url = url.rstrip(",")
            i = j
        else:
            depth = 0
            while j < n and (value[j] != "," or depth):
                depth += value[j] == "("
                depth -= value[j] == ")" and depth > 0
                j += 1
            i = j
        if url:
            urls.append(url)
    return urls
