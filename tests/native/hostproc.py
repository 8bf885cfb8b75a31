"""Drive the real ``trackless-host`` subprocess with literal bytes (helpers for the protocol tests)."""

from __future__ import annotations

import json
import os
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

HEADER = struct.Struct("=I")
LIMIT = 1_048_576
EXT_ID = "trackless@trackless.email"
LAUNCHER = Path(sys.executable).parent / "trackless-host"


def frame(obj) -> bytes:
    """A frame from an object (compact JSON, raw UTF-8) or from literal body bytes."""
    body = obj if isinstance(obj, bytes) else json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return HEADER.pack(len(body)) + body


def split_frames(data: bytes) -> list[bytes]:
    """Split a host's whole stdout into frame bodies; fails on anything that is not frames."""
    bodies, i = [], 0
    while i < len(data):
        assert len(data) - i >= 4, f"trailing bytes after frames: {data[i:]!r}"
        (n,) = HEADER.unpack(data[i : i + 4])
        assert n + 4 <= LIMIT, f"frame of {n} bytes over the 1 MiB cap"
        assert i + 4 + n <= len(data), "truncated frame in the host's output"
        bodies.append(data[i + 4 : i + 4 + n])
        i += 4 + n
    return bodies


def reassemble(bodies: list[bytes]) -> list[dict]:
    """Decode bodies into replies, joining chunk frames; checks the chunk protocol on the way."""
    replies, pending = [], None
    for body in bodies:
        msg = json.loads(body.decode("utf-8"))
        if "chunk" in msg:
            assert set(msg) == {"id", "chunk", "chunks", "data"}, msg.keys()
            if msg["chunk"] == 0:
                assert pending is None
                pending = {"id": msg["id"], "n": msg["chunks"], "parts": []}
            assert pending is not None and msg["id"] == pending["id"] and msg["chunks"] == pending["n"]
            assert msg["chunk"] == len(pending["parts"])
            pending["parts"].append(msg["data"])
            if len(pending["parts"]) == pending["n"]:
                full = json.loads("".join(pending["parts"]))
                assert full["id"] == pending["id"]
                replies.append(full)
                pending = None
        else:
            assert pending is None, "a frame interleaved inside a chunked reply"
            replies.append(msg)
    assert pending is None, "chunked reply left incomplete"
    return replies


def env_for(tmp: Path) -> dict:
    env = dict(os.environ)
    env.update(
        TRACKLESS_CONFIG_DIR=str(tmp / "config"),
        TRACKLESS_CACHE_DIR=str(tmp / "cache"),
        TRACKLESS_LOG_DIR=str(tmp / "log"),
        TRACKLESS_DATA_DIR=str(tmp / "data"),
    )
    return env


def command(*, module: bool = False, wrapper: str | None = None) -> list[str]:
    args = ["/nonexistent/trackless.json", EXT_ID]
    if wrapper is not None:
        return [sys.executable, "-c", wrapper, *args]
    if module or not LAUNCHER.exists():
        return [sys.executable, "-m", "trackless.native.main", *args]
    return [str(LAUNCHER), *args]


def run_host(data: bytes, tmp: Path, *, timeout: float = 60, **kw) -> tuple[int, bytes, bytes]:
    """Feed ``data`` then EOF; return (exit status, stdout, stderr)."""
    proc = subprocess.run(command(**kw), input=data, capture_output=True, timeout=timeout, env=env_for(tmp))
    return proc.returncode, proc.stdout, proc.stderr


def exchange(data: bytes, tmp: Path, **kw) -> tuple[int, list[dict], bytes]:
    code, out, err = run_host(data, tmp, **kw)
    return code, reassemble(split_frames(out)), err


class LiveHost:
    """A host kept running, for tests that must see a reply before closing the input."""

    def __init__(self, tmp: Path, **kw):
        self.proc = subprocess.Popen(
            command(**kw), stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_for(tmp)
        )

    def send(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def _read(self, n: int, deadline: float) -> bytes:
        fd, buf = self.proc.stdout.fileno(), b""
        while len(buf) < n:
            left = deadline - time.monotonic()
            assert left > 0, f"no reply within the timeout (got {buf!r})"
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                piece = os.read(fd, n - len(buf))
                assert piece, "host closed stdout"
                buf += piece
        return buf

    def read_body(self, timeout: float = 10) -> bytes:
        deadline = time.monotonic() + timeout
        (n,) = HEADER.unpack(self._read(4, deadline))
        return self._read(n, deadline)

    def close(self, timeout: float = 10) -> int:
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            self.proc.stderr.close()
