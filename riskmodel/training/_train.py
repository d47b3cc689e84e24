"""Training with an honest held-out test: split by index date when dates exist (train on the
earlier people, test on the later ones), otherwise stratified at random."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from riskmodel._errors import DataError
from riskmodel.evaluation import (
    EVALUATION_GROUPS,
    evaluate_predictions,
    metrics_by_group,
    reoffending_over_time,
)
from riskmodel.features import FeatureTable
from riskmodel.models import RiskModel, make_model
from riskmodel.training._inputs import (
    ModelInputs,
    feature_directions,
    feature_lists,
    labelled_arrays,
    sample_weights,
    survival_summary,
)
from riskmodel.training._messages import TOO_FEW_TO_SPLIT
from riskmodel.training._review import evidence_warnings

__all__ = [
    "SUMMARY_GROUPS",
    "TOO_FEW_TO_SPLIT",
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


def split_rows(
    y: np.ndarray,
    dates: pd.Series | None,
    *,
    test_fraction: float,
    seed: int,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Train and test row positions and a description of the split.

    With dates, the test rows are the people with the latest index dates (about
    ``test_fraction`` of them; everyone on the cut-off date goes to the test side).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> dates = pd.Series(pd.date_range("2020-01-01", periods=10, freq="MS"))
    >>> train, test, info = split_rows(np.arange(10) % 2, dates, test_fraction=0.2, seed=0)
    >>> test.tolist(), info["method"]
    ([8, 9], 'by index date')
    """
    n = len(y)
    if dates is not None and dates.notna().all() and dates.nunique() > 1:
        values = pd.to_datetime(dates).to_numpy()
        cutoff = np.sort(values)[int(np.floor(n * (1 - test_fraction)))]
        test_mask = values >= cutoff
        if 0 < test_mask.sum() < n and len(np.unique(y[test_mask])) == 2:
            train = np.flatnonzero(~test_mask)
            test = np.flatnonzero(test_mask)
            info = {
                "method": "by index date",
                "test_from": str(pd.Timestamp(cutoff).date()),
                "n_train": len(train),
                "n_test": len(test),
            }
            return train, test, info
    rows = np.arange(n)
    train, test = train_test_split(
        rows, test_size=test_fraction, stratify=y, random_state=seed, shuffle=True
    )
    info = {
        "method": "stratified at random",
        "seed": seed,
        "n_train": len(train),
        "n_test": len(test),
    }
    return np.sort(train), np.sort(test), info


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
) -> dict[str, Any]:
    """The short fairness summary of the model card: by sex, age band, cohort and ethnicity
    (or a flat table's group columns) on the held-out people, at the base rate and at a
    capacity of 10%, with verdicts from intervals; ``features`` (the model's) adds which of
    these columns the model reads.

    See :func:`riskmodel.fairness.fairness_summary`; the fairness report goes further.
    """
    from riskmodel.fairness import fairness_summary

    columns = [c for c in groups.columns if c not in _EVALUATION_ONLY]
    return fairness_summary(
        y_true=y_true, y_score=y_prob, groups=groups[columns], features=features
    )


def train_model(
    inputs: ModelInputs,
    *,
    test_fraction: float = 0.2,
    seed: int | None = None,
    n_resamples: int = 1000,
) -> TrainResult:
    """Split, fit the configured model on the training part, evaluate on the held-out part."""
    table, y, dates = labelled_arrays(inputs)
    positives = int(y.sum())
    if len(y) < 20 or min(positives, len(y) - positives) < 5:
        raise DataError(TOO_FEW_TO_SPLIT.format(n=len(y), positives=positives))
    spec = inputs.config.model
    seed = spec.seed if seed is None else seed
    train, test, info = split_rows(y, dates, test_fraction=test_fraction, seed=seed)
    numeric, categorical = feature_lists(inputs)
    weights = sample_weights(table)
    w_train, w_test = (None, None) if weights is None else (weights[train], weights[test])
    model = make_model(
        spec, numeric=numeric, categorical=categorical, directions=feature_directions(inputs)
    ).fit(table.X.iloc[train], y[train], sample_weight=w_train)
    p_test = model.predict_proba(table.X.iloc[test])[:, 1]
    groups_test = table.groups.iloc[test].reset_index(drop=True)
    summary_test = summary_groups(table).iloc[test].reset_index(drop=True)
    metrics = evaluate_predictions(
        y_true=y[test], y_prob=p_test, n_resamples=n_resamples, seed=seed, sample_weight=w_test
    )
    if survival_summary(inputs) is not None:
        metrics["survival"] = survival_summary(inputs)
    times_test = None if table.survival is None else table.survival.iloc[test]
    over_time = reoffending_over_time(times_test, p_test, horizon_months=inputs.follow_up_months)
    if over_time is not None:
        metrics["over_time"] = over_time
    present = [c for c in EVALUATION_GROUPS if c in groups_test.columns]
    if present:
        metrics["by_group"] = metrics_by_group(
            y_true=y[test],
            y_prob=p_test,
            groups=groups_test[present],
            n_resamples=n_resamples,
            seed=seed,
            sample_weight=w_test,
        )
    has_ids = inputs.kind == "data" or (
        inputs.config.table is not None and bool(inputs.config.table.id)
    )
    info["train_base_rate"] = float(np.average(y[train], weights=w_train))
    info["test_base_rate"] = float(np.average(y[test], weights=w_test))
    return TrainResult(
        model=model,
        split=info,
        y_test=y[test],
        p_test=p_test,
        groups_test=groups_test,
        w_test=w_test,
        survival_test=times_test,
        metrics=metrics,
        group_summary=group_summary(
            y_true=y[test],
            y_prob=p_test,
            groups=summary_test,
            features=[str(f) for f in model.feature_names_in_],
        ),
        drift_reference=_drift_reference(model, table.X.iloc[train]),
        train_ids=table.ids.iloc[train].reset_index(drop=True) if has_ids else None,
        warnings=evidence_warnings(y[test], metrics),
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
