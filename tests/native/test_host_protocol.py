"""The native-messaging contract on literal bytes, against the real host subprocess."""

from __future__ import annotations

import json
import struct
import sys

import pytest

from hostproc import HEADER, LIMIT, LiveHost, exchange, frame, reassemble, run_host, split_frames

from trackless.native.dispatch import ACTIONS
from trackless.native.framing import MAX_INCOMING
from trackless.version import PROTOCOL_VERSION, __version__

PING = {"id": 1, "action": "ping"}


def _expected_ping_body(rid) -> bytes:
    actions = ",".join(json.dumps(a) for a in sorted(ACTIONS))
    return (
        '{"id":%s,"ok":true,"result":{"name":"trackless","version":"%s","protocol":%d,"actions":[%s]}}'
        % (json.dumps(rid), __version__, PROTOCOL_VERSION, actions)
    ).encode()


def test_ping_on_literal_bytes_through_the_console_script(tmp_path):
    assert sys.byteorder == "little"  # the literal header below is little-endian (native here)
    request = b'\x18\x00\x00\x00{"id":1,"action":"ping"}'
    code, out, err = run_host(request, tmp_path)
    body = _expected_ping_body(1)
    assert out == struct.pack("<I", len(body)) + body
    assert code == 0
    assert b"Traceback" not in err


def test_python_dash_m_entry_point_answers_too(tmp_path):
    code, replies, _ = exchange(frame({"id": "a", "action": "ping"}), tmp_path, module=True)
    assert code == 0
    assert replies == [json.loads(_expected_ping_body("a"))]


def test_eof_at_start_exits_zero_without_output(tmp_path):
    assert run_host(b"", tmp_path)[:2] == (0, b"")


def _echo_payload() -> str:
    # every kind of growth under JSON escaping: quotes, backslashes, control characters,
    # multi-byte UTF-8, non-BMP characters (surrogate pairs in JavaScript)
    unit = 'ab"c\\d\n\t\x01\x1f é€中文 😀𝄞 <a href="x">&amp;</a> '
    return unit * (3 * 1024 * 1024 // len(unit.encode()))


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(_echo_payload(), id="mixed-3MB"),
        pytest.param('"' * (1024 * 1024), id="quotes-grow-4x"),
        pytest.param("\x01" * (400 * 1024), id="control-chars-grow-7x"),
        pytest.param("😀" * (700 * 1024), id="non-bmp-2.8MB"),
    ],
)
def test_big_reply_is_chunked_under_the_cap_and_reassembles(tmp_path, payload):
    code, out, _ = run_host(frame({"id": 42, "action": "echo", "data": payload}) + frame(PING), tmp_path)
    assert code == 0
    bodies = split_frames(out)  # asserts header + body <= 1 MiB for every frame
    assert len(bodies) > 2
    assert all(len(b) + 4 <= LIMIT for b in bodies)
    first = json.loads(bodies[0])
    assert set(first) == {"id", "chunk", "chunks", "data"} and first["id"] == 42 and first["chunk"] == 0
    assert first["chunks"] == len(bodies) - 1  # the ping reply follows the chunks
    replies = reassemble(bodies)
    assert replies[0] == {"id": 42, "ok": True, "result": {"data": payload}}
    assert replies[1]["id"] == 1 and replies[1]["ok"]


def test_unwrap_of_many_long_urls_is_chunked_and_matches_in_process(tmp_path):
    from trackless.links import unwrap

    urls = [f"https://shop.example/p/{i}?utm_source=news&utm_medium=mail&ref={'x' * 900}{i}" for i in range(4000)]
    code, replies, _ = exchange(frame({"id": 9, "action": "unwrap", "urls": urls}), tmp_path)
    assert code == 0
    assert replies == [{"id": 9, "ok": True, "result": {"links": [unwrap(u).to_dict() for u in urls]}}]


