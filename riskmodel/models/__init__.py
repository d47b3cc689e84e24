"""Calibrated model families behind one estimator (:class:`RiskModel`).

See :mod:`riskmodel.models._model` for the families and the recommended default.
"""

from collections.abc import Mapping, Sequence

from riskmodel.config import ModelSpec
from riskmodel.models._ensemble import LogOddsEnsemble
from riskmodel.models._model import (
    BAD_TARGET,
    CANDIDATES,
    FAMILIES,
    FORBIDDEN_COLUMNS,
    MISSING_FEATURES,
    ONE_CLASS,
    BaseRateModel,
    RiskModel,
    build_pipeline,
    check_slope,
    uses_profiles,
)
from riskmodel.models._monotone import (
    MonotoneBasis,
    MonotoneLogisticRegression,
    MonotonePipeline,
    design_signs,
)
from riskmodel.models._preprocess import MISSING_LEVEL, CategoryCleaner, SplineBasis

__all__ = [
    "BAD_TARGET",
    "CANDIDATES",
    "FAMILIES",
    "FORBIDDEN_COLUMNS",
    "MISSING_FEATURES",
    "MISSING_LEVEL",
    "ONE_CLASS",
    "BaseRateModel",
    "CategoryCleaner",
    "LogOddsEnsemble",
    "MonotoneBasis",
    "MonotoneLogisticRegression",
    "MonotonePipeline",
    "RiskModel",
    "SplineBasis",
    "build_pipeline",
    "check_slope",
    "design_signs",
    "make_model",
    "uses_profiles",
]


def make_model(
    spec: ModelSpec,
    *,
    numeric: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
    directions: Mapping[str, int] | None = None,
) -> RiskModel:
    """A :class:`RiskModel` from a ``[model]`` spec (:class:`riskmodel.config.ModelSpec`).

    ``directions`` are the declared directions (a flat table's ``increasing``/``decreasing``);
    None: the feature catalogue's for the event features present.

    Examples
    --------
    >>> from riskmodel.config import ModelSpec
    >>> make_model(ModelSpec(family="gbm")).family
    'gbm'
    """
    return RiskModel(
        family=spec.family,
        calibration=spec.calibration,
        seed=spec.seed,
        numeric=None if numeric is None else list(numeric),
        categorical=None if categorical is None else list(categorical),
        directions=None if directions is None else dict(directions),
    )
