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

#: Said in cohort.json, the report and on the terminal when the exact interval is undefined.
INTERVAL_UNDEFINED = (
    "the exact interval of the {where} is undefined: the predictions give the observed count "
    "a probability of 0 (every probability that could explain it is exactly 0 or 1, and no "
    "shift on the log-odds scale moves those), so no true rate is consistent with them"
)

#: Said when observed/expected is undefined because nobody was expected to reoffend.
RATIO_UNDEFINED = (
    "observed/expected of the {where} is undefined: every predicted probability is 0, so the "
    "expected count is 0"
)