BAD_FRAMES = [
    # (body bytes, expected id, expected code)
    (b'{"id":1,', None, "bad_frame"),
    (b"", None, "bad_frame"),
    (b"\xff\xfe{}", None, "bad_frame"),
    (b'{"id":1,"action":"echo","data":NaN}', None, "bad_frame"),
    (b"[" * 100_000, None, "bad_frame"),
    # nested just under the parser's own limit: it parses, but echoing it back failed as `internal`
    (b'{"id":1,"action":"echo","data":' + b"[" * 990 + b"]" * 990 + b"}", None, "bad_frame"),
    (b'{"id":1,"action":"echo","data":' + b'{"a":' * 990 + b"1" + b"}" * 990 + b"}", None, "bad_frame"),
    (b'{"id":1,"action":"settings.set","settings":{"x":' + b"[" * 65 + b"]" * 65 + b"}}", None, "bad_frame"),
    (b"[1,2]", None, "bad_request"),
    (b'"ping"', None, "bad_request"),
    (b"null", None, "bad_request"),
    (b'{"action":"ping"}', None, "bad_request"),
    (b'{"id":true,"action":"ping"}', None, "bad_request"),
    (b'{"id":1.5,"action":"ping"}', None, "bad_request"),
    (b'{"id":[1],"action":"ping"}', None, "bad_request"),
    (b'{"id":9007199254740992,"action":"ping"}', None, "bad_request"),
    (b'{"id":"' + b"x" * 257 + b'","action":"ping"}', None, "bad_request"),
    (b'{"id":7}', 7, "bad_request"),
    (b'{"id":8,"action":5}', 8, "bad_request"),
    (b'{"id":"u","action":"no.such"}', "u", "unknown_action"),
    (b'{"id":10,"action":"sanitize","html":5}', 10, "bad_request"),
    (b'{"id":11,"action":"sanitize"}', 11, "bad_request"),
    (b'{"id":12,"action":"sanitize","html":"","to":"me@x.example"}', 12, "bad_request"),
    (b'{"id":13,"action":"unwrap","urls":"https://x.example/"}', 13, "bad_request"),
    (b'{"id":14,"action":"unwrap","urls":[1]}', 14, "bad_request"),
    (b'{"id":15,"action":"allowlist.add","domain":"co.uk"}', 15, "bad_request"),
    (b'{"id":16,"action":"allowlist.add","domain":"x.example","images":"yes"}', 16, "bad_request"),
    (b'{"id":17,"action":"settings.set","settings":{"request_timeout_ms":"fast"}}', 17, "bad_request"),
    (b'{"id":18,"action":"settings.set","settings":{"no_such_option":true}}', 18, "bad_request"),
    (b'{"id":19,"action":"settings.set","settings":[]}', 19, "bad_request"),
]


def test_every_bad_frame_gets_an_error_frame_and_the_host_keeps_serving(tmp_path):
    data = b"".join(frame(body) + frame({"id": f"after-{i}", "action": "ping"}) for i, (body, _, _) in enumerate(BAD_FRAMES))
    code, replies, err = exchange(data, tmp_path)
    assert code == 0
    assert len(replies) == 2 * len(BAD_FRAMES)
    for i, (body, rid, err_code) in enumerate(BAD_FRAMES):
        bad, ping = replies[2 * i], replies[2 * i + 1]
        assert bad["ok"] is False and bad["id"] == rid and bad["error"]["code"] == err_code, (body[:60], bad)
        assert isinstance(bad["error"]["message"], str) and bad["error"]["message"]
        assert set(bad) == {"id", "ok", "error"}
        assert ping == {"id": f"after-{i}", "ok": True, "result": ping["result"]} and ping["result"]["name"] == "trackless"
    # nothing written to the settings file by refused requests
    assert not (tmp_path / "config" / "settings.json").exists()


def test_absurd_declared_length_is_refused_before_any_body_byte_is_sent(tmp_path):
    host = LiveHost(tmp_path)
    try:
        host.send(b"\xff\xff\xff\xff")  # 4 GiB declared; no body follows
        reply = json.loads(host.read_body(timeout=10))
        assert reply["id"] is None and reply["ok"] is False and reply["error"]["code"] == "too_large"
        assert str(MAX_INCOMING) in reply["error"]["message"]
    finally:
        code = host.close()
    assert code == 1  # the input ended inside the refused frame: stream cannot continue


