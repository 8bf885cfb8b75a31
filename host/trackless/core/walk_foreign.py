"""The walk of SVG and MathML specifics: SVG animations (``set``, ``animate``...)
that would set an href or a remote value after parsing are removed."""

from __future__ import annotations

from . import vectors
from .refs import classify_ref
from .tree import remove as _remove
from .walk_common import REMOTEISH as _REMOTEISH, attr_text as _attr_text


class ForeignWalk:
    """Mixin of the walker (core/sanitizer.py)."""

    def _animation(self, el) -> bool:
        """An SVG animation that sets an href, or a value that names a remote
        place, would load it after parsing: report and remove it (True)."""
        target = next((str(v) for k, v in el.attrs.items() if k.lower() == "attributename"), "").strip().lower()
        remote = False
        for name in vectors.ANIMATION_VALUE_ATTRIBUTES:
            value = el.get(name)
            if value is None:
                continue
            for part in _attr_text(value).split(";"):
                ref = classify_ref(part, self.base)
                if ref.cls == "remote":
                    self._record(part.strip(), ref.url, "image", el, name,
                                 extra=[f"SVG <{el.name}> sets {target or 'an attribute'} to it"])
                    remote = True
                elif ref.cls in ("data", "active") or _REMOTEISH.search(part):
                    remote = True
        if not (remote or target.endswith("href")):
            return False
        if not self.report_only:
            _remove(el)
        return True
