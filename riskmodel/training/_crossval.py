"""Out-of-fold evaluation of the configured model and the baselines on identical folds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold

from riskmodel._errors import DataError
from riskmodel.evaluation import EVALUATION_GROUPS, evaluate_predictions, metrics_by_group
from riskmodel.models import BaseRateModel, make_model
from riskmodel.training._inputs import (
    ModelInputs,
    feature_directions,
    feature_lists,
    labelled_arrays,
)
from riskmodel.training._messages import CARRY_NOT_IN_DATA, CROSSVAL_ESTIMATE, TOO_FEW_FOR_FOLDS

__all__ = [
    "CROSSVAL_ESTIMATE",
    "TOO_FEW_FOR_FOLDS",
    "CrossValResult",
    "cross_validate",
    "fold_estimate",
    "ogrs3_available",
]


def ogrs3_available(X: pd.DataFrame) -> bool:
    """True when ``X`` carries every OGRS3 input (event data built by the feature code)."""
    from riskmodel.baselines import OGRS3_INPUTS

    return all(c in X.columns for c in OGRS3_INPUTS)


class CrossValResult:
    """Out-of-fold probabilities and metrics of every model compared."""

    def __init__(
        self,
        *,
        configured: str,
        oof: pd.DataFrame,
        metrics: dict[str, dict[str, Any]],
        fitted_families: list[str],
    ) -> None:
        self.configured = configured
        self.oof = oof
        self.metrics = metrics
        self.fitted_families = fitted_families

    def to_dict(self) -> dict[str, Any]:
        """The ``metrics.json`` of ``riskmodel crossval`` (CLI.md)."""
        return {
            "configured": self.configured,
            "models": self.metrics,
            "folds": int(self.oof["fold"].max() + 1),
            "families_fitted_by_fold": self.fitted_families,
        }


def fold_estimate(first: float, folds: int) -> str:
    """What to say once the first of ``folds`` folds took ``first`` seconds: the folds take
    about as long each (the same model fitted on as many people).

    Examples
    --------
    >>> import textwrap
    >>> print(textwrap.fill(fold_estimate(7.2, 5), 72))
    fold 1 of 5 took 7.2 s: the 5 folds should take about 36 s in all (29 s
    more), then the metrics with their bootstrap intervals
    """
    first = round(first, 1)  # the estimate is the time said times the folds
    return CROSSVAL_ESTIMATE.format(
        folds=folds, first=first, total=first * folds, left=first * (folds - 1)
    )


def cross_validate(
    inputs: ModelInputs,
    *,
    folds: int = 5,
    seed: int = 0,
    n_resamples: int = 1000,
    carry: Iterable[str] = (),
    wrap: Callable[[Iterable[Any], str, int], Iterable[Any]] | None = None,
    notify: Callable[[str], None] | None = None,
) -> CrossValResult:
    """Evaluate the configured model, the base-rate model and (when the data allow) OGRS3
    out of fold on the same stratified folds (shuffled with ``seed``).

    Everything the configured model chooses (family, regularisation) it chooses by inner
    cross-validation inside each training fold. ``notify`` is given, once the first fold is
    done, how long the folds should take in all (:func:`fold_estimate`).
    """
    table, y, _ = labelled_arrays(inputs)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if min(positives, negatives) < folds:
        raise DataError(
            TOO_FEW_FOR_FOLDS.format(folds=folds, positives=positives, negatives=negatives)
        )
    numeric, categorical = feature_lists(inputs)
    spec = inputs.config.model
    configured = spec.family
    template = make_model(
        spec, numeric=numeric, categorical=categorical, directions=feature_directions(inputs)
    )
    X = table.X
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    splits = list(splitter.split(np.zeros(len(y)), y))
    fold_of = np.empty(len(y), dtype=int)
    predictions: dict[str, np.ndarray] = {
        configured: np.empty(len(y)),
        "base_rate": np.empty(len(y)),
    }
    families: list[str] = []
    iterator: Iterable[Any] = enumerate(splits)
    if wrap is not None:
        iterator = wrap(iterator, "cross-validating", len(splits))
    started = time.perf_counter()
    for k, (train, test) in iterator:
        fold_of[test] = k
        model = clone(template).fit(X.iloc[train], y[train])
        families.append(model.family_)
        predictions[configured][test] = model.predict_proba(X.iloc[test])[:, 1]
        base = BaseRateModel().fit(X.iloc[train], y[train])
        predictions["base_rate"][test] = base.predict_proba(X.iloc[test])[:, 1]
        if k == 0 and notify is not None:
            notify(fold_estimate(time.perf_counter() - started, len(splits)))
    if ogrs3_available(X):
        from riskmodel.baselines import OGRS3Classifier

        predictions["ogrs3"] = OGRS3Classifier().fit(X).predict_proba(X)[:, 1]

    metrics: dict[str, dict[str, Any]] = {}
    for name, p in predictions.items():
        metrics[name] = evaluate_predictions(
            y_true=y, y_prob=p, n_resamples=n_resamples, seed=seed
        )
    present = [c for c in EVALUATION_GROUPS if c in table.groups.columns]
    if present:
        metrics[configured]["by_group"] = metrics_by_group(
            y_true=y,
            y_prob=predictions[configured],
            groups=table.groups[present],
            n_resamples=n_resamples,
            seed=seed,
        )

    oof = pd.DataFrame({"person_id": table.ids.to_numpy(), "fold": fold_of, "outcome": y})
    for name, p in predictions.items():
        oof[f"p_{name}"] = p
    for column in carry:
        if column in table.groups.columns:
            oof[column] = table.groups[column].to_numpy()
        elif column in table.X.columns:
            oof[column] = table.X[column].to_numpy()
        else:
            available = sorted(set(table.groups.columns) | set(table.X.columns))
            raise DataError(
                CARRY_NOT_IN_DATA.format(column=column, available=", ".join(available))
            )
    return CrossValResult(
        configured=configured, oof=oof, metrics=metrics, fitted_families=families
    )