def test_over_the_maximum_frame_is_drained_and_the_next_request_is_served(tmp_path):
    n = MAX_INCOMING + 1
    data = HEADER.pack(n) + b"x" * n + frame(PING)
    code, replies, _ = exchange(data, tmp_path, timeout=120)
    assert code == 0
    assert replies[0]["id"] is None and replies[0]["error"]["code"] == "too_large"
    assert replies[1]["id"] == 1 and replies[1]["ok"] is True
    assert len(replies) == 2


@pytest.mark.parametrize(
    "tail",
    [pytest.param(b"\x05\x00", id="half-header"), pytest.param(b"\x64\x00\x00\x00" + b'{"id":2,"ac', id="short-body")],
)
def test_truncated_frame_at_eof_is_reported_and_exits_nonzero(tmp_path, tail):
    code, replies, _ = exchange(frame(PING) + tail, tmp_path)
    assert replies[0]["id"] == 1 and replies[0]["ok"]
    assert replies[1]["id"] is None and replies[1]["error"]["code"] == "bad_frame"
    assert "ended inside a frame" in replies[1]["error"]["message"]
    assert len(replies) == 2
    assert code == 1


def test_unicode_round_trips_as_raw_utf8_including_non_bmp(tmp_path):
    text = "é€中文😀𝄞\u2028\u0000"
    # the emoji sent once as raw UTF-8 and once as a JSON surrogate-pair escape
    body = ('{"id":"ü","action":"echo","data":["%s","\\ud83d\\ude00"]}' % text.replace("\u0000", "\\u0000")).encode()
    code, out, _ = run_host(frame(body), tmp_path)
    assert code == 0
    (reply_body,) = split_frames(out)
    assert "😀".encode() in reply_body and b"\\ud83d" not in reply_body  # ensure_ascii=False on the wire
    assert json.loads(reply_body) == {"id": "ü", "ok": True, "result": {"data": [text, "😀"]}}


def test_lone_surrogates_are_replaced_not_fatal(tmp_path):
    body = b'{"id":1,"action":"echo","data":{"\\udc00k":["\\ud800","a\\udfffb","\\ud83d\\ude00","\\ude00\\ud83d"]}}'
    code, out, _ = run_host(frame(body) + frame(PING), tmp_path)
    assert code == 0
    bodies = split_frames(out)
    bodies[0].decode("utf-8")  # strictly valid UTF-8 on the wire
    first, second = reassemble(bodies)
    assert first["result"]["data"] == {"\ufffdk": ["\ufffd", "a\ufffdb", "😀", "\ufffd\ufffd"]}
    assert second["ok"] is True


def test_burst_of_200_requests_in_one_write_replies_in_order(tmp_path):
    reqs = []
    for i in range(200):
        if i % 3 == 0:
            reqs.append({"id": i, "action": "ping"})
        elif i % 3 == 1:
            reqs.append({"id": f"s{i}", "action": "echo", "data": "x" * (i * 97)})
        else:
            reqs.append({"id": i, "action": "nope"})
    code, replies, _ = exchange(b"".join(frame(r) for r in reqs), tmp_path)
    assert code == 0
    assert [r["id"] for r in replies] == [r["id"] for r in reqs]
    for req, rep in zip(reqs, replies):
        if req["action"] == "echo":
            assert rep["result"]["data"] == req["data"]
        assert rep["ok"] is (req["action"] != "nope")


NOISY = r'''
import os, subprocess, sys, types
mod = types.ModuleType("noisy_actions")
def loud(params, ctx):
    print("print to stdout")
    sys.stdout.write("sys.stdout.write\n")
    sys.__stdout__.write("sys.__stdout__\n")
    sys.__stdout__.flush()
    os.write(1, b"raw fd 1\n")
    subprocess.run(["echo", "child process"])
    return {"fine": True}
def boom(params, ctx):
    raise KeyError("secret")
def stream(params, ctx):
    for i in range(3):
        ctx.emit({"i": i, "blob": "b" * (params["size"] if i == 1 else 3)})
    return {"done": 3}
mod.loud, mod.boom, mod.stream = loud, boom, stream
sys.modules["noisy_actions"] = mod
from trackless.native import dispatch
dispatch.ACTIONS.update({"t.loud": "noisy_actions:loud", "t.boom": "noisy_actions:boom", "t.stream": "noisy_actions:stream"})
from trackless.native.main import main
sys.exit(main())
'''


