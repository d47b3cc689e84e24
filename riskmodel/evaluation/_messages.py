"""Messages of ``riskmodel.evaluation`` (raised or printed); tests import and match them."""

from __future__ import annotations

BAD_INPUT = "y_true and y_prob must have the same length and no missing values; got {detail}"
