"""Monotone by construction: the logistic scorecard's monotone basis and sign-constrained fit.

A feature with a declared direction (:data:`riskmodel.features.DIRECTIONS`, or a flat table's
``increasing``/``decreasing``) enters the scorecard through :class:`MonotoneBasis`, whose every
column is non-decreasing in the feature: the cumulative sums of a B-spline basis (I-spline
style; a spline whose B-spline coefficients never fall never falls) or, for a feature with few
distinct values, steps ``1[x >= u]`` at the most common of them and a capped hinge above the
last step. :class:`MonotoneLogisticRegression` then keeps
those columns' weights at or above 0 (``+1``) or at or below 0 (``-1``), so the log-odds, a
sum of weight x column, move only the declared way. A missing value is not ordered: it is
flagged in an indicator column with a free weight, or (the need scores, whose absence the
assessment coverage records) it takes the basis's training mean and contributes nothing.
:class:`MonotonePipeline`'s ``floors`` add linear constraints on the weights: a need area's
latest score at its maximum outweighs whatever its mean score can take away, so a need scored
2 never lowers the risk through its area (:func:`floor_constraints`).

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
    "floor_constraints",
    "meet_constraints",
]


class MonotoneBasis(SplineBasis):
    """A basis of one numeric column whose every column is non-decreasing in it.

    With at least ``min_unique`` distinct training values and at least three distinct quantile
    knots: the cumulative sums ``C_j = B_j + ... + B_m`` (``j >= 1``) of a cubic B-spline basis
    ``B_0 .. B_m`` with knots at the training quantiles, held constant beyond the training
    range. Otherwise (few distinct values, or a count that is mostly 0): a step ``1[x >= u]``
    at distinct training values above the smallest that at least ``min_step_share`` of the
    training values reach, at most ``n_knots + 1`` of them (spread over the quantiles of the
    values above the smallest), and, when training values lie above the last step, a hinge
    ``(min(x, largest) - last step) / spread`` that keeps the score rising there. A need score
    0/1/2 gets two steps, a flag one. With a single value: the standardised value, held at it.
    Every column is therefore bounded: :attr:`bottom_` at or below the smallest training
    value, :attr:`top_` at or above the largest.

    A missing value either takes the training median and is flagged in an indicator column with
    a free weight (``missing="indicator"``, when training had any), or takes the mean basis row
    of the training values present, with no indicator (``missing="mean"``): the person then
    sits exactly at the reference of the explanations, so the column contributes nothing,
    and a value never contributes the opposite way to its direction through a flag.

    Parameters
    ----------
    direction : {1, -1}
        The declared direction; the basis is the same, :attr:`signs_` carries it to the
        classifier.
    n_knots, degree, min_unique
        As :class:`~riskmodel.models.SplineBasis`.
    min_step_share : float
        The smallest share of training values at or above a step (rarer values share the
        hinge instead of a step of their own, which a few people would decide).
    missing : {"indicator", "mean"}
        How a missing value enters (above).

    Attributes
    ----------
    signs_ : ndarray of int
        ``direction`` for every basis column, 0 for the missing-value indicator.
    top_, bottom_ : ndarray
        The basis columns (indicator excluded) at the largest and at the smallest training
        value: every column's largest and smallest value anywhere.
    fill_ : ndarray or None
        ``missing="mean"``: the row a missing value takes (the training mean of the basis).

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

    A count that is mostly 0 gets steps where people are and one hinge for the rare rest:

    >>> counts = np.array([0.0] * 80 + [1.0] * 10 + [2.0] * 6 + [5.0, 9.0, 20.0, 40.0])
    >>> basis = MonotoneBasis(min_step_share=0.05).fit(counts.reshape(-1, 1))
    >>> basis.steps_.tolist(), basis.get_feature_names_out(["priors"]).tolist()
    ([1.0, 2.0], ['priors_from1', 'priors_from2', 'priors_above2'])
    >>> basis.transform([[0.0], [2.0], [21.0], [99.0]]).round(3).tolist()
    [[0.0, 0.0, 0.0], [1.0, 1.0, 0.0], [1.0, 1.0, 0.5], [1.0, 1.0, 1.0]]
    >>> need = MonotoneBasis(missing="mean").fit(np.array([[0.0], [1.0], [2.0], [np.nan]]))
    >>> need.transform([[np.nan], [2.0]]), need.top_
    (array([[0.66666667, 0.33333333],
           [1.        , 1.        ]]), array([1., 1.]))
    """

    _include_bias = True  # the cumulative sums need the whole partition of unity

    def __init__(
        self,
        *,
        direction: int = 1,
        n_knots: int = 5,
        degree: int = 3,
        min_unique: int = 8,
        min_step_share: float = 0.01,
        missing: str = "indicator",
    ) -> None:
        super().__init__(n_knots=n_knots, degree=degree, min_unique=min_unique)
        self.direction = direction
        self.min_step_share = min_step_share
        self.missing = missing

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.setdefault("min_step_share", 0.0)  # fitted before: a step at every value
        state.setdefault("hinge_", None)
        super().__setstate__(state)

    def fit(self, X: Any, y: Any = None) -> MonotoneBasis:
        if self.missing not in ("indicator", "mean"):
            raise ValueError(f"missing must be 'indicator' or 'mean', got {self.missing!r}")
        super().fit(X, y)
        column = np.asarray(X, dtype=float).reshape(len(X), -1)[:, 0]
        present = column[np.isfinite(column)]
        self.steps_, self.hinge_ = np.zeros(0), None
        self.range_ = (float(present.min()), float(present.max())) if present.size else (0.0, 0.0)
        if self.spline_ is None and np.unique(present).size >= 2:
            self.steps_ = self._choose_steps(present)
            if self.steps_[-1] < self.range_[1]:
                self.hinge_ = (float(self.steps_[-1]), self.range_[1] - float(self.steps_[-1]))
        self.flag_ = bool(self.has_missing_ and self.missing == "indicator")
        ends = self._basis(np.asarray(self.range_))
        self.bottom_, self.top_ = ends[0].copy(), ends[1].copy()
        self.fill_ = None
        if self.missing == "mean":
            self.fill_ = (
                self._basis(present).mean(axis=0) if present.size else np.zeros(ends.shape[1])
            )
        sign = 1 if self.direction >= 0 else -1
        self.signs_ = np.asarray([sign] * ends.shape[1] + [0] * self.flag_, dtype=np.int64)
        return self

    def _choose_steps(self, present: np.ndarray) -> np.ndarray:
        """Steps at the distinct values above the smallest that at least ``min_step_share`` of
        ``present`` reach (always the first), at most ``n_knots + 1``, spread over the quantiles
        of the values above the smallest."""
        values, counts = np.unique(present, return_counts=True)
        reach = counts[::-1].cumsum()[::-1] / present.size  # share at or above each value
        eligible = values[1:][reach[1:] >= self.min_step_share]
        if eligible.size == 0:
            return values[1:2]
        limit = self.n_knots + 1
        if eligible.size <= limit:
            return eligible
        above = present[(present > values[0]) & (present <= eligible[-1])]
        wanted = np.quantile(above, np.linspace(0, 1, limit + 1)[:-1])
        picks = np.unique(eligible[np.searchsorted(eligible, wanted).clip(0, eligible.size - 1)])
        return picks

    def _spline(self, values: np.ndarray) -> np.ndarray:
        basis = np.asarray(super()._spline(values), dtype=np.float64)
        # C_j = B_j + ... + B_m for j >= 1 (C_0 is 1 inside the range and carries nothing).
        return np.cumsum(basis[:, ::-1], axis=1)[:, ::-1][:, 1:]

    def _basis(self, values: np.ndarray) -> np.ndarray:
        """The basis columns (no indicator) of ``values`` (no missing values)."""
        if self.spline_ is not None:
            return self._spline(values)
        if self.steps_.size:
            steps = (values[:, None] >= self.steps_[None, :]).astype(np.float64)
            if self.hinge_ is None:
                return steps
            start, spread = self.hinge_
            above = (np.clip(values, start, self.range_[1]) - start) / spread
            return np.hstack([steps, above.reshape(-1, 1)])
        held = np.clip(values, *self.range_)  # one training value: a flat column
        return ((held - self.mean_) / self.scale_).reshape(-1, 1)

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "signs_")
        column = np.asarray(X, dtype=float).reshape(len(X), -1)[:, 0]
        missing = ~np.isfinite(column)
        if not hasattr(self, "flag_"):  # fitted before the bounded basis: as it was then
            return self._legacy_transform(column, missing)
        basis = self._basis(np.where(missing, self.median_, column))
        if self.fill_ is not None and missing.any():
            basis[missing] = self.fill_
        if not self.flag_:
            return basis
        return np.hstack([basis, missing.astype(np.float64).reshape(-1, 1)])

    def _legacy_transform(self, column: np.ndarray, missing: np.ndarray) -> np.ndarray:
        if self.spline_ is not None or not self.steps_.size:
            return super().transform(column.reshape(-1, 1))
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
            if getattr(self, "hinge_", None) is not None:
                names.append(f"{name}_above{self.hinge_[0]:g}")
        else:
            names = [name]
        if getattr(self, "flag_", self.has_missing_):
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


#: Weights of the quadratic penalty on unmet constraints, tried in turn (each fit starts from
#: the last) until every constraint holds; whatever is still unmet is then met exactly.
_PENALTY_WEIGHTS: tuple[float, ...] = (1e2, 1e4, 1e6)
#: Relative margin by which a constraint is met (:func:`meet_constraints`).
_MARGIN = 1e-9


def meet_constraints(A: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``weights`` with ``A @ weights >= 0`` made exact: in every row that falls short, the
    negative terms ``a_j w_j`` are shrunk by one factor until the positive ones outweigh them
    (by a relative margin of 1e-9)
    (rows are expected to read disjoint columns, as :class:`MonotonePipeline`'s floors do).
    Shrinking a weight towards 0 keeps its sign.

    Examples
    --------
    >>> meet_constraints(np.array([[1.0, -1.0]]), np.array([0.5, 2.0])).round(6).tolist()
    [0.5, 0.5]
    """
    weights = np.asarray(weights, dtype=np.float64).copy()
    for row in np.asarray(A, dtype=np.float64).reshape(-1, weights.size):
        terms = row * weights
        negative = terms < 0
        shortfall = -terms[negative].sum()
        # A margin of 1e-9 of the shortfall, so rounding in a sum never tips a row below 0.
        if row @ weights >= _MARGIN * shortfall:
            continue
        weights[negative] *= max(terms[~negative].sum(), 0.0) / shortfall * (1 - _MARGIN)
    return weights


