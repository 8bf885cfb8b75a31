"""The report pipeline: sources -> analyse (parallel, bounded) -> redact -> aggregate -> render.

Memory is bounded: the only state that grows with the mailbox is about 100
bytes per distinct mail (its 16-byte dedupe key) and 4 bytes per mail and
vendor (the vendor's list of mail numbers), so 100,000 mails add ~12 MB:
- sources yield one mail at a time;
- mails go to the worker processes in batches (at most ``BATCH_MAILS``
  mails or ``BATCH_BYTES`` bytes), with at most ``2 x jobs`` batches in
  flight; results come back in input order (the oldest batch is awaited
  before more are submitted), so the report order is the input order;
- each mail's rendered section (and its row in the "mails at a glance"
  index) is rendered by the worker that analysed it (unless the main process
  must change the findings first: ``--redact``, DKIM verification), numbered
  here, and written to a spooled temporary file (in memory up to 8 MiB,
  then on disk) while the aggregate, which only
  grows with distinct senders/vendors/hosts/months, is folded;
- at the end the summary is rendered and the spooled sections copied after it.

Redaction runs in this (the main) process, in input order, so placeholders
are numbered deterministically whatever ``jobs`` is.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import signal
import tempfile
import threading
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Iterator, TextIO

from ..errors import RuleError, TracklessError
from . import render_html, render_json, render_md
from .aggregate import Aggregator, Summary
from ..core.learn import Learner
from .analyse import MailFindings, analyse
from .evidence import Evidence
from .meta import DnsChain, Duplicate, ReportMeta
from .progress import Progress
from .redact import Redactor, Scrubber, ScrubbingWriter
from .sources import RawMail, SourceError, iter_sources

__all__ = ["RENDERERS", "RunResult", "WorkerDied", "analyse_batch", "iter_findings", "write_report", "BATCH_MAILS",
           "BATCH_BYTES", "MAIL_BUDGET", "dedupe_key"]

BATCH_MAILS = 16
BATCH_BYTES = 4 * 1024 * 1024
SPOOL_BYTES = 8 * 1024 * 1024

#: format -> (render module, separator between mail chunks)
RENDERERS = {"md": (render_md, ""), "html": (render_html, ""), "json": (render_json, ",\n")}


#: Ids of the reader learned over the mails this process reads (issue 17): a
#: sender's later mails are judged with what its earlier ones showed.
_LEARNER = Learner()


#: Default per-mail time budget (seconds); ``--mail-timeout`` changes it.
MAIL_BUDGET = 30.0


class MailTimeout(BaseException):
    """Raised inside a worker when one mail's analysis runs past its budget (a BaseException, so no
    ``except Exception`` inside the analysis swallows it)."""


@contextmanager
def _budget(seconds: float | None):
    """Interrupt the analysis of one mail after ``seconds``.

    In a process's main thread (the local worker processes, ``--jobs 1``)
    a SIGALRM timer interrupts any Python code and regular-expression
    matching. In another thread (a Dask worker's task threads) the
    exception is raised asynchronously in the thread, which interrupts
    Python code (not a single long call into C code)."""
    if not seconds or seconds <= 0:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def _alarm(signum, frame):
            raise MailTimeout()

        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, seconds)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        return
    ident = threading.get_ident()
    done = threading.Event()

    def _fire():
        if not done.wait(seconds):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(MailTimeout))

    watchdog = threading.Thread(target=_fire, daemon=True)
    watchdog.start()
    try:
        yield
    finally:
        done.set()
        watchdog.join()


def _analyse_one(origin: str, data: bytes, extra_to: tuple[str, ...], budget: float | None = None
                 ) -> MailFindings | SourceError:
    try:
        with _budget(budget):
            return analyse(data, origin, extra_to, learner=_LEARNER)
    except MailTimeout:
        return SourceError(origin, "too_large", f"analysing this mail took longer than the per-mail budget of "
                                                f"{budget:g} s (a mail built to stall the analysis?); skipped")
    except RuleError:
        raise  # a broken installation, not a bad mail: the whole run fails
    except TracklessError as exc:
        return SourceError(origin, exc.code, str(exc))
    except RecursionError:
        return SourceError(origin, "too_large", "the mail is nested too deeply to analyse")
    except Exception as exc:  # fail closed per mail: reported as skipped, the run goes on
        return SourceError(origin, "internal", f"unexpected error while analysing: {type(exc).__name__}: {exc}")


#: Stands for the mail's number in a section rendered by a worker (which does not know it yet). A NUL
#: never comes from a mail: ``words.visible`` and ``json.dumps`` escape it.
UNNUMBERED = "\x00#\x00"


def _prerender(fmt: str, f: MailFindings) -> tuple[str, str]:
    """(section, index row) with ``UNNUMBERED`` for the number (JSON: ``"index": 0``, its first key)."""
    module = RENDERERS[fmt][0]
    if fmt == "json":
        return module.mail(0, f), ""
    return module.mail(UNNUMBERED, f), module.index_row(UNNUMBERED, f)


def _number(fmt: str, text: str, index: int) -> str:
    if fmt == "json":
        return text.replace('"index": 0', f'"index": {index}', 1)
    return text.replace(UNNUMBERED, str(index))


def analyse_batch(batch: list[tuple[str, bytes, str, int | None]], extra_to: tuple[str, ...],
                  budget: float | None = MAIL_BUDGET, fmt: str | None = None
                  ) -> list[tuple[int, MailFindings | SourceError, tuple[str, str] | None]]:
    """Worker entry point (local processes and Dask alike): per mail (origin, bytes, source path, mbox
    offset), in order, (size, findings or error, pre-rendered section or None). With ``fmt`` the worker
    also renders each mail's section, so the main process only numbers it (not when redacting: the
    placeholders are numbered in report order by the main process).
    The first call in a process loads rules and parsers before any mail's budget starts."""
    global _WARM
    if not _WARM:
        _warm_up(extra_to)
        _WARM = True
    out = []
    for origin, data, path, offset in batch:
        found = _analyse_one(origin, data, extra_to, budget)
        pre = None
        if isinstance(found, MailFindings):
            if found.evidence is not None:
                found = replace(found, evidence=replace(found.evidence, source=path, offset=offset))
            if fmt is not None:
                pre = _prerender(fmt, found)
        out.append((len(data), found, pre))
    return out


