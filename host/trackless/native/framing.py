"""Native-messaging frames: 4-byte native-endian length + UTF-8 JSON.

Pure byte-level helpers, no global state; the host loop (``server.py``) and
the tests use them on any binary stream.

- Incoming frames over ``MAX_INCOMING`` (64 MiB) are refused from the header
  alone (``FrameTooLarge``); the caller decides what to do with the body
  (the host drains it, see PROTOCOL.md).
- Outgoing frames: JSON with ``ensure_ascii=False`` (non-ASCII as raw UTF-8),
  compact separators, lone surrogates replaced by U+FFFD. A body is at most
  ``MAX_FRAME_BODY`` = 1,048,572 bytes so that body + 4-byte header never
  exceeds Thunderbird's 1,048,576-byte cap. A larger reply is cut into chunk
  frames ``{"id", "chunk", "chunks", "data"}`` whose ``data`` values
  concatenate to the reply's JSON text (``chunk_bodies``).
"""

from __future__ import annotations

import json
import re
import struct
from typing import BinaryIO

from .. import boundedjson

__all__ = [
    "HEADER", "MAX_INCOMING", "OUTGOING_LIMIT", "MAX_FRAME_BODY", "FrameError", "FrameTooLarge",
    "TruncatedFrame", "read_frame", "drain", "decode_body", "dumps", "to_utf8", "frame_bodies",
    "chunk_bodies", "pack",
]

#: 4-byte unsigned length in the machine's native byte order ("=" = native order, standard size).
HEADER = struct.Struct("=I")
#: Largest incoming frame body accepted (bytes). Larger ones are refused from the header alone.
MAX_INCOMING = 64 * 1024 * 1024
#: Thunderbird's cap on one host -> Thunderbird message.
OUTGOING_LIMIT = 1_048_576
#: Largest body the host writes: header + body never exceed OUTGOING_LIMIT.
MAX_FRAME_BODY = OUTGOING_LIMIT - HEADER.size

_DRAIN_PIECE = 64 * 1024
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


class FrameError(Exception):
    """A frame that cannot be decoded. ``code`` is the stable error code."""

    code = "bad_frame"


class FrameTooLarge(FrameError):
    code = "too_large"

    def __init__(self, length: int):
        super().__init__(f"declared frame length {length} bytes is over the maximum of {MAX_INCOMING} bytes")
        self.length = length


class TruncatedFrame(FrameError):
    def __init__(self, got: int, wanted: int, what: str):
        super().__init__(f"the input ended inside a frame {what} ({got} of {wanted} bytes)")


