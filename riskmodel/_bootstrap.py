"""Vectorised percentile bootstrap, shared by every report that gives an interval.

The statistic is computed on many resamples at once: each resampled array has shape
``(b, n)`` (``b`` resamples of ``n`` people) and the statistic returns one value per resample,
shape ``(b,)``, or several, shape ``(b, k)``. Resamples are drawn in chunks so that memory stays
bounded for large ``n``. Resampling can be stratified: each stratum (a group, an outcome class)
keeps its own size in every resample.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["bootstrap_ci", "bootstrap_indices", "percentile_interval"]

#: Resampled index elements drawn at once (``chunk * n``); bounds memory to tens of megabytes.
MAX_CHUNK_ELEMENTS = 4_000_000


def bootstrap_indices(
    n: int,
    *,
    n_resamples: int,
    rng: np.random.Generator,
    strata: ArrayLike | None = None,
    max_chunk_elements: int = MAX_CHUNK_ELEMENTS,
) -> Iterator[np.ndarray]:
    """Yield chunks of bootstrap row indices of shape ``(b, n)``, ``n_resamples`` rows in all.

    Parameters
    ----------
    n : int
        Number of rows to resample.
    n_resamples : int
        Total number of resamples over all chunks.
    rng : numpy.random.Generator
        Source of randomness (seed it for reproducible intervals).
    strata : array-like of length ``n``, optional
        Labels; each resample draws, within each stratum, as many rows as the stratum has.
    max_chunk_elements : int
        Upper bound on ``b * n`` for one chunk.

    Yields
    ------
    numpy.ndarray
        Integer indices into the ``n`` rows.

    Examples
    --------
    >>> import numpy as np
    >>> chunks = list(bootstrap_indices(4, n_resamples=3, rng=np.random.default_rng(0)))
    >>> chunks[0].shape
    (3, 4)
    """
    if n <= 0:
        raise ValueError("cannot bootstrap an empty sample")
    if n_resamples <= 0:
        raise ValueError("n_resamples must be positive")
    members: list[np.ndarray] | None = None
    if strata is not None:
        labels = np.asarray(strata)
        if labels.shape != (n,):
            raise ValueError(f"strata must have length {n}, got shape {labels.shape}")
        _, codes = np.unique(labels, return_inverse=True)
        members = [np.flatnonzero(codes == c) for c in range(codes.max() + 1)]
    chunk = max(1, min(n_resamples, max_chunk_elements // n))
    done = 0
    while done < n_resamples:
        b = min(chunk, n_resamples - done)
        if members is None:
            yield rng.integers(0, n, size=(b, n))
        else:
            parts = [m[rng.integers(0, m.size, size=(b, m.size))] for m in members]
            yield np.concatenate(parts, axis=1)
        done += b


def percentile_interval(values: ArrayLike, confidence: float = 0.95) -> np.ndarray:
    """Percentile interval of bootstrap replicates, ignoring undefined (NaN) replicates.

    ``values`` has shape ``(b,)`` or ``(b, k)``; the result has shape ``(2,)`` or ``(k, 2)``.
    A statistic undefined in every replicate gives ``[nan, nan]``.

    Examples
    --------
    >>> percentile_interval(np.arange(101.0), 0.5).tolist()
    [25.0, 75.0]
    """
    values = np.asarray(values, dtype=float)
    alpha = (1.0 - confidence) / 2.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns give NaN, as wanted
        bounds = np.nanquantile(values, [alpha, 1.0 - alpha], axis=0)
    return np.moveaxis(bounds, 0, -1)


def bootstrap_ci(
    statistic: Callable[..., Any],
    *arrays: ArrayLike,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int | np.random.Generator | None = 0,
    strata: ArrayLike | None = None,
    max_chunk_elements: int = MAX_CHUNK_ELEMENTS,
) -> np.ndarray:
    """Percentile bootstrap interval ``[low, high]`` of a vectorised statistic.

    Parameters
    ----------
    statistic : callable
        Called as ``statistic(*resampled)`` where each resampled array has shape ``(b, n)``;
        returns shape ``(b,)`` (one statistic) or ``(b, k)`` (``k`` statistics at once).
        Undefined values (NaN, e.g. a rate with an empty denominator) are left out of the
        percentiles.
    *arrays : array-like
        One or more arrays of the same length ``n`` (the people).
    n_resamples : int
        Number of bootstrap resamples.
    confidence : float
        Coverage of the interval (0.95 gives the 2.5th and 97.5th percentiles).
    seed : int, Generator or None
        Seed of the numpy Generator; the same seed gives the same interval.
    strata : array-like, optional
        Labels; resampling keeps each stratum's size (a stratified bootstrap).
    max_chunk_elements : int
        Memory bound on one chunk of resampled indices.

    Returns
    -------
    numpy.ndarray
        Shape ``(2,)`` for a scalar statistic, ``(k, 2)`` for ``k`` statistics.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.array([0, 1, 1, 0, 1, 0, 0, 1, 1, 1])
    >>> low, high = bootstrap_ci(lambda v: v.mean(axis=1), y, n_resamples=2000, seed=1)
    >>> bool(low < y.mean() < high)
    True
    """
    if not arrays:
        raise ValueError("bootstrap_ci needs at least one array")
    data = [np.asarray(a) for a in arrays]
    n = data[0].shape[0]
    if any(a.shape[0] != n for a in data):
        raise ValueError("all arrays must have the same length")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    replicates = []
    for idx in bootstrap_indices(
        n,
        n_resamples=n_resamples,
        rng=rng,
        strata=strata,
        max_chunk_elements=max_chunk_elements,
    ):
        with np.errstate(invalid="ignore", divide="ignore"):
            replicates.append(np.asarray(statistic(*(a[idx] for a in data)), dtype=float))
    return percentile_interval(np.concatenate(replicates, axis=0), confidence)
