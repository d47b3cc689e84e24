"""Programme evaluation with a matched comparison group, as the Justice Data Lab does it.

Participants are compared with similar people who did not take part: a propensity score
(taking part against the comparison pool, a logistic regression on the features and, given a
model, the predicted risk), nearest-neighbour matching on its logit within a caliper, a balance
table of standardised mean differences before and after, and three outcomes for participants
and matched comparisons (proven reoffending rate, frequency, time to first reoffence), each
difference with a bootstrap interval over matched sets, a p-value and the minimum detectable
difference. Given a baseline cohort, the payment-by-results measures adjusted for case mix.
Participants and pool come from data directories or flat tables with the same features, at
one horizon; what a flat table cannot give is reported as not available, never estimated.
Matching balances recorded characteristics only.
"""

from riskmodel.programme._evaluate import (
    MEASURES,
    MINIMUM_MATCHED,
    ProgrammeResult,
    evaluate_programme,
    measure_words,
    outcome_differences,
)
from riskmodel.programme._inputs import (
    ProgrammeData,
    check_same_features,
    participant_flags,
    programme_horizon,
    read_programme_data,
)
from riskmodel.programme._matching import (
    DEFAULT_CALIPER_SD,
    SMD_LIMIT,
    Matching,
    balance_table,
    match_on_logit,
    matching_variables,
    propensity_logit,
)
from riskmodel.programme._outcomes import OUTCOME_COLUMNS, reoffending_outcomes, table_outcomes
from riskmodel.programme._pbr import payment_by_results, pbr_sentences

__all__ = [
    "DEFAULT_CALIPER_SD",
    "MEASURES",
    "MINIMUM_MATCHED",
    "OUTCOME_COLUMNS",
    "SMD_LIMIT",
    "Matching",
    "ProgrammeData",
    "ProgrammeResult",
    "balance_table",
    "check_same_features",
    "evaluate_programme",
    "match_on_logit",
    "matching_variables",
    "measure_words",
    "outcome_differences",
    "participant_flags",
    "payment_by_results",
    "pbr_sentences",
    "programme_horizon",
    "propensity_logit",
    "read_programme_data",
    "reoffending_outcomes",
    "table_outcomes",
]