_WARM_MAIL = (b"From: a@warm-up.example\nTo: b@warm-up.example\nContent-Type: text/html\n\n"
              b'<img src="https://t.warm-up.example/o.gif" width="1" height="1">'
              b'<a href="https://warm-up.example/?utm_source=x">x</a>\n')


_WARM = False


def _warm_up(extra_to: tuple[str, ...]) -> None:
    """Load rules and parsers once in this process before forking, so workers start warm
    (and a broken rule file fails the run here, once, with its own message)."""
    try:
        analyse(_WARM_MAIL, "(warm-up)", extra_to)
    except RuleError:
        raise
    except Exception:  # any other problem shows up, per mail, in the real run
        pass


def _batches(items: Iterable[RawMail | SourceError]) -> Iterator[list[RawMail | SourceError]]:
    batch: list = []
    size = 0
    for item in items:
        batch.append(item)
        if isinstance(item, RawMail):
            size += len(item.data)
        if len(batch) >= BATCH_MAILS or size >= BATCH_BYTES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _split(batch: list) -> tuple[list[tuple[str, bytes, str, int | None]], list]:
    """The mails to analyse, and the batch's skeleton (errors in place, ``None`` for each mail)
    so the main process does not keep the bytes of the mails in flight."""
    mails = [(m.origin, m.data, m.path or m.origin, m.offset) for m in batch if isinstance(m, RawMail)]
    return mails, [m if isinstance(m, SourceError) else None for m in batch]


def _merge(skeleton: list, results: list) -> Iterator[tuple[int, MailFindings | SourceError, tuple[str, str] | None]]:
    it = iter(results)
    for item in skeleton:
        if item is not None:
            yield 0, item, None
        else:
            yield next(it)


