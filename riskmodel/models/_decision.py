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
from scipy import sparse
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from riskmodel.models._ensemble import LogOddsEnsemble
from riskmodel.models._preprocess import MeanImputer, SplineBasis

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
        blocks = _design_blocks(preprocess, X)
        if blocks is None:  # columns not named in a data frame: the transformer's own way
            return total + np.asarray(preprocess.transform(X), dtype=np.float64) @ weights
        for where, block in blocks:
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
    one) whose transformers name their columns, applied to a data frame that has them all;
    anything else is its own ``transform`` (with its own checks of the input).

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
    blocks = _design_blocks(inner, X) if _built_here(inner) else None
    if blocks is None:
        return preprocess.transform(X)
    width = max((s.stop for s in inner.output_indices_.values()), default=0)
    design = np.zeros((len(X), width), dtype=np.float64)
    for where, block in blocks:
        design[:, where] = block
    return design


def _design_blocks(
    preprocess: ColumnTransformer, X: Any
) -> Iterator[tuple[slice, np.ndarray]] | None:
    """``(columns of the design, block)`` of every non-empty transformer of a fitted
    ``preprocess``: what its ``transform`` would place side by side, as float arrays. None
    unless ``X`` is a data frame with unique column names holding every column the
    transformers name, each by a list of names (positions, slices and masks are left to the
    transformer, which maps them to the names seen in fitting)."""
    if not isinstance(X, pd.DataFrame) or not X.columns.is_unique:
        return None
    present = set(X.columns)
    used = []
    for name, transformer, columns in preprocess.transformers_:
        where = preprocess.output_indices_.get(name)
        if transformer == "drop" or where is None or where.stop == where.start:
            continue
        if not isinstance(columns, list) or not all(
            isinstance(c, str) and c in present for c in columns
        ):
            return None
        used.append((where, transformer, columns))
    return _blocks(used, dict(X.items()))


def _identity(transformer: Any) -> bool:
    """Whether ``transformer`` hands its columns on as they are: ``"passthrough"``, which a
    fitted column transformer holds as a :class:`~sklearn.preprocessing.FunctionTransformer`
    without a function and without checks of its input (one that validates is left to do
    so)."""
    if isinstance(transformer, FunctionTransformer):
        return transformer.func is None and not transformer.validate
    return isinstance(transformer, str) and transformer == "passthrough"


def _reads_one_float_column(
    transformer: Any, columns: list[str], series: dict[str, pd.Series]
) -> bool:
    """Whether ``transformer`` reads its one column as a float array, whatever holds it: the
    package's own one-column numeric bases, and a passthrough of a float64 column."""
    if len(columns) != 1 or series[columns[0]].dtype != np.float64:
        return False
    return isinstance(transformer, (SplineBasis, MeanImputer)) or _identity(transformer)


def _blocks(
    used: list[tuple[slice, Any, list[str]]], series: dict[str, pd.Series]
) -> Iterator[tuple[slice, np.ndarray]]:
    """Each transformer's block, its columns taken from ``series``: a one-column float array
    for a transformer that reads one as such (no frame to build), otherwise a frame built
    from the columns' series (it keeps their dtypes and the index, and costs a fraction of
    what selecting them from the whole frame does)."""
    for where, transformer, columns in used:
        if _reads_one_float_column(transformer, columns, series):
            part: Any = series[columns[0]].to_numpy(dtype=np.float64).reshape(-1, 1)
        else:
            part = pd.DataFrame({c: series[c] for c in columns}, copy=False)
        block = part if _identity(transformer) else transformer.transform(part)
        if sparse.issparse(block):
            block = block.toarray()
        yield where, np.asarray(block, dtype=np.float64)
