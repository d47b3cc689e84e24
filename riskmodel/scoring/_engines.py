"""Where chunks are scored: in this process, or on a Dask cluster.

Both engines map the pure :func:`~riskmodel.scoring._score.score_chunk` over chunks and give
the results back *in chunk order*, so the output does not depend on the engine. The Dask
engine keeps a bounded number of chunks in flight (memory stays flat on the client too) and
sends the model to every worker once.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from riskmodel._errors import ConfigError
from riskmodel.scoring._chunks import Chunk
from riskmodel.scoring._score import ChunkResult, Scorer, score_chunk

__all__ = ["ENGINES", "NO_DASK", "DaskEngine", "LocalEngine", "make_engine"]

ENGINES: tuple[str, ...] = ("local", "dask")
NO_DASK = (
    "--engine dask needs dask.distributed: pip install 'dask[distributed]' (it is a "
    "dependency of riskmodel; the environment lacks it)"
)
BAD_ENGINE = "unknown engine {value!r}; known engines: local, dask"
SCHEDULER_WITHOUT_DASK = "--scheduler is for --engine dask"


class LocalEngine:
    """Score chunks one after another in this process.

    (Threads do not help here: the per-chunk work is mostly bound by the GIL; measured on the
    1M benchmark, two threads took as long as one and needed more memory.)
    """

    name = "local"
    workers = 1

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(self, chunks: Iterable[Chunk], scorer: Scorer) -> Iterator[ChunkResult]:
        """Results of every chunk, in order."""
        for chunk in chunks:
            yield score_chunk(chunk, scorer)


class DaskEngine:
    """Score chunks on a Dask cluster: a new local cluster, or the one at ``scheduler``.

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
    """

    name = "dask"

    def __init__(
        self,
        scheduler: str | None = None,
        *,
        n_workers: int | None = None,
        in_flight: int | None = None,
    ) -> None:
        self.scheduler = scheduler
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
            self.client = Client(self.scheduler)
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

    def map(self, chunks: Iterable[Chunk], scorer: Scorer) -> Iterator[ChunkResult]:
        """Results of every chunk, in order (at most ``in_flight`` chunks pending)."""
        client = self.client
        scorer_future = client.scatter(scorer, broadcast=True)
        window = self.in_flight or 2 * self.workers
        pending: deque[Any] = deque()
        try:
            for chunk in chunks:
                data = client.scatter(chunk)
                pending.append(client.submit(score_chunk, data, scorer_future, pure=False))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def make_engine(name: str, scheduler: str | None = None) -> LocalEngine | DaskEngine:
    """The engine called ``name`` (``local`` or ``dask``).

    Examples
    --------
    >>> make_engine("local").name
    'local'
    """
    if name == "local":
        if scheduler:
            raise ConfigError(SCHEDULER_WITHOUT_DASK)
        return LocalEngine()
    if name == "dask":
        return DaskEngine(scheduler)
    raise ConfigError(BAD_ENGINE.format(value=name))
