"""One module per action (or per family: ``allowlist.*``, ``settings.*``).

See ``trackless.native.dispatch`` for the handler contract.
"""

from __future__ import annotations

from ...errors import StoreError


def store_of(ctx):
    """The injected settings store, or a ``StoreError`` if the host has none."""
    if ctx.store is None:
        raise StoreError("the settings store is not available (see the host log)")
    return ctx.store
