"""Reference scales to compare models with: OGRS3 (DOMAIN.md)."""

from riskmodel.baselines._ogrs3 import (
    MISSING_INPUTS,
    OGRS3_INPUTS,
    OGRS3Classifier,
    ogrs3_band,
    ogrs3_from_features,
    ogrs3_logit,
    ogrs3_scores,
)

__all__ = [
    "MISSING_INPUTS",
    "OGRS3_INPUTS",
    "OGRS3Classifier",
    "ogrs3_band",
    "ogrs3_from_features",
    "ogrs3_logit",
    "ogrs3_scores",
]
