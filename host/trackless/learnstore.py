"""The helper's small store of ids learned from the reader's mail (an edge).

One JSON file, ``paths.learned_path()`` (``<user data dir>/learned.json``):
``{"format": 1, "state": <core.learn.Learner state>}``. Owner-only (the
directory 0700, the file 0600), bounded by the learner (``MAX_SENDERS``
senders, ``MAX_VALUES`` digests each; values are digests, never in clear),
written atomically (temp file, fsync, rename). A file that cannot be read is
never overwritten: learning pauses until ``clear()`` (the options page's
"Forget learned ids") removes it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .core.learn import Learner

__all__ = ["LearnStore", "shared"]

FORMAT = 1


class LearnStore:
    """Load once, learn from every opened mail, save after each change."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.broken = False
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
        self._write()

    def clear(self) -> bool:
        """Forget everything learned; True if a file was removed."""
        self.learner = Learner()
        self.broken = False
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        return True

    def _write(self) -> None:
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix="." + self.path.name + ".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                if hasattr(os, "fchmod"):
                    os.fchmod(f.fileno(), 0o600)
                json.dump({"format": FORMAT, "state": self.learner.state}, f, separators=(",", ":"))
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
        store = _shared[path] = LearnStore(path)
    return store
