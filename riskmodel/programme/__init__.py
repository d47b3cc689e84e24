"""Programme evaluation with a matched comparison group, as the Justice Data Lab does it.

Participants are compared with similar people who did not take part: a propensity score
(taking part against the comparison pool, a logistic regression on the features and, given a
model, the predicted risk), nearest-neighbour matching on its logit within a caliper, a balance
table of standardised mean differences before and after, and three outcomes for participants
and matched comparisons (proven reoffending rate, frequency, time to first reoffence), each
difference with a bootstrap interval over matched sets, a p-value and the minimum detectable
difference. Given a baseline cohort, the payment-by-results measures adjusted for case mix.
Matching balances recorded characteristics only.
"""

from riskmodel.programme._evaluate import (
    MEASURES,
    MINIMUM_MATCHED,
    ProgrammeResult,
    evaluate_programme,
    outcome_differences,
)
from riskmodel.programme._inputs import ProgrammeData, participant_flags, read_programme_data
from riskmodel.programme._matching import (
    DEFAULT_CALIPER_SD,
    SMD_LIMIT,
    Matching,
    balance_table,
    match_on_logit,
    matching_variables,
    propensity_logit,
)
from riskmodel.programme._outcomes import OUTCOME_COLUMNS, reoffending_outcomes
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
    "evaluate_programme",
    "match_on_logit",
    "matching_variables",
    "outcome_differences",
    "participant_flags",
    "payment_by_results",
    "pbr_sentences",
    "propensity_logit",
    "read_programme_data",
    "reoffending_outcomes",
]
