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


CARRY_NOT_IN_DATA = (
    "--carry column {column!r} is neither a group column nor a feature of the event data; "
    "available: {available}"
)

OVERLAP_WARNING = (
    "{n:,} of the {total:,} people here were among the {n_training:,} people the model was "
    "trained on (matched by salted hashes of their ids): measures on them are optimistic; "
    "evaluate on people the model has not seen"
)

FEW_OUTCOMES_WARNING = (
    "{where} has only {positives:,} people with the outcome and {negatives:,} without (fewer "
    "than {minimum} of either): its measures are too uncertain to rely on; use more people "
    "or `riskmodel crossval`"
)

SLOPE_WARNING = (
    "the held-out calibration slope is {slope:.2f} and its 95% interval ({low:.2f} to "
    "{high:.2f}) excludes 1: the probabilities are {how} than the held-out outcomes support; "
    "do not use them as they are (recalibrate, simplify the model or use more data)"
)
NO_KNOWN_OUTCOMES = (
    "nobody in the data has a known outcome: all {n} people are censored (their follow-up had "
    "not ended by the extract date); evaluating or recalibrating a model needs people whose "
    "outcome is known"
)

BAD_TEST_FROM = "--test-from {value!r} is not a date (expected YYYY-MM-DD)"
TEST_FROM_NEEDS_DATES = (
    "--test-from splits by index date, which only event data (--data) have; for a --table "
    'name a period column ([table] period = "...") and give --test-periods'
)
TEST_PERIODS_NEED_PERIOD = (
    "--test-periods needs a flat table whose config names its period column ([table] period "
    '= "..."); with --data use --test-from YYYY-MM-DD'
)
BOTH_SPLITS = "--test-from and --test-periods are two ways to give one split; give one of them"
UNKNOWN_PERIODS = "--test-periods {given}: no labelled rows have these periods; periods: {known}"
SPLIT_PART_TOO_SMALL = (
    "the {part} part of the split has {n:,} labelled rows, {positives:,} with the outcome: "
    "each part needs at least 5 rows of each outcome (move the split point)"
)
CROSSVAL_ESTIMATE = (
    "fold 1 of {folds} took {first:,.1f} s: the {folds} folds should take about {total:,.0f} s "
    "in all ({left:,.0f} s more), then the metrics with their bootstrap intervals"
)
UNWEIGHTED_GROUP_SUMMARY = (
    "The group figures below count the held-out people whose outcome is known at the horizon, "
    "unweighted: unlike the figures above, they do not correct for the people censored before "
    "it, so a group's rates are complete-case rates."
)
