"""The explicit action table and the context handed to every handler.

A handler is ``handle(params: dict, ctx: Context) -> dict``:

- ``params`` is the request object without ``id`` and ``action``;
- it returns the ``result`` object of the final reply;
- it raises ``RequestError("bad_request", ...)`` for bad parameters, any
  ``TracklessError`` for a reported failure (its ``code`` goes on the wire);
  anything else becomes an ``internal`` error frame and the host keeps serving;
- a streaming handler calls ``ctx.emit(partial_result)`` any number of times
  before returning: each call sends a ``{"id", "ok": true, "partial": true,
  "result": ...}`` frame at once (chunked if large).

Adding an action = one module under ``trackless/native/actions/`` plus one
line in ``ACTIONS`` below. Modules are imported on first use, so ``ping``
does not pay for bs4 or dnspython.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["ACTIONS", "CONCURRENT_ACTIONS", "Context", "handler_for"]

#: action name -> "module:function". Append only; names are part of the protocol.
ACTIONS: dict[str, str] = {
    "ping": "trackless.native.actions.ping:handle",
    "echo": "trackless.native.actions.echo:handle",
    "sanitize": "trackless.native.actions.sanitize:handle",
    "unwrap": "trackless.native.actions.unwrap:handle",
    "allowlist.get": "trackless.native.actions.allowlist:get",
    "allowlist.add": "trackless.native.actions.allowlist:add",
    "allowlist.remove": "trackless.native.actions.allowlist:remove",
    "settings.get": "trackless.native.actions.settings:get",
    "settings.set": "trackless.native.actions.settings:set_",
    "resolve": "trackless.native.actions.resolve:handle",
    "images": "trackless.native.actions.images:handle",  # streams partials with ctx.emit
    "uncloak": "trackless.native.actions.uncloak:handle",
    "learned.clear": "trackless.native.actions.learned:clear",
    "state": "trackless.native.actions.state:handle",
}


#: Actions run off the reading thread, on a small pool: those that wait on the
#: network, so that a ``sanitize`` (or any other action, all of which are pure
#: or touch only local files) is answered at once instead of waiting behind
#: them; and ``state`` (cheap), so that the add-on's cache check for the mail
#: being opened never waits behind a background ``sanitize``.
CONCURRENT_ACTIONS: frozenset[str] = frozenset({"resolve", "images", "uncloak", "state"})


def _no_emit(result: dict) -> None:  # pragma: no cover - replaced per request by the server
    raise RuntimeError("emit is only available while a request is being handled")


@dataclass(frozen=True)
class Context:
    """What a handler may use; effects are injected here, never imported by handlers.

    store: the settings store (``trackless.store.Store``) shared with the CLI.
    log: the host's logger (file + brief stderr lines). Never log mail content.
    request_id: the id of the request being handled.
    emit: send a partial result for this request now (streaming actions).
    host_args: the arguments Thunderbird started the host with (manifest path, extension id).
    """

    store: object
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("trackless.host"))
    request_id: object = None
    emit: Callable[[dict], None] = _no_emit
    host_args: tuple[str, ...] = ()


_cache: dict[str, Callable] = {}


def handler_for(action: str, table: dict[str, str] | None = None) -> Callable | None:
    """The handler function of ``action``, imported on first use; ``None`` if unknown."""
    table = ACTIONS if table is None else table
    target = table.get(action)
    if target is None:
        return None
    fn = _cache.get(target)
    if fn is None:
        modname, _, funcname = target.partition(":")
        fn = getattr(importlib.import_module(modname), funcname)
        _cache[target] = fn
    return fn
