"""Where chunks are scored: in this process, in worker processes on this machine, or on a
Dask cluster.

Every engine maps the pure :func:`~riskmodel.scoring._score.score_chunk` over chunks and gives
the results back *in chunk order*, so the output does not depend on the engine. Chunks arrive
as :class:`~riskmodel.scoring._chunks.Chunk` (tables in memory) or as
:class:`~riskmodel.scoring._chunks.ChunkRef` (where a chunk lies on disk): worker processes
on this machine read a referenced chunk themselves, so no table travels between processes.
Engines with workers keep a bounded number of chunks in flight, so memory stays flat.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from riskmodel._errors import ConfigError
from riskmodel.scoring._chunks import Chunk, ChunkRef, load_chunk
from riskmodel.scoring._messages import (
    BAD_ENGINE,
    BAD_SCHEDULER_TIMEOUT,
    BAD_WORKERS,
    NO_DASK,
    SCHEDULER_UNREACHABLE,
    SCHEDULER_WITHOUT_DASK,
    TIMEOUT_WITHOUT_SCHEDULER,
    WORKERS_WITH_DASK,
)
from riskmodel.scoring._score import ChunkResult, Scorer, score_chunk

__all__ = [
    "ENGINES",
    "DaskEngine",
    "LocalEngine",
    "make_engine",
]

ENGINES: tuple[str, ...] = ("local", "dask")

#: Seconds to wait for a Dask scheduler given by address before giving up (the default of
#: ``--scheduler-timeout``).
SCHEDULER_TIMEOUT = 5
#: ``prctl`` option: the signal a process receives when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def _score_item(item: Chunk | ChunkRef, scorer: Scorer) -> ChunkResult:
    """Score a chunk, reading it first when given where it lies (runs in a worker)."""
    return score_chunk(load_chunk(item), scorer)


def _one_thread() -> Any:
    """Numerical libraries (BLAS, OpenMP) limited to one thread while the returned object
    lives (a context manager): processes sharing the cores should not also share threads."""
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

    return threadpool_limits(1)


def _die_with_parent(parent: int) -> None:
    """End this process when ``parent`` (the process that started it) dies, however it dies
    (SIGKILL included): on Linux the kernel sends SIGTERM (``PR_SET_PDEATHSIG``); elsewhere
    a daemon thread checks every second whether the process was handed to another parent."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
        if armed:
            if os.getppid() != parent:  # the parent died before the signal was armed
                os._exit(1)
            return
    watch = threading.Thread(target=_watch_parent, args=(parent,), daemon=True)
    watch.start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def _start_worker(parent: int | None = None) -> None:
    """A worker process: dies with its ``parent``, one thread for numerical libraries (the
    processes share the cores) and the scoring modules imported before the first chunk
    arrives."""
    if parent is not None:
        _die_with_parent(parent)
    _one_thread()  # for the life of the worker
    import pyarrow

    pyarrow.set_cpu_count(1)
    import riskmodel.features
    import riskmodel.models  # noqa: F401 (unpickling the model needs it)


def _ready() -> int:
    return os.getpid()


class LocalEngine:
    """Score chunks on this machine: in this process alone, or in ``workers`` processes.

    Parameters
    ----------
    workers : int
        Processes scoring chunks. 1 (the default): this process scores every chunk, one
        after another. More: this process and ``workers - 1`` worker processes take the
        chunks in turn (the workers are started with ``spawn`` when the engine is entered, so
        they import the package while the input is partitioned, and run one numerical
        thread each); a chunk given as :class:`~riskmodel.scoring._chunks.ChunkRef` is read
        from disk by the process that scores it, so no table travels between processes.
        Results come back in chunk order. Every process holds one chunk at a time, so peak
        memory is about ``workers`` times that of one process. A script that uses workers
        must start its work under ``if __name__ == "__main__":`` (``spawn`` imports the main
        module). The workers die with this process, however it ends (even when it is
        killed with SIGKILL).

    (Threads would not help: the per-chunk work is mostly bound by the GIL; measured on the
    1M benchmark, two threads took as long as one and needed more memory.)

    Examples
    --------
    >>> LocalEngine().workers, LocalEngine(workers=2).workers
    (1, 2)
    """

    name = "local"

    def __init__(self, *, workers: int = 1) -> None:
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ConfigError(BAD_WORKERS.format(value=workers))
        self.workers = int(workers)
        self.pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> LocalEngine:
        if self.workers > 1:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers - 1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(),),
            )
            # start the workers now: they import the package while the input is partitioned
            for _ in range(self.workers - 1):
                self.pool.submit(_ready)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            # pending chunks are cancelled; idle workers then exit on their own (waiting for
            # their interpreters to close would only add a few tenths of a second)
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None

    def map(self, chunks: Iterable[Chunk | ChunkRef], scorer: Scorer) -> Iterator[ChunkResult]:
        """Results of every chunk, in order.

        With workers, chunk ``i`` is scored here when ``i`` is a multiple of ``workers`` and
        by a worker otherwise; at most two chunks per process are pending, and a chunk of
        this process is scored only once the chunks before it have been handed out, so the
        workers are busy meanwhile.
        """
        if self.pool is None:
            for item in chunks:
                yield score_chunk(load_chunk(item), scorer)
            return
        window = 2 * self.workers
        pending: deque[Future[ChunkResult] | Chunk | ChunkRef] = deque()

        def result(entry: Future[ChunkResult] | Chunk | ChunkRef) -> ChunkResult:
            if isinstance(entry, Future):
                return entry.result()
            with _one_thread():
                return score_chunk(load_chunk(entry), scorer)

        try:
            for i, item in enumerate(chunks):
                here = i % self.workers == 0
                pending.append(item if here else self.pool.submit(_score_item, item, scorer))
                if len(pending) >= window:
                    yield result(pending.popleft())
            while pending:
                yield result(pending.popleft())
        finally:
            for entry in pending:
                if isinstance(entry, Future):
                    entry.cancel()


