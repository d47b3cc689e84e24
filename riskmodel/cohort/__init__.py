"""Programme cohort evaluation: observed against expected reoffending.

Observed/expected compares a cohort with what was predicted for people like them; a cohort that
chose to take part is not a random sample, so it is not by itself the programme's effect.
"""

from riskmodel.cohort._cohort import (
    CohortResult,
    ObservedExpectedDisplay,
    PoissonBinomialDisplay,
    cohort_evaluation,
    observed_expected_summary,
)
from riskmodel.cohort._poisson_binomial import poisson_binomial_pmf, poisson_binomial_tails

__all__ = [
    "CohortResult",
    "ObservedExpectedDisplay",
    "PoissonBinomialDisplay",
    "cohort_evaluation",
    "observed_expected_summary",
    "poisson_binomial_pmf",
    "poisson_binomial_tails",
]
