"""Payment by results: a cohort's binary and frequency measures against a baseline cohort,
adjusted for case mix with the model's predicted risk."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from riskmodel._bootstrap import percentile_interval
from riskmodel._errors import DataError
from riskmodel._horizon import horizon_words
from riskmodel.programme._messages import BASELINE_EMPTY, NO_PARTICIPANTS, PBR_METHOD, PBR_RULE

# scikit-learn is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

__all__ = ["payment_by_results"]

CONFIDENCE = 0.95


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p) - np.log1p(-p)


def _expected(
    x_base: np.ndarray, y_base: np.ndarray, x_cohort: np.ndarray, kind: str, weight=None
) -> float:
    """Mean expected value of the cohort from a regression of the baseline's outcome on the
    logit of its predicted risk."""
    from sklearn.linear_model import LogisticRegression, PoissonRegressor

    if kind == "binary":
        if np.unique(y_base[weight > 0] if weight is not None else y_base).size < 2:
            return float(np.average(y_base, weights=weight))
        model = LogisticRegression(C=1e6, max_iter=1000)
    else:
        model = PoissonRegressor(alpha=0.0, max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x_base[:, None], y_base, sample_weight=weight)
    if kind == "binary":
        return float(model.predict_proba(x_cohort[:, None])[:, 1].mean())
    return float(model.predict(x_cohort[:, None]).mean())


def payment_by_results(
    cohort: dict[str, ArrayLike],
    baseline: dict[str, ArrayLike],
    *,
    n_resamples: int = 1000,
    seed: int = 0,
) -> dict[str, Any]:
    """The binary measure (share who reoffended) and the frequency measure (reoffences per
    person) of a cohort against a baseline cohort, each adjusted for case mix.

    ``cohort`` and ``baseline`` hold ``reoffended`` (0/1), ``reoffences`` and ``risk`` (the
    model's predicted probability) for people with a known outcome. The baseline's outcomes
    are regressed on the logit of its predicted risk; what that predicts for the cohort is the
    cohort's expected value (what the baseline's people like them did). The adjusted
    difference is observed minus expected per person; its interval is a percentile bootstrap
    resampling both cohorts and refitting (``n_resamples``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> risk = rng.uniform(0.1, 0.9, 600)
    >>> y = (rng.random(600) < risk).astype(float)
    >>> out = payment_by_results({"reoffended": y[:300], "reoffences": 2 * y[:300],
    ...     "risk": risk[:300]}, {"reoffended": y[300:], "reoffences": 2 * y[300:],
    ...     "risk": risk[300:]}, n_resamples=50)
    >>> out["binary"]["significant"]
    False
    """
    c = {k: np.asarray(cohort[k], dtype=float) for k in ("reoffended", "reoffences", "risk")}
    b = {k: np.asarray(baseline[k], dtype=float) for k in ("reoffended", "reoffences", "risk")}
    if len(c["reoffended"]) == 0:
        raise DataError(NO_PARTICIPANTS)
    if len(b["reoffended"]) == 0:
        raise DataError(BASELINE_EMPTY)
    xc, xb = _logit(c["risk"]), _logit(b["risk"])
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {
        "n_cohort": len(xc),
        "n_baseline": len(xb),
        "method": PBR_METHOD,
        "rule": PBR_RULE,
    }
    for measure, column, kind in (
        ("binary", "reoffended", "binary"),
        ("frequency", "reoffences", "count"),
    ):
        observed = float(c[column].mean())
        expected = _expected(xb, b[column], xc, kind)
        reps = np.empty(n_resamples)
        for r in range(n_resamples):
            wc = np.bincount(rng.integers(0, len(xc), len(xc)), minlength=len(xc)).astype(float)
            wb = np.bincount(rng.integers(0, len(xb), len(xb)), minlength=len(xb)).astype(float)
            obs = float(np.average(c[column], weights=wc))
            keep = wc > 0
            reps[r] = obs - _expected(
                xb, b[column], xc[keep].repeat(wc[keep].astype(int)), kind, wb
            )
        low, high = percentile_interval(reps, CONFIDENCE).tolist()
        difference = observed - expected
        out[measure] = {
            "observed": observed,
            "expected": expected,
            "baseline_observed": float(b[column].mean()),
            "observed_expected": observed / expected if expected > 0 else float("nan"),
            "difference": difference,
            "difference_ci": [low, high],
            "significant": bool(high < 0 or low > 0),
            "direction": "lower" if high < 0 else "higher" if low > 0 else "no significant change",
        }
    return out


def pbr_sentences(pbr: dict[str, Any], horizon_months: int | None = None) -> list[str]:
    """The payment-by-results findings, each from the figures it states (and, given the
    horizon, in its words: "share who reoffended within one year")."""
    out = []
    within = "" if horizon_months is None else " " + horizon_words(horizon_months)
    words = {
        "binary": (f"Binary measure (share who reoffended{within})", 100.0, "%",
                   " percentage points"),
        "frequency": (f"Frequency measure (reoffences per person{within})", 1.0, "", ""),
    }  # fmt: skip
    for measure, (label, scale, unit, diff_unit) in words.items():
        m = pbr[measure]
        digits = 1 if scale == 100.0 else 2
        low, high = m["difference_ci"]
        text = (
            f"{label}: {scale * m['observed']:.{digits}f}{unit} observed against "
            f"{scale * m['expected']:.{digits}f}{unit} expected from the baseline cohort's "
            f"people of the same predicted risk (observed/expected {m['observed_expected']:.2f}), "
            f"a difference of {scale * m['difference']:+.{digits}f}{diff_unit} (95% interval "
            f"{scale * low:+.{digits}f} to {scale * high:+.{digits}f}{diff_unit})"
        ).replace("-", "−")
        if m["significant"]:
            text += f": significantly {m['direction']} than the baseline."
        else:
            text += ": not a significant change from the baseline."
        out.append(text)
    return out
