"""Monotone by construction: the logistic scorecard's monotone basis and sign-constrained fit.

A feature with a declared direction (:data:`riskmodel.features.DIRECTIONS`, or a flat table's
``increasing``/``decreasing``) enters the scorecard through :class:`MonotoneBasis`, whose every
column is non-decreasing in the feature: the cumulative sums of a B-spline basis (I-spline
style; a spline whose B-spline coefficients never fall never falls) or, for a feature with few
distinct values, steps ``1[x >= u]`` at them. :class:`MonotoneLogisticRegression` then keeps
those columns' weights at or above 0 (``+1``) or at or below 0 (``-1``), so the log-odds, a
sum of weight x column, move only the declared way. A missing-value indicator keeps a free
weight: a missing value is not ordered.

:class:`MonotonePipeline` is an ordinary scikit-learn pipeline that, once its preprocessing is
fitted, tells the classifier the sign of every design column (:func:`design_signs`). The
classifier is a plain logistic regression in every other respect (``coef_``,
``intercept_``, ``decision_function``), so the exact linear explanations are unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from riskmodel.models._preprocess import SplineBasis

__all__ = [
    "MonotoneBasis",
    "MonotoneLogisticRegression",
    "MonotonePipeline",
    "design_signs",
]


class MonotoneBasis(SplineBasis):
    """A basis of one numeric column whose every column is non-decreasing in it.

    With at least ``min_unique`` distinct training values: the cumulative sums
    ``C_j = B_j + ... + B_m`` (``j >= 1``) of a cubic B-spline basis ``B_0 .. B_m`` with knots at
    the training quantiles, held constant beyond the training range. With fewer: a step
    ``1[x >= u]`` at every distinct training value but the smallest (a need score 0/1/2 gets
    two steps, a flag one). With a single value: the standardised value. Missing values are
    imputed with the training median and flagged in an indicator column when training had any.

    Parameters
    ----------
    direction : {1, -1}
        The declared direction; the basis is the same, :attr:`signs_` carries it to the
        classifier.
    n_knots, degree, min_unique
        As :class:`~riskmodel.models.SplineBasis`.

    Attributes
    ----------
    signs_ : ndarray of int
        ``direction`` for every basis column, 0 for the missing-value indicator.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 10, 200).reshape(-1, 1)
    >>> basis = MonotoneBasis(direction=-1).fit(x)
    >>> bool((np.diff(basis.transform(x), axis=0) >= -1e-12).all()), basis.signs_.tolist()
    (True, [-1, -1, -1, -1, -1, -1])
    >>> MonotoneBasis().fit(np.array([[0.0], [1.0], [2.0]])).transform([[1.0], [2.0]])
    array([[1., 0.],
           [1., 1.]])
    """

    _include_bias = True  # the cumulative sums need the whole partition of unity

    def __init__(
        self, *, direction: int = 1, n_knots: int = 5, degree: int = 3, min_unique: int = 8
    ) -> None:
        super().__init__(n_knots=n_knots, degree=degree, min_unique=min_unique)
        self.direction = direction

    def fit(self, X: Any, y: Any = None) -> MonotoneBasis:
        super().fit(X, y)
        column = np.asarray(X, dtype=float).reshape(len(X), -1)[:, 0]
        present = column[np.isfinite(column)]
        self.steps_ = np.zeros(0)
        if self.spline_ is None and np.unique(present).size >= 2:
            self.steps_ = np.unique(present)[1:]
        n_basis = (
            self.spline_.n_features_out_ - 1
            if self.spline_ is not None
            else max(self.steps_.size, 1)
        )
        sign = 1 if self.direction >= 0 else -1
        self.signs_ = np.asarray([sign] * n_basis + [0] * self.has_missing_, dtype=np.int64)
        return self

    def _spline(self, values: np.ndarray) -> np.ndarray:
        basis = np.asarray(super()._spline(values), dtype=np.float64)
        # C_j = B_j + ... + B_m for j >= 1 (C_0 is 1 inside the range and carries nothing).
        return np.cumsum(basis[:, ::-1], axis=1)[:, ::-1][:, 1:]

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "signs_")
        if self.spline_ is not None or not self.steps_.size:
            return super().transform(X)
        column = np.asarray(X, dtype=float).reshape(len(X), -1)[:, 0]
        missing = ~np.isfinite(column)
        filled = np.where(missing, self.median_, column)
        parts = [(filled[:, None] >= self.steps_[None, :]).astype(np.float64)]
        if self.has_missing_:
            parts.append(missing.astype(np.float64).reshape(-1, 1))
        return np.hstack(parts)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "signs_")
        name = "x0" if input_features is None else str(np.asarray(input_features)[0])
        if self.spline_ is not None:
            names = [f"{name}_up{i}" for i in range(self.spline_.n_features_out_ - 1)]
        elif self.steps_.size:
            names = [f"{name}_from{u:g}" for u in self.steps_]
        else:
            names = [name]
        if self.has_missing_:
            names.append(f"{name}_missing")
        return np.asarray(names, dtype=object)


def design_signs(preprocess: ColumnTransformer, n_columns: int) -> np.ndarray:
    """The sign constraint of every column of a fitted ColumnTransformer's output: the block's
    :attr:`MonotoneBasis.signs_` where the block is (or ends in) a monotone basis, 0 (free)
    elsewhere."""
    signs = np.zeros(n_columns, dtype=np.int64)
    for name, transformer, _ in preprocess.transformers_:
        last = transformer[-1] if isinstance(transformer, Pipeline) else transformer
        block = preprocess.output_indices_.get(name, slice(0, 0))
        if isinstance(last, MonotoneBasis):
            signs[block] = last.signs_
    return signs


class MonotoneLogisticRegression(ClassifierMixin, BaseEstimator):
    """L2-regularised logistic regression with sign-constrained weights (bounded L-BFGS-B).

    Minimises ``mean log loss + ||w||^2 / (2 C n)`` (the intercept unpenalised): the objective
    of ``LogisticRegression(C=C)``, scaled by ``1 / (C n)``, with ``w_j >= 0`` where
    ``signs[j] > 0`` and ``w_j <= 0`` where ``signs[j] < 0``.

    Parameters
    ----------
    C : float
        Inverse regularisation strength, as in ``LogisticRegression``.
    signs : array-like of int, optional
        One sign per column (0: free); :class:`MonotonePipeline` sets it from the
        preprocessing. None: every weight free.
    max_iter : int
        Most L-BFGS-B iterations.
    tol : float
        Gradient tolerance of L-BFGS-B.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray
    n_iter_ : int

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(500, 2))
    >>> y = (rng.random(500) < 1 / (1 + np.exp(-X[:, 0] + X[:, 1]))).astype(int)
    >>> model = MonotoneLogisticRegression(signs=[1, 1]).fit(X, y)
    >>> bool(model.coef_[0, 0] > 0), float(model.coef_[0, 1])
    (True, 0.0)
    """

    def __init__(
        self, *, C: float = 1.0, signs: Any = None, max_iter: int = 5000, tol: float = 1e-7
    ) -> None:
        self.C = C
        self.signs = signs
        self.max_iter = max_iter
        self.tol = tol

    def fit(self, X: Any, y: Any) -> MonotoneLogisticRegression:
        Z = np.asarray(X, dtype=np.float64)
        self.classes_, target = np.unique(np.asarray(y), return_inverse=True)
        if self.classes_.size != 2:
            raise ValueError("MonotoneLogisticRegression needs exactly two classes")
        t = target.astype(np.float64)
        n, p = Z.shape
        signs = np.zeros(p, dtype=np.int64) if self.signs is None else np.asarray(self.signs)
        if signs.shape != (p,):
            raise ValueError(f"signs has {signs.size} entries for {p} columns")
        penalty = 1.0 / (self.C * n)

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w, b = theta[:p], theta[p]
            z = Z @ w + b
            value = -np.mean(t * log_expit(z) + (1 - t) * log_expit(-z))
            residual = (expit(z) - t) / n
            gradient = np.empty(p + 1)
            gradient[:p] = Z.T @ residual + penalty * w
            gradient[p] = residual.sum()
            return float(value + 0.5 * penalty * (w @ w)), gradient

        bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs]
        rate = float(np.clip(t.mean(), 1e-6, 1 - 1e-6))
        start = np.zeros(p + 1)
        start[p] = np.log(rate / (1 - rate))
        result = minimize(
            loss,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=[*bounds, (None, None)],
            options={"maxiter": self.max_iter, "gtol": self.tol, "maxcor": 20},
        )
        weights = result.x[:p].copy()
        # Exactly on the declared side, whatever the optimiser's last step.
        weights[signs > 0] = np.maximum(weights[signs > 0], 0.0)
        weights[signs < 0] = np.minimum(weights[signs < 0], 0.0)
        self.coef_ = weights.reshape(1, -1)
        self.intercept_ = np.asarray([result.x[p]])
        self.n_iter_ = int(result.nit)
        self.n_features_in_ = p
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The log-odds ``X @ coef_ + intercept_``."""
        check_is_fitted(self, "coef_")
        return np.asarray(X, dtype=np.float64) @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X: Any) -> np.ndarray:
        p = expit(self.decision_function(X))
        return np.column_stack([1.0 - p, p])

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[(self.decision_function(X) > 0).astype(int)]


class MonotonePipeline(Pipeline):
    """A pipeline (preprocessing, then a :class:`MonotoneLogisticRegression`) that, once its
    preprocessing is fitted, gives the classifier the sign of every design column
    (:func:`design_signs`). Everything else is :class:`sklearn.pipeline.Pipeline`'s."""

    def fit(self, X: Any, y: Any = None, **params: Any) -> MonotonePipeline:
        classifier = self.steps[-1][1]
        if not isinstance(classifier, MonotoneLogisticRegression):
            return super().fit(X, y, **params)
        preprocess = Pipeline(self.steps[:-1])
        Z = np.asarray(preprocess.fit_transform(X, y), dtype=np.float64)
        columns = self.steps[-2][1]
        signs = (
            design_signs(columns, Z.shape[1]) if isinstance(columns, ColumnTransformer) else None
        )
        classifier.set_params(signs=None if signs is None else signs.tolist())
        classifier.fit(Z, y)
        return self
