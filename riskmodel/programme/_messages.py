"""Messages of ``riskmodel.programme`` (raised or printed); tests import and match them."""

from __future__ import annotations

#: Raised when nobody is left to evaluate.
NO_PARTICIPANTS = "no participants: the list of participants is empty"

NO_POOL = (
    "the comparison pool is empty: nobody who did not take part has a known outcome at the "
    "{horizon}-month horizon"
)

BAD_CALIPER = "the caliper must be a positive number of standard deviations, got {value!r}"

BAD_RATIO = "the number of comparisons per participant must be a whole number >= 1, got {value!r}"

NO_VARIATION = (
    "the matching variables do not vary across participants and pool, so a propensity score "
    "cannot be fitted"
)

PARTICIPANT_COLUMN_MISSING = (
    "{column}: no such column in the people table (its columns: {columns})"
)

PARTICIPANT_COLUMN_VALUES = (
    "{column}: {count} people have a value that is not 0/1, true/false or yes/no (first: "
    "{value!r}); every person must be marked as taking part or not"
)

POOL_OVERLAP = (
    "{count} people are both participants and in the comparison pool (first: {first}); a "
    "comparison pool holds only people who did not take part"
)

BASELINE_EMPTY = "the baseline cohort has nobody with a known outcome"

#: Reasons a participant is not in a matched set (programme.json ``unmatched_reasons``).
REASON_NOT_FOUND = "not in the data (absent, or rejected by validation)"
REASON_NO_OUTCOME = "outcome not known yet: the follow-up and proof period end after the extract"
REASON_MISSING = "missing matching variables"
REASON_NO_MATCH = "no comparison within the caliper"
REASON_NO_LABEL = (
    "outcome not known: the table's label at the horizon is missing (censored before it)"
)

#: Said on the page and in programme.json below the minimum cohort size.
TOO_SMALL = (
    "Only {n} participants were matched, fewer than {minimum}: the differences below are too "
    "uncertain to conclude either that the programme changed reoffending or that it did not, "
    "and they are shown for information only"
)

#: How the matching was done (programme.json and the page).
MATCHING_METHOD = (
    "a propensity score (logistic regression of taking part on the {n_variables} matching "
    "variables, standardised) and nearest-neighbour matching on its logit, {ratio} "
    "comparison{plural} per participant {replacement}, within a caliper of {caliper_sd:g} "
    "standard deviations of the logit ({caliper:.3f} on the logit scale)"
)

#: Interval and p-value method of every difference.
DIFFERENCE_METHOD = (
    "percentile bootstrap over matched sets ({n_resamples:,} resamples); the p-value is "
    "two-sided: twice the share of resamples whose difference lies on the other side of 0"
)

#: Minimum detectable difference.
MDD_METHOD = (
    "the smallest true difference a cohort of this size would detect with {power:.0%} power "
    "at the 5% level: {factor:.2f} times the bootstrap standard error of the difference"
)

#: Caveat every page states.
BALANCE_CAVEAT = (
    "Matching balances the characteristics recorded in the data only. People who take part may "
    "differ in what is not recorded (motivation, support, circumstances), and no comparison "
    "group drawn from records can rule that out."
)

#: Significance rule of payment by results.
PBR_RULE = (
    "a measure counts as changed when the two-sided 95% bootstrap interval of the cohort's "
    "case-mix-adjusted difference from the baseline lies wholly below 0 (fewer reoffences "
    "than expected) or wholly above it; otherwise the change is not significant"
)

PBR_METHOD = (
    "case mix is measured by the model's predicted risk: the baseline cohort's outcomes are "
    "regressed on the logit of its predicted risk (logistic regression for the binary "
    "measure, Poisson regression for reoffences per person), and what that predicts for the "
    "cohort is its expected value; the adjusted difference is observed minus expected, per "
    "person"
)

#: ``riskmodel programme`` with neither or both ways of naming participants.
PARTICIPANTS_CHOICE = (
    "give the participants with exactly one of --participants or --participant-column"
)

PARTICIPANTS_FILE_COLUMN = (
    "{path}: no person_id column (its columns: {columns}); the participants file lists one "
    "person_id per row"
)

#: ``--baseline`` without ``--model``: case mix is measured by the model.
BASELINE_NEEDS_MODEL = (
    "--baseline needs --model: payment by results adjusts for case mix with the model's "
    "predicted risk"
)

#: ``riskmodel programme`` with neither or both of --data and --table.
PARTICIPANT_SOURCE_CHOICE = (
    "give the participants' data with exactly one of --data (a data directory) or --table (a "
    "flat table described by --config's [table])"
)

#: Both --pool and --pool-table.
POOL_CHOICE = "give the comparison pool with at most one of --pool or --pool-table"

#: A flat table (--table or --pool-table) without a [table] config.
TABLE_NEEDS_CONFIG = (
    "{option} needs --config with a [table] section: it names the table's id, label and "
    "feature columns"
)

#: The pool's features differ from the participants'.
FEATURES_DIFFER = (
    "the comparison pool ({pool}) and the participants ({participants}) do not have the same "
    "features, so they cannot be matched: {problems}"
)
FEATURES_MISSING = "missing from the pool: {columns}"
FEATURES_EXTRA = "in the pool only: {columns}"
FEATURES_KIND = "numeric in one and categorical in the other: {columns}"

#: A flat table's horizon differs from the evaluation's.
TABLE_HORIZON = (
    "{source}: its [table] follow_up_months gives a horizon of {table} months, but the "
    "evaluation's horizon is {horizon} months ({why}); participants and pool must be followed "
    "up to one horizon"
)

#: The configured reoffence count column is not in a table.
COUNT_COLUMN_MISSING = (
    "{source}: no column {column!r} ([table] reoffences) (its columns: {columns})"
)

#: The reoffence counts are not whole numbers >= 0, or disagree with the label.
BAD_COUNTS = (
    "{source}: [table] reoffences column {column!r} must hold a whole number of at least 0 for "
    "every person with a known label, and more than 0 exactly when the label is 1; {count} "
    "people do not (first: {first})"
)

#: What a flat table cannot give (programme.json ``not_available`` and the page).
NO_COUNT_COLUMN = "not available: {source} gives no reoffence count column ([table] reoffences)"
NO_TIME_COLUMNS = (
    "not available: {source} gives no time to the first reoffence ([table] duration and "
    "event columns)"
)

#: --baseline when the participants' reoffence counts are not known.
BASELINE_NEEDS_COUNTS = (
    "--baseline needs the participants' reoffence counts for the frequency measure: {reason}"
)

#: Said on the page and in programme.json for every flat table read.
TABLE_OUTCOME = (
    "{source}: the outcome is the table's own label at its [table] follow_up_months "
    "({months} months: {outcome}){extra}"
)

#: Said on the page and in programme.json for every time-to-event flat table read: its rates
#: are complete-case (no censoring weights).
TABLE_COMPLETE_CASE = (
    "{source}: its rates are complete-case rates among the {followed} people followed to the "
    "{months}-month horizon; {left_out} people censored before it are left out (no "
    "censoring weights)"
)
