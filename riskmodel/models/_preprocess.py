"""Preprocessing inside the model pipelines: spline bases, rare-level grouping, encodings.

Everything here is fitted on training rows only (inside cross-validation folds), so nothing
learnt from evaluation rows leaks into a model.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, SplineTransformer
from sklearn.utils.validation import check_is_fitted

from riskmodel.models._profiles import (
    PROFILE_BANDED,
    PROFILE_COUNTS,
    PROFILE_FEATURE,
    PROFILE_LEVELS,
    LatentProfiles,
)

#: Level of a categorical feature standing for a missing value.
MISSING_LEVEL = "missing"
#: Below this many rows a spline basis is evaluated row by row (finding distinct values
#: would cost more than it saves).
_MIN_ROWS_FOR_DISTINCT = 1_000


class SplineBasis(TransformerMixin, BaseEstimator):
    """Natural-looking B-spline basis of one numeric column, with a missing-value indicator.

    Knots sit at the unique quantiles of the training values, so skewed counts (prior
    offences) get knots where people are. Columns with few distinct values stay linear
    (standardised). Missing values are imputed with the training median and flagged in an
    extra indicator column when the training data had any. Beyond the training range the basis
    is held constant, as a scorecard caps its bands.

    Parameters
    ----------
    n_knots : int
        Number of quantile knots (before removing duplicates).
    degree : int
        Spline degree.
    min_unique : int
        Columns with fewer distinct values than this stay linear.

    Examples
    --------
    >>> import numpy as np
    >>> basis = SplineBasis().fit(np.arange(100.0).reshape(-1, 1))
    >>> basis.transform(np.array([[5.0], [np.nan]])).shape  # 6 spline columns, no missing
    (2, 6)
    """

    #: Whether the spline keeps its first B-spline column (a subclass needing the whole
    #: partition of unity sets it).
    _include_bias = False

    def __init__(self, *, n_knots: int = 5, degree: int = 3, min_unique: int = 8) -> None:
        self.n_knots = n_knots
        self.degree = degree
        self.min_unique = min_unique

    def fit(self, X: Any, y: Any = None) -> SplineBasis:
        values = np.asarray(X, dtype=float).reshape(len(X), -1)
        if values.shape[1] != 1:
            raise ValueError(f"SplineBasis takes one column, got {values.shape[1]}")
        column = values[:, 0]
        present = column[np.isfinite(column)]
        self.has_missing_ = bool(present.size < column.size)
        self.median_ = float(np.median(present)) if present.size else 0.0
        self.spline_ = None
        self.mean_, self.scale_ = 0.0, 1.0
        if np.unique(present).size >= self.min_unique:
            knots = np.unique(np.quantile(present, np.linspace(0, 1, self.n_knots)))
            # Knots closer than a billionth of the range (0 and 1e-308, say) would make the
            # basis divide by almost nothing: such a knot is dropped.
            apart = np.diff(knots) > 1e-9 * max(1.0, float(knots[-1] - knots[0]))
            knots = knots[np.concatenate([[True], apart])]
            if knots.size >= 3:
                self.spline_ = SplineTransformer(
                    knots=knots.reshape(-1, 1),
                    degree=self.degree,
                    extrapolation="constant",
                    include_bias=self._include_bias,
                ).fit(present.reshape(-1, 1))
        if self.spline_ is None and present.size:
            self.mean_ = float(present.mean())
            self.scale_ = float(present.std()) or 1.0
        self.n_features_in_ = 1
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "median_")
        column = np.asarray(X, dtype=float).reshape(len(X), -1)[:, 0]
        missing = ~np.isfinite(column)
        filled = np.where(missing, self.median_, column)
        if self.spline_ is not None:
            parts = [self._spline(filled)]
        else:
            parts = [(filled.reshape(-1, 1) - self.mean_) / self.scale_]
        if not self.has_missing_:
            return parts[0]  # a new array already: no copy (np.hstack would make one)
        parts.append(missing.astype(float).reshape(-1, 1))
        return np.hstack(parts)

    def _spline(self, values: np.ndarray) -> np.ndarray:
        """The spline basis of ``values`` (no missing values), evaluated once per distinct
        value and gathered: the same numbers, bit for bit, since each row's basis depends
        only on its own value. Distinct means distinct bit patterns (``-0.0`` and ``0.0``
        are evaluated apart). Most features are counts, flags or whole years with few
        distinct values, so this spares most of the spline evaluations of a large batch.
        """
        if len(values) < _MIN_ROWS_FOR_DISTINCT:
            return self.spline_.transform(values.reshape(-1, 1))
        bits, inverse = np.unique(values.view(np.int64), return_inverse=True)
        if len(bits) > len(values) // 2:
            return self.spline_.transform(values.reshape(-1, 1))
        table = self.spline_.transform(bits.view(np.float64).reshape(-1, 1))
        inverse = inverse.reshape(-1)
        if table.flags.f_contiguous:  # keep scikit-learn's (column-major) memory layout
            return np.take(np.ascontiguousarray(table.T), inverse, axis=1).T
        return np.take(table, inverse, axis=0)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "median_")
        name = "x0" if input_features is None else str(np.asarray(input_features)[0])
        if self.spline_ is not None:
            n = self.spline_.n_features_out_
            names = [f"{name}_sp{i}" for i in range(n)]
        else:
            names = [name]
        if self.has_missing_:
            names.append(f"{name}_missing")
        return np.asarray(names, dtype=object)


class MeanImputer(TransformerMixin, BaseEstimator):
    """One numeric column with its missing values replaced by the training mean (0 when
    training had no value): how gradient boosting reads a declared need score, so that its
    monotonic constraints order every value the trees see.

    Examples
    --------
    >>> import numpy as np
    >>> MeanImputer().fit([[0.0], [2.0], [np.nan]]).transform([[np.nan], [1.0]]).tolist()
    [[1.0], [1.0]]
    """

    def fit(self, X: Any, y: Any = None) -> MeanImputer:
        column = np.asarray(X, dtype=np.float64).reshape(len(X), -1)[:, 0]
        present = column[np.isfinite(column)]
        self.mean_ = float(present.mean()) if present.size else 0.0
        self.n_features_in_ = 1
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "mean_")
        column = np.asarray(X, dtype=np.float64).reshape(len(X), -1)[:, 0]
        return np.where(np.isfinite(column), column, self.mean_).reshape(-1, 1)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "mean_")
        name = "x0" if input_features is None else str(np.asarray(input_features)[0])
        return np.asarray([name], dtype=object)


class CategoryCleaner(TransformerMixin, BaseEstimator):
    """Categorical columns as plain strings, missing values as their own level.

    Examples
    --------
    >>> import pandas as pd
    >>> CategoryCleaner().fit_transform(pd.DataFrame({"a": ["x", None]})).tolist()
    [['x'], ['missing']]
    """

    def fit(self, X: Any, y: Any = None) -> CategoryCleaner:
        frame = pd.DataFrame(X)
        self.n_features_in_ = frame.shape[1]
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        frame = pd.DataFrame(X)
        out = np.empty(frame.shape, dtype=object)
        for j, column in enumerate(frame.columns):
            values = frame[column]
            present = values.notna().to_numpy()
            out[:, j] = MISSING_LEVEL
            out[present, j] = values[present].astype(str).to_numpy(dtype=object)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_in_")
        return self.feature_names_in_ if input_features is None else np.asarray(input_features)


class ColumnSplines(TransformerMixin, BaseEstimator):
    """A :class:`SplineBasis` of every column of a numeric matrix, side by side.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((50, 2))
    >>> ColumnSplines().fit(x).transform(x).shape  # 6 spline columns per input column
    (50, 12)
    """

    def __init__(self, *, n_knots: int = 5, degree: int = 3) -> None:
        self.n_knots = n_knots
        self.degree = degree

    def fit(self, X: Any, y: Any = None) -> ColumnSplines:
        values = np.asarray(X, dtype=np.float64)
        self.bases_ = [
            SplineBasis(n_knots=self.n_knots, degree=self.degree).fit(values[:, [j]])
            for j in range(values.shape[1])
        ]
        self.n_features_in_ = values.shape[1]
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "bases_")
        values = np.asarray(X, dtype=np.float64)
        return np.hstack([b.transform(values[:, [j]]) for j, b in enumerate(self.bases_)])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "bases_")
        names = (
            [f"x{j}" for j in range(self.n_features_in_)]
            if input_features is None
            else [str(f) for f in input_features]
        )
        return np.concatenate(
            [b.get_feature_names_out([n]) for b, n in zip(self.bases_, names, strict=True)]
        )


def _profile_block(basis: Any, seed: int) -> tuple[str, Any, list[str]]:
    """The block of offending profiles: the offence counts by group, need levels, age and
    Copas rate in, one column per profile out (then ``basis``, when given), explained as one
    feature (:class:`~riskmodel.models._profiles.LatentProfiles`)."""
    columns = [*PROFILE_COUNTS, *PROFILE_LEVELS, *PROFILE_BANDED]
    steps: list[tuple[str, Any]] = [("profiles", LatentProfiles(seed=seed))]
    if basis is not None:
        steps.append(("basis", basis))
    return (PROFILE_FEATURE, Pipeline(steps), columns)


def feature_preprocessor(
    family: str,
    numeric: list[str],
    categorical: list[str],
    *,
    profiles: bool = False,
    seed: int = 0,
    directions: dict[str, int] | None = None,
    impute: Collection[str] = (),
) -> ColumnTransformer:
    """The preprocessing of one model family: one block per input feature, named after it, so
    every output column belongs to exactly one feature (``{feature}__...``). With ``profiles``,
    one more block holds the offending-profile probabilities (explained as one feature,
    :data:`~riskmodel.models._profiles.PROFILE_FEATURE`).

    ``"logistic"`` (a scorecard): spline bases for numeric columns and for the profile
    probabilities, and one-hot encoding for categoricals (levels seen fewer than 10 times
    grouped). ``"gbm"``: numeric columns and profile probabilities as they are (missing values
    handled by the trees) and categoricals as ordinal codes (levels seen fewer than 20 times
    grouped; unseen levels and missing get codes of their own). The trees see plain numbers,
    never native categorical splits, so shap's TreeExplainer explains them exactly
    (ARCHITECTURE.md, "Known traps"). With ``directions``, the scorecard reads each numeric
    column with a declared direction through a monotone basis
    (:class:`~riskmodel.models._monotone.MonotoneBasis`) instead of a spline basis.

    ``impute`` names declared columns whose missing values take a training mean (a need score
    that was not assessed, the assessment coverage recording its absence): the scorecard's
    monotone basis gives them its mean row with no indicator, and gradient boosting reads
    them through a :class:`MeanImputer` (fitted on the training rows), so its monotonic constraints
    order every value it sees and no missing branch escapes them.

    Examples
    --------
    >>> [name for name, _, _ in feature_preprocessor("gbm", ["age"], ["sex"]).transformers]
    ['age', 'sex']
    """
    from riskmodel.models._monotone import MonotoneBasis  # a subclass of SplineBasis

    scorecard = family == "logistic"
    directions = directions or {}

    def basis(column: str) -> Any:
        imputed = column in impute and bool(directions.get(column))
        if not scorecard:
            if imputed:
                return MeanImputer()
            return "passthrough"
        if directions.get(column):
            return MonotoneBasis(
                direction=directions[column], missing="mean" if imputed else "indicator"
            )
        return SplineBasis()

    blocks: list[tuple[str, Any, list[str]]] = [
        (column, basis(column), [column]) for column in numeric
    ]
    if profiles:
        blocks.append(_profile_block(ColumnSplines() if scorecard else None, seed))
    for column in categorical:
        if scorecard:
            encoder: tuple[str, Any] = (
                "onehot",
                OneHotEncoder(
                    handle_unknown="infrequent_if_exist", min_frequency=10, sparse_output=False
                ),
            )
        else:
            encoder = (
                "ordinal",
                OrdinalEncoder(
                    handle_unknown="use_encoded_value",
                    unknown_value=-1,
                    min_frequency=20,
                    dtype=np.float64,
                ),
            )
        blocks.append((column, Pipeline([("clean", CategoryCleaner()), encoder]), [column]))
    return ColumnTransformer(blocks, remainder="drop", sparse_threshold=0.0)
