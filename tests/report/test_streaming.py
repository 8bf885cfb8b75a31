"""Streaming: a generated 5,000-mail mbox is reported with memory that does not grow with the mailbox.

Runs in a subprocess (clean tracemalloc, real worker processes, ``--jobs 2``).
tracemalloc samples the main process, where results come back and the
report is assembled (it keeps ~100 bytes per distinct mail for counting
duplicates once and 4 bytes per mail and vendor: well under the bound
below for 4,000 mails); the workers are stateless per batch and their peak RSS
is printed for information. The spool threshold is lowered to 256 KiB so the
in-memory part of the spooled report (8 MiB by default, a fixed bound) does
not mask a leak. A control run that keeps every finding (the leak this test
exists to catch) must show the growth.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

SCRIPT = r"""
import json, os, resource, sys, tracemalloc
sys.path.insert(0, HERE)
from genmbox import write_mbox
from trackless.report import run, aggregate
from trackless.report.progress import Progress

run.SPOOL_BYTES = 256 * 1024
n, leak = int(sys.argv[1]), sys.argv[2] == "leak"
path = os.path.join(TMP, f"gen{n}.mbox")
write_mbox(path, n)
kept = []
if leak:
    original = aggregate.Aggregator.add
    def add(self, f, index=None):
        kept.append(f)
        original(self, f, index)
    aggregate.Aggregator.add = add

samples = {}
class Sampler(Progress):
    def update(self, mails=0, nbytes=0, skipped=0):
        super().update(mails, nbytes, skipped)
        if self.mails in (n // 5, n):
            samples[self.mails] = tracemalloc.get_traced_memory()[1]

tracemalloc.start()
with open(os.devnull, "w") as out:
    res = run.write_report([path], out, fmt="md", jobs=2, generated="2026-01-01T00:00:00Z", version="t",
                           progress=Sampler(0, enabled=False))
print(json.dumps({"mails": res.summary.mails, "peak_at_fifth": samples[n // 5], "peak_at_end": samples[n],
                  "main_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "worker_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def _run(tmp_path, n: int, mode: str) -> dict:
    script = SCRIPT.replace("HERE", repr(HERE)).replace("TMP", repr(str(tmp_path)))
    proc = subprocess.run([sys.executable, "-c", script, str(n), mode], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_memory_does_not_grow_with_the_mailbox(tmp_path):
    got = _run(tmp_path, 5000, "plain")
    print("streaming 5000:", got)
    assert got["mails"] == 5000
    growth = got["peak_at_end"] - got["peak_at_fifth"]
    # from mail 1,000 to mail 5,000 the main process's traced peak may move by noise only
    assert growth < 1_500_000, got


def test_control_a_leak_is_seen(tmp_path):
    got = _run(tmp_path, 1000, "leak")
    print("leaky 1000:", got)
    growth = got["peak_at_end"] - got["peak_at_fifth"]
    # keeping 800 more findings must trip the same threshold the real run stays under
    assert growth > 1_500_000, got
