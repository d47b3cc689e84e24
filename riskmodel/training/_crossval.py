"""Out-of-fold evaluation of the configured model and the baselines on identical folds."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from riskmodel._errors import DataError
from riskmodel._horizon import horizon_suffix
from riskmodel.evaluation import heldout_metrics
from riskmodel.models import BaseRateModel, _splits
from riskmodel.training._inputs import (
    ModelInputs,
    configured_model,
    labelled_arrays,
    sample_weights,
    survival_summary,
)
from riskmodel.training._messages import CARRY_NOT_IN_DATA, CROSSVAL_ESTIMATE, TOO_FEW_FOR_FOLDS
from riskmodel.training._split import (
    SplitRequest,
    fold_sentence,
    row_unit,
    split_rows,
    split_sentence,
)

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


@dataclass(kw_only=True, eq=False)
class CrossValResult:
    """Out-of-fold probabilities and metrics of every model compared."""

    configured: str
    oof: pd.DataFrame
    metrics: dict[str, dict[str, Any]]
    fitted_families: list[str]
    #: The unlabelled and the rates at the horizon of a time-to-event table, else None.
    survival: dict[str, Any] | None = None
    #: Time to reoffence of the out-of-fold people (``FeatureTable.survival``) or None.
    times: pd.DataFrame | None = None
    #: How the rows were split (``sentence`` states it in words).
    split: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.split = self.split or {}

    def to_dict(self) -> dict[str, Any]:
        """The ``metrics.json`` of ``riskmodel crossval`` (CLI.md)."""
        out = {
            "configured": self.configured,
            "models": self.metrics,
            "folds": int(self.oof["fold"].max() + 1),
            "families_fitted_by_fold": self.fitted_families,
            "split": self.split,
        }
        if self.survival is not None:
            out["survival"] = self.survival
        return out


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
    request: SplitRequest | None = None,
    notify: Callable[[str], None] | None = None,
) -> CrossValResult:
    """Evaluate the configured model, the base-rate model and (when the data allow) OGRS3
    out of fold on the same stratified folds (shuffled with ``seed``). OGRS3 is compared on
    its scale of the label's horizon (one or two years; at another horizon it has none).

    Everything the configured model chooses (family, regularisation) it chooses by inner
    cross-validation inside each training fold. When a person may have several rows, the
    folds (and the inner ones) keep each person's rows together. A temporal ``request``
    (``--test-from``, ``--test-periods``) replaces the folds by one forward split: every
    model is fitted on the earlier part and ``oof`` holds the later part (fold 0).
    ``notify`` is given, once the first fold is done, how long the folds should take in all
    (:func:`fold_estimate`).
    """
    table, y, dates = labelled_arrays(inputs)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    request = request or SplitRequest()
    if not request.temporal and min(positives, negatives) < folds:
        raise DataError(
            TOO_FEW_FOR_FOLDS.format(folds=folds, positives=positives, negatives=negatives)
        )
    configured = inputs.config.model.family
    template = configured_model(inputs)
    groups = table.person_groups()
    unit = row_unit(table)
    if request.temporal:
        train, test, split = split_rows(
            y, dates, test_fraction=0.2, seed=seed, groups=groups, periods=table.periods,
            request=request,
        )  # fmt: skip
        split["sentence"] = split_sentence(split, unit=unit)
        splits = [(train, test)]
    else:
        splits = _splits.fold_splits(y, groups, folds, seed)
        split = {"method": "out of fold", "folds": folds, "seed": seed}
        if groups is not None:
            split["grouped_by_person"] = True
            split["n_persons"] = len(np.unique(groups))
        split["sentence"] = fold_sentence(folds, seed, groups=groups)
    X = table.X
    weights = sample_weights(table)
    fold_of = np.full(len(y), -1, dtype=int)
    predictions: dict[str, np.ndarray] = {
        configured: np.full(len(y), np.nan),
        "base_rate": np.full(len(y), np.nan),
    }
    families: list[str] = []
    iterator: Iterable[Any] = enumerate(splits)
    if wrap is not None:
        iterator = wrap(iterator, "cross-validating", len(splits))
    started = time.perf_counter()
    for k, (train, test) in iterator:
        fold_of[test] = k
        w_train = None if weights is None else weights[train]
        model = clone(template).fit(
            X.iloc[train],
            y[train],
            sample_weight=w_train,
            groups=None if groups is None else groups[train],
        )
        families.append(model.family_)
        predictions[configured][test] = model.predict_proba(X.iloc[test])[:, 1]
        base = BaseRateModel().fit(X.iloc[train], y[train], sample_weight=w_train)
        predictions["base_rate"][test] = base.predict_proba(X.iloc[test])[:, 1]
        if k == 0 and notify is not None:
            notify(fold_estimate(time.perf_counter() - started, len(splits)))
    scored = fold_of >= 0  # every row out of fold; the test part of a temporal split
    split["n_labelled"] = len(y)
    ogrs3_scale = horizon_suffix(inputs.horizon_months)  # OGRS3 has one- and two-year scales
    if ogrs3_available(X) and ogrs3_scale in ("1y", "2y"):
        from riskmodel.baselines import OGRS3Classifier

        ogrs3 = OGRS3Classifier(horizon=ogrs3_scale)
        predictions["ogrs3"] = ogrs3.fit(X).predict_proba(X)[:, 1]
    predictions = {name: p[scored] for name, p in predictions.items()}
    y_scored = y[scored]
    w_scored = None if weights is None else weights[scored]
    groups_scored = table.groups.loc[scored].reset_index(drop=True)

    times = None
    if table.survival is not None:
        times = table.survival.loc[scored].reset_index(drop=True)
    # The configured model is also measured by group and over time; the others overall only.
    detail = {"groups": groups_scored, "times": times, "horizon_months": inputs.follow_up_months}
    resampling = {"n_resamples": n_resamples, "seed": seed, "sample_weight": w_scored}
    metrics: dict[str, dict[str, Any]] = {}
    for name, p in predictions.items():
        extra = detail if name == configured else {}
        metrics[name] = heldout_metrics(y_true=y_scored, y_prob=p, **resampling, **extra)
    oof = table.keys().loc[scored].reset_index(drop=True)
    oof["fold"] = fold_of[scored]
    oof["outcome"] = y_scored
    if w_scored is not None:
        oof["weight"] = w_scored
    for name, p in predictions.items():
        oof[f"p_{name}"] = p
    for column in carry:
        if column in table.groups.columns:
            oof[column] = groups_scored[column].to_numpy()
        elif column in table.X.columns:
            oof[column] = table.X.loc[scored, column].to_numpy()
        else:
            available = sorted(set(table.groups.columns) | set(table.X.columns))
            raise DataError(
                CARRY_NOT_IN_DATA.format(column=column, available=", ".join(available))
            )
    return CrossValResult(
        configured=configured,
        oof=oof,
        metrics=metrics,
        fitted_families=families,
        survival=survival_summary(inputs),
        times=times,
        split=split,
    )
