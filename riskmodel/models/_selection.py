"""Out-of-fold log-odds for choosing a model, and a calibration that reuses them.

:class:`~riskmodel.models.RiskModel` compares its candidates by inner cross-validated log loss.
The chosen candidate's out-of-fold log-odds are exactly what a calibration by cross-validation
(``CalibratedClassifierCV(ensemble=False)``) would compute on the same folds, so when the
choice was made on every training row, :func:`calibrate_with` fits the calibrator on them
instead of fitting every fold again. Scorecard candidates that differ only in ``C`` share each
fold's fitted preprocessing (:func:`path_log_odds`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.pipeline import Pipeline

from riskmodel.models._decision import design_matrix, raw_decision
from riskmodel.models._monotone import MonotonePipeline
from riskmodel.models._weights import weight_params

__all__ = ["calibrate_with", "out_of_fold_log_odds", "path_log_odds"]

Splits = Sequence[tuple[np.ndarray, np.ndarray]]


def _rows(X: Any, index: np.ndarray) -> Any:
    return X.iloc[index] if hasattr(X, "iloc") else np.asarray(X)[index]


def _check_partition(splits: Splits, n_rows: int) -> None:
    """Refuse ``splits`` whose held-out folds do not hold out each of ``n_rows`` rows exactly
    once (a row left out would keep an uninitialised log-odds)."""
    held_out = np.concatenate([np.asarray(test, dtype=np.int64) for _, test in splits])
    if not np.array_equal(np.sort(held_out), np.arange(n_rows)):
        raise ValueError("the splits must hold out every row exactly once")


def out_of_fold_log_odds(
    pipeline: Any,
    X: Any,
    y: np.ndarray,
    splits: Splits,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """The log-odds (``decision_function``) of ``pipeline`` for every row, each from the fit on
    the other folds of ``splits`` (with their ``sample_weight``): what
    :func:`~sklearn.model_selection.cross_val_predict` gives, each fold's log-odds computed by
    :func:`~riskmodel.models._decision.raw_decision`.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import KFold, cross_val_predict
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=200)})
    >>> y = (rng.random(200) < 1 / (1 + np.exp(-2 * X["x"]))).astype(int)
    >>> splits = list(KFold(4).split(X))
    >>> usual = cross_val_predict(LogisticRegression(), X, y, cv=splits,
    ...                           method="decision_function")
    >>> bool(np.allclose(out_of_fold_log_odds(LogisticRegression(), X, y, splits), usual))
    True
    """
    target = np.asarray(y)
    _check_partition(splits, len(target))
    out = np.empty(len(target), dtype=np.float64)
    for train, test in splits:
        weights = None if sample_weight is None else np.asarray(sample_weight)[train]
        fold = clone(pipeline).fit(
            _rows(X, train), target[train], **weight_params(pipeline, weights)
        )
        out[test] = raw_decision(fold, _rows(X, test))
    return out


def path_log_odds(
    pipeline: Pipeline,
    Cs: Sequence[float],
    X: Any,
    y: np.ndarray,
    splits: Splits,
    sample_weight: np.ndarray | None = None,
) -> list[np.ndarray]:
    """:func:`out_of_fold_log_odds` of a scorecard pipeline at every ``C`` of ``Cs``: in each
    fold the preprocessing is fitted once and shared by the classifiers of every ``C``. The
    same models as separate fits.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import KFold
    >>> from sklearn.preprocessing import StandardScaler
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=200)})
    >>> y = (rng.random(200) < 1 / (1 + np.exp(-2 * X["x"]))).astype(int)
    >>> splits = list(KFold(4).split(X))
    >>> pipe = Pipeline([("scale", StandardScaler()), ("lr", LogisticRegression(tol=1e-10))])
    >>> path = path_log_odds(pipe, [0.1, 1.0], X, y, splits)
    >>> alone = out_of_fold_log_odds(pipe.set_params(lr__C=1.0), X, y, splits)
    >>> bool(np.array_equal(path[1], alone))
    True
    """
    target = np.asarray(y)
    _check_partition(splits, len(target))
    out = [np.empty(len(target)) for _ in Cs]
    for train, test in splits:
        fold = clone(pipeline)
        preprocess = Pipeline(fold.steps[:-1])  # the fold's own (fitted in place) steps
        design = np.asarray(preprocess.fit_transform(_rows(X, train), target[train]))
        held_out = np.asarray(design_matrix(preprocess, _rows(X, test)))
        if isinstance(fold, MonotonePipeline):
            classifier = fold.constrain(design)
        else:
            classifier = fold.steps[-1][1]
        weights = None if sample_weight is None else np.asarray(sample_weight)[train]
        for i, C in enumerate(Cs):
            classifier.set_params(C=C).fit(design, target[train], sample_weight=weights)
            out[i][test] = classifier.decision_function(held_out)
    return out


def calibrate_with(
    fitted: Any,
    log_odds: np.ndarray,
    y: np.ndarray,
    *,
    method: str,
    sample_weight: np.ndarray | None = None,
) -> CalibratedClassifierCV:
    """A fitted ``CalibratedClassifierCV(ensemble=False)`` around the already fitted
    ``fitted``, its calibrator fitted on the out-of-fold ``log_odds`` of the same training
    rows: what ``CalibratedClassifierCV(fitted, cv=splits, ensemble=False).fit(X, y)`` gives
    when ``log_odds`` are the out-of-fold log-odds of ``splits``, without fitting the folds
    again.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.model_selection import KFold
    >>> rng = np.random.default_rng(1)
    >>> X = pd.DataFrame({"x": rng.normal(size=300)})
    >>> y = (rng.random(300) < 1 / (1 + np.exp(-X["x"]))).astype(int)
    >>> splits = list(KFold(3).split(X))
    >>> model = LogisticRegression()
    >>> usual = CalibratedClassifierCV(model, cv=splits, ensemble=False).fit(X, y)
    >>> reused = calibrate_with(
    ...     clone(model).fit(X, y),
    ...     out_of_fold_log_odds(model, X, y, splits),
    ...     y,
    ...     method="sigmoid",
    ... )
    >>> bool(np.allclose(usual.predict_proba(X), reused.predict_proba(X)))
    True
    """
    from sklearn.calibration import _fit_calibrator  # the step CalibratedClassifierCV runs

    classes = np.unique(np.asarray(y))
    calibrated = CalibratedClassifierCV(fitted, method=method, ensemble=False)
    calibrated.classes_ = classes
    calibrated.calibrated_classifiers_ = [
        _fit_calibrator(
            fitted,
            np.asarray(log_odds, dtype=float).reshape(-1, 1),
            np.asarray(y),
            classes,
            method,
            xp=np,
            sample_weight=sample_weight,
        )
    ]
    for name in ("n_features_in_", "feature_names_in_"):
        if hasattr(fitted, name):
            setattr(calibrated, name, getattr(fitted, name))
    return calibrated
