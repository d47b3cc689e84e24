"""Exact, additive explanations of the calibrated score, in log-odds and in words.

:func:`explain` decomposes each person's calibrated log-odds into a base value plus one
contribution per original feature (shap's LinearExplainer or TreeExplainer on the model inside
the calibration, composed exactly with the sigmoid calibrator, and checked), and sums them into
*concepts* (:class:`ConceptMap`: the concept catalogue for event data, a config's
``[explain.groups]`` for flat tables), which stay exactly additive
(``Explanation.concept_contributions``). :func:`top_factors` gives one plain-language reason
per concept (:class:`Factor`: the concept in everyday words, the person's values, their
position among a :class:`ReferencePopulation`, and a direction that follows from the sign);
:func:`reasons_by_person` gives everyone's largest reasons at once, in the same words
(``riskmodel score --explain``); :func:`need_contradictions` counts significant needs explained
as lowering the risk; the Display classes draw waterfalls, importances (by concept, or by
feature for researchers) and dependence plots.
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
from riskmodel.explain._concepts import ConceptMap, need_contradictions
from riskmodel.explain._display import DependenceDisplay, ImportanceDisplay, WaterfallDisplay
from riskmodel.explain._phrases import (
    LITTLE_DIFFERENCE,
    LOWERS,
    NEGLIGIBLE,
    RAISES,
    Factor,
    catalogue_for,
    code_words,
    codes_in_words,
    concept_factor,
    describe_value,
    feature_label,
    feature_words,
    level_words,
    position_words,
    reasons_by_person,
    top_factors,
)
from riskmodel.explain._reference import (
    BATCH_REFERENCE,
    TRAINING_REFERENCE,
    Position,
    ReferencePopulation,
)

__all__ = [
    "ADDITIVITY_TOLERANCE",
    "BATCH_REFERENCE",
    "EMPTY_INPUT",
    "LITTLE_DIFFERENCE",
    "LOWERS",
    "NEGLIGIBLE",
    "NOT_ADDITIVE",
    "NOT_FITTED",
    "RAISES",
    "TRAINING_REFERENCE",
    "UNSUPPORTED_FAMILY",
    "UNSUPPORTED_PREPROCESSING",
    "ConceptMap",
    "DependenceDisplay",
    "Explanation",
    "ExplanationError",
    "Factor",
    "ImportanceDisplay",
    "Position",
    "ReferencePopulation",
    "WaterfallDisplay",
    "catalogue_for",
    "code_words",
    "codes_in_words",
    "concept_factor",
    "describe_value",
    "explain",
    "feature_label",
    "feature_words",
    "level_words",
    "logit",
    "need_contradictions",
    "position_words",
    "reasons_by_person",
    "top_factors",
]
