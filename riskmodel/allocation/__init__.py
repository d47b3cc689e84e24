"""Allocation threshold helper: who to allocate to a limited intervention, and what follows.

A score informs a decision made by people; a reoffending score is not an assessment of risk of
serious harm.
"""

from riskmodel.allocation._calibration import CalibrationError
from riskmodel.allocation._inputs import find_group_columns
from riskmodel.allocation._policies import (
    Capacity,
    ExpectedCost,
    Policy,
    PPVTarget,
    SensitivityTarget,
)
from riskmodel.allocation._summary import allocation_summary, calibration_note
from riskmodel.allocation._threshold import (
    CapacityCurveDisplay,
    ThresholdResult,
    choose_threshold,
)
from riskmodel.bands import OGRS_BAND_CUTS, OGRS_BAND_NAMES, Bands

__all__ = [
    "OGRS_BAND_CUTS",
    "OGRS_BAND_NAMES",
    "Bands",
    "CalibrationError",
    "Capacity",
    "CapacityCurveDisplay",
    "ExpectedCost",
    "PPVTarget",
    "Policy",
    "SensitivityTarget",
    "ThresholdResult",
    "allocation_summary",
    "calibration_note",
    "choose_threshold",
    "find_group_columns",
]
