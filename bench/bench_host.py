"""Benchmark the native-messaging host against the in-process calls, in the same run.

1. Cold start: spawn ``trackless-host`` (as Thunderbird does: the launcher with
   the two arguments), send ``ping``, time until the reply is read. Baselines:
   a bare ``python -c pass`` start-up, and the in-process ``ping`` handler.
2. ``sanitize`` of a ~100 KB newsletter HTML: round trip through one running
   host (median over warm requests; the first request, which pays bs4's and
   the rules' imports, reported separately), next to ``trackless.sanitize``
   called in-process on the same HTML.
3. A reply over 1 MiB (``echo`` of 3 MB) through the host: chunking cost.

Usage: ``.venv/bin/python bench/bench_host.py [--runs 15]``; prints medians and ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = struct.Struct("=I")
LAUNCHER = Path(sys.executable).parent / "trackless-host"
EXT_ID = "trackless@trackless.email"


def frame(obj) -> bytes:
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    return HEADER.pack(len(body)) + body


class Host:
    def __init__(self, env):
        cmd = [str(LAUNCHER), "/bench/trackless.json", EXT_ID] if LAUNCHER.exists() else [sys.executable, "-m", "trackless.native.main"]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)

    def read_reply(self) -> dict:
        parts = []
        while True:
            (n,) = HEADER.unpack(self.proc.stdout.read(4))
            msg = json.loads(self.proc.stdout.read(n))
            if "chunk" not in msg:
                return msg
            parts.append(msg["data"])
            if len(parts) == msg["chunks"]:
                return json.loads("".join(parts))

    def call(self, obj) -> dict:
        self.proc.stdin.write(frame(obj))
        self.proc.stdin.flush()
        return self.read_reply()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(30)


def newsletter_html(target: int = 100 * 1024) -> str:
    from trackless.mail import parse_message

    sample = Path(__file__).resolve().parent.parent / "samples" / "newsletter.eml"
    html = parse_message(sample.read_bytes()).html
    body = html.split("<body", 1)[-1].split(">", 1)[-1].rsplit("</body>", 1)[0] if "<body" in html else html
    blocks, n = [], 0
    while n < target:
        blocks.append(body.replace("abc", f"abc{len(blocks)}"))
        n += len(blocks[-1].encode())
    return "<html><body>" + "".join(blocks) + "</body></html>"


def med(xs):
    return statistics.median(xs)


def ms(x):
    return f"{x * 1000:8.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-host-"))
    env = dict(os.environ, TRACKLESS_CONFIG_DIR=str(tmp / "cfg"), TRACKLESS_LOG_DIR=str(tmp / "log"), TRACKLESS_CACHE_DIR=str(tmp / "cache"))

    # 1. cold start
    python_start, cold = [], []
    for _ in range(args.runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        python_start.append(time.perf_counter() - t)
        t = time.perf_counter()
        h = Host(env)
        reply = h.call({"id": 1, "action": "ping"})
        cold.append(time.perf_counter() - t)
        assert reply["ok"], reply
        h.close()
    from trackless.native.actions import ping

    inproc_ping = []
    for _ in range(args.runs):
        t = time.perf_counter()
        ping.handle({}, None)
        inproc_ping.append(time.perf_counter() - t)

    # 2. sanitize ~100 KB
    import trackless

    html = newsletter_html()
    req = {"id": 2, "action": "sanitize", "html": html, "from": "news@brand.example", "to": ["reader@example.org"]}
    h = Host(env)
    h.call({"id": 0, "action": "ping"})
    t = time.perf_counter()
    first = h.call(req)
    first_t = time.perf_counter() - t
    assert first["ok"], first
    trackless.sanitize(html, sender="news@brand.example", recipients=["reader@example.org"])  # warm the in-process caches
    warm, inproc = [], []
    for _ in range(args.runs):  # alternate, so both see the same machine load
        t = time.perf_counter()
        r = h.call(req)
        warm.append(time.perf_counter() - t)
        t = time.perf_counter()
        res = trackless.sanitize(html, sender="news@brand.example", recipients=["reader@example.org"])
        inproc.append(time.perf_counter() - t)
    assert r["result"] == json.loads(json.dumps(res.to_dict())), "host and in-process results differ"

    # 3. a 3 MB reply (chunked)
    payload = "x" * (3 * 1024 * 1024)
    big = []
    for _ in range(max(3, args.runs // 3)):
        t = time.perf_counter()
        assert h.call({"id": 3, "action": "echo", "data": payload})["result"]["data"] == payload
        big.append(time.perf_counter() - t)
    h.close()

    # the first sanitize of a host that has been idle for 1 s after its ping (warm-up done meanwhile)
    idle_first = []
    for _ in range(3):
        h = Host(env)
        h.call({"id": 0, "action": "ping"})
        time.sleep(3.0)
        t = time.perf_counter()
        assert h.call(req)["ok"]
        idle_first.append(time.perf_counter() - t)
        h.close()

    print(f"runs: {args.runs} (medians); html: {len(html.encode()) / 1024:.0f} KB; reply: {len(json.dumps(res.to_dict()).encode()) / 1024:.0f} KB")
    print(f"cold start -> ping reply      {ms(med(cold))}   (bare python start {ms(med(python_start))}, x{med(cold) / med(python_start):.1f};"
          f" in-process ping {med(inproc_ping) * 1e6:.1f} us)")
    print(f"sanitize 100 KB, host warm    {ms(med(warm))}   (in-process {ms(med(inproc))}, overhead x{med(warm) / med(inproc):.2f},"
          f" +{(med(warm) - med(inproc)) * 1000:.1f} ms)")
    print(f"sanitize 100 KB, host first   {ms(first_t)}   (sent right after ping: waits for bs4, rules, tldextract)")
    print(f"  same, 3 s after ping        {ms(med(idle_first))}   (the host warmed up while idle)")
    print(f"echo 3 MB (chunked) round trip{ms(med(big))}")


if __name__ == "__main__":
    main()
