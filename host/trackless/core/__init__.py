"""The sanitizing core: pure (no network, no disk), one entry point.

``sanitize(html, sender=..., recipients=..., allow=..., keep_links=...)``
parses mail HTML, finds every remote reference, classifies it, rewrites the
tree and serializes it, returning a ``Result``. The modules, one job each:

- ``html``: the one module that owns the HTML library (parse, serialize)
- ``serialize``: writing the tree out, byte-identical to bs4's minimal formatter
- ``vectors``: where remote content hides (named allow/deny constants)
- ``refs``: what a URL reference points at (local, remote, data:, active)
- ``css``: URL references in CSS, found and neutralised
- ``trackers``: tracker rules (data files) and matching a URL against them
- ``tokens``: per-recipient tokens in a URL's path or query
- ``identity``: does a URL carry the reader's address, in any encoding
- ``sanitizer``: the walk that ties them together
"""

from .sanitizer import sanitize

__all__ = ["sanitize"]
