"""The NIJ Recidivism Forecasting Challenge's fairness-penalised score.

(The verdicts on fairness criteria are in :mod:`riskmodel.fairness._verdicts`.)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.fairness import _messages as const
from riskmodel.fairness._metrics import _brier, _fpr

__all__ = ["nij_fairness_score"]


def nij_fairness_score(
    *,
    y_true: np.ndarray,
    y_prob: np.ndarray,
    groups: pd.Series,
    column: str,
    group_a: str,
    group_b: str,
) -> dict:
    """The NIJ Recidivism Forecasting Challenge's fairness-penalised score for two groups.

    ``(1 - Brier) * (1 - |FPR_a - FPR_b|)`` with a prediction positive at p >= 0.5; the
    Brier score is over the people of both groups.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> out = nij_fairness_score(y_true=np.array([0, 0, 0, 1]),
    ...     y_prob=np.array([0.6, 0.2, 0.1, 0.3]), groups=pd.Series(["a", "a", "b", "b"]),
    ...     column="g", group_a="a", group_b="b")
    >>> round(out["score"], 4)
    0.3875
    """
    labels = np.asarray(groups, dtype=object).astype(str)
    s = np.asarray(y_prob, dtype=float)
    y = np.asarray(y_true, dtype=int)
    in_a = labels == group_a
    in_b = labels == group_b
    both = in_a | in_b
    brier = _brier(y[both], s[both])
    fpr_a = _fpr(y[in_a], s[in_a], threshold=const.NIJ_THRESHOLD)
    fpr_b = _fpr(y[in_b], s[in_b], threshold=const.NIJ_THRESHOLD)
    gap = abs(fpr_a - fpr_b)
    return {
        "column": column,
        "group_a": group_a,
        "group_b": group_b,
        "threshold": const.NIJ_THRESHOLD,
        "n": int(both.sum()),
        "brier": brier,
        "fpr_a": fpr_a,
        "fpr_b": fpr_b,
        "fpr_difference": gap,
        "score": (1 - brier) * (1 - gap),
    }
