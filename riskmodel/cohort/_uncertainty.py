"""The model's own uncertainty in a cohort's expected reoffending.

A model fitted on a finite number of people predicts with error, and the error is shared by
everyone it scores: a calibration a little too high for one person is a little too high for
the whole cohort. Treating the predictions as known leaves that out, so the interval of
observed/expected is too narrow, the more so the fewer people the model learnt from.

What is included is the uncertainty of the model's calibration. The cohort's true
log-odds are taken to be ``a + b * logit(p)`` for the predictions ``p``, where the
recalibration intercept ``a`` and slope ``b`` are normal around (0, 1) with the covariance of
a logistic recalibration fitted on the people the model was fitted on (the inverse Fisher
information at the training scores: their deciles from the bundle's manifest, or the cohort's
own predictions when the manifest has none). This is a parametric bootstrap of the
calibration, integrated by Gauss-Hermite quadrature rather than drawn at random, so results
are exact to the quadrature and repeatable. The number of reoffenders then follows the
Poisson-binomial distribution averaged over that calibration (a mixture), from which come
mid-p tail probabilities (half the probability of the observed count in each tail: the
averaged distribution is a statistical model, and exact tails would add the discreteness of
the count on top of it) and, by inverting the same test under a common log-odds shift, the
interval.

With no uncertainty (a covariance of zero) and exact tails it is the interval that treats the
predictions as known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from riskmodel._errors import DataError
from riskmodel.cohort._messages import (
    COMBINED_METHOD,
    FEW_TRAINING_PEOPLE,
    NO_TRAINING_SIZE,
    REFERENCE_COHORT,
    REFERENCE_DECILES,
    WIDENING,
)
from riskmodel.cohort._poisson_binomial import poisson_binomial_pmfs

# SciPy is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

__all__ = [
    "FEW_TRAINING_LIMIT",
    "CalibrationUncertainty",
    "calibration_covariance",
    "decile_points",
    "mixture_tails",
]

#: Below this many training people, ``cohort --model`` warns that the model is uncertain.
FEW_TRAINING_LIMIT = 1000
#: Gauss-Hermite nodes along the calibration slope.
SLOPE_NODES = 5
#: Fewest and most nodes along the cohort-level shift (more when the model's uncertainty is
#: large against the count's own spread, so the averaged distribution stays smooth).
SHIFT_NODES = (9, 41)
#: Probabilities of the reference are kept this far from 0 and 1.
_EDGE = 1e-6


def decile_points(edges: ArrayLike) -> np.ndarray:
    """One probability per tenth of a score distribution, from the nine inner cut points of
    its deciles (as a manifest's ``drift_reference.score.edges``): the midpoints between cut
    points on the log-odds scale, and half a neighbouring width beyond the outer ones.

    Examples
    --------
    >>> decile_points([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]).size
    10
    """
    from scipy.special import expit, logit

    x = logit(np.clip(np.asarray(edges, dtype=float), _EDGE, 1 - _EDGE))
    if x.size < 2:
        return expit(x)
    inner = (x[:-1] + x[1:]) / 2
    points = np.concatenate([[x[0] - (x[1] - x[0]) / 2], inner, [x[-1] + (x[-1] - x[-2]) / 2]])
    return expit(points)


def calibration_covariance(reference: ArrayLike, n_train: int) -> np.ndarray:
    """Covariance of the intercept and slope of a logistic recalibration fitted on
    ``n_train`` people whose predictions are spread like ``reference`` (equal weights):
    the inverse of the Fisher information ``n_train * mean(p (1 - p) [1, x; x, x²])`` with
    ``x = logit(p)``. Without spread in the reference the slope is not estimable and is held
    at 1 (its variance 0).

    Examples
    --------
    >>> cov = calibration_covariance([0.5], 400)
    >>> float(cov[0, 0]), float(cov[1, 1])
    (0.01, 0.0)
    """
    from scipy.special import logit

    q = np.clip(np.asarray(reference, dtype=float).ravel(), _EDGE, 1 - _EDGE)
    x = logit(q)
    v = q * (1 - q)
    info = n_train * np.array([[v.mean(), (v * x).mean()], [(v * x).mean(), (v * x * x).mean()]])
    if np.ptp(x) < 1e-9 or np.linalg.cond(info) > 1e12:
        return np.array([[1.0 / info[0, 0], 0.0], [0.0, 0.0]])
    return np.linalg.inv(info)


@dataclass(frozen=True)
class CalibrationUncertainty:
    """How uncertain a model's calibration is: the covariance of the recalibration intercept
    and slope, and what it rests on.

    Attributes
    ----------
    n_train : int
        People the model (or its recalibration) was fitted on.
    covariance : numpy.ndarray
        2 × 2 covariance of (intercept, slope).
    reference : str
        ``"training deciles"`` or ``"cohort"``: whose score spread the Fisher information uses.
    mid_p : bool
        Mid-p tail probabilities (the default) or exact ones.
    model_id : str or None
        The bundle's model id, when it came from one.
    """

    n_train: int
    covariance: np.ndarray
    reference: str = "training deciles"
    mid_p: bool = True
    model_id: str | None = None

    @classmethod
    def from_reference(
        cls, scores: ArrayLike, n_train: int, **kwargs: Any
    ) -> CalibrationUncertainty:
        """From a sample of training scores (or their decile points) and the training size."""
        return cls(n_train, calibration_covariance(scores, n_train), **kwargs)

    @classmethod
    def from_manifest(
        cls, manifest: Mapping[str, Any], cohort_p: ArrayLike, *, where: str = "the bundle"
    ) -> CalibrationUncertainty:
        """From a bundle's manifest: ``split.n_train`` and the training scores' deciles
        (``drift_reference.score.edges``; the cohort's own predictions when absent).

        Raises
        ------
        DataError
            When the manifest records no training size.
        """
        n_train = (manifest.get("split") or {}).get("n_train")
        if not isinstance(n_train, int) or isinstance(n_train, bool) or n_train < 1:
            raise DataError(NO_TRAINING_SIZE.format(path=where))
        edges = ((manifest.get("drift_reference") or {}).get("score") or {}).get("edges")
        if edges:
            reference, kind = decile_points(edges), "training deciles"
        else:
            reference, kind = np.asarray(cohort_p, dtype=float), "cohort"
        return cls.from_reference(
            reference, n_train, reference=kind, model_id=manifest.get("model_id")
        )

    @classmethod
    def none(cls) -> CalibrationUncertainty:
        """No uncertainty and exact tails: the predictions treated as known."""
        return cls(0, np.zeros((2, 2)), reference="none", mid_p=False)

    @property
    def few_people(self) -> bool:
        """Fewer training people than :data:`FEW_TRAINING_LIMIT`."""
        return 0 < self.n_train < FEW_TRAINING_LIMIT

    def nodes(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Quadrature over the calibration for a cohort with predictions ``p``: a matrix of
        each node's recalibrated log-odds offsets (nodes × people) and the nodes' weights.

        The intercept and slope are rotated into independent parts, a cohort-level shift
        ``g = a + (b - 1) c`` and the slope ``h = b - 1`` around the centre ``c`` where they
        are uncorrelated, so that each gets its own Gauss-Hermite rule.
        """
        from scipy.special import logit

        cov = np.asarray(self.covariance, dtype=float)
        x = logit(np.clip(p, _EDGE, 1 - _EDGE))
        if not np.any(cov):
            return np.zeros((1, p.size)), np.ones(1)
        var_h = cov[1, 1]
        centre = -cov[0, 1] / var_h if var_h > 0 else 0.0
        var_g = max(cov[0, 0] - (cov[0, 1] ** 2 / var_h if var_h > 0 else 0.0), 0.0)
        spread = np.sqrt(max(float((p * (1 - p)).sum()), 1e-12))
        ratio = np.sqrt(var_g) * spread  # the model's sd against the count's, in log-odds
        m_g = int(np.clip(np.ceil(9 * ratio), *SHIFT_NODES))
        z_g, w_g = _hermite(m_g)
        z_h, w_h = _hermite(SLOPE_NODES if var_h > 0 else 1)
        g = np.sqrt(var_g) * z_g
        h = np.sqrt(max(var_h, 0.0)) * z_h
        offsets = g[:, None, None] + h[None, :, None] * (x - centre)[None, None, :]
        weights = w_g[:, None] * w_h[None, :]
        return offsets.reshape(-1, p.size), weights.ravel()

    def describe(self) -> str:
        """How the interval is made, in words (``cohort.json`` and the report)."""
        reference = REFERENCE_DECILES if self.reference == "training deciles" else REFERENCE_COHORT
        return COMBINED_METHOD.format(
            n_train=self.n_train,
            reference=reference,
            tails="mid-p" if self.mid_p else "exact",
        )

    def warning(self, widening: float | None = None) -> str | None:
        """The warning of a model fitted on few people (None otherwise); ``widening`` is how
        many times as wide the interval of observed/expected became, when known."""
        if not self.few_people:
            return None
        # Only a real widening is stated: mid-p tails alone can make the interval narrower.
        effect = (
            WIDENING.format(ratio=widening)
            if widening is not None and np.isfinite(widening) and widening > 1
            else ""
        )
        return FEW_TRAINING_PEOPLE.format(
            n_train=self.n_train, limit=FEW_TRAINING_LIMIT, effect=effect
        )

    def to_dict(self, widening: float | None = None) -> dict[str, Any]:
        """The ``model_uncertainty`` of ``cohort.json``."""
        cov = np.asarray(self.covariance, dtype=float)
        return {
            "method": self.describe(),
            "model_id": self.model_id,
            "n_train": self.n_train,
            "reference": self.reference,
            "tails": "mid-p" if self.mid_p else "exact",
            "intercept_sd": float(np.sqrt(cov[0, 0])),
            "slope_sd": float(np.sqrt(cov[1, 1])),
            "intercept_slope_correlation": (
                float(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]))
                if cov[0, 0] > 0 and cov[1, 1] > 0
                else None
            ),
            "few_training_people": self.few_people,
            "few_training_limit": FEW_TRAINING_LIMIT,
            "warning": self.warning(widening),
        }


