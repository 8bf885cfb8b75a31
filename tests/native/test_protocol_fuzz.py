"""Hostile frames against the host loop (framing + dispatch), in process: a bounded fuzz run.

Streams of frames are generated: random bytes, requests with random ids,
actions and parameter values, deep nesting, truncated or byte-flipped
requests, oversized headers, a truncated tail. Whatever arrives, the host
must answer every complete frame with exactly one well-formed final reply in
order, with a stable error code that is never ``internal`` (an ``internal``
reply means a handler met input it did not expect), write nothing but frames
under Thunderbird's 1 MiB cap, and exit 0 (1 only after a truncated frame).

The same generated frames also go, in batches, through the real host process.
The network actions (``resolve``, ``images``, ``uncloak``) are left out:
their parameters would make real requests. ``TRACKLESS_FUZZ_EXAMPLES`` sets
the number of generated streams (default 150, for the suite).
"""

from __future__ import annotations

import io
import json
import logging
import os
import struct
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trackless.errors import ERROR_CODES
from trackless.native.dispatch import ACTIONS, Context
from trackless.native.server import serve
from trackless.store import Store

HEADER = struct.Struct("=I")
NETWORK = {"resolve", "images", "uncloak"}
TABLE = {k: v for k, v in ACTIONS.items() if k not in NETWORK}
PARAMS = ["html", "from", "to", "urls", "domain", "images", "keep_links", "settings", "data", "url", "hosts"]
EXAMPLES = int(os.environ.get("TRACKLESS_FUZZ_EXAMPLES", "150"))

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40),
    st.sampled_from(["<p>hi</p>", "<img src=http://t.example/p.gif>", "https://shop.example/?utm_source=x",
                     "brand.example", "co.uk", "request_timeout_ms", "dns_uncloaking", "\ud800", "\x00"]),
)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.one_of(st.sampled_from(PARAMS), st.text(max_size=10)), inner, max_size=4)),
    max_leaves=12)
ids = st.one_of(st.integers(min_value=-(2**54), max_value=2**54), st.text(max_size=300), st.booleans(), st.none(),
                st.floats(allow_nan=False), st.lists(st.integers(), max_size=2))
actions = st.one_of(st.sampled_from(sorted(TABLE)), st.text(max_size=12), st.integers(), st.none())


@st.composite
def requests(draw) -> bytes:
    req: dict = {}
    if draw(st.integers(0, 9)):
        req["id"] = draw(ids)
    if draw(st.integers(0, 9)):
        req["action"] = draw(actions)
    for name in draw(st.lists(st.sampled_from(PARAMS), max_size=4, unique=True)):
        req[name] = draw(json_values)
    return json.dumps(req, ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass")


@st.composite
def nested(draw) -> bytes:
    depth = draw(st.integers(1, 3000))
    kind = draw(st.sampled_from(["list", "dict", "mixed"]))
    if kind == "list":
        inner = b"[" * depth + b"]" * depth
    elif kind == "dict":
        inner = b'{"a":' * depth + b"1" + b"}" * depth
    else:
        inner = b'[{"a":' * depth + b"1" + b"}]" * depth
    return b'{"id":1,"action":"' + draw(st.sampled_from(sorted(TABLE))).encode() + b'","data":' + inner + b"}"


@st.composite
def mutated(draw) -> bytes:
    body = bytearray(draw(requests()))
    for _ in range(draw(st.integers(1, 4))):
        if not body:
            break
        i = draw(st.integers(0, len(body) - 1))
        op = draw(st.sampled_from(["flip", "cut", "dup"]))
        if op == "flip":
            body[i] = draw(st.integers(0, 255))
        elif op == "cut":
            del body[i:]
        else:
            body[i:i] = body[i:i + draw(st.integers(1, 8))]
    return bytes(body)


bodies = st.one_of(requests(), requests(), mutated(), nested(), st.binary(max_size=64))


@st.composite
def streams(draw) -> tuple[bytes, int, int]:
    """(input bytes, number of final replies expected, exit status expected)."""
    frames = draw(st.lists(bodies, min_size=1, max_size=6))
    data = b"".join(HEADER.pack(len(b)) + b for b in frames)
    tail = draw(st.sampled_from(["", "", "", "oversized", "truncated"]))
    if tail == "oversized":  # a header over the 64 MiB maximum: refused, then its absent body ends the input
        return data + HEADER.pack(0xFFFFFFFF), len(frames) + 1, 1
    if tail == "truncated":
        cut = HEADER.pack(50) + b'{"id":1'
        return data + cut[: draw(st.integers(1, len(cut)))], len(frames) + 1, 1
    return data, len(frames), 0


def _frames(out: bytes) -> list[dict]:
    replies, i = [], 0
    while i < len(out):
        (n,) = HEADER.unpack(out[i:i + 4])
        assert n + 4 <= 1_048_576
        body = out[i + 4:i + 4 + n]
        assert len(body) == n, "truncated frame in the output"
        replies.append(json.loads(body.decode("utf-8")))
        i += 4 + n
    return replies


_TMP = Path(tempfile.mkdtemp(prefix="trackless-fuzz-"))
_LOG = logging.getLogger("trackless.fuzz")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(streams())
def test_hostile_frame_streams_get_one_well_formed_reply_each_never_internal(stream):
    data, expected, status = stream
    store = Store(_TMP / "settings.json")
    out = io.BytesIO()
    code = serve(io.BytesIO(data), out, Context(store=store, log=_LOG), table=TABLE)
    replies = [r for r in _frames(out.getvalue()) if not r.get("partial")]
    assert code == status
    assert len(replies) == expected, (len(replies), expected)
    _check(replies)


def _check(replies: list[dict]) -> None:
    for r in replies:
        assert set(r) in ({"id", "ok", "result"}, {"id", "ok", "error"}), r
        if not r["ok"]:
            assert r["error"]["code"] in ERROR_CODES and r["error"]["code"] != "internal", r
            assert isinstance(r["error"]["message"], str) and r["error"]["message"]


_NETWORK_BYTES = tuple(name.encode() for name in NETWORK)


@settings(max_examples=max(3, EXAMPLES // 30), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(bodies, min_size=10, max_size=40))
def test_the_real_host_answers_a_hostile_batch_in_order_never_internal(batch):
    # The real process: its call stack is deeper than in process (what made ~990-deep JSON `internal`).
    from hostproc import run_host

    batch = [b for b in batch if not any(n in b for n in _NETWORK_BYTES)]  # never a real request
    code, out, _err = run_host(b"".join(HEADER.pack(len(b)) + b for b in batch), _TMP)
    replies = [r for r in _frames(out) if not r.get("partial")]
    assert code == 0 and len(replies) == len(batch)
    _check(replies)
