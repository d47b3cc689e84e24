"""Local recalibration: refit the calibration intercept and slope on local outcomes, keeping
the model (a model trained on national data is usually miscalibrated locally)."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from riskmodel._errors import ConfigError, DataError
from riskmodel.evaluation import calibration_slope_intercept
from riskmodel.models import check_slope
from riskmodel.training._messages import NOT_RECALIBRATABLE, RECALIBRATION_FAILED

__all__ = ["NOT_RECALIBRATABLE", "RECALIBRATION_FAILED", "recalibrate_model"]


def recalibrate_model(model: Any, X: Any, y: np.ndarray) -> tuple[Any, dict[str, float]]:
    """A copy of ``model`` whose calibrated log-odds are ``a + b * old_log_odds``, with ``a``
    and ``b`` fitted by logistic regression of the local outcomes on the old log-odds.

    The inner model is unchanged, and the new calibration is still one sigmoid of its
    decision function, so explanations stay exact.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from riskmodel.models import RiskModel
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.uniform(18, 70, 400)})
    >>> y = (rng.random(400) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
    >>> model = RiskModel(family="logistic").fit(X, y)
    >>> local_y = (rng.random(400) < 0.8).astype(int)
    >>> new, fit = recalibrate_model(model, X, local_y)
    >>> bool(new.predict_proba(X)[:, 1].mean() > model.predict_proba(X)[:, 1].mean())
    True
    """
    if getattr(model, "calibration_slope_", None) is None:
        raise ConfigError(
            NOT_RECALIBRATABLE.format(calibration=getattr(model, "calibration", "unknown"))
        )
    y = np.asarray(y, dtype=float)
    p_old = model.predict_proba(X)[:, 1]
    slope, intercept = calibration_slope_intercept(y_true=y, y_prob=p_old)
    if not (np.isfinite(slope) and np.isfinite(intercept)):
        raise DataError(RECALIBRATION_FAILED)
    if getattr(model, "directions_", None):
        check_slope(float(slope * model.calibration_slope_))  # directions stay the right way
    new = copy.deepcopy(model)
    new.calibration_slope_ = float(slope * model.calibration_slope_)
    new.calibration_intercept_ = float(intercept + slope * model.calibration_intercept_)
    calibrator = new.calibrated_.calibrated_classifiers_[0].calibrators[0]
    calibrator.a_ = -new.calibration_slope_
    calibrator.b_ = -new.calibration_intercept_
    return new, {
        "recalibration_intercept": float(intercept),
        "recalibration_slope": float(slope),
        "n": int(y.size),
        "local_base_rate": float(y.mean()),
        "mean_predicted_before": float(p_old.mean()),
    }
