"""The Poisson-binomial distribution: the number of events among people with their own
probabilities.

Two exact methods: a direct dynamic programme over people (each step mixes the current
distribution with itself shifted by one; only additions of non-negative terms, so it is stable
and tiny tail probabilities keep their relative accuracy), O(n²); and, for large cohorts, a
product tree of the people's probability-generating polynomials multiplied by batched FFTs,
O(n log² n), accurate to about 1e-13 in absolute terms (negative round-off is clipped to zero).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from riskmodel.cohort._messages import METHOD_ERROR, PROBABILITY_ERROR

# SciPy is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

__all__ = ["poisson_binomial_pmf", "poisson_binomial_pmfs", "poisson_binomial_tails"]

#: Cohorts up to this size use the direct dynamic programme under ``method="auto"``.
DP_MAX_N = 10_000
#: Rows of :func:`poisson_binomial_pmfs` up to this size share one dynamic programme.
DP_ROWS_MAX_N = 1_000

METHODS = ("auto", "dp", "fft")


def _check(p: ArrayLike) -> np.ndarray:
    p = np.asarray(p, dtype=float).ravel()
    if not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError(PROBABILITY_ERROR)
    return p


def _pmf_dp(p: np.ndarray) -> np.ndarray:
    pmf = np.zeros(p.size + 1)
    pmf[0] = 1.0
    for i, q in enumerate(p):
        pmf[1 : i + 2] = pmf[1 : i + 2] * (1.0 - q) + pmf[0 : i + 1] * q
        pmf[0] *= 1.0 - q
    return pmf


def _pmf_dp_rows(p: np.ndarray) -> np.ndarray:
    """The dynamic programme of :func:`_pmf_dp` for every row of ``p`` at once."""
    rows, n = p.shape
    pmf = np.zeros((rows, n + 1))
    pmf[:, 0] = 1.0
    for i in range(n):
        q = p[:, i : i + 1]
        pmf[:, 1 : i + 2] = pmf[:, 1 : i + 2] * (1.0 - q) + pmf[:, 0 : i + 1] * q
        pmf[:, 0] *= 1.0 - q[:, 0]
    return pmf


def _pmf_fft(p: np.ndarray) -> np.ndarray:
    from scipy import fft as sp_fft

    n = p.size
    polys = np.stack([1.0 - p, p], axis=1)
    while polys.shape[0] > 1:
        if polys.shape[0] % 2:
            identity = np.zeros((1, polys.shape[1]))
            identity[0, 0] = 1.0
            polys = np.vstack([polys, identity])
        length = 2 * polys.shape[1] - 1
        size = sp_fft.next_fast_len(length, real=True)
        spectra = sp_fft.rfft(polys, size, axis=1)
        polys = sp_fft.irfft(spectra[0::2] * spectra[1::2], size, axis=1)[:, :length]
        polys = polys[:, : n + 1]
    pmf = np.clip(polys[0, : n + 1], 0.0, None)
    if pmf.size < n + 1:  # pragma: no cover - the product always reaches degree n
        pmf = np.pad(pmf, (0, n + 1 - pmf.size))
    return pmf / pmf.sum()


def poisson_binomial_pmf(p: ArrayLike, *, method: str = "auto") -> np.ndarray:
    """Probability of 0, 1, ..., n events among n people with event probabilities ``p``.

    Parameters
    ----------
    p : array-like of float in [0, 1]
        Each person's own probability of the event.
    method : {"auto", "dp", "fft"}
        ``"dp"``: exact dynamic programme, O(n²), stable; ``"fft"``: product tree with FFT
        convolutions, O(n log² n); ``"auto"``: ``"dp"`` up to ``DP_MAX_N`` people.

    Returns
    -------
    numpy.ndarray
        Length ``n + 1``; sums to one.

    Examples
    --------
    >>> poisson_binomial_pmf([0.5, 0.5]).tolist()
    [0.25, 0.5, 0.25]
    >>> poisson_binomial_pmf([0.2, 1.0]).round(3).tolist()
    [0.0, 0.8, 0.2]
    """
    if method not in METHODS:
        raise ValueError(METHOD_ERROR)
    p = _check(p)
    if p.size == 0:
        return np.ones(1)
    if method == "dp" or (method == "auto" and p.size <= DP_MAX_N):
        return _pmf_dp(p)
    return _pmf_fft(p)


def poisson_binomial_pmfs(p: ArrayLike) -> np.ndarray:
    """:func:`poisson_binomial_pmf` of each row of a 2-D array (one cohort's probabilities
    under several hypotheses), exact; rows of up to ``DP_ROWS_MAX_N`` people share one
    dynamic programme, longer ones use the FFT product tree row by row.

    Examples
    --------
    >>> poisson_binomial_pmfs([[0.5, 0.5], [0.2, 1.0]]).round(3).tolist()
    [[0.25, 0.5, 0.25], [0.0, 0.8, 0.2]]
    """
    p = np.atleast_2d(np.asarray(p, dtype=float))
    _check(p)
    if p.shape[1] == 0:
        return np.ones((p.shape[0], 1))
    if p.shape[1] <= DP_ROWS_MAX_N:
        return _pmf_dp_rows(p)
    return np.stack([_pmf_fft(row) for row in p])


def poisson_binomial_tails(
    observed: int, p: ArrayLike, *, method: str = "auto"
) -> tuple[float, float]:
    """Exact tail probabilities ``P(X <= observed)`` and ``P(X >= observed)``.

    ``X`` is the number of events if every person had an event with their own probability.

    Examples
    --------
    >>> lower, upper = poisson_binomial_tails(21, [0.71] * 38)
    >>> round(lower, 3)
    0.028
    """
    pmf = poisson_binomial_pmf(p, method=method)
    k = int(observed)
    if not 0 <= k < pmf.size:
        raise ValueError(f"observed count {k} is outside 0..{pmf.size - 1}")
    lower = float(min(1.0, pmf[: k + 1].sum()))
    upper = float(min(1.0, pmf[k:].sum()))
    return lower, upper