def test_nothing_but_frames_on_stdout_when_a_handler_prints(tmp_path):
    data = frame({"id": 1, "action": "t.loud"}) + frame({"id": 2, "action": "t.loud"}) + frame(PING)
    code, out, err = run_host(data, tmp_path, wrapper=NOISY)
    assert code == 0
    replies = reassemble(split_frames(out))  # any stray byte would break the framing
    assert [r["id"] for r in replies] == [1, 2, 1]
    assert replies[0] == {"id": 1, "ok": True, "result": {"fine": True}}
    for text in (b"print to stdout", b"sys.stdout.write", b"sys.__stdout__", b"raw fd 1", b"child process"):
        assert text in err


def test_a_handler_exception_is_an_internal_error_frame_and_the_host_survives(tmp_path):
    data = frame({"id": 1, "action": "t.boom"}) + frame(PING)
    code, replies, err = exchange(data, tmp_path, wrapper=NOISY)
    assert code == 0
    assert replies[0]["id"] == 1 and replies[0]["error"]["code"] == "internal"
    assert "secret" not in replies[0]["error"]["message"]  # exception text stays in the log
    assert replies[1]["ok"] is True
    log = (tmp_path / "log" / "host.log").read_text()
    assert "KeyError" in log and "t.boom" in log and "Traceback" in log
    err_text = err.decode()
    assert "t.boom" in err_text and "KeyError" in err_text and "Traceback" not in err_text  # brief on stderr


def test_a_streaming_handler_sends_partial_frames_then_the_final_reply(tmp_path):
    data = frame({"id": "img", "action": "t.stream", "size": 2 * LIMIT}) + frame(PING)
    code, out, _ = run_host(data, tmp_path, wrapper=NOISY)
    assert code == 0
    replies = reassemble(split_frames(out))
    assert [r.get("partial") for r in replies] == [True, True, True, None, None]
    assert [r["result"].get("i") for r in replies[:3]] == [0, 1, 2]
    assert len(replies[1]["result"]["blob"]) == 2 * LIMIT
    assert replies[3] == {"id": "img", "ok": True, "result": {"done": 3}}


def test_allowlist_and_settings_actions_edit_the_shared_file(tmp_path):
    reqs = [
        {"id": 1, "action": "allowlist.add", "domain": "News.Brand.CO.UK", "keep_links": True},
        {"id": 2, "action": "allowlist.add", "domain": "https://bücher.example/x", "images": True},
        {"id": 3, "action": "allowlist.remove", "domain": "brand.co.uk"},
        {"id": 4, "action": "allowlist.get"},
        {"id": 5, "action": "settings.set", "settings": {"dns_uncloaking": True, "request_timeout_ms": 1500}},
        {"id": 6, "action": "settings.get"},
    ]
    code, replies, _ = exchange(b"".join(frame(r) for r in reqs), tmp_path)
    assert code == 0
    assert all(r["ok"] for r in replies), replies
    assert replies[0]["result"]["domain"] == "brand.co.uk"
    assert replies[0]["result"]["entry"]["keep_links"] is True
    assert replies[2]["result"]["removed"] is True
    assert list(replies[3]["result"]["allowlist"]) == ["xn--bcher-kva.example"]
    got = replies[5]["result"]["settings"]
    assert got["dns_uncloaking"] is True and got["request_timeout_ms"] == 1500 and got["resolve_allow_private"] is False
    on_disk = json.loads((tmp_path / "config" / "settings.json").read_text())
    assert list(on_disk["allowlist"]) == ["xn--bcher-kva.example"]
    assert on_disk["options"] == {"dns_uncloaking": True, "request_timeout_ms": 1500}


