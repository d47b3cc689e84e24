"""The raw log-odds of a fitted pipeline, without building a linear model's whole design.

A scorecard's design has one block of columns per feature (a spline or step basis: hundreds
of columns in all), and its log-odds are the sum of each block times its own weights. Built
whole, the design of a chunk of 100,000 people takes hundreds of megabytes and most of the
time of scoring (the blocks are copied side by side before one product). :func:`raw_decision`
adds the blocks' products one block at a time instead: the same sum, block by block.

Any other two-step pipeline of a dense column transformer and a classifier fitted on its
array output (the gradient boosting's) gets its design built here block by block too, then
handed to the classifier. Either way each block's columns are taken from a table of the
frame's columns made once per call: selecting columns of a data frame one block at a time (as
:class:`~sklearn.compose.ColumnTransformer` does) costs a fixed fraction of a millisecond a
block, which for a scorecard of many one-feature blocks is most of the time of scoring a small
chunk.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing

from riskmodel.models._ensemble import LogOddsEnsemble

__all__ = ["design_matrix", "raw_decision"]


def _built_here(preprocess: Any) -> bool:
    """Whether ``preprocess`` is a fitted dense :class:`~sklearn.compose.ColumnTransformer`
    with array output that drops the columns it does not name: one whose design
    :func:`_design_blocks` builds."""
    if not isinstance(preprocess, ColumnTransformer) or getattr(preprocess, "sparse_output_", 1):
        return False
    output = getattr(preprocess, "_sklearn_output_config", {}).get("transform", "default")
    return output == "default" and preprocess.remainder == "drop"


def _dense_steps(pipeline: Any) -> tuple[ColumnTransformer, Any] | None:
    """``(preprocess, classifier)`` of a two-step pipeline whose preprocessing
    :func:`_design_blocks` builds; None for anything else."""
    if not isinstance(pipeline, Pipeline) or len(pipeline.steps) != 2:
        return None
    preprocess, classifier = pipeline.steps[0][1], pipeline.steps[1][1]
    return (preprocess, classifier) if _built_here(preprocess) else None


def _linear_blocks(pipeline: Any) -> tuple[ColumnTransformer, np.ndarray, float] | None:
    """``(preprocess, weights, intercept)`` of a :func:`_dense_steps` pipeline whose
    classifier is linear in its design (one row of ``coef_``); None for anything else."""
    steps = _dense_steps(pipeline)
    if steps is None:
        return None
    preprocess, classifier = steps
    coef = getattr(classifier, "coef_", None)
    intercept = getattr(classifier, "intercept_", None)
    if coef is None or intercept is None or np.ndim(coef) != 2 or np.shape(coef)[0] != 1:
        return None
    weights = np.asarray(coef, dtype=np.float64)[0]
    slices = getattr(preprocess, "output_indices_", {})
    if sum(s.stop - s.start for s in slices.values()) != weights.size:
        return None
    return preprocess, weights, float(np.ravel(intercept)[0])


def raw_decision(estimator: Any, X: Any) -> np.ndarray:
    """``estimator.decision_function(X)``, computed block by block for a linear pipeline.

    A :class:`~riskmodel.models.LogOddsEnsemble` is the weighted sum of its members' (each
    by this function); a two-step pipeline of a dense column transformer and a linear
    classifier is the intercept plus, for each transformer, its output times its slice of
    the weights; anything else is its own ``decision_function``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.compose import ColumnTransformer
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn.preprocessing import SplineTransformer
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    >>> y = (X["a"] + rng.normal(size=200) > 0).astype(int)
    >>> pipe = Pipeline([("preprocess", ColumnTransformer([("a", SplineTransformer(), ["a"]),
    ...     ("b", "passthrough", ["b"])])), ("classifier", LogisticRegression())]).fit(X, y)
    >>> bool(np.allclose(raw_decision(pipe, X), pipe.decision_function(X), atol=1e-12))
    True
    """
    if isinstance(estimator, LogOddsEnsemble):
        total = np.zeros(len(X))
        for weight, (_, member) in zip(estimator.weights_, estimator.members_, strict=True):
            total += weight * raw_decision(member, X)
        return total
    linear = _linear_blocks(estimator)
    if linear is not None:
        preprocess, weights, intercept = linear
        total = np.full(len(X), intercept, dtype=np.float64)
        for where, block in _design_blocks(preprocess, X):
            total += block @ weights[where]
        return total
    steps = _dense_steps(estimator)
    if steps is None or hasattr(steps[1], "feature_names_in_"):
        return np.asarray(estimator.decision_function(X), dtype=np.float64)
    preprocess, classifier = steps
    return np.asarray(classifier.decision_function(design_matrix(preprocess, X)), np.float64)


def design_matrix(preprocess: Any, X: Any) -> Any:
    """``preprocess.transform(X)``, built block by block for a fitted dense
    :class:`~sklearn.compose.ColumnTransformer` with array output (or a one-step pipeline of
    one); anything else is its own ``transform``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.compose import ColumnTransformer
    >>> from sklearn.preprocessing import OneHotEncoder, StandardScaler
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 4.0], "b": ["x", "y", "x"]})
    >>> ct = ColumnTransformer([("a", StandardScaler(), ["a"]),
    ...     ("b", OneHotEncoder(sparse_output=False), ["b"])]).fit(X)
    >>> bool(np.array_equal(design_matrix(ct, X), ct.transform(X)))
    True
    """
    inner = preprocess
    if isinstance(inner, Pipeline) and len(inner.steps) == 1:
        inner = inner.steps[0][1]
    if not _built_here(inner):
        return preprocess.transform(X)
    width = max((s.stop for s in inner.output_indices_.values()), default=0)
    design = np.zeros((len(X), width), dtype=np.float64)
    for where, block in _design_blocks(inner, X):
        design[:, where] = block
    return design


def _design_blocks(preprocess: ColumnTransformer, X: Any) -> Iterator[tuple[slice, np.ndarray]]:
    """``(columns of the design, block)`` of every non-empty transformer of a fitted
    ``preprocess``: what its ``transform`` would place side by side, as float arrays."""
    columns_of = _ColumnTable(X)
    for name, transformer, columns in preprocess.transformers_:
        where = preprocess.output_indices_.get(name)
        if transformer == "drop" or where is None or where.stop == where.start:
            continue
        part = columns_of.select(columns)
        block = part if transformer == "passthrough" else transformer.transform(part)
        yield where, np.asarray(block, dtype=np.float64)


class _ColumnTable:
    """Columns of ``X`` selected as :func:`sklearn.utils._safe_indexing` selects them, faster
    for a data frame and a list of column names (a frame built from the columns' series,
    which keeps their dtypes and the index)."""

    def __init__(self, X: Any) -> None:
        self.X = X
        by_name = isinstance(X, pd.DataFrame) and X.columns.is_unique
        self.series = dict(X.items()) if by_name else None

    def select(self, columns: Any) -> Any:
        names = self.series
        if (
            names is None
            or not isinstance(columns, list)
            or not all(isinstance(c, str) and c in names for c in columns)
            or len(set(columns)) != len(columns)
        ):
            return _safe_indexing(self.X, columns, axis=1)
        return pd.DataFrame({c: names[c] for c in columns}, copy=False)
