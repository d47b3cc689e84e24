"""Fairness of a risk score between groups: metrics, disparities, verdicts and proxies.

Group columns (sex, age band, cohort, ethnicity, any user column) are never model inputs;
they are passed separately, as fairlearn's ``sensitive_features``. Works for this package's
probabilities and for any other tool's ordinal score (to audit an existing instrument).
"""

from riskmodel.fairness._audit import FairnessAudit, fairness_audit
from riskmodel.fairness._disparities import bootstrap_group_metrics, disparities
from riskmodel.fairness._display import (
    ErrorRateDisplay,
    GroupCalibrationDisplay,
    group_reliability,
)
from riskmodel.fairness._inputs import AuditInput, prepare_input, read_threshold
from riskmodel.fairness._metrics import group_metrics
from riskmodel.fairness._proxies import proxy_table
from riskmodel.fairness._reads import model_reads, split_groups
from riskmodel.fairness._summary import fairness_summary, operating_points, summary_markdown
from riskmodel.fairness._tradeoff import nij_fairness_score
from riskmodel.fairness._verdicts import VerdictRule, fairness_verdicts, interval_verdict

__all__ = [
    "AuditInput",
    "ErrorRateDisplay",
    "FairnessAudit",
    "GroupCalibrationDisplay",
    "VerdictRule",
    "bootstrap_group_metrics",
    "disparities",
    "fairness_audit",
    "fairness_summary",
    "fairness_verdicts",
    "group_metrics",
    "group_reliability",
    "interval_verdict",
    "model_reads",
    "nij_fairness_score",
    "operating_points",
    "prepare_input",
    "proxy_table",
    "read_threshold",
    "split_groups",
    "summary_markdown",
]
