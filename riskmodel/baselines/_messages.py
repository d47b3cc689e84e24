"""Messages of ``riskmodel.baselines`` (raised or printed); tests import and match them."""

from __future__ import annotations

#: Raised when X lacks an OGRS3 input.
MISSING_INPUTS = "OGRS3 needs feature column(s) {columns} (from build_feature_table)"

#: Raised for an unknown horizon.
BAD_HORIZON = "horizon must be '1y' or '2y', got {value!r}"