def test_a_corrupt_settings_file_gives_store_corrupt_and_is_left_alone(tmp_path):
    cfg = tmp_path / "config"
    cfg.mkdir()
    (cfg / "settings.json").write_bytes(b"{not json")
    reqs = [
        {"id": 1, "action": "allowlist.get"},
        {"id": 2, "action": "allowlist.add", "domain": "brand.example"},
        {"id": 3, "action": "sanitize", "html": "<p>hi</p>"},
        PING,
    ]
    code, replies, _ = exchange(b"".join(frame(r) for r in reqs), tmp_path)
    assert code == 0
    assert [r.get("error", {}).get("code") for r in replies] == ["store_corrupt"] * 3 + [None]
    assert str(cfg / "settings.json") in replies[1]["error"]["message"]
    assert (cfg / "settings.json").read_bytes() == b"{not json"


def test_sanitize_through_the_host_equals_the_in_process_result(tmp_path):
    import trackless

    html = (
        '<p>Hello <img src="https://t.esp.example/open/abc123" width="1" height="1">'
        '<img src="https://cdn.brand.example/logo.png">'
        '<a href="https://shop.brand.example/x?utm_source=mail&id=7">shop</a></p>'
    )
    reqs = [
        {"id": 1, "action": "allowlist.add", "domain": "brand.example"},
        {"id": 2, "action": "sanitize", "html": html, "from": "news@brand.example", "to": ["me@reader.example"]},
    ]
    code, replies, _ = exchange(b"".join(frame(r) for r in reqs), tmp_path)
    assert code == 0
    expected = trackless.sanitize(html, sender="news@brand.example", recipients=["me@reader.example"], allow=["brand.example"])
    from trackless.native.actions.state import fingerprint
    from trackless.store import Store

    state = fingerprint(Store(tmp_path / "config" / "settings.json").load())
    assert replies[1] == {"id": 2, "ok": True, "result": {**expected.to_dict(), "state": state}}


def test_sanitize_sender_images_follow_the_topmost_authentication_results(tmp_path):
    html = (
        '<img src="https://img.brand.example/hero.jpg" width="600" height="300">'
        '<img src="https://img.brand.example/open/px.gif?u=0123456789abcdef0123" width="1" height="1">'
    )
    passed = "mx.reader.example; dkim=pass header.d=brand.example; dmarc=pass header.from=brand.example"
    reqs = [
        {"id": 1, "action": "settings.set", "settings": {"sender_images": True}},
        {"id": 2, "action": "sanitize", "html": html, "from": "News <news@brand.example>", "authentication_results": [passed]},
        {"id": 3, "action": "sanitize", "html": html, "from": "news@brand.example"},
        {"id": 4, "action": "sanitize", "html": html, "from": "news@brand.example",
         "authentication_results": ["mx.reader.example; none", passed]},
        {"id": 5, "action": "sanitize", "html": html, "authentication_results": "dmarc=pass"},
    ]
    code, replies, _ = exchange(b"".join(frame(r) for r in reqs), tmp_path)
    assert code == 0
    actions = [[r["action"] for r in rep["result"]["remote"]] for rep in replies[1:4]]
    assert actions == [["allowed", "blocked"], ["blocked", "blocked"], ["blocked", "blocked"]]
    assert replies[1]["result"]["remote"][0]["allowed_by"] == "sender"
    assert [rep["result"]["sender_images"]["active"] for rep in replies[1:4]] == [True, False, False]
    assert "DMARC passed" in replies[1]["result"]["sender_images"]["reason"]
    assert replies[4]["error"]["code"] == "bad_request"


