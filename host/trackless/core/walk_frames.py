"""The walk of frames and raw-text elements: an ``iframe srcdoc`` is sanitized
as a document of its own; the fallback content of ``iframe``/``noembed``/
``noframes`` (never rendered) is dropped and ``xmp``/``plaintext`` become a
preformatted div (their text would not read back as itself)."""

from __future__ import annotations

from .html import parse_fragment
from .tree import clear
from .walk_common import MAX_NESTING


class FrameWalk:
    """Mixin of the walker (core/sanitizer.py)."""

    def _raw_text(self, el, tag: str) -> None:
        """The parser keeps their content as raw text, which would not
        serialize back to itself: fallback content (not rendered) is dropped,
        xmp/plaintext become a preformatted div."""
        if tag in ("xmp", "plaintext"):
            el.name = "div"
            el["style"] = "white-space:pre"
        else:
            clear(el)

    def _srcdoc(self, el, attr: str, value: str) -> None:
        if self.depth >= MAX_NESTING:
            if not self.report_only:
                del el[attr]
            return
        inner = type(self)(self.policy, self.depth + 1, self.report_only)
        doc = parse_fragment(value)
        inner.walk(doc)
        self.remote.extend(inner.remote)
        self.links.extend(inner.links)
        if not self.report_only:
            el[attr] = doc.serialize()
