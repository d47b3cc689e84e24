"""Messages of ``riskmodel.training`` (raised or printed); tests import and match them."""

from __future__ import annotations

TOO_FEW_TO_SPLIT = (
    "too few labelled people to train and test: {n} labelled, {positives} with the outcome"
)

NOT_RECALIBRATABLE = (
    "only a sigmoid-calibrated model can be recalibrated in log-odds; this bundle's model uses "
    '{calibration} calibration: retrain it with [model] calibration = "sigmoid"'
)

RECALIBRATION_FAILED = (
    "cannot recalibrate on these outcomes (need both outcomes and some spread in the scores)"
)


NO_TABLE_SECTION = (
    "--table needs --config with a [table] section naming the id, label and feature columns "
    "(see training/compas.toml)"
)


TOO_FEW_FOR_FOLDS = (
    "{folds} folds need at least {folds} people with each outcome; the labelled data have "
    "{positives} with and {negatives} without"
)

NO_KNOWN_OUTCOMES = (
    "nobody in the data has a known outcome: all {n} people are censored (their follow-up had "
    "not ended by the extract date); evaluating or recalibrating a model needs people whose "
    "outcome is known"
)
