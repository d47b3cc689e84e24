"""Messages of ``riskmodel.scoring`` (raised or printed); tests import and match them."""

from __future__ import annotations

#: Reason of a flat-table row left out by the ``[table]`` query.
OUTSIDE_QUERY = "outside the model's population: excluded by the [table] query {query!r}"

NO_INPUT = "give the data: --data DIR (event tables) or --table FILE (a flat table)"

BOTH_INPUTS = "give either --data or --table, not both"

NO_TABLE_CONFIG = (
    "--table needs a [table] section naming the id and feature columns: pass --config "
    "(see training/compas.toml), or use a model bundle whose manifest records its config"
)

BAD_CARRY = (
    "--carry names column(s) {missing} that {file} does not have; columns available: {available}"
)

CARRY_IN_OUTPUT = "--carry column(s) {columns} are already output columns; leave them out"

BAD_CHUNK_SIZE = "--chunk-size must be a positive whole number of people, got {value!r}"

MODEL_NOT_FOR_EVENTS = (
    "the model uses column(s) {columns} that event data (--data) do not provide; it was "
    "trained on a flat table: score it with --table FILE --config TOML"
)

BAD_EXPLAIN = "--explain must be a whole number from 0 to {limit}, got {value!r}"

BANDS_RULE = (
    "the two-year percentage rounded half-up to a whole number; a person is in the highest "
    "band whose lower cut point is at most that percentage (OGRS convention)"
)

NO_DASK = (
    "--engine dask needs dask.distributed: pip install 'dask[distributed]' (it is a "
    "dependency of riskmodel; the environment lacks it)"
)

BAD_ENGINE = "unknown engine {value!r}; known engines: local, dask"

SCHEDULER_WITHOUT_DASK = "--scheduler is for --engine dask"

BAD_WORKERS = "--workers must be a whole number of processes, at least 1; got {value!r}"

SCHEDULER_UNREACHABLE = (
    "could not reach the Dask scheduler at {address!r} within {seconds} s ({error}); check "
    "the address and that the scheduler is running (a distant one may need a longer "
    "--scheduler-timeout), or leave out --scheduler to start a local cluster"
)

TIMEOUT_WITHOUT_SCHEDULER = (
    "--scheduler-timeout is the wait for the scheduler named by --scheduler; give both, or neither"
)

BAD_SCHEDULER_TIMEOUT = (
    "--scheduler-timeout must be a finite number of seconds above 0; got {value!r}"
)

DISK_FULL = (
    "no space left on the device holding {where}: nothing was written and the "
    "temporary files were removed; free some space or write elsewhere (--out)"
)

WORKERS_WITH_DASK = "--workers is for --engine local (a Dask cluster has its own workers)"

DRIFT_WARNING = (
    "the batch no longer looks like the training population: the PSI of the score is "
    "{psi:.2f} (above {limit:.2f}). The model's probabilities may be miscalibrated for these "
    "people; check them against local outcomes and consider `riskmodel recalibrate --model "
    "MODEL_DIR --data LOCAL_DATA --out NEW_MODEL_DIR`."
)

FEATURE_DRIFT_WARNING = (
    "{n} feature(s) shifted strongly since training (PSI above {limit:.2f}): {features}. "
    "If the scores are to be used for these people, consider `riskmodel recalibrate`."
)

#: DRIFT_WARNING for the scores of a programme cohort under evaluation (``--programme-cohort``):
#: recalibrating on the cohort's outcomes would absorb the programme's effect into the model.
PROGRAMME_DRIFT_WARNING = (
    "the batch no longer looks like the training population: the PSI of the score is "
    "{psi:.2f} (above {limit:.2f}). These scores are for a programme cohort under evaluation "
    "(--programme-cohort): do not recalibrate the model on this cohort's outcomes, which "
    "would absorb the programme's effect into the model and erase what is being measured; "
    "check the model on outcomes of comparable people outside the programme instead."
)

PROGRAMME_FEATURE_DRIFT_WARNING = (
    "{n} feature(s) shifted strongly since training (PSI above {limit:.2f}): {features}. "
    "These scores are for a programme cohort under evaluation (--programme-cohort): do not "
    "recalibrate the model on this cohort's outcomes."
)

UNSEEN_WARNING = "categories never seen in training (the model treats them as unknown): {items}"

NO_REFERENCE = (
    "the model bundle holds no training reference (manifest key 'drift_reference'), so the "
    "batch was not compared with the training population"
)

# -- flat-table rows (``score --table``): reasons of rejected rows, flags of scored people --

#: Reason: a numeric feature holding text that is not a number.
NOT_A_NUMBER = "not a number, in a numeric feature"

#: Reason: a numeric feature holding an infinite value.
NOT_FINITE = "not a finite number, in a numeric feature"

#: Reason: a missing value where training had none (the model never learnt what it means).
MISSING_NUMBER = "missing, in a numeric feature that had no missing values in training"

#: Reason: every row of a repeated id.
DUPLICATE_TABLE_ID = "the id is on more than one row of the table (every row of it is rejected)"

#: Reason: a negative value in a feature never negative in training.
NEGATIVE_VALUE = "negative, in a feature that was never negative in training ({low:g} to {high:g})"

#: Reason: a value beyond the training range by more than the margin.
FAR_OUTSIDE_RANGE = (
    "outside the training range ({low:g} to {high:g}) by more than half of its width"
)

#: Flag: a missing value in a feature that had missing values in training (scored).
FLAG_MISSING = "{column} missing (imputed as in training)"

#: Flag: a value outside the training range, within the margin (scored).
FLAG_OUTSIDE_RANGE = "{column} {value:g} outside the training range ({low:g} to {high:g})"

#: Flag: a category never seen in training (scored; the model treats it as unknown).
FLAG_UNSEEN = "{column} {value!r} not seen in training (treated as unknown)"
