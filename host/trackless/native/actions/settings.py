"""``settings.get`` / ``settings.set``: the validated options of the settings file.

``settings.get`` -> ``{"settings": {name: value}, "schema": {name: {type, default, help[, min, max]}}}``.
``settings.set`` with ``{"settings": {name: value, ...}}`` validates every
name and value first (unknown name or wrong type -> ``bad_request``, nothing
written) and returns ``{"settings": {...}}`` after the change.
"""

from __future__ import annotations

from ...store import OPTIONS
from ..protocol import RequestError, req_object
from . import store_of


def _schema() -> dict:
    out = {}
    for name, opt in OPTIONS.items():
        item = {"type": {bool: "boolean", int: "integer", str: "string"}[opt.type], "default": opt.default, "help": opt.help}
        if opt.minimum is not None:
            item["min"] = opt.minimum
        if opt.maximum is not None:
            item["max"] = opt.maximum
        out[name] = item
    return out


def get(params: dict, ctx) -> dict:
    return {"settings": dict(store_of(ctx).load().options), "schema": _schema()}


def set_(params: dict, ctx) -> dict:
    changes = req_object(params, "settings")
    try:
        settings = store_of(ctx).set_options(changes)
    except ValueError as exc:
        raise RequestError("bad_request", str(exc)) from None
    return {"settings": dict(settings.options)}
