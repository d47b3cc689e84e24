"""Discrimination and calibration of predicted probabilities, with bootstrap intervals.

Pure functions compute (:func:`evaluate_predictions`, :func:`metrics_by_group`, one function
per metric, and :func:`heldout_metrics`, all of them on held-out predictions); Display
classes plot (:class:`ReliabilityDisplay`, :class:`RiskDistributionDisplay`).
"""

from riskmodel.evaluation._displays import (
    ReliabilityDisplay,
    RiskDistributionDisplay,
    reliability_table,
)
from riskmodel.evaluation._heldout import EVALUATION_GROUPS, heldout_metrics
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
    "heldout_metrics",
    "log_loss",
    "metrics_by_group",
    "observed_expected_ratio",
    "reliability_table",
    "reoffending_over_time",
]
