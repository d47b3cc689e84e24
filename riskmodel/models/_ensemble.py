"""An ensemble combined in log-odds: one score that stays exactly explainable.

The members' decision functions (their log-odds) are averaged with fixed weights. Averaging in
log-odds, not in probability, keeps the score additive: an exact decomposition of each
member's log-odds, weighted and summed, is an exact decomposition of the ensemble's, and one
sigmoid calibrator on top of it is still linear in log-odds (``riskmodel.explain``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from riskmodel.models._weights import weight_params

__all__ = ["LogOddsEnsemble"]


class LogOddsEnsemble(ClassifierMixin, BaseEstimator):
    """Weighted average of the members' log-odds.

    Parameters
    ----------
    members : list of (str, estimator)
        Named binary classifiers with a ``decision_function`` in log-odds (a logistic
        regression or gradient boosted trees pipeline).
    weights : list of float, optional
        One weight per member, normalised to sum to 1 (default: equal weights).

    Attributes
    ----------
    members_ : list of (str, estimator)
        The fitted members.
    weights_ : ndarray
        The normalised weights.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.ensemble import HistGradientBoostingClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2))
    >>> y = (rng.random(300) < 1 / (1 + np.exp(-X[:, 0]))).astype(int)
    >>> ensemble = LogOddsEnsemble([("lr", LogisticRegression()),
    ...     ("gbm", HistGradientBoostingClassifier(max_iter=20))]).fit(X, y)
    >>> lr, gbm = (m.decision_function(X) for _, m in ensemble.members_)
    >>> bool(np.allclose(ensemble.decision_function(X), (lr + gbm) / 2))
    True
    """

    def __init__(self, members: list[tuple[str, Any]], weights: list[float] | None = None):
        self.members = members
        self.weights = weights

    def fit(self, X: Any, y: Any, sample_weight: Any = None, **fit_params: Any) -> LogOddsEnsemble:
        """Fit a clone of every member on ``X``, ``y`` (``sample_weight``: row weights, given
        to every member's classifier)."""
        weights = np.ones(len(self.members)) if self.weights is None else self.weights
        weights = np.asarray(weights, dtype=np.float64)
        if weights.shape != (len(self.members),) or not (weights > 0).all():
            raise ValueError("weights must be positive, one per member")
        self.weights_ = weights / weights.sum()
        self.members_ = [
            (name, clone(member).fit(X, y, **weight_params(member, sample_weight)))
            for name, member in self.members
        ]
        self.classes_ = self.members_[0][1].classes_
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The weighted average of the members' log-odds."""
        check_is_fitted(self, "members_")
        total = np.zeros(len(X))
        for weight, (_, member) in zip(self.weights_, self.members_, strict=True):
            total += weight * np.asarray(member.decision_function(X), dtype=np.float64)
        return total

    def predict_proba(self, X: Any) -> np.ndarray:
        """``1 / (1 + exp(-decision_function))`` as ``(n, 2)`` probabilities."""
        p = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        """The class with the larger probability."""
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
