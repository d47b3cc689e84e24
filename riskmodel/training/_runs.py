"""What the modelling commands run, end to end, short of their reports.

Each function reads the data (:func:`load_inputs`, or :func:`inputs_for_bundle` for an existing
bundle), does the work and writes the bundle or figures it makes; the command line then writes
the HTML report and prints a summary. ``source`` stands for the keyword arguments naming the
data: ``table_path``, ``data_dir``, ``config_path`` and, where labels are read,
``extract_date``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from riskmodel._errors import DataError
from riskmodel._io import to_jsonable, write_json, write_table
from riskmodel.bundle import Bundle, load_bundle, save_bundle
from riskmodel.evaluation import evaluate_predictions
from riskmodel.features import FeatureTable
from riskmodel.training._card import model_card_markdown
from riskmodel.training._crossval import CrossValResult, cross_validate
from riskmodel.training._inputs import ModelInputs, inputs_for_bundle, labelled_arrays, load_inputs
from riskmodel.training._manifest import bundle_manifest
from riskmodel.training._messages import NO_KNOWN_OUTCOMES
from riskmodel.training._recalibrate import recalibrate_model
from riskmodel.training._review import batch_warnings, evidence_warnings
from riskmodel.training._split import SplitRequest
from riskmodel.training._train import (
    SUMMARY_GROUPS,
    TrainResult,
    group_summary,
    summary_groups,
    train_model,
)

__all__ = [
    "BundleData",
    "Recalibration",
    "bundle_data",
    "crossval_run",
    "recalibrate_bundle",
    "train_bundle",
]

#: Keys of a bundle's manifest that :func:`riskmodel.bundle.save_bundle` writes afresh.
_SAVED_KEYS = ("model_id", "created_at", "versions", "model_sha256")


@dataclass
class BundleData:
    """A loaded bundle, the data read for it, and its probabilities for the people.

    With labels (the default of :func:`bundle_data`), ``table``, ``y`` and ``p`` hold the
    labelled people only; without, every person read, and ``y`` is None.
    """

    bundle: Bundle
    inputs: ModelInputs
    table: FeatureTable
    y: np.ndarray | None
    p: np.ndarray
    #: Drift against the training reference, people trained on, and the warnings of both
    #: (:func:`riskmodel.training._review.batch_warnings`).
    review: dict[str, Any] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        """Drift, unseen categories and people trained on, in words."""
        return list(self.review.get("warnings", []))

    @property
    def n_excluded(self) -> int:
        """People read but not in ``table`` (censored, without a label)."""
        return len(self.inputs.table) - len(self.table)

    @property
    def outcome(self) -> str:
        """What the label means: the bundle's own words, else the data's."""
        return self.bundle.manifest.get("outcome") or self.inputs.outcome


def bundle_data(model_dir: str | os.PathLike, *, labels: bool = True, **source: Any) -> BundleData:
    """Load the bundle at ``model_dir`` and read the data of ``source`` the way it was trained
    to (:func:`inputs_for_bundle`); with ``labels``, keep the labelled people."""
    bundle = load_bundle(model_dir)
    inputs = inputs_for_bundle(bundle.manifest, labels=labels, **source)
    table, y = (labelled_arrays(inputs)[:2]) if labels else (inputs.table, None)
    if labels and len(table) == 0:
        raise DataError(NO_KNOWN_OUTCOMES.format(n=f"{len(inputs.table):,}"))
    p = bundle.model.predict_proba(table.X)[:, 1]
    review = batch_warnings(bundle.manifest, table.X, p, table.ids)
    return BundleData(bundle=bundle, inputs=inputs, table=table, y=y, p=p, review=review)


def train_bundle(
    out_dir: str | os.PathLike,
    *,
    test_fraction: float = 0.2,
    n_resamples: int = 1000,
    seed: int | None = None,
    request: SplitRequest | None = None,
    refit: bool = True,
    **source: Any,
) -> tuple[ModelInputs, TrainResult, dict[str, Any]]:
    """Read the data, train (:func:`train_model`: held-out evaluation, then by default a refit
    on every labelled row), write the bundle and its ``metrics.json``.

    Returns the inputs, the training result and the saved manifest.
    """
    inputs = load_inputs(**source)
    result = train_model(
        inputs,
        test_fraction=test_fraction,
        n_resamples=n_resamples,
        seed=seed,
        request=request,
        refit=refit,
    )
    manifest = to_jsonable(bundle_manifest(inputs, result))
    saved = save_bundle(
        out_dir,
        result.model,
        manifest=manifest,
        card=model_card_markdown(manifest),
        family=result.model.family_,
    )
    write_json(result.metrics, Path(out_dir) / "metrics.json")
    return inputs, result, saved


def crossval_run(
    out_dir: str | os.PathLike,
    *,
    folds: int = 5,
    seed: int = 0,
    n_resamples: int = 1000,
    carry: Sequence[str] = (),
    wrap: Callable[..., Iterable[Any]] | None = None,
    request: SplitRequest | None = None,
    notify: Callable[[str], None] | None = None,
    **source: Any,
) -> tuple[ModelInputs, CrossValResult, dict[str, Any]]:
    """Read the data, cross-validate (:func:`cross_validate`), write ``oof.csv`` and
    ``metrics.json``.

    ``carry`` names columns to copy into ``oof.csv``; with none, a flat table's
    ``[table] groups`` are carried, and those of sex, age band, cohort and ethnicity that are
    features. Returns the inputs, the result and the ``metrics.json``
    content. ``notify`` is told how long the folds should take once the first is done.
    """
    inputs = load_inputs(carry=carry, **source)
    carried = list(carry)
    if not carried and inputs.kind == "table" and inputs.config.table is not None:
        groups = list(inputs.config.table.groups)
        features = inputs.config.table.features
        carried = groups + [c for c in SUMMARY_GROUPS if c in features and c not in groups]
    result = cross_validate(
        inputs,
        folds=folds,
        seed=seed,
        n_resamples=n_resamples,
        carry=carried,
        wrap=wrap,
        request=request,
        notify=notify,
    )
    payload = result.to_dict() | {
        "seed": seed,
        "outcome": inputs.outcome,
        "follow_up_months": inputs.follow_up_months,
        "horizon_months": inputs.horizon_months,
        "proof_months": inputs.proof_months,
        "data": inputs.describe(),
    }
    write_table(result.oof, Path(out_dir) / "oof.csv")
    write_json(payload, Path(out_dir) / "metrics.json")
    return inputs, result, payload


@dataclass
class Recalibration:
    """What :func:`recalibrate_bundle` did: the parent and its data, the fit, the metrics
    before and after (on the same people), the new probabilities and the saved manifest."""

    parent: BundleData
    fit: dict[str, float]
    before: dict[str, Any]
    after: dict[str, Any]
    p_after: np.ndarray
    saved: dict[str, Any]
    #: Drift, unseen categories, people trained on, and too few local outcomes, in words.
    warnings: list[str] = field(default_factory=list)


def recalibrate_bundle(
    model_dir: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    n_resamples: int = 1000,
    **source: Any,
) -> Recalibration:
    """Refit a bundle's calibration on local outcomes (:func:`recalibrate_model`); write the
    new bundle, recording its parent, and its ``metrics.json`` (before and after)."""
    parent = bundle_data(model_dir, **source)
    assert parent.y is not None
    y, X = parent.y, parent.table.X
    model, fit = recalibrate_model(parent.bundle.model, X, y)
    p_after = model.predict_proba(X)[:, 1]
    before = evaluate_predictions(y_true=y, y_prob=parent.p, n_resamples=n_resamples)
    after = evaluate_predictions(y_true=y, y_prob=p_after, n_resamples=n_resamples)
    warnings = [*parent.warnings, *evidence_warnings(y, where="the recalibration data")]
    manifest = {k: v for k, v in parent.bundle.manifest.items() if k not in _SAVED_KEYS}
    manifest.update(
        {
            "parent": {
                "model_id": parent.bundle.model_id,
                "model_sha256": parent.bundle.manifest["model_sha256"],
                "path": str(model_dir),
            },
            "recalibration": {
                **fit,
                "data": parent.inputs.describe(),
                "drift": parent.review.get("drift"),
                "trained_on": parent.review.get("trained_on"),
            },
            "warnings": warnings,
            "metrics_before_recalibration": before,
            "metrics": after,
            "model": model.describe(),
            "split": {
                "method": "recalibration data (in-sample: the same people as the fit)",
                "n_train": len(y),
                "n_test": len(y),
            },
            "group_summary": group_summary(
                y_true=y, y_prob=p_after, groups=summary_groups(parent.table)
            ),
        }
    )
    manifest = to_jsonable(manifest)
    card = model_card_markdown(manifest)
    saved = save_bundle(out_dir, model, manifest=manifest, card=card, family=model.family_)
    write_json(
        {"before": before, "after": after, **fit, "warnings": warnings},
        Path(out_dir) / "metrics.json",
    )
    return Recalibration(parent, fit, before, after, p_after, saved, warnings)
