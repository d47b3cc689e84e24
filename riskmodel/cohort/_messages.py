"""Messages of ``riskmodel.cohort`` (raised or printed); tests import and match them."""

from __future__ import annotations

METHOD_ERROR = "method must be one of 'auto', 'dp' or 'fft'"

PROBABILITY_ERROR = "probabilities must be finite numbers in [0, 1]"

NO_PEOPLE = (
    "nobody in the cohort has both a score and a known outcome; observed against expected "
    "needs both"
)

COUNT_CONTRADICTS_OUTCOME = (
    "{column}: {count} people have a reoffence count that contradicts their outcome (first: "
    "data row {row}, outcome {outcome:g}, count {value:g}); reoffenders need a count of at "
    "least 1 and non-reoffenders a count of 0"
)

COUNT_MISSING = (
    "{column}: {count} people with a known outcome have no reoffence count (first: data row {row})"
)

#: How the difference interval is made, repeated in cohort.json and the report.
INTERVAL_METHOD = (
    "exact: inversion of the Poisson-binomial test under a common log-odds shift of every "
    "person's predicted probability (Clopper-Pearson when all probabilities are equal); the "
    "predictions are treated as known"
)
