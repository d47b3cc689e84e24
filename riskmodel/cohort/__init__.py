"""Programme cohort evaluation: observed against expected reoffending.

Observed/expected compares a cohort with what was predicted for people like them; a cohort that
chose to take part is not a random sample, so it is not by itself the programme's effect.
Given the model's :class:`CalibrationUncertainty`, intervals and p-values also include the
uncertainty of the predictions themselves.
"""

from riskmodel.cohort._cohort import (
    CohortResult,
    ObservedExpectedDisplay,
    PoissonBinomialDisplay,
    cohort_evaluation,
    observed_expected_summary,
    with_model_uncertainty,
)
from riskmodel.cohort._poisson_binomial import (
    poisson_binomial_pmf,
    poisson_binomial_pmfs,
    poisson_binomial_tails,
)
from riskmodel.cohort._uncertainty import (
    FEW_TRAINING_LIMIT,
    CalibrationUncertainty,
    calibration_covariance,
    decile_points,
    mixture_tails,
)

__all__ = [
    "FEW_TRAINING_LIMIT",
    "CalibrationUncertainty",
    "CohortResult",
    "ObservedExpectedDisplay",
    "PoissonBinomialDisplay",
    "calibration_covariance",
    "cohort_evaluation",
    "decile_points",
    "mixture_tails",
    "observed_expected_summary",
    "poisson_binomial_pmf",
    "poisson_binomial_pmfs",
    "poisson_binomial_tails",
    "with_model_uncertainty",
]
