"""Host logging: a rotating file under the platform log dir, brief lines on stderr.

File: ``<user_log_dir>/host.log`` (``TRACKLESS_LOG_DIR`` overrides), 1 MiB x 3
backups, INFO and above, with tracebacks of internal errors; created (and
kept, across rotations) readable by the owner only (0600), like the settings. stderr (which
Thunderbird shows in its Error Console) gets WARNING and above, one line each.
Mail content is never logged.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

__all__ = ["setup_logging", "LOG_FILE"]

LOG_FILE = "host.log"


class _Brief(logging.Formatter):
    """One line per record on stderr: the message (and the exception's type), never a traceback."""

    def format(self, record: logging.LogRecord) -> str:
        text = f"trackless-host: {record.getMessage()}"
        if record.exc_info and record.exc_info[0] is not None:
            text += f" ({record.exc_info[0].__name__}; traceback in the log file)"
        return text


class _OwnerOnlyRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are created 0600 (and an older, wider one narrowed)."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, 0o600)
            return open(fd, self.mode, encoding=self.encoding, errors=self.errors)
        except BaseException:
            os.close(fd)
            raise


def setup_logging(folder: Path | None = None, *, stderr=None) -> tuple[logging.Logger, Path | None]:
    """Configure the ``trackless.host`` logger; returns it and the log file (None if unavailable)."""
    log = logging.getLogger("trackless.host")
    log.setLevel(logging.INFO)
    log.propagate = False
    for h in list(log.handlers):
        log.removeHandler(h)
        h.close()
    brief = logging.StreamHandler(stderr or sys.stderr)
    brief.setLevel(logging.WARNING)
    brief.setFormatter(_Brief())
    log.addHandler(brief)
    path = None
    try:
        if folder is None:
            from ..paths import log_dir

            folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / LOG_FILE
        handler = _OwnerOnlyRotatingFileHandler(path, maxBytes=1024 * 1024, backupCount=3, encoding="utf-8")
    except OSError as exc:
        log.warning("no log file (%s); logging to stderr only", exc)
        return log, None
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(message)s"))
    log.addHandler(handler)
    return log, path
