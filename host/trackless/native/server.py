"""The host loop: read a frame, dispatch, write the reply.

Every action is answered in arrival order on the reading thread, except the
ones that wait on the network (``dispatch.CONCURRENT_ACTIONS``: ``resolve``,
``images``, ``uncloak``): those run on a bounded thread pool, so a slow image
host never delays the ``sanitize`` of the next mail. Their replies may
therefore come after replies to later requests; clients match replies by id.
One ``ReplyWriter`` (a lock around whole replies) writes every frame, so the
frames of one reply are never interleaved with another's.

``serve(stdin, out, ctx)`` works on any binary streams (tests drive it with
BytesIO); ``main.py`` wires it to the real stdin/stdout. At end of input the
loop waits for the network actions still running (each bounded by its own
timeouts) so that their replies are written before it returns.

Exit status: 0 at end of input between frames (Thunderbird closed the port)
or when the reader went away (broken pipe); 1 when the input ended inside a
frame (after an error frame with id null).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO

from ..errors import TracklessError
from . import framing
from .dispatch import CONCURRENT_ACTIONS, Context, handler_for
from .protocol import RequestError, error_reply, ok_reply, parse_request, partial_reply

__all__ = ["ReplyWriter", "serve", "handle_body", "NETWORK_WORKERS"]

#: How many network actions run at once; more wait in the pool's queue.
NETWORK_WORKERS = 4


class ReplyWriter:
    """Writes whole replies as frames (chunked when over the limit), flushing per frame.

    Thread-safe: the frames of one reply are never interleaved with another's.
    """

    def __init__(self, out: BinaryIO, limit: int = framing.MAX_FRAME_BODY):
        self._out = out
        self._limit = limit
        self._lock = threading.Lock()

    def bodies(self, reply: dict) -> list[bytes]:
        """Serialise ``reply`` into frame bodies (raises before anything is written)."""
        return framing.frame_bodies(reply, self._limit)

    def send(self, reply: dict) -> None:
        self.write(self.bodies(reply))

    def write(self, bodies: list[bytes]) -> None:
        with self._lock:
            for body in bodies:
                self._out.write(framing.pack(body))
                self._out.flush()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}"


def handle_body(
    body: bytes,
    writer: ReplyWriter,
    ctx: Context,
    table: dict | None = None,
    submit: Callable[[Callable[[], None]], object] | None = None,
) -> None:
    """Handle one frame body and write its reply (and any partial frames before it).

    With ``submit``, a network action (``CONCURRENT_ACTIONS``) is parsed here but
    run by ``submit(job)`` (a thread pool); everything else runs at once.
    """
    log = ctx.log
    try:
        value = framing.decode_body(body)
    except framing.FrameError as exc:
        writer.send(error_reply(None, exc.code, str(exc)))
        return
    try:
        request = parse_request(value)
    except RequestError as exc:
        writer.send(error_reply(getattr(exc, "id", None), exc.code, exc.message))
        return
    rid, action = request.id, request.action
    try:
        handler = handler_for(action, table)
    except Exception as exc:  # the action's module failed to import
        log.exception("action %r could not be loaded", action)
        writer.send(error_reply(rid, "internal", f"action '{action}' is not available: {_describe(exc)} (see the host log)"))
        return
    if handler is None:
        writer.send(error_reply(rid, "unknown_action", f"no such action: {action!r}"))
        return

    def emit(result: dict) -> None:
        if not isinstance(result, dict):
            raise TypeError("a partial result must be a JSON object")
        writer.send(partial_reply(rid, result))

    call_ctx = dataclasses.replace(ctx, request_id=rid, emit=emit)
    if submit is not None and action in CONCURRENT_ACTIONS:
        submit(lambda: _run_in_pool(request, handler, writer, call_ctx))
        return
    _run(request, handler, writer, call_ctx)


def _run_in_pool(request, handler, writer: ReplyWriter, ctx: Context) -> None:
    try:
        _run(request, handler, writer, ctx)
    except BrokenPipeError:  # the reader is gone; the reading loop notices on its own
        ctx.log.info("the reader closed the pipe during %r", request.action)
    except BaseException:  # never lose an exception silently in a worker
        ctx.log.exception("network action %r failed", request.action)


def _run(request, handler, writer: ReplyWriter, call_ctx: Context) -> None:
    """Call ``handler`` and write its reply (errors as error frames)."""
    rid, action, log = request.id, request.action, call_ctx.log
    try:
        result = handler(request.params, call_ctx)
        if not isinstance(result, dict):
            raise TypeError(f"handler of {action!r} returned {type(result).__name__}, not a dict")
        bodies = writer.bodies(ok_reply(rid, result))  # not serialisable -> internal, nothing written
    except RequestError as exc:
        writer.send(error_reply(rid, exc.code, exc.message))
        return
    except TracklessError as exc:
        log.info("action %r failed: %s", action, exc.code)
        writer.send(error_reply(rid, exc.code, str(exc)))
        return
    except (BrokenPipeError, KeyboardInterrupt):
        raise
    except Exception as exc:
        log.exception("action %r raised", action)
        writer.send(error_reply(rid, "internal", f"unexpected error in action '{action}': {_describe(exc)} (see the host log)"))
        return
    writer.write(bodies)


def _start_warmup(warmup: Callable[[], object], log) -> None:
    def run():
        try:
            warmup()
        except Exception:  # a failing warm-up only costs speed; the request will report the error
            log.exception("warm-up failed")

    threading.Thread(target=run, name="trackless-warmup", daemon=True).start()


def serve(
    stdin: BinaryIO, out: BinaryIO, ctx: Context, table: dict | None = None, warmup: Callable[[], object] | None = None
) -> int:
    """Serve requests from ``stdin`` until end of input. Returns the exit status.

    ``warmup`` (optional) runs in a daemon thread once the first request has
    been answered, while the host would otherwise wait for input: it pays the
    slow imports (bs4, rules, the suffix trie) before the first mail arrives
    without delaying the first reply (usually ``ping``).
    """
    writer = ReplyWriter(out)
    log = ctx.log
    pool = ThreadPoolExecutor(max_workers=NETWORK_WORKERS, thread_name_prefix="trackless-net")
    try:
        while True:
            try:
                body = framing.read_frame(stdin)
            except framing.FrameTooLarge as exc:
                # Refused from the header alone; then the body is read and thrown away in
                # 64 KiB pieces so that the next frame is found again (memory stays bounded).
                log.warning("refused a frame of %d bytes", exc.length)
                writer.send(error_reply(None, exc.code, str(exc)))
                try:
                    framing.drain(stdin, exc.length)
                except framing.TruncatedFrame as trunc:
                    log.warning("%s", trunc)
                    return 1
                continue
            except framing.TruncatedFrame as exc:
                log.warning("%s", exc)
                writer.send(error_reply(None, exc.code, str(exc)))
                return 1
            if body is None:
                log.info("end of input; exiting")
                return 0
            handle_body(body, writer, ctx, table, submit=pool.submit)
            if warmup is not None:
                _start_warmup(warmup, log)
                warmup = None
    except BrokenPipeError:
        log.info("the reader closed the pipe; exiting")
        return 0
    finally:
        pool.shutdown(wait=True)
