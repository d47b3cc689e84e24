"""Discrimination and calibration of predicted probabilities, with bootstrap intervals.

Pure functions compute (:func:`evaluate_predictions`, :func:`metrics_by_group`, one function
per metric); Display classes plot (:class:`ReliabilityDisplay`,
:class:`RiskDistributionDisplay`).
"""

from riskmodel.evaluation._displays import (
    ReliabilityDisplay,
    RiskDistributionDisplay,
    reliability_table,
)
from riskmodel.evaluation._metrics import (
    METRIC_NAMES,
    N_BINS,
    auc,
    brier,
    calibration_slope_intercept,
    evaluate_predictions,
    expected_calibration_error,
    log_loss,
    metrics_by_group,
    observed_expected_ratio,
)
from riskmodel.evaluation._survival import (
    CumulativeReoffendingDisplay,
    cumulative_reoffending,
    reoffending_over_time,
)

#: Group columns evaluated separately when the data have them (reoffending differs sharply).
EVALUATION_GROUPS: tuple[str, ...] = ("index_disposal", "index_offence")

__all__ = [
    "EVALUATION_GROUPS",
    "METRIC_NAMES",
    "N_BINS",
    "CumulativeReoffendingDisplay",
    "ReliabilityDisplay",
    "RiskDistributionDisplay",
    "auc",
    "brier",
    "calibration_slope_intercept",
    "cumulative_reoffending",
    "evaluate_predictions",
    "expected_calibration_error",
    "log_loss",
    "metrics_by_group",
    "observed_expected_ratio",
    "reliability_table",
    "reoffending_over_time",
]
