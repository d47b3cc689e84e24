"""Messages shared by several parts of the package (tests import and match them)."""

from __future__ import annotations

#: What a score is for, said the same way in every report and in the model card.
DECISION_NOTE = (
    "A reoffending score informs a decision made by people. It is not an assessment of risk "
    "of serious harm and must never be used as one."
)

#: What the outcome records, said in the first screen of every report and in the model card.
PROVEN_REOFFENDING_NOTE = (
    "Proven reoffending records offences that were detected and proven, not all offending: "
    "detection and proof differ between groups and areas, so a difference between groups in "
    "recorded reoffending is not only a difference in what people did."
)

#: Said by every page about people drawn by ``riskmodel synth``, and by no other page.
SYNTHETIC_NOTE = (
    "The people on this page are invented: they were drawn by the synthetic population generator "
    "of riskmodel, and no record here belongs to anyone real."
)
