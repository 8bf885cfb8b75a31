"""Benchmark: `trackless report` mails/s over a generated 5,000-mail mbox, against the stdlib baseline.

    .venv/bin/python bench/bench_report.py [--mails 5000] [--repeat 3] [--jobs N] [--dask]
    .venv/bin/python bench/bench_report.py --scale 100000       # one big run: time and peak memory

Baseline, measured in the same run on the same file: the standard library
reading the mbox (``mailbox.mbox``) and parsing every mail with the
``email`` package, walking its parts and decoding the text ones: the floor
any mail tool pays. Trackless is measured end to end (split, parse,
sanitize + link engine per mail, aggregate, render Markdown to /dev/null)
with ``--jobs 1`` and ``--jobs 2``. Prints medians and ratios, and the CPU
time used per wall second ("cores used": this process plus its workers):
the machine is shared, so a ``--jobs 2`` run that gets less than two cores
shows it there. Look at the spread, not just the median.

``--jobs N`` (default: the number of CPUs) adds a ``--jobs N`` row; the
speed-up printed is ``--jobs 1`` over ``--jobs N``, next to the cores the
run actually got. ``--dask`` adds a row for ``--engine dask`` on a local
cluster of N worker processes (its CPU is not counted: the workers are not
this process's children).

``--scale M`` generates M mails and runs the report once with ``--jobs N``:
wall time, mails/s, and the peak resident memory of the main process and of
the largest worker (the memory bound of the streaming pipeline).
"""

from __future__ import annotations

import argparse
import mailbox
import os
import resource
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "report"))

from genmbox import write_mbox  # noqa: E402

from trackless.report.run import write_report  # noqa: E402


def stdlib_parse(path: str) -> int:
    n = 0
    box = mailbox.mbox(path, create=False)
    try:
        for msg in box:
            for part in msg.walk():
                if part.get_content_maintype() == "text":
                    part.get_payload(decode=True)
            n += 1
    finally:
        box.close()
    return n


def trackless_report(path: str, jobs: int, engine: str = "local") -> int:
    with open(os.devnull, "w") as out:
        res = write_report([path], out, fmt="md", jobs=jobs, generated="2026-01-01T00:00:00Z", version="bench",
                           engine=engine)
    return res.summary.mails


def scale(mails: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "scale.mbox")
        size = write_mbox(path, mails)
        print(f"mbox: {mails} mails, {size / 1e6:.1f} MB; --jobs {jobs}; cpus: {os.cpu_count()}; "
              f"load average: {os.getloadavg()[0]:.2f}")
        secs, used, n = timed(trackless_report, path, jobs)
        assert n == mails, n
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"{n} mails in {secs:.1f} s = {n / secs:.0f} mails/s; cores used {used / secs:.2f}; "
              f"peak RSS main {own:.0f} MB, largest worker {kids:.0f} MB")


def _cpu_split() -> tuple[float, float]:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def _cpu() -> float:
    return sum(_cpu_split())


LAST_SPLIT: list[tuple[float, float]] = []


def timed(fn, *args) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process and its reaped workers, result); the (main, workers)
    CPU split of the run is appended to ``LAST_SPLIT``."""
    (o, k), t = _cpu_split(), time.perf_counter()
    n = fn(*args)
    wall = time.perf_counter() - t
    o2, k2 = _cpu_split()
    LAST_SPLIT.append((o2 - o, k2 - k))
    return wall, (o2 - o) + (k2 - k), n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mails", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--dask", action="store_true")
    ap.add_argument("--scale", type=int, default=0)
    args = ap.parse_args()
    if args.scale:
        scale(args.scale, args.jobs)
        return
    jn = f"trackless report --jobs {args.jobs}"
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.mbox")
        size = write_mbox(path, args.mails)
        print(f"mbox: {args.mails} mails, {size / 1e6:.1f} MB; cpus: {os.cpu_count()}; "
              f"load average: {os.getloadavg()[0]:.2f}")
        trackless_report(path, 1)  # warm-up: imports, rule loading, page cache
        cases = [("stdlib email parse", stdlib_parse, (path,)),
                 ("trackless report --jobs 1", trackless_report, (path, 1)),
                 (jn, trackless_report, (path, args.jobs))]
        if args.dask:
            cases.append((f"--engine dask, {args.jobs} workers", trackless_report, (path, args.jobs, "dask")))
        runs: dict[str, list[float]] = {name: [] for name, _, _ in cases}
        cpu: dict[str, list[float]] = {k: [] for k in runs}
        split: dict[str, list[tuple[float, float]]] = {k: [] for k in runs}
        for _ in range(args.repeat):
            for name, fn, a in cases:
                secs, used, n = timed(fn, *a)
                assert n == args.mails, (name, n)
                runs[name].append(secs)
                cpu[name].append(used)
                split[name].append(LAST_SPLIT[-1])
        base = statistics.median(runs["stdlib email parse"])
        print(f"{'':28} {'median s':>9} {'mails/s':>9} {'x baseline':>11} {'best s':>7} {'cores used':>11}   all runs (s)")
        for name, times in runs.items():
            med = statistics.median(times)
            cores = statistics.median(c / t for c, t in zip(cpu[name], times))
            print(f"{name:28} {med:9.2f} {args.mails / med:9.0f} {med / base:11.1f} {min(times):7.2f} {cores:11.2f}   "
                  + " ".join(f"{t:.2f}" for t in times))
        j1, j2 = statistics.median(runs["trackless report --jobs 1"]), statistics.median(runs[jn])
        b1, b2 = min(runs["trackless report --jobs 1"]), min(runs[jn])
        got = statistics.median(c / t for c, t in zip(cpu[jn], runs[jn]))
        print(f"parallel speed-up (--jobs {args.jobs} vs 1): {j1 / j2:.2f}x on medians, {b1 / b2:.2f}x on best runs; "
              f"the --jobs {args.jobs} runs got {got:.2f} cores")
        # CPU work does not depend on how busy the machine is: what the run would take on idle cores
        one = statistics.median(a + b for a, b in split["trackless report --jobs 1"])
        main_n = statistics.median(a for a, _ in split[jn])
        work_n = statistics.median(b for _, b in split[jn])
        # on N idle cores the run can go no faster than its serial main process, nor than all CPU work spread
        # over the N cores (the main process shares them with the N workers)
        bound = one / max(main_n, (main_n + work_n) / args.jobs)
        print(f"CPU per mail: --jobs 1 {1000 * one / args.mails:.2f} ms; --jobs {args.jobs}: main process "
              f"{1000 * main_n / args.mails:.2f} ms + workers {1000 * work_n / args.mails:.2f} ms "
              f"(overhead {100 * ((main_n + work_n) / one - 1):+.0f}%)")
        print(f"speed-up bound on {args.jobs} idle cores, from CPU time: {bound:.2f}x; the main process's serial "
              f"share is {100 * main_n / (main_n + work_n):.0f}%, so no machine goes past "
              f"{one / main_n:.1f}x ({args.mails / main_n:.0f} mails/s)")


if __name__ == "__main__":
    main()
