"""Request and reply shapes of the native-messaging protocol (see PROTOCOL.md).

Request: ``{"id": <int or string>, "action": "<name>", ...params}``.
Replies: ``{"id", "ok": true, "result": {...}}``;
partial results of a streaming action ``{"id", "ok": true, "partial": true, "result": {...}}``;
errors ``{"id": <id or null>, "ok": false, "error": {"code", "message"}}``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ERROR_CODES

__all__ = [
    "Request", "RequestError", "parse_request", "ok_reply", "partial_reply", "error_reply",
    "MAX_ID_LENGTH", "MAX_SAFE_INT", "req_str", "opt_str", "opt_bool", "str_list", "req_object",
]

#: Longest string id accepted (characters).
MAX_ID_LENGTH = 256
#: Integer ids must be exact in JavaScript: |id| <= 2**53 - 1.
MAX_SAFE_INT = 2**53 - 1
_RESERVED = ("id", "action")


class RequestError(Exception):
    """A request the host refuses: ``code`` is a stable code from ``ERROR_CODES``."""

    def __init__(self, code: str, message: str):
        assert code in ERROR_CODES, code
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Request:
    id: int | str
    action: str
    params: dict


def _valid_id(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -MAX_SAFE_INT <= value <= MAX_SAFE_INT
    return isinstance(value, str) and len(value) <= MAX_ID_LENGTH


def parse_request(value) -> Request:
    """Validate a decoded frame. Raises ``RequestError`` (with ``.id`` = the id if it was usable)."""
    if not isinstance(value, dict):
        raise _with_id(RequestError("bad_request", f"a request must be a JSON object, not {_json_type(value)}"), None)
    if "id" not in value:
        raise _with_id(RequestError("bad_request", "the request has no 'id'"), None)
    rid = value["id"]
    if not _valid_id(rid):
        raise _with_id(
            RequestError("bad_request", f"'id' must be an integer (|id| <= 2**53-1) or a string of at most {MAX_ID_LENGTH} characters"),
            None,
        )
    action = value.get("action")
    if action is None:
        raise _with_id(RequestError("bad_request", "the request has no 'action'"), rid)
    if not isinstance(action, str):
        raise _with_id(RequestError("bad_request", f"'action' must be a string, not {_json_type(action)}"), rid)
    params = {k: v for k, v in value.items() if k not in _RESERVED}
    return Request(id=rid, action=action, params=params)


def _with_id(exc: RequestError, rid) -> RequestError:
    exc.id = rid
    return exc


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def ok_reply(rid, result: dict) -> dict:
    return {"id": rid, "ok": True, "result": result}


def partial_reply(rid, result: dict) -> dict:
    return {"id": rid, "ok": True, "partial": True, "result": result}


def error_reply(rid, code: str, message: str) -> dict:
    if code not in ERROR_CODES:
        code = "internal"
    return {"id": rid, "ok": False, "error": {"code": code, "message": message}}


# -- parameter helpers for action handlers (raise RequestError bad_request) ---

_MISSING = object()


def _bad(message: str) -> RequestError:
    return RequestError("bad_request", message)


def req_str(params: dict, name: str, *, max_len: int | None = None) -> str:
    value = params.get(name, _MISSING)
    if value is _MISSING:
        raise _bad(f"missing parameter '{name}'")
    if not isinstance(value, str):
        raise _bad(f"parameter '{name}' must be a string, not {_json_type(value)}")
    if max_len is not None and len(value) > max_len:
        raise _bad(f"parameter '{name}' is longer than {max_len} characters")
    return value


def opt_str(params: dict, name: str, default: str | None = None) -> str | None:
    value = params.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise _bad(f"parameter '{name}' must be a string or null, not {_json_type(value)}")
    return value


def opt_bool(params: dict, name: str, default: bool) -> bool:
    value = params.get(name, _MISSING)
    if value is _MISSING:
        return default
    if not isinstance(value, bool):
        raise _bad(f"parameter '{name}' must be true or false, not {_json_type(value)}")
    return value


def str_list(params: dict, name: str, *, required: bool, max_items: int | None = None) -> list[str]:
    value = params.get(name, _MISSING)
    if value is _MISSING or (value is None and not required):
        if required:
            raise _bad(f"missing parameter '{name}'")
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"parameter '{name}' must be an array of strings")
    if max_items is not None and len(value) > max_items:
        raise _bad(f"parameter '{name}' has more than {max_items} items")
    return value


def req_object(params: dict, name: str) -> dict:
    value = params.get(name, _MISSING)
    if value is _MISSING:
        raise _bad(f"missing parameter '{name}'")
    if not isinstance(value, dict):
        raise _bad(f"parameter '{name}' must be an object, not {_json_type(value)}")
    return value
