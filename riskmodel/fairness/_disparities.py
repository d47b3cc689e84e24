"""Disparities between groups with stratified bootstrap intervals.

People are resampled within their group (a stratified bootstrap: every resample keeps each
group's size). Because the strata are resampled independently, the resamples of each group
are drawn separately with :func:`riskmodel._bootstrap.bootstrap_indices` and paired by
resample number; every statistic is computed on all resamples at once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from riskmodel._bootstrap import bootstrap_indices, percentile_interval
from riskmodel.fairness import _messages as const

# SciPy is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

__all__ = ["bootstrap_group_metrics", "default_reference", "disparities"]


def _safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    out = np.full(np.broadcast(num, den).shape, np.nan)
    np.divide(num, den, out=out, where=den != 0)
    return out


def _vectorised_metrics(
    s: np.ndarray, y: np.ndarray, threshold: float, metrics: Sequence[str]
) -> np.ndarray:
    """Metrics of resampled rows: ``s`` and ``y`` have shape ``(b, n)``; result ``(b, k)``."""
    from scipy.stats import rankdata

    y = y.astype(bool)
    flagged = s >= threshold
    pos = y.sum(axis=1)
    neg = y.shape[1] - pos
    n_flagged = flagged.sum(axis=1)
    out = {}
    for m in metrics:
        if m == "base_rate":
            out[m] = y.mean(axis=1)
        elif m == "mean_score":
            out[m] = s.mean(axis=1)
        elif m == "selection_rate":
            out[m] = flagged.mean(axis=1)
        elif m == "fpr":
            out[m] = _safe_divide((flagged & ~y).sum(axis=1), neg)
        elif m == "fnr":
            out[m] = _safe_divide((~flagged & y).sum(axis=1), pos)
        elif m == "ppv":
            out[m] = _safe_divide((flagged & y).sum(axis=1), n_flagged)
        elif m == "auc":
            ranks = rankdata(s, axis=1)
            rank_sum = np.where(y, ranks, 0.0).sum(axis=1)
            out[m] = _safe_divide(rank_sum - pos * (pos + 1) / 2.0, pos * neg)
        elif m == "brier":
            out[m] = ((s - y) ** 2).mean(axis=1)
        elif m == "observed_expected":
            out[m] = _safe_divide(y.mean(axis=1), s.mean(axis=1))
        else:  # pragma: no cover - guarded by the metric lists
            raise ValueError(f"unknown metric {m!r}")
    return np.column_stack([out[m] for m in metrics])


def bootstrap_group_metrics(
    *,
    y_true: np.ndarray,
    y_score: np.ndarray,
    groups: pd.Series,
    threshold: float,
    metrics: Sequence[str],
    n_resamples: int = const.DEFAULT_N_RESAMPLES,
    seed: int = const.DEFAULT_SEED,
) -> dict[str, np.ndarray]:
    """Bootstrap replicates of each group's metrics, stratified by group.

    Returns ``{group: array of shape (n_resamples, len(metrics))}``; replicate ``i`` of every
    group belongs to the same stratified resample of the whole sample.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> reps = bootstrap_group_metrics(
    ...     y_true=np.array([0, 1, 1, 0]), y_score=np.array([0.2, 0.8, 0.6, 0.1]),
    ...     groups=pd.Series(["a", "a", "b", "b"]), threshold=0.5, metrics=["base_rate"],
    ...     n_resamples=10)
    >>> reps["a"].shape
    (10, 1)
    """
    rng = np.random.default_rng(seed)
    labels = np.asarray(groups, dtype=object).astype(str)
    s_all = np.asarray(y_score, dtype=float)
    y_all = np.asarray(y_true, dtype=int)
    replicates = {}
    for group in sorted(set(labels)):
        members = np.flatnonzero(labels == group)
        s, y = s_all[members], y_all[members]
        chunks = [
            _vectorised_metrics(s[idx], y[idx], threshold, metrics)
            for idx in bootstrap_indices(members.size, n_resamples=n_resamples, rng=rng)
        ]
        replicates[group] = np.concatenate(chunks, axis=0)
    return replicates


def default_reference(by_group: pd.DataFrame) -> str:
    """The largest group (the first in label order when sizes tie)."""
    n = by_group["n"]
    return str(n[n == n.max()].index.sort_values()[0])


def _interval(values: np.ndarray, confidence: float) -> list[float | None]:
    low, high = percentile_interval(values, confidence)
    return [float(low), float(high)]


def disparities(
    by_group: pd.DataFrame,
    replicates: dict[str, np.ndarray],
    *,
    metrics: Sequence[str],
    reference: str,
    confidence: float = const.DEFAULT_CONFIDENCE,
) -> dict:
    """Differences and ratios against ``reference`` and max - min, with bootstrap intervals.

    The max - min spread is taken over the groups not flagged small (over every group when
    fewer than two are large enough); ``max_min_groups`` names the groups used.

    Returns
    -------
    dict
        ``{"reference", "max_min_groups", "metrics": {metric: {"reference_value",
        "by_group": {group: {"value", "difference", "difference_ci", "ratio",
        "ratio_ci"}}, "max_min", "max_min_ci", "max_group", "min_group"}},
        "group_ci": {group: {metric: [low, high]}}}``.
    """
    groups = list(by_group.index)
    large = [g for g in groups if not by_group.loc[g, "small"]]
    spread_groups = large if len(large) >= 2 else groups
    ref_reps = replicates[reference]
    with np.errstate(invalid="ignore", divide="ignore"):
        stacked = np.stack([replicates[g] for g in spread_groups])  # (G, b, k)
        all_nan = np.all(np.isnan(stacked), axis=0)
        filled_max = np.where(np.isnan(stacked), -np.inf, stacked).max(axis=0)
        filled_min = np.where(np.isnan(stacked), np.inf, stacked).min(axis=0)
        spread_reps = np.where(all_nan, np.nan, filled_max - filled_min)
    result: dict = {
        "reference": reference,
        "max_min_groups": spread_groups,
        "metrics": {},
        "group_ci": {
            g: {m: _interval(replicates[g][:, j], confidence) for j, m in enumerate(metrics)}
            for g in groups
        },
    }
    for j, m in enumerate(metrics):
        ref_value = float(by_group.loc[reference, m])
        per_group = {}
        for g in groups:
            if g == reference:
                continue
            value = float(by_group.loc[g, m])
            per_group[g] = {
                "value": value,
                "difference": value - ref_value,
                "difference_ci": _interval(replicates[g][:, j] - ref_reps[:, j], confidence),
                "ratio": float(_safe_divide(value, ref_value)),
                "ratio_ci": _interval(
                    _safe_divide(replicates[g][:, j], ref_reps[:, j]), confidence
                ),
            }
        point = by_group.loc[spread_groups, m].astype(float).dropna()
        entry = {
            "reference_value": ref_value,
            "by_group": per_group,
            "max_min": float(point.max() - point.min()) if len(point) else np.nan,
            "max_min_ci": _interval(spread_reps[:, j], confidence),
            "max_group": str(point.idxmax()) if len(point) else None,
            "min_group": str(point.idxmin()) if len(point) else None,
        }
        result["metrics"][m] = entry
    return result
