"""How many native threads (OpenMP, BLAS) the package's numerical work may use.

Gradient boosting's OpenMP threads wait for each other by spinning: on a machine whose cores
are busy with other processes, a fit with one thread per core can run a hundred times slower
than with one thread. The package therefore limits native threads itself, around fitting and
scoring, to :func:`native_threads` (one by default); ``RISKMODEL_THREADS=N`` allows more on a
machine of your own, never more than the cores this process may use.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from riskmodel._errors import ConfigError

__all__ = ["BAD_THREADS", "THREADS_VARIABLE", "available_cores", "native_threads", "thread_limit"]

#: Environment variable that overrides the default of one native thread.
THREADS_VARIABLE = "RISKMODEL_THREADS"
#: Raised for a value of RISKMODEL_THREADS that is not a whole number of at least 1.
BAD_THREADS = "RISKMODEL_THREADS must be a whole number of threads, at least 1; got {value!r}"


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity where the system reports one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - platforms without sched_getaffinity
        return max(1, os.cpu_count() or 1)


def native_threads() -> int:
    """The native thread count for fitting and scoring: ``RISKMODEL_THREADS`` when set
    (capped at :func:`available_cores`), else 1.

    Raises
    ------
    ConfigError
        ``RISKMODEL_THREADS`` is not a whole number of at least 1.

    Examples
    --------
    >>> import os
    >>> os.environ.pop("RISKMODEL_THREADS", None) and None
    >>> native_threads()
    1
    """
    text = os.environ.get(THREADS_VARIABLE, "").strip()
    if not text:
        return 1
    if not text.isdigit() or int(text) < 1:
        raise ConfigError(BAD_THREADS.format(value=text))
    return min(int(text), available_cores())


@contextmanager
def thread_limit() -> Iterator[int]:
    """Native libraries limited to :func:`native_threads` threads inside the block.

    Examples
    --------
    >>> with thread_limit() as n:
    ...     n >= 1
    True
    """
    from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

    n = native_threads()
    with threadpool_limits(limits=n):
        yield n
