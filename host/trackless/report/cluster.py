"""``--engine dask``: the report's per-mail analysis on a Dask (``dask.distributed``) cluster.

The run stays the same: this process walks the sources, sends batches of raw
mails to the cluster (the workers need not see the files), runs the very same
``run.analyse_batch`` there, and folds the results, in input order, into the
same streaming aggregate. At most ``2 x`` the cluster's worker threads
batches are in flight, so memory stays bounded on both sides.

Without a scheduler address a local cluster is started: worker processes on
this machine, listening on 127.0.0.1 only, no dashboard. With
``--scheduler tcp://host:8786`` the run uses an existing cluster, whose
workers must have the same Trackless version installed.

Dask is an optional dependency (``pip install 'trackless[cluster]'``).
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

__all__ = ["available", "dask_submitter"]


def available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


@contextmanager
def dask_submitter(scheduler: str | None, workers: int) -> Iterator[tuple[Callable, int]]:
    """(submit, width): ``submit(fn, *args)`` returns a future with ``.result()``; width = batches in flight."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="30s")
    else:
        cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                               host="127.0.0.1", dashboard_address=None, silence_logs=40)
        client = Client(cluster)
    try:
        threads = sum(client.nthreads().values()) or max(1, workers)

        def submit(fn, *args):
            return client.submit(fn, *args, pure=False)

        yield submit, 2 * threads
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
