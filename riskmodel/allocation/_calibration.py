"""The model's own calibration error, as a term that widens the intervals of expected figures.

An expected figure (expected reoffenders among those allocated, say) is a sum of the model's
probabilities, so it is only as good as their calibration. A model bundle records its
calibration on held-out people: the intercept ``a`` and slope ``b`` of the logistic
recalibration ``logit P(y=1) = a + b logit(p)``, each with a 95% interval. Draws of ``(a, b)``
from normal distributions with those centres and widths (independent: the bundle records no
covariance, which errs towards wider intervals at the extremes of the scores) give, for each
draw, the probabilities the model's calibration error allows; a figure computed on them, less
the figure as stated, is the calibration term of its interval.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from riskmodel._bootstrap import percentile_interval
from riskmodel._errors import DataError
from riskmodel.allocation import _messages as msg

# SciPy is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

__all__ = ["CalibrationError", "widen"]

#: Probabilities are kept this far from 0 and 1 before taking their logit.
_EPSILON = 1e-6
#: Recalibrated probabilities computed at once (draws times people); bounds memory.
_MAX_ELEMENTS = 4_000_000


@dataclass(frozen=True)
class CalibrationError:
    """Held-out calibration intercept and slope of a model, with their intervals.

    Attributes
    ----------
    intercept, slope : float
        Of ``logit P(y=1) = intercept + slope * logit(p)`` on the model's held-out people.
    intercept_ci, slope_ci : tuple of float
        Their intervals, of coverage ``confidence``.
    n_heldout : int or None
        Held-out people they were measured on.
    model_id : str or None
    confidence : float

    Examples
    --------
    >>> error = CalibrationError(0.0, (-0.1, 0.1), 1.0, (0.9, 1.1))
    >>> intercepts, slopes = error.draws(1000, np.random.default_rng(0))
    >>> round(float(np.std(intercepts)), 2), round(float(np.mean(slopes)), 2)
    (0.05, 1.0)
    """

    intercept: float
    intercept_ci: tuple[float, float]
    slope: float
    slope_ci: tuple[float, float]
    n_heldout: int | None = None
    model_id: str | None = None
    confidence: float = 0.95

    @classmethod
    def from_manifest(cls, manifest: Mapping[str, Any], *, source: str = "") -> CalibrationError:
        """From a bundle's manifest (its held-out ``metrics``).

        Raises
        ------
        DataError
            The manifest records no calibration intercept and slope with their intervals.
        """
        metrics = manifest.get("metrics") or {}
        try:
            intercept_ci = tuple(float(v) for v in metrics["calibration_intercept_ci"])
            slope_ci = tuple(float(v) for v in metrics["calibration_slope_ci"])
            error = cls(
                intercept=float(metrics["calibration_intercept"]),
                intercept_ci=(intercept_ci[0], intercept_ci[1]),
                slope=float(metrics["calibration_slope"]),
                slope_ci=(slope_ci[0], slope_ci[1]),
                n_heldout=int(metrics["n"]) if metrics.get("n") is not None else None,
                model_id=None if manifest.get("model_id") is None else str(manifest["model_id"]),
            )
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise DataError(msg.NO_CALIBRATION.format(source=source or "the bundle")) from exc
        values = (error.intercept, error.slope, *error.intercept_ci, *error.slope_ci)
        if not all(np.isfinite(values)):
            raise DataError(msg.NO_CALIBRATION.format(source=source or "the bundle"))
        return error

    def _sd(self, interval: tuple[float, float]) -> float:
        from scipy.stats import norm

        z = float(norm.ppf(0.5 + self.confidence / 2.0))
        return max(0.0, (interval[1] - interval[0]) / (2.0 * z))

    def draws(self, n_draws: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """``n_draws`` intercepts and slopes, each normal with the recorded centre and width."""
        intercepts = rng.normal(self.intercept, self._sd(self.intercept_ci), n_draws)
        slopes = rng.normal(self.slope, self._sd(self.slope_ci), n_draws)
        return intercepts, slopes

    def to_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "n_heldout": self.n_heldout,
            "intercept": self.intercept,
            "intercept_ci": list(self.intercept_ci),
            "slope": self.slope,
            "slope_ci": list(self.slope_ci),
            "confidence": self.confidence,
        }


def recalibrated(
    p: np.ndarray, intercepts: np.ndarray, slopes: np.ndarray
) -> Iterator[np.ndarray]:
    """The probabilities ``p`` under each draw, in chunks of shape ``(m, n)``.

    Examples
    --------
    >>> chunks = list(recalibrated(np.array([0.2, 0.5]), np.array([0.0]), np.array([1.0])))
    >>> np.round(chunks[0], 6).tolist()
    [[0.2, 0.5]]
    """
    from scipy.special import expit, logit

    x = logit(np.clip(p, _EPSILON, 1.0 - _EPSILON))
    chunk = max(1, _MAX_ELEMENTS // max(1, p.size))
    for start in range(0, intercepts.size, chunk):
        a = intercepts[start : start + chunk, None]
        b = slopes[start : start + chunk, None]
        yield expit(a + b * x[None, :])


def widen(
    point: np.ndarray, sampling: np.ndarray, deviations: np.ndarray, confidence: float
) -> np.ndarray:
    """Intervals whose half-widths add, in quadrature, a calibration term to the sampling one.

    Parameters
    ----------
    point : array of shape (k,)
        The figures as stated.
    sampling : array of shape (k, 2)
        Their sampling intervals (bootstrap over people).
    deviations : array of shape (m, k)
        Each figure under each calibration draw, less the figure as stated.
    confidence : float

    Returns
    -------
    numpy.ndarray of shape (k, 2)
        ``point - sqrt(s_low^2 + c_low^2)`` to ``point + sqrt(s_high^2 + c_high^2)``, where
        ``s`` are the sampling half-widths and ``c`` the calibration ones (the share of the
        deviations' interval below and above 0): never narrower than the sampling interval,
        and wider whenever the calibration draws move the figure.

    Examples
    --------
    >>> widen(np.array([10.0]), np.array([[7.0, 13.0]]), np.array([[-4.0], [4.0]]), 1.0)
    array([[ 5., 15.]])
    """
    bounds = percentile_interval(deviations, confidence)
    d_low, d_high = bounds[:, 0], bounds[:, 1]
    with np.errstate(invalid="ignore"):
        c_low = np.nan_to_num(np.maximum(0.0, -d_low))  # undefined: the figure is too
        c_high = np.nan_to_num(np.maximum(0.0, d_high))
        s_low = np.maximum(0.0, point - sampling[:, 0])
        s_high = np.maximum(0.0, sampling[:, 1] - point)
        low = np.fmin(sampling[:, 0], point - np.hypot(s_low, c_low))
        high = np.fmax(sampling[:, 1], point + np.hypot(s_high, c_high))
    # no calibration term: the sampling bound exactly, not as rebuilt from its half-width
    low = np.where(c_low > 0, low, sampling[:, 0])
    high = np.where(c_high > 0, high, sampling[:, 1])
    return np.column_stack([low, high])
