"""Framing and the server loop in-process (no subprocess): boundaries and properties."""

from __future__ import annotations

import io
import json
import logging

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trackless.native import framing
from trackless.native.dispatch import Context
from trackless.native.framing import MAX_FRAME_BODY, FrameTooLarge, TruncatedFrame, chunk_bodies, frame_bodies, read_frame
from trackless.native.server import serve


def test_max_frame_body_keeps_the_whole_frame_within_thunderbirds_cap():
    assert MAX_FRAME_BODY + 4 == 1_048_576


def _reply_of_size(size: int) -> dict:
    base = len(framing.dumps({"id": 1, "ok": True, "result": {"data": ""}}).encode())
    return {"id": 1, "ok": True, "result": {"data": "a" * (size - base)}}


def test_a_reply_of_exactly_the_limit_is_one_frame_and_one_more_byte_is_chunked():
    exact = _reply_of_size(MAX_FRAME_BODY)
    assert len(framing.dumps(exact).encode()) == MAX_FRAME_BODY
    assert len(frame_bodies(exact)) == 1
    over = _reply_of_size(MAX_FRAME_BODY + 1)
    bodies = frame_bodies(over)
    assert len(bodies) == 2 and all(len(b) <= MAX_FRAME_BODY for b in bodies)
    assert json.loads("".join(json.loads(b)["data"] for b in bodies)) == over


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400) | st.text(
    alphabet='"\\\x00\x01\n\u2028é😀', max_size=400
)


@settings(max_examples=300, deadline=None)
@given(text=texts, limit=st.integers(min_value=200, max_value=400), rid=st.one_of(st.integers(-(2**53) + 1, 2**53 - 1), st.text(max_size=20)))
def test_chunks_respect_the_limit_and_concatenate_to_the_text(text, limit, rid):
    bodies = chunk_bodies(text, rid, limit)
    frames = [json.loads(b.decode("utf-8")) for b in bodies]
    assert all(len(b) <= limit for b in bodies)
    assert "".join(f["data"] for f in frames) == text
    assert [f["chunk"] for f in frames] == list(range(len(frames)))
    assert {f["chunks"] for f in frames} <= {len(frames)} and {f["id"] for f in frames} <= {rid}


def test_lone_surrogates_in_a_handlers_output_become_replacement_characters():
    (body,) = frame_bodies({"id": 1, "ok": True, "result": {"s": "a\ud800b"}})
    assert json.loads(body.decode("utf-8"))["result"]["s"] == "a\ufffdb"
    bodies = chunk_bodies("x\udfff" * 100, 1, 200)
    assert "".join(json.loads(b)["data"] for b in bodies) == "x\ufffd" * 100


@pytest.mark.parametrize(
    "data, exc",
    [
        (b"\x01", TruncatedFrame),
        (b"\x05\x00\x00\x00abc", TruncatedFrame),
        (framing.HEADER.pack(framing.MAX_INCOMING + 1), FrameTooLarge),
    ],
)
def test_read_frame_errors(data, exc):
    with pytest.raises(exc):
        read_frame(io.BytesIO(data))


def test_read_frame_reads_back_to_back_frames_and_clean_eof():
    stream = io.BytesIO(framing.pack(b"{}") + framing.pack(b""))
    assert read_frame(stream) == b"{}"
    assert read_frame(stream) == b""
    assert read_frame(stream) is None


class _Store:
    def load(self):  # pragma: no cover - not used by these actions
        raise AssertionError


def _serve(data: bytes, table: dict) -> tuple[int, list[dict]]:
    out = io.BytesIO()
    ctx = Context(store=_Store(), log=logging.getLogger("test.trackless.host"))
    code = serve(io.BytesIO(data), out, ctx, table)
    raw, replies, i = out.getvalue(), [], 0
    while i < len(raw):
        (n,) = framing.HEADER.unpack(raw[i : i + 4])
        replies.append(json.loads(raw[i + 4 : i + 4 + n]))
        i += 4 + n
    return code, replies


def _returns_list(params, ctx):
    return [1, 2]


def _returns_unserialisable(params, ctx):
    return {"x": object()}


def _raises_store_error(params, ctx):
    from trackless.errors import StoreError

    raise StoreError("disk says no")


def test_handler_results_that_are_not_json_objects_are_internal_errors():
    me = __name__
    table = {"a": f"{me}:_returns_list", "b": f"{me}:_returns_unserialisable", "c": f"{me}:_raises_store_error", "d": "no.such.module:handle"}
    data = b"".join(framing.pack(framing.dumps({"id": k, "action": k}).encode()) for k in "abcd")
    code, replies = _serve(data, table)
    assert code == 0
    assert [(r["id"], r["error"]["code"]) for r in replies] == [("a", "internal"), ("b", "internal"), ("c", "store"), ("d", "internal")]
    assert replies[2]["error"]["message"] == "disk says no"


def test_warmup_runs_once_after_the_first_reply_and_its_failure_is_harmless():
    import threading

    calls, done = [], threading.Event()

    def warmup():
        calls.append(threading.current_thread().name)
        done.set()
        raise RuntimeError("warm-up broke")

    out = io.BytesIO()
    data = b"".join(framing.pack(framing.dumps({"id": i, "action": "ping"}).encode()) for i in range(3))
    ctx = Context(store=_Store(), log=logging.getLogger("test.trackless.host"))
    assert serve(io.BytesIO(data), out, ctx, warmup=warmup) == 0
    assert done.wait(5)
    assert calls == ["trackless-warmup"]
    assert out.getvalue().count(b'"ok":true') == 3


@pytest.mark.parametrize("depth,ok", [(1, True), (64, True), (65, False), (990, False), (50_000, False)])
def test_nesting_is_bounded_at_64_levels_for_arrays_and_objects(depth, ok):
    from trackless.boundedjson import MAX_DEPTH

    assert MAX_DEPTH == 64
    for body in (b"[" * depth + b"]" * depth, b'{"a":' * depth + b"1" + b"}" * depth):
        if ok:
            framing.decode_body(body)
        else:
            with pytest.raises(framing.FrameError, match="nested more than 64 levels"):
                framing.decode_body(body)
