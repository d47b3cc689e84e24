"""Messages and fixed settings of the fairness report (tests import and match the messages)."""

from __future__ import annotations

#: The metrics reported for every group, in report order (the keys of ``fairness.json``).
GROUP_METRICS: tuple[str, ...] = (
    "n",
    "base_rate",
    "mean_score",
    "selection_rate",
    "fpr",
    "fnr",
    "ppv",
    "auc",
    "brier",
    "observed_expected",
)

#: Metrics compared between groups (differences, ratios, max - min).
DISPARITY_METRICS: tuple[str, ...] = GROUP_METRICS[1:]

#: Metrics that only make sense for a probability.
PROBABILITY_ONLY: frozenset[str] = frozenset({"brier", "observed_expected"})

#: Plain-English names used in the report.
METRIC_LABELS: dict[str, str] = {
    "n": "People",
    "base_rate": "Reoffending rate (observed)",
    "mean_score": "Mean score",
    "selection_rate": "Flagged (score at or above threshold)",
    "fpr": "False positive rate",
    "fnr": "False negative rate",
    "ppv": "Positive predictive value",
    "auc": "AUC",
    "brier": "Brier score",
    "observed_expected": "Observed / expected",
}


PROBABILITY = "probability"
ORDINAL = "ordinal"
SCORE_KINDS: tuple[str, ...] = (PROBABILITY, ORDINAL)

#: Default threshold for a probability; an ordinal score has no default.
DEFAULT_PROBABILITY_THRESHOLD = 0.5
#: The NIJ Recidivism Forecasting Challenge counted a prediction positive at p >= 0.5.
NIJ_THRESHOLD = 0.5

#: A group is flagged small below this many people ...
SMALL_GROUP_N = 50
#: ... or with fewer than this many people who reoffended or who did not.
SMALL_GROUP_CLASS = 5

#: Absolute tolerance for "equal" rates (FPR, FNR, PPV) between groups.
DEFAULT_RATE_TOLERANCE = 0.05
#: Tolerance on observed/expected around 1 for "calibrated within the group".
DEFAULT_OE_TOLERANCE = 0.10
#: A criterion is judged on a group only when the figure's own denominator (people flagged
#: for PPV, people who did not reoffend for the false positive rate, people who reoffended for
#: the false negative rate) holds at least this many people.
MIN_DENOMINATOR = 10

#: The four answers a fairness criterion can get (:mod:`riskmodel.fairness._verdicts`).
HOLDS = "holds"
DOES_NOT_HOLD = "does not hold"
CANNOT_TELL = "cannot tell"
UNDEFINED = "undefined"
VERDICTS: tuple[str, ...] = (HOLDS, DOES_NOT_HOLD, CANNOT_TELL, UNDEFINED)

#: The criteria judged between groups, in report order: (name, metric).
CRITERIA: tuple[tuple[str, str], ...] = (
    ("calibration within groups", "observed_expected"),
    ("predictive parity (equal PPV)", "ppv"),
    ("equal false positive rates", "fpr"),
    ("equal false negative rates", "fnr"),
)
#: The criteria whose names are plural ("equal false positive rates"): their sentences say
#: "hold", "do not hold", "are undefined".
PLURAL_CRITERIA: frozenset[str] = frozenset({"fpr", "fnr"})

#: Operating points of the short summary (model card, training report): flagged at the
#: observed reoffending rate, and the highest-scoring tenth (a capacity of 10%).
SUMMARY_CAPACITY = 0.10

DEFAULT_N_RESAMPLES = 1000
DEFAULT_SEED = 0
DEFAULT_CONFIDENCE = 0.95

# --- error messages -----------------------------------------------------------------------

UNKNOWN_COLUMN = "column {column!r} ({role}) is not in the scores file; columns are: {available}"
NO_GROUP_COLUMNS = "give at least one group column (--group-column)"
GROUP_IS_SCORE_OR_OUTCOME = "group column {column!r} is also the score or the outcome column"
NON_NUMERIC_SCORES = (
    "score column {column!r} must be numeric; {count} value(s) are not numbers, e.g. {examples}"
)
NON_BINARY_OUTCOME = (
    "outcome column {column!r} must hold 0/1 (or true/false); found other values, e.g. {examples}"
)
NO_USABLE_ROWS = (
    "no row has both a score and an outcome ({n_rows} rows read; "
    "{missing_score} without a score, {missing_outcome} without an outcome)"
)
UNKNOWN_SCORE_KIND = "score kind must be one of {kinds}, got {kind!r}"
ORDINAL_NEEDS_THRESHOLD = (
    "the scores are ordinal (not all in [0, 1], or --score-kind ordinal): give --threshold; "
    "people with score >= threshold count as flagged (e.g. --threshold 5 for a 1-10 decile)"
)
PROBABILITY_OUT_OF_RANGE = (
    "--score-kind probability needs every score in [0, 1]; found values from {low} to {high}"
)
BAD_REFERENCE_SYNTAX = "--reference must look like GROUP_COLUMN=VALUE, got {text!r}"
REFERENCE_UNKNOWN_COLUMN = (
    "--reference names column {column!r}, which is not a group column ({available})"
)
REFERENCE_UNKNOWN_VALUE = (
    "--reference value {value!r} does not occur in group column {column!r}; values are: "
    "{available}"
)
BAD_NIJ_SYNTAX = "--nij-groups must look like GROUP_COLUMN=A,B (two values), got {text!r}"
NIJ_NEEDS_PROBABILITY = (
    "the NIJ fairness-penalised score uses the Brier score and p >= 0.5: "
    "it needs probability scores, not ordinal ones"
)
NIJ_UNKNOWN_VALUE = (
    "--nij-groups value {value!r} does not occur in group column {column!r}; values are: "
    "{available}"
)
THRESHOLD_NOT_A_NUMBER_OR_FILE = (
    "--threshold must be a number or a threshold.json written by riskmodel threshold; "
    "{text!r} is neither"
)
THRESHOLD_FILE_UNREADABLE = (
    "cannot read a threshold from {path}: {reason} (expected the threshold.json written by "
    "riskmodel threshold, with a numeric 'threshold')"
)
MODEL_PROXIES_NEED_BOTH = (
    "proxies from a model need the model (--model) and the data it scores (--data or --table)"
)
