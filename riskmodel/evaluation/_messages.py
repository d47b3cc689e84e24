"""Messages of ``riskmodel.evaluation`` (raised or printed); tests import and match them."""

from __future__ import annotations

BAD_INPUT = "y and p must have the same length and no missing values; got {detail}"
