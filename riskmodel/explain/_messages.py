"""Messages of ``riskmodel.explain`` (raised or printed); tests import and match them."""

from __future__ import annotations

NOT_ADDITIVE = (
    "the {stage} explanation is not additive: base value + contributions differ from the "
    "model's {target} by up to {error:.3g} (tolerance {tolerance:g}) for {count} of {n} "
    "people; refusing to report an explanation of a different score"
)

UNSUPPORTED_FAMILY = (
    "cannot explain a model of family {family!r} exactly; explainable families: {families}"
)

UNSUPPORTED_PREPROCESSING = (
    "cannot map the model's preprocessed columns back to its features: {reason}"
)

NOT_FITTED = "the model is not fitted; fit it (or load a trained bundle) before explaining"

EMPTY_INPUT = "there is nobody to explain: the data have no rows"
