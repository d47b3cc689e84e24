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

#: Group columns evaluated separately when the data have them (reoffending differs sharply).
EVALUATION_GROUPS: tuple[str, ...] = ("index_disposal", "index_offence")

__all__ = [
    "EVALUATION_GROUPS",
    "METRIC_NAMES",
    "N_BINS",
    "ReliabilityDisplay",
    "RiskDistributionDisplay",
    "auc",
    "brier",
    "calibration_slope_intercept",
    "evaluate_predictions",
    "expected_calibration_error",
    "log_loss",
    "metrics_by_group",
    "observed_expected_ratio",
    "reliability_table",
]
