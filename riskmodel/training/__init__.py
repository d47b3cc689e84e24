"""The training workflow above the estimators: what the modelling commands do.

Reading data for a model (:func:`load_inputs`, and :func:`inputs_for_bundle` for an existing
bundle), training with a held-out evaluation (:func:`train_model`), out-of-fold evaluation
against the baselines (:func:`cross_validate`), recalibration on local outcomes
(:func:`recalibrate_model`), and what a bundle records about its training
(:func:`bundle_manifest`, :func:`model_card_markdown`). What each modelling command runs,
short of its report, is one call: :func:`train_bundle`, :func:`crossval_run`,
:func:`bundle_data` (a bundle and the data read for it, as ``evaluate`` and ``fairness --model``
use them) and :func:`recalibrate_bundle`. The estimators themselves live in
:mod:`riskmodel.models`.
"""

from riskmodel.training._card import model_card_markdown
from riskmodel.training._crossval import (
    TOO_FEW_FOR_FOLDS,
    CrossValResult,
    cross_validate,
    ogrs3_available,
)
from riskmodel.training._inputs import (
    BOTH_INPUTS,
    NO_INPUT,
    NO_TABLE_SECTION,
    ModelInputs,
    feature_lists,
    inputs_for_bundle,
    labelled_arrays,
    load_inputs,
)
from riskmodel.training._manifest import bundle_manifest
from riskmodel.training._recalibrate import (
    NOT_RECALIBRATABLE,
    RECALIBRATION_FAILED,
    recalibrate_model,
)
from riskmodel.training._runs import (
    BundleData,
    Recalibration,
    bundle_data,
    crossval_run,
    recalibrate_bundle,
    train_bundle,
)
from riskmodel.training._train import (
    TOO_FEW_TO_SPLIT,
    TrainResult,
    group_summary,
    split_rows,
    train_model,
)

__all__ = [
    "BOTH_INPUTS",
    "NOT_RECALIBRATABLE",
    "NO_INPUT",
    "NO_TABLE_SECTION",
    "RECALIBRATION_FAILED",
    "TOO_FEW_FOR_FOLDS",
    "TOO_FEW_TO_SPLIT",
    "BundleData",
    "CrossValResult",
    "ModelInputs",
    "Recalibration",
    "TrainResult",
    "bundle_data",
    "bundle_manifest",
    "cross_validate",
    "crossval_run",
    "feature_lists",
    "group_summary",
    "inputs_for_bundle",
    "labelled_arrays",
    "load_inputs",
    "model_card_markdown",
    "ogrs3_available",
    "recalibrate_bundle",
    "recalibrate_model",
    "split_rows",
    "train_bundle",
    "train_model",
]
