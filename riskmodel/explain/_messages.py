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

NOT_EXPLAINABLE = (
    "{path} holds a {kind}, which has no explanations: explain a model trained with "
    "`riskmodel train`"
)
UNKNOWN_IDS = "--ids names {count} people not in the data: {ids}"
EMPTY_IDS = "--ids names nobody; give comma-separated person ids, e.g. --ids A123,B456"
DEFAULT_SAMPLE_NOTE = (
    "Pages are shown for {k:,} of the {n:,} people explained, chosen at random (seed {seed}) to "
    "illustrate the report; they are records about real people, so the report never includes "
    "the whole caseload by default. Use --ids to choose people, or --sample to change how many."
)
IDS_NOTE = "Pages are shown for the {k} people asked for with --ids."
NO_PAGES_NOTE = "No person pages were asked for (--sample 0)."
