"""Group metrics of a score, disaggregated with fairlearn's ``MetricFrame``.

Each metric is a function ``f(y_true, score)`` that returns NaN (JSON ``null``) when it is
undefined in a group (an AUC with one class, a PPV with nobody flagged) instead of warning,
raising or returning a misleading 0.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import pandas as pd

from riskmodel.fairness import _messages as const

# fairlearn and scikit-learn are imported where used, so that a command's --help, which
# imports this package, stays quick (tests/test_startup.py).

__all__ = ["group_metrics", "is_small", "metric_functions"]


def _base_rate(y_true, score) -> float:
    return float(np.mean(y_true))


def _mean_score(y_true, score) -> float:
    return float(np.mean(score))


def _flag(score, threshold: float) -> np.ndarray:
    return (np.asarray(score, dtype=float) >= threshold).astype(int)


def _selection_rate(y_true, score, *, threshold: float) -> float:
    from fairlearn.metrics import selection_rate

    return float(selection_rate(y_true, _flag(score, threshold), pos_label=1))


def _fpr(y_true, score, *, threshold: float) -> float:
    from fairlearn.metrics import false_positive_rate

    y = np.asarray(y_true)
    if not np.any(y == 0):
        return np.nan
    return float(false_positive_rate(y, _flag(score, threshold), pos_label=1))


def _fnr(y_true, score, *, threshold: float) -> float:
    from fairlearn.metrics import false_negative_rate

    y = np.asarray(y_true)
    if not np.any(y == 1):
        return np.nan
    return float(false_negative_rate(y, _flag(score, threshold), pos_label=1))


def _ppv(y_true, score, *, threshold: float) -> float:
    from sklearn.metrics import precision_score

    flagged = _flag(score, threshold)
    if not flagged.any():
        return np.nan
    return float(precision_score(y_true, flagged, labels=[0, 1], pos_label=1, zero_division=0))


def _auc(y_true, score) -> float:
    from sklearn.metrics import roc_auc_score

    y = np.asarray(y_true)
    if np.unique(y).size < 2:
        return np.nan
    return float(roc_auc_score(y, score))


def _brier(y_true, score) -> float:
    from sklearn.metrics import brier_score_loss

    return float(brier_score_loss(y_true, score, labels=[0, 1]))


def _observed_expected(y_true, score) -> float:
    expected = float(np.mean(score))
    return float(np.mean(y_true)) / expected if expected > 0 else np.nan


def _undefined(y_true, score) -> float:
    return np.nan


def metric_functions(threshold: float, score_kind: str) -> dict[str, Callable]:
    """The metric functions ``f(y_true, score)`` in report order, for ``MetricFrame``.

    ``brier`` and ``observed_expected`` are undefined (NaN) for an ordinal score.
    """
    from fairlearn.metrics import count

    probability = score_kind == const.PROBABILITY
    return {
        "n": count,
        "base_rate": _base_rate,
        "mean_score": _mean_score,
        "selection_rate": functools.partial(_selection_rate, threshold=threshold),
        "fpr": functools.partial(_fpr, threshold=threshold),
        "fnr": functools.partial(_fnr, threshold=threshold),
        "ppv": functools.partial(_ppv, threshold=threshold),
        "auc": _auc,
        "brier": _brier if probability else _undefined,
        "observed_expected": _observed_expected if probability else _undefined,
    }


def is_small(n: int, positives: int, negatives: int) -> bool:
    """Whether a group is too small for its figures to be read on their own."""
    return n < const.SMALL_GROUP_N or min(positives, negatives) < const.SMALL_GROUP_CLASS


def group_metrics(
    *,
    y_true: np.ndarray,
    y_score: np.ndarray,
    groups: pd.Series,
    threshold: float,
    score_kind: str,
) -> tuple[pd.DataFrame, pd.Series]:
    """Per-group and overall metrics of a score at a threshold.

    Parameters
    ----------
    y_true : ndarray of {0, 1}
        Whether each person reoffended.
    y_score : ndarray of float
        The score of each person (a probability or an ordinal score).
    groups : Series
        Group label of each person (the sensitive feature; never a model input).
    threshold : float
        People with ``score >= threshold`` count as flagged (predicted positive).
    score_kind : {"probability", "ordinal"}
        ``brier`` and ``observed_expected`` are NaN for an ordinal score.

    Returns
    -------
    by_group : DataFrame
        One row per group (sorted by label), the columns of ``GROUP_METRICS`` plus
        ``n_positive``, ``n_negative`` and ``small``.
    overall : Series
        The same metrics over everybody.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> by_group, overall = group_metrics(
    ...     y_true=np.array([1, 0, 0, 1]), y_score=np.array([0.9, 0.2, 0.7, 0.4]),
    ...     groups=pd.Series(["a", "a", "b", "b"], name="g"), threshold=0.5,
    ...     score_kind="probability")
    >>> by_group.loc["b", ["fpr", "fnr"]].tolist()
    [1.0, 1.0]
    """
    from fairlearn.metrics import MetricFrame

    y = np.asarray(y_true, dtype=int)
    s = np.asarray(y_score, dtype=float)
    frame = MetricFrame(
        metrics=metric_functions(threshold, score_kind),
        y_true=y,
        y_pred=s,
        sensitive_features=pd.Series(np.asarray(groups, dtype=object), name=groups.name),
    )
    by_group = frame.by_group.copy()
    by_group.index = by_group.index.map(str)
    by_group.index.name = groups.name
    by_group = by_group.sort_index()
    by_group = by_group.astype({"n": int}).astype(
        {m: float for m in const.GROUP_METRICS if m != "n"}
    )
    positives = pd.Series(y, dtype=int).groupby(np.asarray(groups, dtype=object)).sum()
    positives.index = positives.index.map(str)
    by_group["n_positive"] = positives.reindex(by_group.index).astype(int)
    by_group["n_negative"] = by_group["n"] - by_group["n_positive"]
    by_group["small"] = [
        is_small(n, p, q)
        for n, p, q in zip(
            by_group["n"], by_group["n_positive"], by_group["n_negative"], strict=True
        )
    ]
    overall = frame.overall.astype(float)
    overall["n"] = int(overall["n"])
    return by_group, overall