class DaskEngine:
    """Score chunks on a Dask cluster: a new local cluster, or the one at ``scheduler``.

    Chunks given as :class:`~riskmodel.scoring._chunks.ChunkRef` are read here and sent to
    the workers (a remote worker may not see this machine's temporary files).

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://host:8786``); omitted, a
        ``LocalCluster`` with one single-threaded worker process per core is started and
        closed at the end.
    n_workers : int, optional
        Workers of the local cluster (default: the number of cores).
    in_flight : int, optional
        Chunks submitted ahead of the one being written (default: twice the workers).
    timeout : float
        Seconds to wait for the scheduler at ``scheduler`` before giving up.
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        *,
        n_workers: int | None = None,
        in_flight: int | None = None,
        timeout: float = SCHEDULER_TIMEOUT,
    ) -> None:
        self.scheduler = scheduler
        self.timeout = timeout
        self.n_workers = n_workers
        self.in_flight = in_flight
        self.client: Any = None
        self.cluster: Any = None
        self.workers = 0

    def __enter__(self) -> DaskEngine:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a dependency
            raise ConfigError(NO_DASK) from exc
        if self.scheduler:
            try:
                self.client = Client(self.scheduler, timeout=self.timeout)
            except (OSError, TimeoutError, ValueError, TypeError) as exc:
                raise ConfigError(
                    SCHEDULER_UNREACHABLE.format(
                        address=self.scheduler,
                        seconds=f"{self.timeout:g}",
                        error=(str(exc).strip().splitlines() or [type(exc).__name__])[0],
                    )
                ) from exc
        else:
            self.cluster = LocalCluster(
                n_workers=self.n_workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # any free port: never clash with a running cluster
            )
            self.client = Client(self.cluster)
        self.workers = max(len(self.client.scheduler_info().get("workers", {})), 1)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()
        self.client = self.cluster = None

    def map(self, chunks: Iterable[Chunk | ChunkRef], scorer: Scorer) -> Iterator[ChunkResult]:
        """Results of every chunk, in order (at most ``in_flight`` chunks pending)."""
        client = self.client
        scorer_future = client.scatter(scorer, broadcast=True)
        window = self.in_flight or 2 * self.workers
        pending: deque[Any] = deque()
        try:
            for item in chunks:
                data = client.scatter(load_chunk(item))
                pending.append(client.submit(score_chunk, data, scorer_future, pure=False))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def make_engine(
    name: str,
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    scheduler_timeout: float | None = None,
) -> LocalEngine | DaskEngine:
    """The engine called ``name`` (``local`` or ``dask``); ``workers`` processes for
    ``local`` (default 1: this process); ``scheduler_timeout`` seconds to wait for the Dask
    scheduler at ``scheduler`` (default :data:`SCHEDULER_TIMEOUT`).

    Examples
    --------
    >>> make_engine("local").name
    'local'
    >>> make_engine("local", workers=2).workers
    2
    """
    if scheduler_timeout is not None and not scheduler:
        raise ConfigError(TIMEOUT_WITHOUT_SCHEDULER)
    if scheduler_timeout is not None and not (0 < scheduler_timeout < math.inf):
        raise ConfigError(BAD_SCHEDULER_TIMEOUT.format(value=scheduler_timeout))
    if name == "local":
        if scheduler:
            raise ConfigError(SCHEDULER_WITHOUT_DASK)
        return LocalEngine(workers=1 if workers is None else workers)
    if name == "dask":
        if workers is not None and workers != 1:
            raise ConfigError(WORKERS_WITH_DASK)
        return DaskEngine(scheduler, timeout=scheduler_timeout or SCHEDULER_TIMEOUT)
    raise ConfigError(BAD_ENGINE.format(value=name))
