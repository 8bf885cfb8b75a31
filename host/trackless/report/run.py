"""The report pipeline: sources -> analyse (parallel, bounded) -> redact -> aggregate -> render.

Memory does not grow with the mailbox:
- sources yield one mail at a time;
- mails go to the worker processes in batches (at most ``BATCH_MAILS``
  mails or ``BATCH_BYTES`` bytes), with at most ``2 x jobs`` batches in
  flight; results come back in input order (the oldest batch is awaited
  before more are submitted), so the report order is the input order;
- each mail's rendered section (and its row in the "mails at a glance"
  index) is written to a spooled temporary file (in memory up to 8 MiB,
  then on disk) while the aggregate, which only
  grows with distinct senders/vendors/hosts/months, is folded;
- at the end the summary is rendered and the spooled sections copied after it.

Redaction runs in this (the main) process, in input order, so placeholders
are numbered deterministically whatever ``jobs`` is.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, TextIO

from ..errors import RuleError, TracklessError
from . import render_html, render_json, render_md
from .aggregate import Aggregator, Summary
from ..core.learn import Learner
from .analyse import MailFindings, analyse
from .meta import DnsChain, ReportMeta
from .progress import Progress
from .redact import Redactor
from .sources import RawMail, SourceError, iter_sources

__all__ = ["RENDERERS", "RunResult", "WorkerDied", "analyse_batch", "iter_findings", "write_report", "BATCH_MAILS", "BATCH_BYTES"]

BATCH_MAILS = 16
BATCH_BYTES = 4 * 1024 * 1024
SPOOL_BYTES = 8 * 1024 * 1024

#: format -> (render module, separator between mail chunks)
RENDERERS = {"md": (render_md, ""), "html": (render_html, ""), "json": (render_json, ",\n")}


#: Ids of the reader learned over the mails this process reads (issue 17): a
#: sender's later mails are judged with what its earlier ones showed.
_LEARNER = Learner()


def _analyse_one(origin: str, data: bytes, extra_to: tuple[str, ...]) -> MailFindings | SourceError:
    try:
        return analyse(data, origin, extra_to, learner=_LEARNER)
    except RuleError:
        raise  # a broken installation, not a bad mail: the whole run fails
    except TracklessError as exc:
        return SourceError(origin, exc.code, str(exc))
    except RecursionError:
        return SourceError(origin, "too_large", "the mail is nested too deeply to analyse")
    except Exception as exc:  # fail closed per mail: reported as skipped, the run goes on
        return SourceError(origin, "internal", f"unexpected error while analysing: {type(exc).__name__}: {exc}")


def analyse_batch(batch: list[tuple[str, bytes]], extra_to: tuple[str, ...]) -> list[tuple[int, MailFindings | SourceError]]:
    """Worker entry point: (size, findings or error) per mail, in order."""
    return [(len(data), _analyse_one(origin, data, extra_to)) for origin, data in batch]


_WARM_MAIL = (b"From: a@warm-up.example\nTo: b@warm-up.example\nContent-Type: text/html\n\n"
              b'<img src="https://t.warm-up.example/o.gif" width="1" height="1">'
              b'<a href="https://warm-up.example/?utm_source=x">x</a>\n')


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


def _split(batch: list) -> tuple[list[tuple[str, bytes]], list[SourceError | None]]:
    """The mails to analyse, and the batch's skeleton (errors in place, ``None`` for each mail) so the
    main process does not keep the bytes of the mails in flight."""
    mails = [(m.origin, m.data) for m in batch if isinstance(m, RawMail)]
    return mails, [m if isinstance(m, SourceError) else None for m in batch]


def _merge(skeleton: list, results: list[tuple[int, object]]) -> Iterator[tuple[int, MailFindings | SourceError]]:
    it = iter(results)
    for item in skeleton:
        if item is not None:
            yield 0, item
        else:
            yield next(it)


def iter_findings(items: Iterable[RawMail | SourceError], extra_to: tuple[str, ...] = (), jobs: int = 1
                  ) -> Iterator[tuple[int, MailFindings | SourceError]]:
    """(size, findings or error) for each source item, in input order, with bounded work in flight."""
    if jobs <= 1:
        for batch in _batches(items):
            mails, skeleton = _split(batch)
            yield from _merge(skeleton, analyse_batch(mails, extra_to))
        return
    _warm_up(extra_to)
    window: deque = deque()
    pool = ProcessPoolExecutor(max_workers=jobs)

    def results(fut) -> list:
        if fut is None:
            return []
        try:
            return fut.result()
        except BrokenProcessPool as exc:
            raise WorkerDied("a worker process died while analysing mails (out of memory?); "
                             "no report was written; try again with --jobs 1") from exc

    try:
        for batch in _batches(items):
            mails, skeleton = _split(batch)
            window.append((skeleton, pool.submit(analyse_batch, mails, extra_to) if mails else None))
            del batch, mails
            while len(window) >= 2 * jobs:
                b, fut = window.popleft()
                yield from _merge(b, results(fut))
        while window:
            b, fut = window.popleft()
            yield from _merge(b, results(fut))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


class WorkerDied(TracklessError):
    """A worker process died (crash, out of memory): the run stops, no report is written."""

    code = "internal"


@dataclass
class RunResult:
    summary: Summary
    skipped: list[SourceError] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    first_party: set[str] = field(default_factory=set)
    readers: set[str] = field(default_factory=set)


def write_report(paths: list[str], out: TextIO, *, fmt: str = "md", extra_to: Iterable[str] = (), jobs: int = 1,
                 redact: bool = False, dns: Callable[..., list[DnsChain]] | None = None,
                 generated: str, version: str, progress: Progress | None = None,
                 on_skip: Callable[[SourceError], None] | None = None) -> RunResult:
    """Run the whole pipeline and write the report to ``out``. Returns the summary and what was skipped.

    When no mail at all could be read, nothing is written (``result.summary.mails == 0``).
    """
    module, sep = RENDERERS[fmt]
    extra_to = tuple(a.strip().lower() for a in extra_to)
    if progress is None:
        progress = Progress(0, enabled=False)
    redactor = Redactor(extra_to) if redact else None
    agg = Aggregator()
    result = RunResult(summary=agg.summary())
    index_row = getattr(module, "index_row", None)
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, mode="w+", encoding="utf-8") as spool, \
            tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES // 4, mode="w+", encoding="utf-8") as index_spool:
        index = 0
        try:
            for size, item in iter_findings(iter_sources(paths), extra_to, jobs):
                if isinstance(item, SourceError):
                    if redactor is not None:
                        item = SourceError(redactor.text(item.origin), item.code, redactor.text(item.message))
                    result.skipped.append(item)
                    if on_skip:
                        on_skip(item)
                    progress.update(skipped=1, nbytes=size)
                    continue
                if redactor is not None:
                    item = redactor.mail(item, extra_to)
                index += 1
                agg.add(item)
                if dns is not None:
                    result.hosts.update(t.host for t in item.trackers if t.host)
                    result.hosts.update(l.host for l in item.links if l.host)
                    result.first_party.update(t.host for t in item.trackers if t.host and not t.third_party)
                    result.first_party.update(l.host for l in item.links if l.host and not l.third_party)
                    if redactor is None:
                        result.readers.update(item.recipients)
                if index > 1 and sep:
                    spool.write(sep)
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
                          readers=readers, redacted=redact, skipped=tuple(result.skipped), dns=chains)
        spool.seek(0)
        index_spool.seek(0)

        def chunks(f) -> Iterator[str]:
            while True:
                block = f.read(1 << 16)
                if not block:
                    return
                yield block

        extra = {"index_chunks": chunks(index_spool)} if index_row is not None else {}
        for piece in module.document(meta, result.summary, chunks(spool), **extra):
            out.write(piece)
    return result
