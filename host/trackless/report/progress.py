"""A progress line on a terminal (count, rate, ETA) on stderr; silence otherwise.

``format_line`` is pure (tested); ``Progress`` draws at most ~8 times a
second, only when its stream is a TTY, and clears the line when done. The
ETA comes from bytes read against the total size of the inputs (an mbox's
mail count is unknown until it has been read).
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

__all__ = ["format_line", "Progress", "ETA_AFTER_SECONDS", "ETA_AFTER_FRACTION"]

#: No ETA before this much time and this share of the input: the first frames (worker start-up, one
#: small batch read) would extrapolate nonsense such as "ETA 9:41:07".
ETA_AFTER_SECONDS = 2.0
ETA_AFTER_FRACTION = 0.01


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def format_line(mails: int, elapsed: float, done_bytes: int, total_bytes: int, skipped: int = 0, width: int = 80) -> str:
    """``  1,234 mails  410.2/s  [#######-------]  52%  ETA 0:03  2 skipped``, fitted to ``width``."""
    rate = mails / elapsed if elapsed > 0 else 0.0
    parts = [f"{mails:,} mail" + ("" if mails == 1 else "s"), f"{rate:,.1f}/s"]
    if total_bytes > 0:
        frac = min(1.0, done_bytes / total_bytes)
        if elapsed >= ETA_AFTER_SECONDS and frac >= ETA_AFTER_FRACTION and frac < 1.0:
            eta = _clock(elapsed * (1 - frac) / frac)
        else:
            eta = "--:--" if frac < 1.0 else "0:00"
        tail = f"{frac * 100:3.0f}%  ETA {eta}"
        if skipped:
            tail += f"  {skipped} skipped"
        bar_w = max(0, width - len("  ".join(parts)) - len(tail) - 8)
        if bar_w >= 5:
            filled = int(bar_w * frac)
            parts.append("[" + "#" * filled + "-" * (bar_w - filled) + "]")
        parts.append(tail)
    elif skipped:
        parts.append(f"{skipped} skipped")
    return ("  ".join(parts))[:width]


class Progress:
    def __init__(self, total_bytes: int, stream: TextIO | None = None, *, enabled: bool | None = None,
                 clock: Callable[[], float] = time.monotonic, interval: float = 0.125):
        self.stream = stream if stream is not None else sys.stderr
        if enabled is None:
            try:
                enabled = self.stream.isatty()
            except (AttributeError, ValueError):
                enabled = False
        self.enabled = enabled
        self.total = total_bytes
        self.clock = clock
        self.start = clock()
        self.last = -1e9
        self.interval = interval
        self.mails = self.bytes = self.skipped = 0
        self._drawn = False

    def update(self, mails: int = 0, nbytes: int = 0, skipped: int = 0) -> None:
        self.mails += mails
        self.bytes += nbytes
        self.skipped += skipped
        if not self.enabled:
            return
        now = self.clock()
        if now - self.last < self.interval:
            return
        self.last = now
        self._draw(now)

    def _width(self) -> int:
        import shutil

        return max(40, shutil.get_terminal_size((80, 20)).columns - 1)

    def _draw(self, now: float) -> None:
        line = format_line(self.mails, now - self.start, self.bytes, self.total, self.skipped, self._width())
        self.stream.write("\r\x1b[K" + line)
        self.stream.flush()
        self._drawn = True

    def note(self, message: str) -> None:
        """A line of its own (e.g. a skipped file), without garbling the progress line."""
        if self.enabled and self._drawn:
            self.stream.write("\r\x1b[K")
        self.stream.write(message + "\n")
        if self.enabled and self._drawn:
            self._draw(self.clock())
        else:
            self.stream.flush()

    def close(self) -> None:
        if self.enabled and self._drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
