"""Fairness of a risk score between groups: metrics, disparities, trade-offs and proxies.

Group columns (sex, age band, cohort, ethnicity, any user column) are never model inputs;
they are passed separately, as fairlearn's ``sensitive_features``. Works for this package's
probabilities and for any other tool's ordinal score (to audit an existing instrument).
"""

from riskmodel.fairness._audit import (
    FairnessAudit,
    fairness_audit,
    fairness_summary,
    summary_markdown,
)
from riskmodel.fairness._disparities import bootstrap_group_metrics, disparities
from riskmodel.fairness._display import (
    ErrorRateDisplay,
    GroupCalibrationDisplay,
    group_reliability,
)
from riskmodel.fairness._inputs import AuditInput, prepare_input
from riskmodel.fairness._metrics import group_metrics
from riskmodel.fairness._proxies import proxy_table
from riskmodel.fairness._tradeoff import nij_fairness_score, tradeoff

__all__ = [
    "AuditInput",
    "ErrorRateDisplay",
    "FairnessAudit",
    "GroupCalibrationDisplay",
    "bootstrap_group_metrics",
    "disparities",
    "fairness_audit",
    "fairness_summary",
    "group_metrics",
    "group_reliability",
    "nij_fairness_score",
    "prepare_input",
    "proxy_table",
    "summary_markdown",
    "tradeoff",
]
