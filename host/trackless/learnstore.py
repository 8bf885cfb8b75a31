"""The helper's small store of ids learned from the reader's mail (an edge).

One JSON file, ``paths.learned_path()`` (``<user data dir>/learned.json``):
``{"format": 1, "state": <core.learn.Learner state>}``. Owner-only (the
directory 0700, the file 0600), bounded by the learner (``MAX_SENDERS``
senders, ``MAX_VALUES`` digests each; values are digests, never in clear),
written atomically (temp file, fsync, rename), at most every ``WRITE_EVERY``
seconds and, in the host, in a thread: opening a mail does not wait for the disk. A file that cannot be read is
never overwritten: learning pauses until ``clear()`` (the options page's
"Forget learned ids") removes it.
"""

from __future__ import annotations

import atexit
import json
import os
import tempfile
import threading
import time
from pathlib import Path

from .core.learn import Learner

__all__ = ["LearnStore", "shared"]

FORMAT = 1


#: Seconds between two writes of the file (the learner in memory is always current).
WRITE_EVERY = 30.0


class LearnStore:
    """Load once, learn from every opened mail, save at most every ``WRITE_EVERY``
    seconds (an open never waits for more than one small write)."""

    def __init__(self, path: Path, clock=time.monotonic, background: bool = False):
        self.path = Path(path)
        self.background = background  # the host writes in a thread; tests and the CLI in line
        self._lock = threading.Lock()
        self.broken = False
        self.clock = clock
        self.written = None
        self.learner = Learner(self._read())

    def _read(self):
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            self.broken = True
            return None
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("state"), dict):
            self.broken = True
            return None
        return data["state"]

    def known(self, sender: str | None) -> dict[str, str]:
        return self.learner.known((sender or "").lower())

    def learn(self, sender: str | None, urls) -> None:
        if not sender or self.broken:
            return
        self.learner.learn(sender.lower(), urls)
        now = self.clock()
        if self.written is None or now - self.written >= WRITE_EVERY:
            self.written = now
            data = self._encode()  # a snapshot, taken now; the disk work runs beside the next mails
            if self.background:
                threading.Thread(target=self._write_locked, args=(data,), daemon=True).start()
            else:
                self._write_locked(data)

    def flush(self) -> None:
        """Write what was learned now (the host calls it when it stops)."""
        if not self.broken and self.learner.state["senders"]:
            self._write()

    def clear(self) -> bool:
        """Forget everything learned; True if anything was (in memory or on disk)."""
        had = bool(self.learner.state["senders"])
        self.learner = Learner()
        self.broken = False
        self.written = None
        try:
            self.path.unlink()
        except FileNotFoundError:
            return had
        return True

    def _encode(self) -> bytes:
        return json.dumps({"format": FORMAT, "state": self.learner.state}, separators=(",", ":")).encode("utf-8")

    def _write_locked(self, data: bytes) -> None:
        try:
            with self._lock:
                self._write_bytes(data)
        except OSError:  # pragma: no cover - a later write or flush tries again
            self.written = None

    def _write(self) -> None:
        with self._lock:
            self._write_bytes(self._encode())

    def _write_bytes(self, data: bytes) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix="." + self.path.name + ".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                if hasattr(os, "fchmod"):
                    os.fchmod(f.fileno(), 0o600)
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


_shared: dict[Path, LearnStore] = {}


def shared(path: Path | None = None) -> LearnStore:
    """The process's store for ``path`` (default ``paths.learned_path()``), loaded once."""
    if path is None:
        from .paths import learned_path

        path = learned_path()
    store = _shared.get(path)
    if store is None:
        store = _shared[path] = LearnStore(path, background=True)
        atexit.register(_flush_quietly, store)
    return store


def _flush_quietly(store: LearnStore) -> None:
    try:
        store.flush()
    except OSError:  # pragma: no cover - best effort when the host stops
        pass
