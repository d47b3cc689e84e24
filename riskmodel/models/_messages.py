"""Messages of ``riskmodel.models`` (raised or printed); tests import and match them."""

from __future__ import annotations

MISSING_FEATURES = "the data lack feature column(s) the model needs: {missing}"

BAD_TARGET = "the outcome must be 0/1 with no missing values; found {examples}"

ONE_CLASS = "the outcome has only one class ({value}); a model needs both outcomes"
