"""``trackless-host``: the native-messaging host Thunderbird starts.

Thunderbird runs it as ``trackless-host <manifest path> <extension id>``;
the arguments are accepted and only logged. stdout carries frames and nothing
else: before anything else runs, file descriptor 1 is duplicated for the
frames and then pointed at stderr, so a stray ``print`` (or a C library, or a
child process) writing to stdout lands in stderr instead of corrupting the
stream.
"""

from __future__ import annotations

import os
import sys
from typing import BinaryIO

__all__ = ["main", "claim_stdout"]


def claim_stdout() -> BinaryIO:
    """Return a private binary stream on the real stdout; fd 1 and ``sys.stdout`` now go to stderr."""
    try:
        sys.stdout.flush()
    except (AttributeError, OSError, ValueError):
        pass
    fd = os.dup(1)
    try:
        os.dup2(2, 1)
    except OSError:  # no usable stderr: at least keep Python-level prints off the stream
        pass
    if os.name == "nt":  # pragma: no cover - Windows only
        import msvcrt

        msvcrt.setmode(fd, os.O_BINARY)
        msvcrt.setmode(sys.stdin.fileno(), os.O_BINARY)
    sys.stdout = sys.stderr
    return os.fdopen(fd, "wb")


HELP = (
    "usage: trackless-host [MANIFEST_PATH EXTENSION_ID] | --version | --help\n\n"
    "trackless-host is started by Thunderbird and speaks native messaging on stdin/stdout\n"
    "(4-byte length + UTF-8 JSON frames; see PROTOCOL.md). To check that Thunderbird\n"
    "can use it, run: trackless install --check\n\n"
    "exit codes: 0 end of input, 2 started from a terminal (nothing to serve), 70 internal error, 130 interrupted"
)

_WARMUP_HTML = '<p><a href="https://example.com/a?utm_source=x">a</a><img src="https://example.com/p.gif" width="1"></p>'


def _warmup() -> None:
    """Exercise the sanitizer once (imports bs4, loads the rules, builds the suffix trie)."""
    import trackless

    trackless.sanitize(_WARMUP_HTML, sender="a@example.com", recipients=["b@example.org"])


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--version"]:
        from ..version import PROTOCOL_VERSION, __version__

        print(f"trackless-host {__version__} (protocol {PROTOCOL_VERSION})")
        return 0
    if argv[:1] in (["--help"], ["-h"]):  # Thunderbird never passes these (it passes the manifest path first)
        print(HELP)
        return 0
    if sys.stdin is not None and sys.stdin.isatty():
        print(HELP, file=sys.stderr)
        return 2
    out = claim_stdout()
    from ..store import Store
    from ..version import PROTOCOL_VERSION, __version__
    from .dispatch import Context
    from .log import setup_logging
    from .server import serve

    log, log_path = setup_logging()
    log.info("trackless-host %s (protocol %s) started, args=%r, log=%s", __version__, PROTOCOL_VERSION, argv[:2], log_path)
    try:
        store = Store()
    except Exception:  # platformdirs failure: still serve ping etc.; store actions report it
        log.exception("no settings store")
        store = None
    ctx = Context(store=store, log=log, host_args=tuple(argv))
    try:
        return serve(sys.stdin.buffer, out, ctx, warmup=_warmup)
    except KeyboardInterrupt:
        return 130
    except Exception:  # pragma: no cover - serve handles per-request failures itself
        log.exception("the host loop failed")
        return 70
    finally:
        try:
            out.close()
        except OSError:
            pass


if __name__ == "__main__":
    sys.exit(main())
