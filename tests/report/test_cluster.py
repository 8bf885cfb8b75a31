"""`--engine dask`: the same analysis and aggregation on a Dask cluster, end to end on a local cluster.

The local cluster's scheduler and workers listen on 127.0.0.1 only; a second
test starts a scheduler and a worker process by hand and passes its address
with ``--scheduler``, as one would for a real cluster.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from goldens import normalise, run_report

pytestmark = pytest.mark.network

distributed = pytest.importorskip("distributed")


def _local(fmt: str, *extra: str) -> str:
    code, out, err = run_report("--format", fmt, "--jobs", "1", *extra, ".")
    assert code == 0, err
    return normalise(out)


def test_dask_local_cluster_gives_the_same_report():
    code, out, err = run_report("--format", "json", "--engine", "dask", "--jobs", "2", ".")
    assert code == 0, err
    assert normalise(out) == _local("json")
    doc = json.loads(out)
    assert doc["summary"]["mails"] == 8 and doc["summary"]["duplicates"] == 16  # the three forms, counted once


def test_dask_with_a_scheduler_address(tmp_path):
    """A scheduler and a worker started as separate processes (as on a real cluster), on 127.0.0.1."""
    port_file = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    sched = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                              "--port", "0", "--dashboard-address", ":0", "--scheduler-file", str(port_file)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = None
    try:
        deadline = time.monotonic() + 60
        while not port_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(port_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        worker = subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                   "--host", "127.0.0.1", "--no-dashboard"],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        code, out, err = run_report("--format", "md", "--engine", "dask", "--scheduler", address, "mailbox.mbox")
        assert code == 0, err
        assert normalise(out) == normalise(run_report("--format", "md", "--jobs", "1", "mailbox.mbox")[1])
    finally:
        for p in (worker, sched):
            if p is not None:
                p.terminate()
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()


def test_scheduler_without_dask_engine_is_a_usage_error():
    code, out, err = run_report("--scheduler", "tcp://127.0.0.1:1", "mailbox.mbox")
    assert code == 2 and "--engine dask" in err


def test_dask_engine_without_dask_installed_is_a_usage_error(monkeypatch):
    from trackless.report import cluster

    monkeypatch.setattr(cluster, "available", lambda: False)
    code, out, err = run_report("--engine", "dask", "mailbox.mbox")
    assert code == 2 and "pip install 'trackless[cluster]'" in err and out == ""
