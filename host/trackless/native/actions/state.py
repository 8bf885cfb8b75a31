"""``state``: a fingerprint of everything a ``sanitize`` result depends on besides its parameters.

Result: ``{"state": "<hex>"}``. It changes whenever the helper's version, its
rules files or the settings file's allowlist or options change. The add-on
keeps sanitize results in memory keyed by the exact HTML, sender and
recipients; a result is reused only while the ``state`` it was made under
(returned with every ``sanitize`` result) equals the current one. Cheap (one
read of the settings file), and run off the reading thread so that it is
answered even while a large ``sanitize`` is being worked on.
"""

from __future__ import annotations

import functools
import hashlib
import json

from . import store_of


@functools.lru_cache(maxsize=1)
def rules_digest() -> str:
    """SHA-256 over the packaged rules files (names and bytes), computed once per process."""
    from importlib import resources

    h = hashlib.sha256()
    stack = [resources.files("trackless").joinpath("rules")]
    files = []
    while stack:
        d = stack.pop()
        for entry in d.iterdir():
            (stack if entry.is_dir() else files).append(entry)
    for f in sorted(files, key=lambda e: str(e)):
        h.update(str(f).rsplit("rules", 1)[-1].encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(settings) -> str:
    """The state string for a loaded ``Settings``."""
    from ...version import __version__

    blob = json.dumps([__version__, rules_digest(), settings.to_dict()], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def handle(params: dict, ctx) -> dict:
    return {"state": fingerprint(store_of(ctx).load())}
