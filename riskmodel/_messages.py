"""Messages shared by several parts of the package (tests import and match them)."""

from __future__ import annotations

#: What a score is for, said the same way in every report and in the model card.
DECISION_NOTE = (
    "A reoffending score informs a decision made by people. It is not an assessment of risk "
    "of serious harm and must never be used as one."
)