def test_the_host_learns_ids_of_the_reader_and_forgets_them_on_request(tmp_path):
    """Issue 17: mails of one sender teach the host the reader's id; the next
    mail is judged with it; ``learned.clear`` forgets; the store is owner-only."""
    rid = "k2f9x0qe3lm7a8c1"

    def mail(n):
        return (f'<a href="https://www.brand.example/story/{n}?r={rid}">story</a>'
                f'<a href="https://www.brand.example/account?r={rid}">account</a>')

    reqs = [{"id": n, "action": "sanitize", "html": mail(n), "from": "News@Brand.example"} for n in range(4)]
    reqs += [{"id": 10, "action": "learned.clear"}, {"id": 11, "action": "sanitize", "html": mail(11), "from": "news@brand.example"},
             {"id": 12, "action": "learned.clear"}, {"id": 13, "action": "learned.clear"}]
    code, replies, _ = exchange(b"".join(frame(r) for r in reqs), tmp_path)
    assert code == 0
    assert [l["tracker"] for l in replies[2]["result"]["links"]] == [False, False]  # two mails seen: not yet
    links = replies[3]["result"]["links"]
    assert [l["tracker"] for l in links] == [True, True]
    assert "this value appeared in all 3 mails from this sender" in links[0]["reason"]
    assert replies[4]["result"] == {"cleared": True}
    assert [l["tracker"] for l in replies[5]["result"]["links"]] == [False, False]  # forgotten
    assert replies[6]["result"] == {"cleared": True} and replies[7]["result"] == {"cleared": False}


def test_the_learned_store_is_owner_only_bounded_and_never_overwritten_when_broken(tmp_path):
    import os
    import stat

    from trackless.learnstore import LearnStore

    path = tmp_path / "data" / "learned.json"
    store = LearnStore(path)
    store.learn("news@brand.example", ["https://t.brand.example/o/k2f9x0qe3lm7a8c1"])
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert "k2f9x0qe3lm7a8c1" not in path.read_text()  # digests only
    path.write_text("{broken")
    again = LearnStore(path)
    again.learn("news@brand.example", ["https://t.brand.example/o/k2f9x0qe3lm7a8c1"])
    assert path.read_text() == "{broken"  # a file it cannot read is left alone
    assert again.clear() is True and not path.exists()


def test_the_learned_store_writes_at_most_every_write_every_seconds(tmp_path):
    from trackless import learnstore

    now = [100.0]
    store = learnstore.LearnStore(tmp_path / "learned.json", clock=lambda: now[0])
    urls = ["https://t.brand.example/o/k2f9x0qe3lm7a8c1", "https://t.brand.example/c/k2f9x0qe3lm7a8c1"]
    store.learn("news@brand.example", urls)
    first = (tmp_path / "learned.json").read_text()
    store.learn("news@brand.example", urls)
    assert (tmp_path / "learned.json").read_text() == first  # too soon: memory only
    now[0] += learnstore.WRITE_EVERY
    store.learn("news@brand.example", urls)
    assert (tmp_path / "learned.json").read_text() != first
    store.learn("news@brand.example", urls)
    store.flush()
    assert learnstore.LearnStore(tmp_path / "learned.json").learner.state == store.learner.state


def test_state_changes_with_the_allowlist_and_matches_the_sanitize_result(tmp_path):
    """The add-on reuses a cached sanitize result only while ``state`` is unchanged.
    (One host run per step: ``state`` runs off the reading thread, so within one
    burst it may already see a change sent after it -- never an older state.)"""
    san = {"action": "sanitize", "html": "<p>x</p>", "from": "a@b.example", "to": []}

    def run(*reqs):
        code, replies, _ = exchange(b"".join(frame({"id": i, **r}) for i, r in enumerate(reqs)), tmp_path)
        assert code == 0 and all(r["ok"] for r in replies), replies
        return {r["id"]: r["result"] for r in replies}

    first = run({"action": "state"}, san)
    run({"action": "allowlist.add", "domain": "brand.example"})
    added = run({"action": "state"}, san)
    run({"action": "allowlist.remove", "domain": "brand.example"})
    removed = run({"action": "state"})
    run({"action": "settings.set", "settings": {"dns_uncloaking": True}})
    option = run({"action": "state"})
    states = [first[0]["state"], added[0]["state"], removed[0]["state"], option[0]["state"]]
    assert all(isinstance(s, str) and len(s) == 32 for s in states)
    assert first[1]["state"] == states[0] and added[1]["state"] == states[1]
    assert states[0] != states[1] and states[1] != states[2] and states[2] != states[3]
    assert states[0] == states[2]  # the same settings again: the same fingerprint
