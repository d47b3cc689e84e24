"""Training with an honest held-out test: split by index date when dates exist (train on the
earlier people, test on the later ones), by a date or periods given, otherwise stratified at
random (:mod:`riskmodel.training._split`); then, by default, the model is refitted with the same
choice of family and settings on every labelled row and that refit is the model shipped."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from riskmodel._errors import DataError
from riskmodel.evaluation import heldout_metrics
from riskmodel.features import FeatureTable
from riskmodel.models import RiskModel
from riskmodel.training._inputs import (
    ModelInputs,
    configured_model,
    labelled_arrays,
    sample_weights,
    survival_summary,
)
from riskmodel.training._messages import TOO_FEW_TO_SPLIT, UNWEIGHTED_GROUP_SUMMARY
from riskmodel.training._review import evidence_warnings
from riskmodel.training._split import SplitRequest, row_unit, split_rows, split_sentence

__all__ = [
    "SUMMARY_GROUPS",
    "TOO_FEW_TO_SPLIT",
    "SplitRequest",
    "TrainResult",
    "group_summary",
    "split_rows",
    "summary_groups",
    "train_model",
]


@dataclass
class TrainResult:
    """A fitted model and its held-out evaluation."""

    model: RiskModel
    split: dict[str, Any]
    y_test: np.ndarray
    p_test: np.ndarray
    groups_test: pd.DataFrame
    metrics: dict[str, Any]
    #: Weights of the held-out people (a time-to-event table's censoring weights) or None.
    w_test: np.ndarray | None = None
    #: Time to reoffence of the held-out people (``FeatureTable.survival``) or None.
    survival_test: pd.DataFrame | None = None
    group_summary: dict[str, Any] = field(default_factory=dict)
    drift_reference: dict[str, Any] = field(default_factory=dict)
    #: Ids of the people the model was fitted on (None when the data have no ids of their
    #: own, as a flat table without an id column); only salted hashes reach the manifest.
    train_ids: pd.Series | None = None
    #: What a reviewer must be told about the held-out evidence (:func:`evidence_warnings`).
    warnings: list[str] = field(default_factory=list)
    #: Which rows the shipped model saw (:func:`shipped_summary`).
    shipped: dict[str, Any] = field(default_factory=dict)


#: Group columns the per-group evaluation covers instead of the fairness summary.
_EVALUATION_ONLY = ("index_disposal", "index_offence")
#: The characteristics the held-out fairness summary is given by: from the group columns, or,
#: when a flat table has one of them as a feature (sex, often), from the feature column.
SUMMARY_GROUPS: tuple[str, ...] = ("sex", "age_band", "cohort", "ethnicity")


def summary_groups(table: FeatureTable) -> pd.DataFrame:
    """The columns the fairness summary of ``table``'s people compares: its group columns,
    then any of :data:`SUMMARY_GROUPS` that only its features hold (a config never lists a
    column both as a group and as a feature).

    Examples
    --------
    >>> X = pd.DataFrame({"age": [30.0, 40.0], "sex": ["female", "male"]})
    >>> table = FeatureTable(X=X, label=None, label_status=None,
    ...                      groups=pd.DataFrame({"race": ["a", "b"]}), ids=pd.Series(["1", "2"]))
    >>> list(summary_groups(table).columns)
    ['race', 'sex']
    """
    frame = table.groups.reset_index(drop=True).copy()
    for column in SUMMARY_GROUPS:
        if column not in frame.columns and column in table.X.columns:
            frame[column] = table.X[column].to_numpy()
    return frame


def group_summary(
    *,
    y_true: np.ndarray,
    y_prob: np.ndarray,
    groups: pd.DataFrame,
    features: list[str] | None = None,
    weighted: bool = False,
) -> dict[str, Any]:
    """The short fairness summary of the model card: by sex, age band, cohort and ethnicity
    (or a flat table's group columns) on the held-out people, at the base rate and at a
    capacity of 10%, with verdicts from intervals; ``features`` (the model's) adds which of
    these columns the model reads. ``weighted``: the other figures carry censoring weights,
    which this summary does not; its ``note`` says so.

    See :func:`riskmodel.fairness.fairness_summary`; the fairness report goes further.
    """
    from riskmodel.fairness import fairness_summary

    columns = [c for c in groups.columns if c not in _EVALUATION_ONLY]
    summary = fairness_summary(
        y_true=y_true, y_score=y_prob, groups=groups[columns], features=features
    )
    if weighted:
        summary["note"] = UNWEIGHTED_GROUP_SUMMARY
    return summary


def _take(groups: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if groups is None else groups[rows]


def shipped_summary(
    *, refit: bool, n_rows: int, n_persons: int | None, n_held_out: int, unit: str
) -> dict[str, Any]:
    """What the manifest and model card say about the rows the shipped model saw.

    Examples
    --------
    >>> shipped_summary(refit=True, n_rows=1000, n_persons=None, n_held_out=200,
    ...                 unit="people")["sentence"]
    'The shipped model was refitted, with the same choice of model, on all 1,000 labelled people, the 200 held out included, and calibrated on scores from fits that had not seen the people scored; the held-out figures describe this procedure, measured on a model fitted without the held-out people.'
    """  # noqa: E501
    if refit:
        sentence = (
            f"The shipped model was refitted, with the same choice of model, on all {n_rows:,} "
            f"labelled {unit}, "
            f"the {n_held_out:,} held out included, and calibrated on scores from fits that had "
            f"not seen the {unit} scored; the held-out figures describe this procedure, "
            f"measured on a model fitted without the held-out {unit}."
        )
    else:
        sentence = (
            f"The shipped model is the one fitted on the {n_rows:,} training {unit} (--no-refit)"
            f"; the held-out figures measure it on the {n_held_out:,} {unit} it did not see."
        )
    out: dict[str, Any] = {
        "refit": refit,
        "rows": "every labelled row" if refit else "the training part",
        "n_rows": n_rows,
        "unit": unit,
        "sentence": sentence,
    }
    if n_persons is not None:
        out["n_persons"] = n_persons
    return out


def out_of_sample_log_odds(
    held: RiskModel, X: pd.DataFrame, train: np.ndarray
) -> np.ndarray | None:
    """The raw log-odds of every row of ``X`` from a fit that did not see it, for the refit's
    calibrator: the ``train`` rows' from the inner folds of ``held``'s choice
    (:attr:`RiskModel.out_of_fold_log_odds_`), every other row's (the held-out ones, and any
    left out of both sides because their person has rows on each) from ``held``, which was
    fitted on the ``train`` rows only. None when ``held`` calibrated on folds of its own (the
    refit then fits its folds again).
    """
    inner = getattr(held, "out_of_fold_log_odds_", None)
    if inner is None:
        return None
    others = np.setdiff1d(np.arange(len(X)), train)
    scores = np.full(len(X), np.nan)
    scores[train] = inner
    scores[others] = held.raw_decision_function(X.iloc[others])
    return scores


def train_model(
    inputs: ModelInputs,
    *,
    test_fraction: float = 0.2,
    seed: int | None = None,
    n_resamples: int = 1000,
    request: SplitRequest | None = None,
    refit: bool = True,
) -> TrainResult:
    """Split, fit the configured model on the training part, evaluate on the held-out part,
    then (``refit``, the default) refit it with the same choice of family and settings on every
    labelled row (:meth:`RiskModel.refit`): the model returned is the one shipped.

    ``seed`` (default: the config's ``[model] seed``) seeds the random split and the model;
    ``request`` asks for a temporal split (:class:`SplitRequest`). Every split keeps a person's
    rows on one side when the table has several rows per person.
    """
    table, y, dates = labelled_arrays(inputs)
    positives = int(y.sum())
    if len(y) < 20 or min(positives, len(y) - positives) < 5:
        raise DataError(TOO_FEW_TO_SPLIT.format(n=len(y), positives=positives))
    spec = inputs.config.model
    seed = spec.seed if seed is None else seed
    groups = table.person_groups()
    train, test, info = split_rows(
        y,
        dates,
        test_fraction=test_fraction,
        seed=seed,
        groups=groups,
        periods=table.periods,
        request=request,
    )
    unit = row_unit(table)
    info["unit"] = unit
    info["sentence"] = split_sentence(info, unit=unit)
    weights = sample_weights(table)
    w_train, w_test = (None, None) if weights is None else (weights[train], weights[test])
    template = configured_model(inputs).set_params(seed=seed)
    held = clone(template).fit(
        table.X.iloc[train], y[train], sample_weight=w_train, groups=_take(groups, train)
    )
    p_test = held.predict_proba(table.X.iloc[test])[:, 1]
    fitted = np.arange(len(y)) if refit else train
    model = (
        held.refit(
            table.X,
            y,
            sample_weight=weights,
            groups=groups,
            log_odds=out_of_sample_log_odds(held, table.X, train),
        )
        if refit
        else held
    )
    y_test = y[test]
    groups_test = table.groups.iloc[test].reset_index(drop=True)
    summary_test = summary_groups(table).iloc[test].reset_index(drop=True)
    times_test = None if table.survival is None else table.survival.iloc[test]
    metrics = heldout_metrics(
        y_true=y_test,
        y_prob=p_test,
        groups=groups_test,
        times=times_test,
        horizon_months=inputs.follow_up_months,
        n_resamples=n_resamples,
        seed=seed,
        sample_weight=w_test,
    )
    survival = survival_summary(inputs)
    if survival is not None:
        metrics["survival"] = survival
    has_ids = inputs.kind == "data" or (
        inputs.config.table is not None and bool(inputs.config.table.id)
    )
    info["train_base_rate"] = float(np.average(y[train], weights=w_train))
    info["test_base_rate"] = float(np.average(y_test, weights=w_test))
    shipped = shipped_summary(
        refit=refit,
        n_rows=len(fitted),
        n_persons=None if groups is None else len(np.unique(groups[fitted])),
        n_held_out=len(test),
        unit=unit,
    )
    fairness_summary = group_summary(
        y_true=y_test,
        y_prob=p_test,
        groups=summary_test,
        features=[str(f) for f in held.feature_names_in_],
        weighted=w_test is not None,
    )
    return TrainResult(
        model=model,
        split=info,
        y_test=y_test,
        p_test=p_test,
        groups_test=groups_test,
        w_test=w_test,
        survival_test=times_test,
        metrics=metrics,
        group_summary=fairness_summary,
        drift_reference=_drift_reference(model, table.X.iloc[fitted]),
        train_ids=table.ids.iloc[fitted].reset_index(drop=True) if has_ids else None,
        warnings=evidence_warnings(y_test, metrics),
        shipped=shipped,
    )


def _drift_reference(model: RiskModel, X_train: pd.DataFrame) -> dict[str, Any]:
    """Training distributions of the score and of each feature, for drift checks at scoring,
    with each numeric feature's range and missing values (``ranges``: the row checks of
    ``score --table``) and each feature's distribution (``positions``: where explanations
    place a person among the people trained on)."""
    from riskmodel.explain import ReferencePopulation
    from riskmodel.scoring import drift_reference, feature_ranges

    X_train = model.prepare(X_train)
    reference = drift_reference(X_train, model.predict_proba(X_train)[:, 1])
    reference["ranges"] = feature_ranges(X_train, list(model.numeric_))
    # Where explanations place a person among the people trained on.
    reference["positions"] = ReferencePopulation.from_frame(X_train).to_dict()
    return reference