def _windowed(items, submit, width: int, extra_to, budget, fmt) -> Iterator:
    """Submit batches, at most ``width`` in flight; yield results in input order."""
    window: deque = deque()

    def results(fut) -> list:
        return [] if fut is None else fut.result()

    for batch in _batches(items):
        mails, skeleton = _split(batch)
        window.append((skeleton, submit(analyse_batch, mails, extra_to, budget, fmt) if mails else None))
        del batch, mails
        while len(window) >= width:
            b, fut = window.popleft()
            yield from _merge(b, results(fut))
    while window:
        b, fut = window.popleft()
        yield from _merge(b, results(fut))


def iter_findings(items: Iterable[RawMail | SourceError], extra_to: tuple[str, ...] = (), jobs: int = 1, *,
                  budget: float | None = MAIL_BUDGET, engine: str = "local", scheduler: str | None = None,
                  fmt: str | None = None) -> Iterator[tuple[int, MailFindings | SourceError, tuple[str, str] | None]]:
    """(size, findings or error, pre-rendered section) for each source item, in input order, with bounded
    work in flight (``fmt``: see ``analyse_batch``).

    engine "local": ``jobs`` worker processes on this machine (none for ``jobs == 1``);
    engine "dask": the same ``analyse_batch`` on a Dask cluster (``report.cluster``)."""
    if engine == "dask":
        from .cluster import dask_submitter

        with dask_submitter(scheduler, jobs) as (submit, width):
            yield from _windowed(items, submit, width, extra_to, budget, fmt)
        return
    if jobs <= 1:
        for batch in _batches(items):
            mails, skeleton = _split(batch)
            yield from _merge(skeleton, analyse_batch(mails, extra_to, budget, fmt))
        return
    global _WARM
    _warm_up(extra_to)
    _WARM = True  # the forked workers inherit the loaded rules
    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        yield from _windowed(items, pool.submit, 2 * jobs, extra_to, budget, fmt)
    except BrokenProcessPool as exc:
        raise WorkerDied("a worker process died while analysing mails (out of memory?); "
                         "no report was written; try again with --jobs 1") from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class WorkerDied(TracklessError):
    """A worker process died (crash, out of memory): the run stops, no report is written."""

    code = "internal"


def dedupe_key(f: MailFindings) -> bytes:
    """Two copies are the same mail when they have the same Message-ID and the same body (mail programs
    add their own status headers to each copy); without a Message-ID, the same Date, sender, subject and body.
    A 16-byte digest, so the run keeps about 100 bytes per distinct mail."""
    ev = f.evidence
    body = ev.content_key if ev is not None else ""
    mid = f.message_id.strip().strip("<>").lower()
    ident = mid or f"{f.date}|{f.sender}|{f.subject}"
    return hashlib.sha256(f"{ident}\n{body}".encode("utf-8", "surrogatepass")).digest()[:16]


@dataclass
class RunResult:
    summary: Summary
    skipped: list[SourceError] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    first_party: set[str] = field(default_factory=set)
    readers: set[str] = field(default_factory=set)
    duplicates: list[Duplicate] = field(default_factory=list)
    cited: list[tuple[int, Evidence]] = field(default_factory=list)  # (index, evidence) when bundling