def floor_constraints(preprocess: ColumnTransformer, Z: np.ndarray, floors: Any) -> np.ndarray:
    """One constraint row per floor ``(top, bottom)``: ``a @ w >= 0`` says that feature ``top``
    at its largest value adds at least as much above the design mean (the explanations'
    reference) as feature ``bottom`` at its smallest can take away. Both features must enter
    through a :class:`MonotoneBasis` without indicator (``missing="mean"``); a floor naming a
    feature the preprocessing lacks is skipped."""
    mean = Z.mean(axis=0)
    blocks = {}
    for name, transformer, _ in preprocess.transformers_:
        last = transformer[-1] if isinstance(transformer, Pipeline) else transformer
        if isinstance(last, MonotoneBasis):
            blocks[name] = (last, preprocess.output_indices_[name])
    rows = []
    for top, bottom in floors:
        if top not in blocks or bottom not in blocks:
            continue
        row = np.zeros(Z.shape[1])
        for feature, end in ((top, "top_"), (bottom, "bottom_")):
            basis, block = blocks[feature]
            if basis.flag_:
                raise ValueError(f"a floor needs {feature!r} without a missing-value indicator")
            row[block] = getattr(basis, end) - mean[block]
        rows.append(row)
    return np.asarray(rows).reshape(-1, Z.shape[1])


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
    constraints : array-like of shape (k, n_features), optional
        Rows ``a`` with ``a @ coef_ >= 0`` required (:class:`MonotonePipeline` sets them from
        its ``floors``). Approached by a quadratic penalty of rising weight, then met exactly:
        where a row still falls short, its negative terms are shrunk towards 0 (their weights
        keep their signs, so the directions hold too).

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
        self,
        *,
        C: float = 1.0,
        signs: Any = None,
        max_iter: int = 5000,
        tol: float = 1e-7,
        constraints: Any = None,
    ) -> None:
        self.C = C
        self.signs = signs
        self.max_iter = max_iter
        self.tol = tol
        self.constraints = constraints

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.setdefault("constraints", None)  # fitted before constraints existed
        super().__setstate__(state)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> MonotoneLogisticRegression:
        """Fit the weights; ``sample_weight`` weights each row's log loss (the penalty is
        unchanged, as in ``LogisticRegression``)."""
        Z = np.asarray(X, dtype=np.float64)
        self.classes_, target = np.unique(np.asarray(y), return_inverse=True)
        if self.classes_.size != 2:
            raise ValueError("MonotoneLogisticRegression needs exactly two classes")
        t = target.astype(np.float64)
        n, p = Z.shape
        signs = np.zeros(p, dtype=np.int64) if self.signs is None else np.asarray(self.signs)
        if signs.shape != (p,):
            raise ValueError(f"signs has {signs.size} entries for {p} columns")
        rows = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        if rows.shape != (n,) or not np.isfinite(rows).all() or (rows < 0).any():
            raise ValueError("sample_weight must be one finite, non-negative weight per row")
        rows = rows / n
        penalty = 1.0 / (self.C * n)
        A = np.zeros((0, p)) if self.constraints is None else np.asarray(self.constraints, float)
        A = A.reshape(-1, p)
        # The optimiser works on centred columns (the log-odds ``(Z - mean) @ w + c``, the
        # same model with intercept ``c - mean @ w``): the intercept then no longer fights the
        # weights, which cuts the iterations several-fold. The columns are never copied.
        centre = rows @ Z / rows.sum()
        # The two products with the design, nearly all of the time, read a single-precision
        # copy (half the memory traffic); everything else is double precision.
        single = Z.astype(np.float32)
        weight = 0.0  # of the quadratic penalty on unmet constraints

        def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
            w = theta[:p]
            z = (single @ w.astype(np.float32)).astype(np.float64) + (theta[p] - centre @ w)
            value = -(rows @ (t * log_expit(z) + (1 - t) * log_expit(-z)))
            residual = rows * (expit(z) - t)
            gradient = np.empty(p + 1)
            gradient[p] = residual.sum()
            projected = (single.T @ residual.astype(np.float32)).astype(np.float64)
            gradient[:p] = projected - centre * gradient[p] + penalty * w
            value += 0.5 * penalty * (w @ w)
            if weight:
                short = np.minimum(A @ w, 0.0)
                value += 0.5 * weight * (short @ short)
                gradient[:p] += weight * (A.T @ short)
            return float(value), gradient

        bounds = [(0.0, None) if s > 0 else (None, 0.0) if s < 0 else (None, None) for s in signs]
        rate = float(np.clip((rows @ t) / rows.sum(), 1e-6, 1 - 1e-6))
        theta = np.zeros(p + 1)
        theta[p] = np.log(rate / (1 - rate))
        iterations = 0
        for weight in (0.0, *_PENALTY_WEIGHTS):
            if weight and (A @ theta[:p] >= 0).all():
                break
            result = minimize(
                loss,
                theta,
                jac=True,
                method="L-BFGS-B",
                bounds=[*bounds, (None, None)],
                options={"maxiter": self.max_iter, "gtol": self.tol, "maxcor": 20},
            )
            theta, iterations = result.x, iterations + int(result.nit)
        weights = theta[:p].copy()
        # Exactly on the declared side, whatever the optimiser's last step.
        weights[signs > 0] = np.maximum(weights[signs > 0], 0.0)
        weights[signs < 0] = np.minimum(weights[signs < 0], 0.0)
        weights = meet_constraints(A, weights)
        self.coef_ = weights.reshape(1, -1)
        self.intercept_ = np.asarray([theta[p] - centre @ weights])
        self.n_iter_ = iterations
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
    (:func:`design_signs`) and the constraints of its ``floors`` (:func:`floor_constraints`).
    Everything else is :class:`sklearn.pipeline.Pipeline`'s.

    Parameters
    ----------
    steps : list
        As :class:`~sklearn.pipeline.Pipeline`.
    floors : sequence of (str, str)
        Pairs ``(top, bottom)`` of features: ``top`` at its largest value must contribute at
        least as much as ``bottom`` at its smallest takes away (the latest score of a need
        area and its mean score: a need scored at the maximum then never lowers the risk
        through its area, whatever the mean).
    """

    def __init__(
        self,
        steps: Any,
        *,
        floors: Any = (),
        transform_input: Any = None,
        memory: Any = None,
        verbose: bool = False,
    ) -> None:
        super().__init__(steps, transform_input=transform_input, memory=memory, verbose=verbose)
        self.floors = floors

    def __setstate__(self, state: dict[str, Any]) -> None:
        state = dict(state)
        state.setdefault("floors", ())  # fitted before floors existed
        super().__setstate__(state)

    def fit(
        self, X: Any, y: Any = None, sample_weight: Any = None, **params: Any
    ) -> MonotonePipeline:
        """Fit the preprocessing, then the classifier with the design's signs and floors;
        ``sample_weight`` goes to the classifier."""
        classifier = self.steps[-1][1]
        if not isinstance(classifier, MonotoneLogisticRegression):
            if sample_weight is not None:
                params[f"{self.steps[-1][0]}__sample_weight"] = sample_weight
            return super().fit(X, y, **params)
        preprocess = Pipeline(self.steps[:-1])
        Z = np.asarray(preprocess.fit_transform(X, y), dtype=np.float64)
        self.constrain(Z)
        classifier.fit(Z, y, sample_weight=sample_weight)
        return self

    def constrain(self, Z: np.ndarray) -> MonotoneLogisticRegression:
        """Give the classifier the signs and floors of the design ``Z`` that the fitted
        preprocessing made; the classifier, ready to fit on ``Z``."""
        classifier = self.steps[-1][1]
        columns = self.steps[-2][1]
        signs = constraints = None
        if isinstance(columns, ColumnTransformer):
            signs = design_signs(columns, Z.shape[1]).tolist()
            if self.floors:
                constraints = floor_constraints(columns, Z, self.floors).tolist() or None
        return classifier.set_params(signs=signs, constraints=constraints)
