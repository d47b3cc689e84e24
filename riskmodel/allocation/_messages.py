"""Messages of the allocation and cohort helpers; tests import and match them."""

from __future__ import annotations

# Checking inputs (shared with riskmodel.cohort; reading them: riskmodel._tables._messages).
NOT_NUMERIC = (
    "{column}: {count} value(s) are not numbers (first: {example!r} on data row {row}); "
    "scores must be probabilities in [0, 1]"
)
OUT_OF_RANGE = (
    "{column}: {count} score(s) lie outside [0, 1] (first: {example} on data row {row}); "
    "this needs calibrated probabilities, not a scale or a decile"
)
NO_SCORES = "{column}: every score is missing; there is nobody to allocate"
BAD_OUTCOME = (
    "{column}: {count} outcome value(s) are not 0/1 (first: {example!r} on data row {row}); "
    "outcomes must be 0 (did not reoffend), 1 (reoffended) or empty (unknown)"
)
BAD_COUNT = (
    "{column}: {count} value(s) are not whole numbers >= 0 (first: {example!r} on data row {row})"
)
LENGTH_MISMATCH = "{what} has {got} values but there are {expected} scores"

# Policies.
ONE_POLICY = (
    "give exactly one policy: --capacity N, --sensitivity X, --ppv X, "
    "--cost-reoffence A --cost-intervention B --effect E, or --bands CUTS"
)
COST_INCOMPLETE = (
    "the expected-cost policy needs all of --cost-reoffence, --cost-intervention and "
    "--effect; missing: {missing}"
)
BAD_CAPACITY = (
    "capacity {value!r} is not usable: give a whole number of places (e.g. 134), a fraction "
    "below 1 (e.g. 0.1) or a percentage (e.g. 10%)"
)
CAPACITY_BOTH = "give a capacity as a count or as a fraction, not both"
BAD_TARGET = "{name} target must lie in (0, 1], got {value}"
BAD_COST = (
    "cost of a reoffence must be > 0 and cost of an intervention >= 0 "
    "(got {reoffence} and {intervention})"
)
BAD_EFFECT = "the intervention's effect must lie in (0, 1] (a relative reduction), got {value}"
BAD_TIE_BREAK = "tie_break must be 'random' or 'input_order', got {value!r}"
NO_REOFFENDERS = (
    "a sensitivity target needs at least one reoffender, but {basis} reoffenders total {total}"
)
PPV_UNREACHABLE = (
    "no threshold reaches a PPV of {target:.3g}; the highest reachable is {best:.3g} "
    "(at threshold {threshold:.4g})"
)
NO_OUTCOMES_FOR_OBSERVED = "basis 'observed' needs outcomes"
BAD_BASIS = "basis must be 'auto', 'observed' or 'expected', got {value!r}"

# The model's calibration error (--model).
NO_CALIBRATION = (
    "{source} records no held-out calibration intercept and slope with their intervals "
    "(rebuild it with riskmodel train); without --model the intervals leave calibration "
    "error out, and the report says so"
)
MODEL_MISMATCH = (
    "the scores were made by model(s) {scored_by} but --model is {model_id}: give the bundle "
    "that made them"
)

# Group columns of a scores file that are not reported (named in the report).
LEFT_OUT_NUMBERS = "{column} (numbers: name it with --group-column to report it by value)"
LEFT_OUT_MANY_VALUES = (
    "{column} ({count} values; at most {limit} are reported as groups unless named with "
    "--group-column)"
)

# The plain paragraph of the threshold report: every sentence generated from its figures.
SUMMARY_PLACES = "{allocated} of the {n_scored} people with a score get a place ({rate})."
SUMMARY_NOBODY = "Nobody gets a place, so no group is compared and no place goes to anyone."
SUMMARY_NO_SCORE = (
    "{people} without a score get no place from this helper: each needs a decision by a person."
)
SUMMARY_GAP = (
    "By {column}, {high_rate} of {high} get a place against {low_rate} of {low}: a gap of "
    "{gap} percentage points ({interval})."
)
SUMMARY_GAP_CHANCE = (
    "By {column}, {high_rate} of {high} get a place against {low_rate} of {low}; the gap of "
    "{gap} percentage points could be chance ({interval})."
)
SUMMARY_ONE_GROUP = "By {column}, only {value} ({people}) is large enough to compare."
SUMMARY_NONE_IN_GROUP = "None of the {n} people with {column} {value} get a place."
SUMMARY_SMALL_GROUP = "{column} {value}: {people}: too few to compare."
SUMMARY_EXPECTED_MISSED = (
    "Of about {total} expected reoffenders (the sum of the probabilities), about {missed} "
    "({interval}) get no place."
)
SUMMARY_EXPECTED_NON_REOFFENDERS = (
    "On the model's probabilities, about {count} of the {allocated} places ({interval}) go to "
    "people who would not reoffend."
)
SUMMARY_OBSERVED_MISSED = (
    "Of the {total} people with a known outcome who reoffended, {missed} got no place."
)
SUMMARY_OBSERVED_NON_REOFFENDERS = (
    "Of the {known} places that went to people with a known outcome, {count} went to people "
    "who did not reoffend."
)
SUMMARY_INTERVAL = "{confidence} interval {low} to {high}"
SUMMARY_NO_INTERVAL = "no interval: no bootstrap resamples"

# Whether the intervals include the model's calibration error (first screen of the report).
CALIBRATION_INCLUDED = (
    "Intervals of expected figures include the model's calibration error: {draws} draws of "
    "its calibration intercept ({intercept}; {confidence} interval {intercept_low} to "
    "{intercept_high}) and slope ({slope}; {slope_low} to {slope_high}), measured on "
    "{n_heldout} held-out people of model {model_id}, each draw giving the probabilities that "
    "calibration allows; the spread of a figure over the draws is added to its sampling "
    "half-width in quadrature."
)
CALIBRATION_LEFT_OUT = (
    "These intervals leave out the model's calibration error, so they are too narrow: every "
    "figure here is computed from the probabilities as if they were exactly calibrated. Give "
    "the model bundle (--model DIR) to include it."
)
CALIBRATION_LEFT_OUT_OBSERVED = (
    "Observed figures do not depend on the model's calibration; the intervals of the expected "
    "figures leave its calibration error out and are too narrow (give the model bundle, "
    "--model DIR, to include it)."
)
