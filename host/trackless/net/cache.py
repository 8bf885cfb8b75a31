"""A small bounded disk cache with per-entry TTL and atomic writes.

Used by the resolver (resolved chains), the image proxy (image bytes) and the
CNAME check (DNS answers). One file per entry, named by the SHA-256 of the
key; the first line is a JSON header ``{"key", "expires"}``, the rest is the
payload. Writes go to a temporary file in the same directory and are moved
into place with ``os.replace``, so a reader never sees half an entry. After
each write the directory is pruned to ``max_entries`` / ``max_bytes``
(oldest writes first; expired entries are dropped when read). Anything unreadable is a miss.

The location is ``$TRACKLESS_CACHE_DIR`` when set, else the platform user
cache directory (platformdirs), with a sub-directory per cache. Directories
are created private (0700): entries hold tracking URLs.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Callable

__all__ = ["DiskCache", "cache_root"]


def cache_root() -> Path:
    """``$TRACKLESS_CACHE_DIR`` or the platform user cache dir (see ``trackless.paths``)."""
    from ..paths import cache_dir

    return cache_dir()


class DiskCache:
    def __init__(self, root: Path | str, *, max_entries: int = 2000, max_bytes: int = 50 * 1024 * 1024,
                 clock: Callable[[], float] = time.time):
        self.root = Path(root)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.clock = clock

    @classmethod
    def named(cls, name: str, **kw) -> "DiskCache":
        return cls(cache_root() / name, **kw)

    def _path(self, key: str) -> Path:
        return self.root / (hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest() + ".entry")

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        try:
            with open(path, "rb") as fh:
                head = fh.readline(4096)
                meta = json.loads(head)
                if meta.get("key") != key:
                    return None
                if float(meta.get("expires", 0)) <= self.clock():
                    fh.close()
                    self._unlink(path)
                    return None
                return fh.read()
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, AttributeError):
            self._unlink(path)
            return None

    def put(self, key: str, data: bytes, ttl: float) -> bool:
        """Store ``data`` for ``ttl`` seconds; False (and nothing stored) when it cannot be written."""
        if ttl <= 0 or len(data) > self.max_bytes:
            return False
        head = json.dumps({"key": key, "expires": self.clock() + ttl}).encode("utf-8") + b"\n"
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".part")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(head)
                    fh.write(data)
                os.replace(tmp, self._path(key))
            except BaseException:
                self._unlink(Path(tmp))
                raise
        except OSError:
            return False
        self.prune()
        return True

    def get_json(self, key: str):
        raw = self.get(key)
        if raw is None:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def put_json(self, key: str, value, ttl: float) -> bool:
        return self.put(key, json.dumps(value, separators=(",", ":")).encode("utf-8"), ttl)

    def prune(self) -> None:
        try:
            entries = []
            with os.scandir(self.root) as it:
                for e in it:
                    if not e.name.endswith(".entry"):
                        continue
                    try:
                        st = e.stat()
                    except OSError:
                        continue
                    entries.append((st.st_mtime, st.st_size, e.path))
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        count = len(entries)
        if count <= self.max_entries and total <= self.max_bytes:
            return
        entries.sort()  # oldest write first
        for _mtime, size, path in entries:
            if count <= self.max_entries and total <= self.max_bytes:
                break
            self._unlink(Path(path))
            total -= size
            count -= 1

    @staticmethod
    def _unlink(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass
