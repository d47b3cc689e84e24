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

#: How the interval with the model's own uncertainty is made (cohort.json and the report).
COMBINED_METHOD = (
    "a parametric bootstrap of the model's calibration: the cohort's true log-odds are taken "
    "to be the predicted ones recalibrated with an intercept and slope drawn from their sampling "
    "distribution for a calibration fitted on the {n_train:,} people the model was fitted on "
    "(normal around 0 and 1, covariance the inverse Fisher information of a logistic "
    "recalibration at {reference}); the exact Poisson-binomial distribution of the number of "
    "reoffenders is averaged over that distribution (Gauss-Hermite quadrature), with {tails} "
    "tail probabilities, and the interval inverts that test under a common log-odds shift of "
    "every person's probability"
)

#: Whose scores the Fisher information of COMBINED_METHOD uses.
REFERENCE_DECILES = "the deciles of the training scores recorded in the bundle"
REFERENCE_COHORT = "this cohort's own predictions (the bundle records no training score deciles)"

#: Said in cohort.json, the report and on the terminal for a model fitted on few people.
FEW_TRAINING_PEOPLE = (
    "the model was fitted on only {n_train:,} people (fewer than {limit:,}), so its "
    "predictions are themselves uncertain{effect}"
)

#: The end of FEW_TRAINING_PEOPLE when the widening is known.
WIDENING = (
    ": including that uncertainty makes the interval of observed/expected {ratio:.1f} times "
    "as wide as treating the predictions as known"
)

#: ``cohort --model`` with a bundle whose manifest has no training size.
NO_TRAINING_SIZE = (
    "{path}: the manifest records no training size (split.n_train), so the uncertainty of "
    "the model's predictions cannot be included; use a bundle written by riskmodel train or "
    "riskmodel recalibrate"
)

#: Said in the report and on the terminal when cohort runs without the model bundle.
PREDICTIONS_AS_KNOWN = (
    "the interval and p-values treat the model's predictions as known: the uncertainty of "
    "the model itself is left out, so the interval is too narrow and the p-values too small "
    "(give the model bundle with --model to include it)"
)
