"""The walk of styles: ``<style>`` blocks, ``style`` attributes and CSS in SVG
presentation attributes; every URL in them is judged and refused ones are
neutralised (core/css.py)."""

from __future__ import annotations

from . import css
from .refs import classify_ref
from .tree import set_text, text_of
from .walk_common import BLOCKED_ATTR


class StyleWalk:
    """Mixin of the walker (core/sanitizer.py)."""

    def _style_block(self, el) -> None:
        # the text as the renderer reads it (in SVG/MathML entities are
        # already decoded by the parser; the serializer escapes it there)
        text = text_of(el)
        new = self._rewrite_css(text, el, "style", in_block=True) if css.may_reference(text) else text
        if new != text and not self.report_only:
            set_text(el, new)

    def _style_attr(self, el, attr: str, value: str, tag: str) -> bool:
        pixel_holder: list[bool] = []
        new = self._rewrite_css(value, el, attr, tag=tag, pixel_out=pixel_holder)
        if new is not value and not self.report_only:
            if new.strip():
                el[attr] = new
            else:
                del el[attr]
            el[BLOCKED_ATTR] = el.get(BLOCKED_ATTR) or "image"
        return bool(pixel_holder)

    def _css_attr(self, el, attr: str, value: str, tag: str) -> None:
        new = self._rewrite_css(value, el, attr, tag=tag)
        if new is not value and not self.report_only:
            el[attr] = new

    def _rewrite_css(self, text: str, el, attr: str, *, tag: str = "", in_block: bool = False,
                     pixel_out: list | None = None) -> str:
        def keep(url: str, ctx: str) -> bool:
            ref = classify_ref(url, self.base)
            kind = {"image": "image", "font": "font", "import": "css"}[ctx]
            if ref.cls == "remote":
                r = self._record(url.strip(), ref.url, kind, el, attr, element=None if in_block else el)
                if r.kind == "pixel" and pixel_out is not None:
                    pixel_out.append(True)
                return False
            if ref.cls == "data":
                return self._data_ok(url, el, attr, kind, in_css=True)
            if ref.cls == "active":
                return False
            return ctx != "import"  # an @import of a message part cannot be inspected: drop it

        new, _refs = css.rewrite_css(text, keep)
        return new