def _read_exactly(stream: BinaryIO, n: int) -> bytes:
    """Read ``n`` bytes, fewer only at end of input."""
    data = stream.read(n)
    if data is None:  # pragma: no cover - non-blocking streams are not supported
        data = b""
    if len(data) == n or not data:
        return data
    parts, got = [data], len(data)
    while got < n:
        more = stream.read(n - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def read_frame(stream: BinaryIO) -> bytes | None:
    """The next frame's body; ``None`` at a clean end of input (between frames).

    Raises ``FrameTooLarge`` (body not read) or ``TruncatedFrame``.
    """
    header = _read_exactly(stream, HEADER.size)
    if not header:
        return None
    if len(header) < HEADER.size:
        raise TruncatedFrame(len(header), HEADER.size, "header")
    (length,) = HEADER.unpack(header)
    if length > MAX_INCOMING:
        raise FrameTooLarge(length)
    body = _read_exactly(stream, length)
    if len(body) < length:
        raise TruncatedFrame(len(body), length, "body")
    return body


def drain(stream: BinaryIO, length: int) -> None:
    """Read and discard ``length`` bytes in small pieces (memory stays bounded)."""
    left = length
    while left:
        piece = stream.read(min(left, _DRAIN_PIECE))
        if not piece:
            raise TruncatedFrame(length - left, length, "body")
        left -= len(piece)


def _no_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _scrub_tree(value):
    """Replace lone surrogates in every string (keys too) by U+FFFD, iteratively."""
    fix = lambda s: _SURROGATE.sub("\ufffd", s)  # noqa: E731
    if isinstance(value, str):
        return fix(value)
    root = [value]
    stack = [(root, 0)]
    while stack:
        container, key = stack.pop()
        item = container[key]
        if isinstance(item, str):
            container[key] = fix(item)
        elif isinstance(item, list):
            stack.extend((item, i) for i in range(len(item)))
        elif isinstance(item, dict):
            fixed = {fix(k): v for k, v in item.items()}
            item.clear()
            item.update(fixed)
            stack.extend((item, k) for k in item)
    return root[0]


def decode_body(body: bytes):
    """UTF-8 JSON -> Python value. Lone surrogates (``"\\ud800"``) become U+FFFD.

    Raises ``FrameError`` for invalid UTF-8, invalid JSON (incl. NaN/Infinity)
    or arrays/objects nested more than ``boundedjson.MAX_DEPTH`` (64) levels.
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError(f"the frame is not valid UTF-8 (byte {exc.start})") from None
    try:
        value = boundedjson.loads(text, parse_constant=_no_constant)
    except boundedjson.TooDeep as exc:
        raise FrameError(f"the frame's JSON is {exc}") from None
    except ValueError as exc:
        raise FrameError(f"the frame is not valid JSON ({exc})") from None
    if _SURROGATE_ESCAPE.search(text):
        value = _scrub_tree(value)
    return value


def dumps(value) -> str:
    """The wire form of a JSON value: compact, ``ensure_ascii=False``, no NaN."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def to_utf8(text: str) -> bytes:
    """UTF-8 bytes of ``text``; a lone surrogate (a handler's bug) becomes U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def pack(body: bytes) -> bytes:
    """Header + body."""
    return HEADER.pack(len(body)) + body


def chunk_bodies(text: str, rid, limit: int = MAX_FRAME_BODY) -> list[bytes]:
    """Cut a reply's JSON ``text`` into chunk frame bodies of at most ``limit`` bytes each.

    Slices are taken on code points of ``text`` (Python strings hold a non-BMP
    character as one code point, so a surrogate pair is never split) and each
    slice is measured after JSON escaping and UTF-8 encoding, since escaping
    grows it (``"`` -> ``\\"``, control characters -> ``\\u00XX``).
    """
    text = _SURROGATE.sub("\ufffd", text)
    worst = 10**12  # room for the counters' digits, whatever n turns out to be
    envelope = len(to_utf8(dumps({"id": rid, "chunk": worst, "chunks": worst, "data": ""})))
    budget = limit - envelope  # bytes for the escaped data string, quotes excluded
    if budget < 16:
        raise ValueError("the reply id is too long to chunk the reply")
    slices, pos, end = [], 0, len(text)
    while pos < end:
        k = min(end - pos, budget)
        while True:
            size = len(to_utf8(dumps(text[pos : pos + k]))) - 2
            if size <= budget:
                break
            k = max(1, k * budget // size - 1)
        slices.append(text[pos : pos + k])
        pos += k
    total = len(slices)
    bodies = [to_utf8(dumps({"id": rid, "chunk": i, "chunks": total, "data": s})) for i, s in enumerate(slices)]
    if any(len(b) > limit for b in bodies):  # pragma: no cover - guarded by the arithmetic above
        raise AssertionError("chunk frame over the limit")
    return bodies


def frame_bodies(reply: dict, limit: int = MAX_FRAME_BODY) -> list[bytes]:
    """The frame bodies that carry ``reply``: one, or chunk frames when it is over ``limit``."""
    text = dumps(reply)
    body = to_utf8(text)
    if len(body) <= limit:
        return [body]
    return chunk_bodies(text, reply.get("id"), limit)
