"""Explanations built by hand, for tests of what is said about them (bands, reasons)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.explain import Explanation


def exact_logistic_explanation(
    X: pd.DataFrame,
    contributions: pd.DataFrame,
    base_value: float,
    *,
    probability: np.ndarray | None = None,
    reference: str = "the people explained",
    method: str = "weight x (value - mean)",
) -> Explanation:
    """The exact explanation of a sigmoid-calibrated logistic score of the people of ``X``
    (ids ``"0"``, ``"1"``, ...): ``probability`` is the sigmoid of ``base_value`` plus each
    person's contributions unless given (give it where a figure must be exactly that one)."""
    if probability is None:
        probability = 1 / (1 + np.exp(-(base_value + contributions.sum(axis=1).to_numpy())))
    return Explanation(
        ids=pd.Series([str(i) for i in range(len(X))]),
        X=X,
        contributions=contributions,
        base_value=float(base_value),
        probability=np.asarray(probability, dtype=float),
        exact=True,
        family="logistic",
        calibration="sigmoid",
        reference=reference,
        method=method,
        max_additivity_error=0.0,
    )
