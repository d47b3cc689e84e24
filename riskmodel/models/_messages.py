"""Messages of ``riskmodel.models`` (raised or printed); tests import and match them."""

from __future__ import annotations

MISSING_FEATURES = "the data lack feature column(s) the model needs: {missing}"

BAD_TARGET = "the outcome must be 0/1 with no missing values; found {examples}"

ONE_CLASS = "the outcome has only one class ({value}); a model needs both outcomes"

REVERSED_CALIBRATION = (
    "the sigmoid calibration came out with slope {slope:.4g}: the calibrated score would fall "
    "as the model's own score rises, so the declared directions would be reversed; the model "
    "has no signal on these data (check the outcome column)"
)

BAD_WEIGHTS = (
    "sample_weight must be one finite, non-negative weight per row ({n} rows); got shape "
    "{shape}, or a weight that is negative or not finite, or all of them 0"
)

TOO_FEW_PERSONS = (
    "{persons} distinct people hold the rows, too few for {folds} folds that keep each "
    "person's rows on one side"
)