def write_report(paths: list[str], out: TextIO, *, fmt: str = "md", extra_to: Iterable[str] = (), jobs: int = 1,
                 redact: bool = False, dns: Callable[..., list[DnsChain]] | None = None,
                 generated: str, version: str, progress: Progress | None = None,
                 on_skip: Callable[[SourceError], None] | None = None,
                 budget: float | None = MAIL_BUDGET, engine: str = "local", scheduler: str | None = None,
                 dkim_verify: Callable[[MailFindings], MailFindings] | None = None,
                 keep_cited: bool = False) -> RunResult:
    """Run the whole pipeline and write the report to ``out``. Returns the summary and what was skipped.

    When no mail at all could be read, nothing is written (``result.summary.mails == 0``).
    ``dkim_verify`` (with ``--dns``) checks each mail's DKIM signatures; ``keep_cited`` keeps
    ``(index, evidence)`` of every mail in the report for ``--bundle``.
    """
    module, sep = RENDERERS[fmt]
    extra_to = tuple(a.strip().lower() for a in extra_to)
    if progress is None:
        progress = Progress(0, enabled=False)
    redactor = Redactor(extra_to) if redact else None
    agg = Aggregator()
    result = RunResult(summary=agg.summary())
    index_row = getattr(module, "index_row", None)
    seen: dict[bytes, int] = {}
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8") as spool, \
            tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES // 4, mode="w+", encoding="utf-8") as index_spool:
        index = 0
        try:
            # workers render each mail's section unless the main process must change the findings first
            worker_fmt = fmt if redactor is None and dkim_verify is None else None
            for size, item, pre in iter_findings(iter_sources(paths), extra_to, jobs, budget=budget, engine=engine,
                                                 scheduler=scheduler, fmt=worker_fmt):
                if isinstance(item, SourceError):
                    if redactor is not None:
                        item = SourceError(redactor.text(item.origin), item.code, redactor.text(item.message))
                    result.skipped.append(item)
                    if on_skip:
                        on_skip(item)
                    progress.update(skipped=1, nbytes=size)
                    continue
                key = dedupe_key(item)
                first = seen.get(key)
                if first is not None:
                    origin = redactor.text(item.origin) if redactor is not None else item.origin
                    result.duplicates.append(Duplicate(origin, first, item.evidence.sha256 if item.evidence else ""))
                    progress.update(mails=1, nbytes=size)
                    continue
                if dkim_verify is not None:
                    item = dkim_verify(item)
                evidence = item.evidence
                if redactor is not None:
                    item = redactor.mail(item, extra_to)
                index += 1
                seen[key] = index
                if keep_cited and evidence is not None:
                    result.cited.append((index, evidence))
                agg.add(item, index)
                if dns is not None:
                    result.hosts.update(t.host for t in item.trackers if t.host)
                    result.hosts.update(l.host for l in item.links if l.host)
                    result.first_party.update(t.host for t in item.trackers if t.host and not t.third_party)
                    result.first_party.update(l.host for l in item.links if l.host and not l.third_party)
                    if redactor is None:
                        result.readers.update(item.recipients)
                if index > 1 and sep:
                    spool.write(sep)
                if pre is not None:
                    spool.write(_number(fmt, pre[0], index))
                    if index_row is not None:
                        index_spool.write(_number(fmt, pre[1], index))
                else:
                    spool.write(module.mail(index, item))
                    if index_row is not None:
                        index_spool.write(index_row(index, item))
                progress.update(mails=1, nbytes=size)
        finally:
            progress.close()
        result.summary = agg.summary()
        if index == 0:
            return result  # nothing could be read: no report (the caller says so and exits non-zero)
        chains = None
        if dns is not None:
            addresses = set(extra_to) | (set(redactor.readers) if redactor is not None else result.readers)
            chains = tuple(dns(sorted(result.hosts), first_party=result.first_party, readers=sorted(addresses)))
        readers = tuple(redactor.readers[a] for a in extra_to if a in redactor.readers) if redactor else extra_to
        sources = tuple(os.fspath(p) for p in paths)
        if redactor is not None:
            sources = tuple(redactor.text(p) for p in sources)
        meta = ReportMeta(generated=generated, version=version, sources=sources,
                          readers=readers, redacted=redact, skipped=tuple(result.skipped), dns=chains,
                          duplicates=tuple(result.duplicates))
        spool.seek(0)
        index_spool.seek(0)

        def chunks(f) -> Iterator[str]:
            while True:
                block = f.read(1 << 16)
                if not block:
                    return
                yield block

        sink = ScrubbingWriter(out, Scrubber(redactor.readers)) if redactor is not None else out
        extra = {"index_chunks": chunks(index_spool)} if index_row is not None else {}
        for piece in module.document(meta, result.summary, chunks(spool), **extra):
            sink.write(piece)
        if redactor is not None:
            sink.flush_all()
    return result
