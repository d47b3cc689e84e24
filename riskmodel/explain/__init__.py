"""Exact, additive explanations of the calibrated score, in log-odds and in words.

:func:`explain` decomposes each person's calibrated log-odds into a base value plus one
contribution per original feature (shap's LinearExplainer or TreeExplainer on the model inside
the calibration, composed exactly with the sigmoid calibrator, and checked);
:func:`top_factors` turns them into plain-language reasons from the feature catalogue; the
Display classes draw waterfalls, importances and dependence plots.
"""

from riskmodel.explain._additive import (
    ADDITIVITY_TOLERANCE,
    EMPTY_INPUT,
    NOT_ADDITIVE,
    NOT_FITTED,
    UNSUPPORTED_FAMILY,
    UNSUPPORTED_PREPROCESSING,
    Explanation,
    ExplanationError,
    explain,
    logit,
)
from riskmodel.explain._display import DependenceDisplay, ImportanceDisplay, WaterfallDisplay
from riskmodel.explain._phrases import (
    LOWERS,
    RAISES,
    Factor,
    catalogue_for,
    describe_value,
    feature_label,
    top_factors,
)

__all__ = [
    "ADDITIVITY_TOLERANCE",
    "EMPTY_INPUT",
    "LOWERS",
    "NOT_ADDITIVE",
    "NOT_FITTED",
    "RAISES",
    "UNSUPPORTED_FAMILY",
    "UNSUPPORTED_PREPROCESSING",
    "DependenceDisplay",
    "Explanation",
    "ExplanationError",
    "Factor",
    "ImportanceDisplay",
    "WaterfallDisplay",
    "catalogue_for",
    "describe_value",
    "explain",
    "feature_label",
    "logit",
    "top_factors",
]
