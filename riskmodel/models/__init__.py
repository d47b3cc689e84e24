"""Calibrated model families behind one estimator (:class:`RiskModel`).

See :mod:`riskmodel.models._model` for the families and the recommended default.
"""

from collections.abc import Sequence

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
    "RiskModel",
    "SplineBasis",
    "build_pipeline",
    "make_model",
]


def make_model(
    spec: ModelSpec,
    *,
    numeric: Sequence[str] | None = None,
    categorical: Sequence[str] | None = None,
) -> RiskModel:
    """A :class:`RiskModel` from a ``[model]`` spec (:class:`riskmodel.config.ModelSpec`).

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
    )
