"""What a bundle's manifest records about its training."""

from __future__ import annotations

from typing import Any

from riskmodel.training._review import training_people

__all__ = ["bundle_manifest", "feature_spec"]


def feature_spec(model: Any, source: str, **recorded: Any) -> dict[str, Any]:
    """What a manifest records of the features a fitted model reads: its ``numeric`` and
    ``categorical`` columns, the ``source`` of its inputs (``"data"`` for event tables,
    ``"table"`` for a flat table), then ``recorded`` (``needs_lookback_months``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> feature_spec(SimpleNamespace(numeric_=["age"], categorical_=["sex"]), "table")
    {'numeric': ['age'], 'categorical': ['sex'], 'source': 'table'}
    """
    return {
        "numeric": list(model.numeric_),
        "categorical": list(model.categorical_),
        "source": source,
        **recorded,
    }


def bundle_manifest(inputs: Any, result: Any) -> dict[str, Any]:
    """The manifest fields that training knows (:func:`riskmodel.bundle.save_bundle` adds the
    model id, versions and hashes).

    Parameters
    ----------
    inputs : ModelInputs
        What the model was trained on (:func:`riskmodel.training.load_inputs`).
    result : TrainResult
        The fitted model and its held-out evaluation (:func:`riskmodel.training.train_model`).
    """
    model = result.model
    lookback = inputs.table.meta.get("needs_lookback_months")
    return {
        "outcome": inputs.outcome,
        "follow_up_months": inputs.follow_up_months,
        "horizon_months": inputs.horizon_months,
        "proof_months": inputs.proof_months,
        "feature_spec": feature_spec(model, inputs.kind, needs_lookback_months=lookback),
        "training_data": inputs.describe(),
        "split": result.split,
        "shipped_model": result.shipped,
        "metrics": result.metrics,
        "group_summary": result.group_summary,
        "drift_reference": result.drift_reference,
        "model": model.describe(),
        "config": inputs.config.to_dict(),
        "parent": None,
        "warnings": list(result.warnings),
        "training_people": (
            training_people(result.train_ids) if result.train_ids is not None else None
        ),
    }