def _hermite(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights of the ``m``-point Gauss-Hermite rule for the standard normal."""
    if m == 1:
        return np.zeros(1), np.ones(1)
    z, w = np.polynomial.hermite_e.hermegauss(m)
    return z, w / w.sum()


def mixture_tails(
    observed: int,
    p: ArrayLike,
    uncertainty: CalibrationUncertainty,
    *,
    shift: float = 0.0,
    nodes: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[float, float]:
    """``P(X <= observed)`` and ``P(X >= observed)`` (mid-p: half of ``P(X = observed)``
    in each, when ``uncertainty.mid_p``) for the number of reoffenders ``X`` when every
    person's log-odds is their prediction's, recalibrated as ``uncertainty`` allows, plus
    ``shift``.

    Examples
    --------
    >>> none = CalibrationUncertainty.none()
    >>> [round(t, 3) for t in mixture_tails(21, [0.71] * 38, none)]
    [0.028, 0.987]
    >>> wide = CalibrationUncertainty.from_reference([0.71], 100)
    >>> round(mixture_tails(21, [0.71] * 38, wide)[0], 3)
    0.043
    """
    from scipy.special import expit, logit

    p = np.asarray(p, dtype=float)
    offsets, weights = uncertainty.nodes(p) if nodes is None else nodes
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = logit(p)
        shifted = np.where(np.isfinite(x), expit(x + offsets + shift), p)
    mixture = weights @ poisson_binomial_pmfs(shifted)
    k = int(observed)
    if not 0 <= k < mixture.size:
        raise ValueError(f"observed count {k} is outside 0..{mixture.size - 1}")
    at = float(mixture[k])
    below, above = float(mixture[:k].sum()), float(mixture[k + 1 :].sum())
    half = 0.5 if uncertainty.mid_p else 1.0
    return min(1.0, below + half * at), min(1.0, above + half * at)
