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
