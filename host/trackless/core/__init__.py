"""The sanitizing core: pure (no network, no disk), one entry point.

``sanitize(html, sender=..., recipients=..., allow=..., keep_links=...)``
parses mail HTML, finds every remote reference, classifies it, rewrites the
tree and serializes it, returning a ``Result``. The modules, one job each:

- ``html``: the one module that owns the HTML parser (HTML5, as Thunderbird parses)
- ``serialize``: writing the tree out as bs4's minimal formatter does (removed nodes left out)
- ``tree``: editing the tree in constant time per edit
- ``vectors``: where remote content hides (named allow/deny constants)
- ``refs``: what a URL reference points at (local, remote, data:, active)
- ``css``: URL references in CSS, found and neutralised
- ``trackers``: tracker rules (data files) and matching a URL against them
- ``tokens``: per-recipient tokens in a URL's path or query
- ``identity``: does a URL carry the reader's address, in any encoding
- ``sanitizer``: the walk that ties them together and judges each reference,
  with one module per element kind: ``walk_head`` (base, comments, removed
  elements, meta), ``walk_styles``, ``walk_media`` (images, media, srcset,
  data:), ``walk_links``, ``walk_frames`` (srcdoc, raw text), ``walk_foreign``
  (SVG animations); ``walk_common`` holds what they share
"""

from .sanitizer import sanitize

__all__ = ["sanitize"]
