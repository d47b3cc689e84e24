"""Discrimination and calibration metrics, vectorised over bootstrap resamples.

Every metric takes ``y_true`` (0/1 outcomes) and ``y_prob`` (probabilities), keyword-only and
in scikit-learn's order, of shape ``(n,)`` or ``(b, n)`` (``b`` resamples), and returns a float
or an array of shape ``(b,)``. Undefined values (AUC with one class) are NaN, written
to JSON as null.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy.stats import rankdata

from riskmodel._bootstrap import bootstrap_indices, percentile_interval
from riskmodel.evaluation._messages import BAD_INPUT

#: Metrics of ``metrics.json`` (CLI.md), each also given as ``{name}_ci``.
METRIC_NAMES: tuple[str, ...] = (
    "auc",
    "brier",
    "log_loss",
    "ece",
    "calibration_slope",
    "calibration_intercept",
    "observed_expected",
)
#: Equal-frequency bins of the expected calibration error.
N_BINS = 10
#: Probabilities are clipped to [EPS, 1 - EPS] before taking logs.
EPS = 1e-12


def _arrays(y_true: ArrayLike, y_prob: ArrayLike) -> tuple[np.ndarray, np.ndarray, bool]:
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    if y.shape != p.shape:
        raise ValueError(BAD_INPUT.format(detail=f"shapes {y.shape} and {p.shape}"))
    single = y.ndim == 1
    return np.atleast_2d(y), np.atleast_2d(p), single


def _out(values: np.ndarray, single: bool) -> Any:
    return float(values[0]) if single else values


def auc(*, y_true: ArrayLike, y_prob: ArrayLike) -> Any:
    """Area under the ROC curve (ties counted half); NaN when only one class is present.

    Examples
    --------
    >>> auc(y_true=[0, 0, 1, 1], y_prob=[0.1, 0.4, 0.35, 0.8])
    0.75
    """
    y, p, single = _arrays(y_true, y_prob)
    ranks = rankdata(p, axis=1)
    n_pos = y.sum(axis=1)
    n_neg = y.shape[1] - n_pos
    with np.errstate(invalid="ignore", divide="ignore"):
        value = ((ranks * y).sum(axis=1) - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg)
    value = np.where((n_pos > 0) & (n_neg > 0), value, np.nan)
    return _out(value, single)


def brier(*, y_true: ArrayLike, y_prob: ArrayLike) -> Any:
    """Mean squared difference between outcome and probability.

    Examples
    --------
    >>> round(brier(y_true=[0, 1], y_prob=[0.2, 0.6]), 6)
    0.1
    """
    y, p, single = _arrays(y_true, y_prob)
    return _out(((p - y) ** 2).mean(axis=1), single)


def log_loss(*, y_true: ArrayLike, y_prob: ArrayLike) -> Any:
    """Mean negative log-likelihood (natural log), probabilities clipped away from 0 and 1.

    Examples
    --------
    >>> round(log_loss(y_true=[0, 1], y_prob=[0.5, 0.5]), 4)
    0.6931
    """
    y, p, single = _arrays(y_true, y_prob)
    p = np.clip(p, EPS, 1 - EPS)
    return _out(-(y * np.log(p) + (1 - y) * np.log1p(-p)).mean(axis=1), single)


def expected_calibration_error(
    *, y_true: ArrayLike, y_prob: ArrayLike, n_bins: int = N_BINS
) -> Any:
    """ECE over ``n_bins`` equal-frequency bins: the size-weighted mean of
    |observed rate − mean predicted| per bin (CLI.md). People are ranked by ``y_prob`` and cut into
    bins as equal in size as possible.

    Examples
    --------
    >>> expected_calibration_error(y_true=[0, 1, 0, 1], y_prob=[0.5] * 4, n_bins=2)
    0.0
    """
    y, p, single = _arrays(y_true, y_prob)
    n = y.shape[1]
    order = np.argsort(p, axis=1, kind="stable")
    ys = np.take_along_axis(y, order, axis=1)
    ps = np.take_along_axis(p, order, axis=1)
    bins = min(n_bins, n)
    edges = np.linspace(0, n, bins + 1).round().astype(int)
    cy = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(ys, axis=1)], axis=1)
    cp = np.concatenate([np.zeros((y.shape[0], 1)), np.cumsum(ps, axis=1)], axis=1)
    sum_y = cy[:, edges[1:]] - cy[:, edges[:-1]]
    sum_p = cp[:, edges[1:]] - cp[:, edges[:-1]]
    # size-weighted mean of |observed rate − mean predicted| = Σ |Σy − Σp| / n
    return _out(np.abs(sum_y - sum_p).sum(axis=1) / n, single)


def observed_expected_ratio(*, y_true: ArrayLike, y_prob: ArrayLike) -> Any:
    """Observed over expected: the outcome rate divided by the mean probability (a number).

    :func:`riskmodel.cohort.observed_expected_summary` gives the counts, exact intervals and
    p-values of one cohort.

    Examples
    --------
    >>> observed_expected_ratio(y_true=[0, 1, 1, 0], y_prob=[0.25, 0.25, 0.25, 0.25])
    2.0
    """
    y, p, single = _arrays(y_true, y_prob)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = y.sum(axis=1) / p.sum(axis=1)
    return _out(value, single)


#: exp(-35): the steps' probabilities come from log-odds held within ±35.
_EXP_CLIP = float(np.exp(-35.0))


def _damped_newton(
    x: np.ndarray,
    y: np.ndarray,
    W: np.ndarray | None,
    a0: np.ndarray,
    a1: np.ndarray,
    *,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Maximum likelihood of ``logit P(y) = a0 + a1 x`` per row (optionally with case weights
    ``W``), Newton steps halved until the likelihood does not fall. ``x`` is one score per
    column, shared by every row (1-D), or one per cell (2-D)."""
    weights = np.ones_like(y) if W is None else W
    wy = weights * y
    shared = x.ndim == 1

    def row_sums(A: np.ndarray, v: np.ndarray) -> np.ndarray:
        """``(A * v).sum(axis=1)``, without the product array when ``v`` is shared."""
        return A @ v if shared else np.einsum("ij,ij->i", A, v)

    def at(b0: np.ndarray, b1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The log-likelihood of every row at ``(b0, b1)`` and the probabilities there (one
        exponential serves both)."""
        eta = b0[:, None] + b1[:, None] * x
        e = np.exp(-np.abs(eta))
        softplus = np.maximum(eta, 0.0) + np.log1p(e)  # log(1 + exp(eta))
        loglik = np.einsum("ij,ij->i", wy, eta) - np.einsum("ij,ij->i", weights, softplus)
        e = np.maximum(e, _EXP_CLIP)  # probabilities of log-odds held within ±35
        return loglik, np.where(eta >= 0, 1.0, e) / (1.0 + e)

    current, mu = at(a0, a1)
    x2 = x * x
    for _ in range(max_iter):
        w = weights * mu * (1 - mu)
        r = wy - weights * mu
        g0, g1 = r.sum(axis=1), row_sums(r, x)
        h00, h01, h11 = w.sum(axis=1), row_sums(w, x), row_sums(w, x2)
        det = h00 * h11 - h01**2
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            d0 = (h11 * g0 - h01 * g1) / det
            d1 = (h00 * g1 - h01 * g0) / det
        d0 = np.where(np.isfinite(d0), d0, 0.0)
        d1 = np.where(np.isfinite(d1), d1, 0.0)
        step = np.ones_like(a0)
        for _ in range(30):
            candidate, moved = at(a0 + step * d0, a1 + step * d1)
            worse = ~(candidate >= current - 1e-12 * np.abs(current))
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
        else:  # the last halving was not evaluated yet
            candidate, moved = at(a0 + step * d0, a1 + step * d1)
        a0, a1 = a0 + step * d0, a1 + step * d1
        current, mu = candidate, moved  # the new point's likelihood and probabilities
        if max(np.abs(step * d0).max(), np.abs(step * d1).max()) < tol:
            break
    return a0, a1


def calibration_slope_intercept(
    *, y_true: ArrayLike, y_prob: ArrayLike, max_iter: int = 50, tol: float = 1e-10
) -> tuple[Any, Any]:
    """Logistic recalibration ``logit P(y=1) = intercept + slope * logit(p)`` (maximum
    likelihood, Newton's method, vectorised over resamples). A perfectly calibrated score has
    slope 1 and intercept 0; a slope below 1 means predictions too extreme. NaN when undefined
    (one class, or no spread in ``y_prob``).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.95, 20000)
    >>> y = (rng.random(20000) < p).astype(int)
    >>> slope, intercept = calibration_slope_intercept(y_true=y, y_prob=p)
    >>> bool(abs(slope - 1) < 0.1 and abs(intercept) < 0.1)
    True
    """
    y, p, single = _arrays(y_true, y_prob)
    pc = np.clip(p, 1e-9, 1 - 1e-9)
    x = np.log(pc / (1 - pc))
    b = y.shape[0]
    n_pos = y.sum(axis=1)
    # some spread in the scores, as the resamples' (variance above 1e-12): a constant score
    # gives a standard deviation of rounding errors, not 0
    defined = (n_pos > 0) & (n_pos < y.shape[1]) & (x.std(axis=1) > 1e-6)
    a0, a1 = np.zeros(b), np.ones(b)
    if defined.any():  # fitted only where defined (two classes, some spread)
        a0[defined], a1[defined] = _damped_newton(
            x[defined], y[defined], None, a0[defined], a1[defined], max_iter=max_iter, tol=tol
        )
    defined &= np.isfinite(a0) & np.isfinite(a1) & (np.abs(a1) < 1e3)
    slope = np.where(defined, a1, np.nan)
    intercept = np.where(defined, a0, np.nan)
    return _out(slope, single), _out(intercept, single)


def _all_metrics(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    slope, intercept = calibration_slope_intercept(y_true=y, y_prob=p)
    return np.column_stack(
        [
            metric(y_true=y, y_prob=p)
            for metric in (auc, brier, log_loss, expected_calibration_error)
        ]
        + [slope, intercept, observed_expected_ratio(y_true=y, y_prob=p)]
    )


def _weighted_metrics(
    W: np.ndarray, y: np.ndarray, p: np.ndarray, starts: np.ndarray, start: tuple[float, float]
) -> np.ndarray:
    """Every metric of resamples given as counts ``W`` (shape ``(b, n)``, each row summing to
    ``n``) of the people sorted by ``p``; ``starts`` are the first positions of runs of tied
    ``p``. Same values as :func:`_all_metrics` on the resampled arrays, in O(b n)."""
    b, n = W.shape
    Wp = W * y
    Wn = W - Wp
    pos_g = np.add.reduceat(Wp, starts, axis=1)
    neg_g = np.add.reduceat(Wn, starts, axis=1)
    below = np.cumsum(neg_g, axis=1) - neg_g
    n_pos, n_neg = pos_g.sum(axis=1), neg_g.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc_v = (pos_g * (below + 0.5 * neg_g)).sum(axis=1) / (n_pos * n_neg)
    auc_v = np.where((n_pos > 0) & (n_neg > 0), auc_v, np.nan)
    pc = np.clip(p, EPS, 1 - EPS)
    brier_v = W @ ((p - y) ** 2) / n
    log_loss_v = W @ (-(y * np.log(pc) + (1 - y) * np.log1p(-pc))) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        oe_v = (W @ y) / (W @ p)
    # ECE: equal-frequency bins over the n resampled units in sorted order
    C = np.cumsum(W, axis=1)
    cy = np.cumsum(Wp, axis=1)
    cpp = np.cumsum(W * p, axis=1)
    edges = np.linspace(0, n, min(N_BINS, n) + 1).round().astype(int)
    rows = np.arange(b)
    sums_y = [np.zeros(b)]
    sums_p = [np.zeros(b)]
    for k in edges[1:-1]:
        j = (k > C).sum(axis=1)  # the person holding unit k
        prev = np.where(j > 0, C[rows, np.maximum(j - 1, 0)], 0.0)
        prev_y = np.where(j > 0, cy[rows, np.maximum(j - 1, 0)], 0.0)
        prev_p = np.where(j > 0, cpp[rows, np.maximum(j - 1, 0)], 0.0)
        sums_y.append(prev_y + (k - prev) * y[j])
        sums_p.append(prev_p + (k - prev) * p[j])
    sums_y.append(cy[:, -1])
    sums_p.append(cpp[:, -1])
    SY, SP = np.column_stack(sums_y), np.column_stack(sums_p)
    ece_v = np.abs(np.diff(SY, axis=1) - np.diff(SP, axis=1)).sum(axis=1) / n
    # calibration slope and intercept: weighted Newton from the full-sample estimate, only
    # for the resamples where they are defined (two classes, some spread in the scores), on
    # the runs of tied scores (each with its resampled people and outcomes: the same
    # likelihood, with one term per distinct score instead of one per person)
    x = np.log(np.clip(p, 1e-9, 1 - 1e-9) / (1 - np.clip(p, 1e-9, 1 - 1e-9)))
    a0 = np.full(b, start[1] if np.isfinite(start[1]) else 0.0)
    a1 = np.full(b, start[0] if np.isfinite(start[0]) else 1.0)
    spread = (W @ (x * x)) / n - ((W @ x) / n) ** 2
    fit = (n_pos > 0) & (n_neg > 0) & (spread > 1e-12)
    if fit.any():
        people = pos_g[fit] + neg_g[fit]
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(people > 0, pos_g[fit] / people, 0.0)
        a0[fit], a1[fit] = _damped_newton(
            x[starts], share, people, a0[fit], a1[fit], max_iter=25, tol=1e-9
        )
    defined = fit & (np.abs(a1) < 1e3)
    slope_v = np.where(defined, a1, np.nan)
    intercept_v = np.where(defined, a0, np.nan)
    return np.column_stack([auc_v, brier_v, log_loss_v, ece_v, slope_v, intercept_v, oe_v])


def _bootstrap_metrics(
    y: np.ndarray,
    p: np.ndarray,
    point: np.ndarray,
    *,
    n_resamples: int,
    confidence: float,
    seed: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    order = np.argsort(p, kind="stable")
    y, p = y[order], p[order]
    weights = None if weights is None else weights[order]
    n = y.size
    starts = np.flatnonzero(np.r_[True, np.diff(p) != 0])
    rng = np.random.default_rng(seed)
    replicates = []
    for idx in bootstrap_indices(n, n_resamples=n_resamples, rng=rng):
        b = idx.shape[0]
        flat = (idx + (np.arange(b) * n)[:, None]).ravel()
        W = np.bincount(flat, minlength=b * n).reshape(b, n).astype(float)
        if weights is not None:
            W = _normalised(W * weights)
        replicates.append(_weighted_metrics(W, y, p, starts, (point[4], point[5])))
    return percentile_interval(np.concatenate(replicates, axis=0), confidence)


def _normalised(W: np.ndarray) -> np.ndarray:
    """Row weights scaled so that each row sums to the number of people (as counts do)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return W * (W.shape[1] / W.sum(axis=1, keepdims=True))


def evaluate_predictions(
    *,
    y_true: ArrayLike,
    y_prob: ArrayLike,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    sample_weight: ArrayLike | None = None,
) -> dict[str, Any]:
    """Every metric of ``metrics.json`` with a percentile bootstrap interval.

    Returns a dict with ``n``, ``base_rate``, ``mean_predicted`` and, for every name in
    :data:`METRIC_NAMES`, the value and ``{name}_ci`` = ``[low, high]`` (NaN when undefined).

    ``sample_weight`` (e.g. inverse probability of censoring weights) weights every metric,
    the base rate and the mean prediction (``weighted`` is then true): a person of weight 2
    counts as two; the bootstrap resamples people with their weights.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> p = rng.uniform(0.1, 0.9, 500)
    >>> y = (rng.random(500) < p).astype(int)
    >>> m = evaluate_predictions(y_true=y, y_prob=p, n_resamples=200)
    >>> bool(m["auc_ci"][0] < m["auc"] < m["auc_ci"][1])
    True
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    if y.shape != p.shape or y.ndim != 1:
        raise ValueError(BAD_INPUT.format(detail=f"shapes {y.shape} and {p.shape}"))
    if np.isnan(y).any() or np.isnan(p).any():
        raise ValueError(BAD_INPUT.format(detail="missing values"))
    weights = None
    if sample_weight is not None:
        weights = np.asarray(sample_weight, dtype=float)
        if weights.shape != y.shape or not (np.isfinite(weights) & (weights >= 0)).all():
            raise ValueError(BAD_INPUT.format(detail="weights not finite and non-negative"))
    result: dict[str, Any] = {
        "n": int(y.size),
        "base_rate": float(np.average(y, weights=weights)) if y.size else float("nan"),
        "mean_predicted": float(np.average(p, weights=weights)) if y.size else float("nan"),
    }
    if weights is not None:
        result["weighted"] = True
    if y.size == 0:
        for name in METRIC_NAMES:
            result[name] = float("nan")
            result[f"{name}_ci"] = [float("nan"), float("nan")]
        return result
    if weights is None:
        point = _all_metrics(y[None, :], p[None, :])[0]
    else:
        point = _weighted_point(y, p, weights)
    intervals = _bootstrap_metrics(
        y, p, point, n_resamples=n_resamples, confidence=confidence, seed=seed, weights=weights
    )
    for j, name in enumerate(METRIC_NAMES):
        result[name] = float(point[j])
        result[f"{name}_ci"] = [float(intervals[j, 0]), float(intervals[j, 1])]
    return result


def _weighted_point(y: np.ndarray, p: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Every metric with row weights (:func:`_weighted_metrics` of the people sorted by ``p``,
    started from the unweighted calibration fit)."""
    order = np.argsort(p, kind="stable")
    ys, ps = y[order], p[order]
    starts = np.flatnonzero(np.r_[True, np.diff(ps) != 0])
    slope, intercept = calibration_slope_intercept(y_true=ys, y_prob=ps)
    W = _normalised(weights[order][None, :])
    return _weighted_metrics(W, ys, ps, starts, (slope, intercept))[0]


def metrics_by_group(
    *,
    y_true: ArrayLike,
    y_prob: ArrayLike,
    groups: pd.DataFrame,
    n_resamples: int = 1000,
    seed: int = 0,
    min_size: int = 1,
    sample_weight: ArrayLike | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """:func:`evaluate_predictions` within each value of each group column
    (``{column: {value: metrics}}``); missing values form a group ``"missing"``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> g = pd.DataFrame({"index_disposal": ["custody", "fine"] * 50})
    >>> p = np.linspace(0.1, 0.9, 100); y = (p > 0.5).astype(int)
    >>> sorted(metrics_by_group(y_true=y, y_prob=p, groups=g, n_resamples=50)["index_disposal"])
    ['custody', 'fine']
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for column in groups.columns:
        values = groups[column].astype("object").where(groups[column].notna(), "missing")
        values = values.astype(str).to_numpy()
        out[str(column)] = {}
        for value in sorted(pd.unique(values)):
            mask = values == value
            if mask.sum() < min_size:
                continue
            out[str(column)][str(value)] = evaluate_predictions(
                y_true=y[mask],
                y_prob=p[mask],
                n_resamples=n_resamples,
                seed=seed,
                sample_weight=None if sample_weight is None else np.asarray(sample_weight)[mask],
            )
    return out
