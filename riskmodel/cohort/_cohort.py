"""Observed against expected reoffending of a programme cohort.

Each person has their own predicted probability; the number of reoffenders expected if the
predictions held follows a Poisson-binomial distribution, from which the exact tail
probabilities come. The interval for the difference inverts the same exact test: the cohort's
true probabilities are taken to be the predicted ones shifted by a common amount on the
log-odds scale, and the interval holds the shifts the observed count does not reject at
(1 - confidence) / 2 in either tail. With equal probabilities it is the Clopper-Pearson
interval. It treats the predictions as known (their own uncertainty is not included), and it
is wide for small cohorts, as it should be.

Given the model's :class:`~riskmodel.cohort.CalibrationUncertainty` (``cohort --model``), the
same figures are also given with the uncertainty of the predictions included
(``with_model_uncertainty``): see :mod:`riskmodel.cohort._uncertainty`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from riskmodel._bootstrap import bootstrap_ci
from riskmodel._display import Display
from riskmodel._errors import DataError
from riskmodel.allocation._inputs import (
    as_counts,
    as_group_labels,
    as_outcomes,
    as_probabilities,
)
from riskmodel.bands import Bands
from riskmodel.cohort._messages import (
    COUNT_CONTRADICTS_OUTCOME,
    COUNT_MISSING,
    INTERVAL_METHOD,
    INTERVAL_UNDEFINED,
    NO_PEOPLE,
    RATIO_UNDEFINED,
)
from riskmodel.cohort._poisson_binomial import poisson_binomial_pmf, poisson_binomial_tails
from riskmodel.cohort._uncertainty import CalibrationUncertainty, mixture_tails

# SciPy is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

#: Keys of a band without people (all null but ``n``).
_EMPTY_KEYS = (
    "n",
    "observed",
    "expected",
    "observed_rate",
    "expected_rate",
    "observed_expected",
    "observed_expected_ci",
    "difference",
    "difference_ci",
    "rate_ci",
    "p_value_lower",
    "p_value_upper",
    "p_value_two_sided",
    "mean_probability",
    "with_model_uncertainty",
)

#: Largest log-odds shift searched; beyond it every probability is 0 or 1 to double precision.
_MAX_SHIFT = 40.0
#: Cohorts above this size use the FFT method inside the interval search.
_DP_SEARCH_MAX = 1000


def _shifted(p: np.ndarray, shift: float) -> np.ndarray:
    from scipy.special import expit, logit

    with np.errstate(divide="ignore"):
        return expit(logit(p) + shift)


def _rate_interval(
    p: np.ndarray,
    observed: int,
    confidence: float,
    tails: Callable[[float], tuple[float, float]] | None = None,
) -> tuple[float, float]:
    """Interval for the cohort's true reoffending rate (mean of shifted probabilities): the
    shifts of every person's log-odds that ``tails`` (``P(X <= observed)``, ``P(X >=
    observed)`` at a shift; by default the exact Poisson-binomial ones of the predictions)
    does not reject at (1 - confidence) / 2 in either tail.

    Undefined (NaN, NaN) when no shift makes the observed count plausible: with probabilities
    of exactly 0 or 1, a shift on the log-odds scale moves nobody, and a count the predictions
    call impossible stays impossible.
    """
    from scipy.optimize import brentq

    n = p.size
    alpha = (1.0 - confidence) / 2.0
    if tails is None:
        method = "dp" if n <= _DP_SEARCH_MAX else "fft"

        def tails(shift: float) -> tuple[float, float]:
            return poisson_binomial_tails(observed, _shifted(p, shift), method=method)

    def upper_tail(shift: float) -> float:  # P(X >= observed), rises with the shift
        return tails(shift)[1]

    def lower_tail(shift: float) -> float:  # P(X <= observed), falls with the shift
        return tails(shift)[0]

    if observed == 0:
        low = 0.0
    elif upper_tail(-_MAX_SHIFT) >= alpha:
        low = float(_shifted(p, -_MAX_SHIFT).mean())
    elif upper_tail(_MAX_SHIFT) < alpha:  # no shift makes the count likely: p 0 or 1 alone
        return float("nan"), float("nan")
    else:
        shift = brentq(lambda s: upper_tail(s) - alpha, -_MAX_SHIFT, _MAX_SHIFT, xtol=1e-10)
        low = float(_shifted(p, shift).mean())
    if observed == n:
        high = 1.0
    elif lower_tail(_MAX_SHIFT) >= alpha:
        high = float(_shifted(p, _MAX_SHIFT).mean())
    elif lower_tail(-_MAX_SHIFT) < alpha:
        return float("nan"), float("nan")
    else:
        shift = brentq(lambda s: lower_tail(s) - alpha, -_MAX_SHIFT, _MAX_SHIFT, xtol=1e-10)
        high = float(_shifted(p, shift).mean())
    return low, high


def _intervals(rate_low: float, rate_high: float, expected_rate: float) -> dict[str, list[float]]:
    """The rate interval as intervals of the rate, the difference and observed/expected."""
    return {
        "rate_ci": [rate_low, rate_high],
        "difference_ci": [rate_low - expected_rate, rate_high - expected_rate],
        "observed_expected_ci": (
            [rate_low / expected_rate, rate_high / expected_rate]
            if expected_rate > 0
            else [float("nan"), float("nan")]
        ),
    }


def with_model_uncertainty(
    p: ArrayLike,
    observed: int,
    uncertainty: CalibrationUncertainty,
    *,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Intervals and p-values of observed against expected that include the uncertainty of
    the predictions (see :mod:`riskmodel.cohort._uncertainty`).

    Returns
    -------
    dict
        ``rate_ci``, ``difference_ci``, ``observed_expected_ci``, ``p_value_lower``,
        ``p_value_upper``, ``p_value_two_sided``. With
        :meth:`CalibrationUncertainty.none` these are the figures that treat the predictions
        as known.

    Examples
    --------
    >>> p = [0.71] * 38
    >>> known = with_model_uncertainty(p, 21, CalibrationUncertainty.none())
    >>> wide = with_model_uncertainty(p, 21, CalibrationUncertainty.from_reference(p, 200))
    >>> [round(v, 3) for v in known["observed_expected_ci"]]
    [0.539, 1.005]
    >>> [round(v, 3) for v in wide["observed_expected_ci"]]
    [0.531, 1.011]
    """
    p = np.asarray(p, dtype=float)
    nodes = uncertainty.nodes(p)

    def tails(shift: float) -> tuple[float, float]:
        return mixture_tails(observed, p, uncertainty, shift=shift, nodes=nodes)

    lower, upper = tails(0.0)
    low, high = _rate_interval(p, observed, confidence, tails)
    out: dict[str, Any] = _intervals(low, high, float(p.mean()) if p.size else 0.0)
    out.update(
        {
            "p_value_lower": lower,
            "p_value_upper": upper,
            "p_value_two_sided": min(1.0, 2.0 * min(lower, upper)),
        }
    )
    return out


def observed_expected_summary(
    *,
    y_true: ArrayLike,
    y_prob: ArrayLike,
    confidence: float = 0.95,
    uncertainty: CalibrationUncertainty | None = None,
) -> dict[str, Any]:
    """Observed against expected reoffending for one group of people (no missing values):
    counts, rates, their ratio and difference with exact intervals, and p-values.

    :func:`riskmodel.evaluation.observed_expected_ratio` gives the ratio alone.

    Parameters
    ----------
    y_true : array-like of 0/1
        Whether each person reoffended.
    y_prob : array-like of float in [0, 1]
        Each person's predicted probability.
    confidence : float
        Coverage of the exact interval.
    uncertainty : CalibrationUncertainty, optional
        The model's calibration uncertainty; when given, ``with_model_uncertainty`` holds the
        intervals and p-values that include it (see :func:`with_model_uncertainty`).

    Returns
    -------
    dict
        ``n``, ``observed``, ``expected``, ``observed_rate``, ``expected_rate``,
        ``observed_expected`` (and ``_ci``), ``difference`` (observed minus expected rate, and
        ``_ci``), ``p_value_lower`` (P of the observed count or fewer if the predictions held),
        ``p_value_upper`` (of that count or more) and ``p_value_two_sided``, all treating the
        predictions as known; ``with_model_uncertainty`` (None without ``uncertainty``).

    Examples
    --------
    >>> result = observed_expected_summary(y_true=[1] * 21 + [0] * 17, y_prob=[0.71] * 38)
    >>> round(result["observed_rate"], 3), round(result["expected_rate"], 3)
    (0.553, 0.71)
    >>> round(result["p_value_lower"], 3)
    0.028
    """
    p = np.asarray(y_prob, dtype=float)
    y = np.asarray(y_true, dtype=float)
    n = int(p.size)
    observed = int(y.sum())
    expected = float(p.sum())
    lower, upper = poisson_binomial_tails(observed, p)
    rate_low, rate_high = _rate_interval(p, observed, confidence)
    expected_rate = expected / n
    intervals = _intervals(rate_low, rate_high, expected_rate)
    return {
        "n": n,
        "observed": observed,
        "expected": expected,
        "observed_rate": observed / n,
        "expected_rate": expected_rate,
        "observed_expected": observed / expected if expected > 0 else float("nan"),
        "observed_expected_ci": intervals["observed_expected_ci"],
        "difference": observed / n - expected_rate,
        "difference_ci": intervals["difference_ci"],
        "rate_ci": intervals["rate_ci"],
        "p_value_lower": lower,
        "p_value_upper": upper,
        "p_value_two_sided": min(1.0, 2.0 * min(lower, upper)),
        "with_model_uncertainty": (
            None
            if uncertainty is None
            else with_model_uncertainty(p, observed, uncertainty, confidence=confidence)
        ),
    }


@dataclass
class CohortResult:
    """Observed against expected reoffending of a cohort, overall and by risk band.

    Attributes
    ----------
    overall : dict
        See :func:`observed_expected_summary`.
    by_band : list of dict
        The same figures per band, with ``band`` and ``mean_probability``.
    frequency : dict or None
        With a count column: reoffences, reoffenders, ``reoffences_per_reoffender`` (with a
        bootstrap interval) and ``reoffences_per_person``.
    n_rows, n_missing_score, n_missing_outcome : int
        Input rows and the people left out (counted, never silently dropped).
    band_source : str
        ``"probability"`` (OGRS-style bands from the probabilities) or the band column.
    notes : list of str
        Figures that are undefined and why (e.g. every probability 0 or 1).
    uncertainty : CalibrationUncertainty or None
        The model's calibration uncertainty the ``with_model_uncertainty`` figures include
        (None: the predictions are treated as known).
    """

    overall: dict[str, Any]
    by_band: list[dict[str, Any]]
    frequency: dict[str, Any] | None
    n_rows: int
    n_missing_score: int
    n_missing_outcome: int
    band_source: str
    confidence: float
    notes: list[str] = field(default_factory=list)
    uncertainty: CalibrationUncertainty | None = None
    _p: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))

    def by_band_table(self) -> pd.DataFrame:
        """Tidy table: one row per band."""
        return pd.DataFrame(self.by_band)

    def pmf(self) -> np.ndarray:
        """Distribution of the number of reoffenders if every prediction held."""
        return poisson_binomial_pmf(self._p)

    def widening(self) -> float | None:
        """How many times as wide the interval of observed/expected is with the model's own
        uncertainty as without it (None without a model, or when either is undefined)."""
        combined = self.overall.get("with_model_uncertainty")
        if combined is None:
            return None
        known = np.diff(np.asarray(self.overall["observed_expected_ci"], dtype=float))[0]
        wide = np.diff(np.asarray(combined["observed_expected_ci"], dtype=float))[0]
        ratio = wide / known if known > 0 else float("nan")
        return float(ratio) if np.isfinite(ratio) else None

    def warnings(self) -> list[str]:
        """What a reader must be told first (a model fitted on few people)."""
        if self.uncertainty is None:
            return []
        warning = self.uncertainty.warning(self.widening())
        return [] if warning is None else [warning]

    def to_dict(self) -> dict[str, Any]:
        """The ``cohort.json`` content (see CLI.md)."""
        out = dict(self.overall)
        out.update(
            {
                "confidence": self.confidence,
                "interval_method": INTERVAL_METHOD,
                "n_rows": self.n_rows,
                "n_missing_score": self.n_missing_score,
                "n_missing_outcome": self.n_missing_outcome,
                "band_source": self.band_source,
                "by_band": self.by_band,
                "notes": self.notes,
                "model_uncertainty": (
                    None if self.uncertainty is None else self.uncertainty.to_dict(self.widening())
                ),
                "predictions_treated_as_known": self.uncertainty is None,
                "warnings": self.warnings(),
            }
        )
        if self.frequency is not None:
            out["frequency"] = self.frequency
        return out


def _check_counts(counts: np.ndarray, y: np.ndarray, rows: np.ndarray, column: str) -> None:
    missing = np.isnan(counts)
    if missing.any():
        raise DataError(
            COUNT_MISSING.format(
                column=column, count=int(missing.sum()), row=int(rows[missing][0]) + 1
            )
        )
    wrong = ((y == 1) & (counts < 1)) | ((y == 0) & (counts != 0))
    if wrong.any():
        first = int(np.flatnonzero(wrong)[0])
        raise DataError(
            COUNT_CONTRADICTS_OUTCOME.format(
                column=column,
                count=int(wrong.sum()),
                row=int(rows[first]) + 1,
                outcome=y[first],
                value=counts[first],
            )
        )


def _frequency(
    counts: np.ndarray, y: np.ndarray, *, n_resamples: int, confidence: float, seed: int
) -> dict[str, Any]:
    reoffenders = counts[y == 1]
    total = float(counts.sum())
    per = float(reoffenders.mean()) if reoffenders.size else float("nan")
    if reoffenders.size and n_resamples > 0:
        ci = bootstrap_ci(
            lambda c: c.mean(axis=1),
            reoffenders,
            n_resamples=n_resamples,
            confidence=confidence,
            seed=seed,
        )
        per_ci = [float(ci[0]), float(ci[1])]
    else:
        per_ci = [float("nan"), float("nan")]
    return {
        "reoffences": total,
        "reoffenders": int(reoffenders.size),
        "reoffences_per_reoffender": per,
        "reoffences_per_reoffender_ci": per_ci,
        "reoffences_per_person": total / counts.size,
    }


def cohort_evaluation(
    *,
    y_true: ArrayLike,
    y_prob: ArrayLike,
    counts: ArrayLike | None = None,
    bands: ArrayLike | None = None,
    band_policy: Bands | None = None,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
    uncertainty: CalibrationUncertainty | None = None,
) -> CohortResult:
    """Compare a cohort's observed reoffending with the model's expectation for it.

    Observed/expected says how the cohort did against what was predicted for people like
    them. A cohort that chose to take part is not a random sample (completers and drop-outs
    differ), so observed/expected is not by itself the programme's effect.

    Parameters
    ----------
    y_true : array-like of 0/1
        Observed reoffending; missing values are counted and left out.
    y_prob : array-like
        Each person's predicted probability in [0, 1]; missing values are counted and left out.
    counts : array-like of whole numbers, optional
        Proven reoffences per person, for the frequency measure (reoffences per reoffender);
        must be 0 for non-reoffenders and at least 1 for reoffenders.
    bands : array-like, optional
        A band per person (e.g. the ``risk_band`` of a scores file). Default: bands from the
        probabilities at ``band_policy`` cut points (OGRS-style 0.5, 0.75, 0.9).
    band_policy : Bands, optional
        Cut points used when ``bands`` is not given.
    confidence : float
        Coverage of every interval.
    n_resamples, seed : int
        Bootstrap of the frequency measure's interval.
    uncertainty : CalibrationUncertainty, optional
        The model's calibration uncertainty (e.g.
        :meth:`CalibrationUncertainty.from_manifest`); the cohort and each band then also get
        ``with_model_uncertainty`` intervals and p-values that include it.

    Returns
    -------
    CohortResult

    Examples
    --------
    >>> result = cohort_evaluation(y_true=[1] * 21 + [0] * 17, y_prob=[0.71] * 38)
    >>> round(result.overall["observed_rate"], 3), round(result.overall["p_value_lower"], 3)
    (0.553, 0.028)
    """
    p_all = as_probabilities(y_prob)
    n_rows = p_all.size
    y_all = as_outcomes(y_true, n=n_rows)
    scored = ~np.isnan(p_all)
    keep = scored & ~np.isnan(y_all)
    if not keep.any():
        raise DataError(NO_PEOPLE)
    rows = np.flatnonzero(keep)
    p, y = p_all[keep], y_all[keep]

    frequency = None
    c = None
    if counts is not None:
        count_name = str(getattr(counts, "name", None) or "count")
        c = as_counts(counts, count_name, n=n_rows)[keep]
        _check_counts(c, y, rows, count_name)
        frequency = _frequency(c, y, n_resamples=n_resamples, confidence=confidence, seed=seed)

    if bands is not None:
        labels = as_group_labels(bands, str(getattr(bands, "name", None) or "band"), n_rows)[keep]
        names = sorted(set(labels.tolist()), key=lambda b: float(p[labels == b].mean()))
        members = [(name, labels == name) for name in names]
        band_source = "column"
    else:
        members = (band_policy or Bands()).members(p)
        band_source = "probability"

    by_band = []
    for name, inside in members:
        entry: dict[str, Any] = {"band": name}
        if bands is None:
            index = [m[0] for m in members].index(name)
            entry["low"], entry["high"] = (band_policy or Bands()).edges[index : index + 2]
        if inside.any():
            entry.update(
                observed_expected_summary(
                    y_true=y[inside],
                    y_prob=p[inside],
                    confidence=confidence,
                    uncertainty=uncertainty,
                )
            )
            entry["mean_probability"] = float(p[inside].mean())
            if c is not None:
                r = c[inside & (y == 1)]
                entry["reoffences_per_reoffender"] = float(r.mean()) if r.size else None
        else:
            entry.update(dict.fromkeys(_EMPTY_KEYS))
            entry["n"] = 0
        by_band.append(entry)

    overall = observed_expected_summary(
        y_true=y, y_prob=p, confidence=confidence, uncertainty=uncertainty
    )
    return CohortResult(
        overall=overall,
        by_band=by_band,
        frequency=frequency,
        n_rows=n_rows,
        n_missing_score=int((~scored).sum()),
        n_missing_outcome=int((scored & np.isnan(y_all)).sum()),
        band_source=band_source,
        confidence=confidence,
        notes=_undefined_notes(overall, by_band),
        uncertainty=uncertainty,
        _p=p,
    )


def _undefined_notes(overall: dict[str, Any], by_band: list[dict[str, Any]]) -> list[str]:
    """What is undefined, said once for the cohort and once for each band it concerns."""
    notes = []
    for where, entry in [("cohort", overall), *((f"band {b['band']}", b) for b in by_band)]:
        if not entry.get("n"):
            continue
        if np.isnan(entry["rate_ci"][0]):
            notes.append(INTERVAL_UNDEFINED.format(where=where))
        if entry["expected"] <= 0:
            notes.append(RATIO_UNDEFINED.format(where=where))
    return notes


class PoissonBinomialDisplay(Display):
    """The distribution of reoffenders expected if the predictions held, with the observed
    count marked and the lower tail shaded.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> result = cohort_evaluation(y_true=[1] * 21 + [0] * 17, y_prob=[0.71] * 38)
    >>> PoissonBinomialDisplay.from_result(result).plot().ax_.get_xlabel()
    'Number of reoffenders'
    """

    def __init__(self, pmf: np.ndarray, observed: int) -> None:
        self.pmf = pmf
        self.observed = observed

    @classmethod
    def from_result(cls, result: CohortResult) -> PoissonBinomialDisplay:
        return cls(result.pmf(), int(result.overall["observed"]))

    def plot(self, ax: Any = None) -> PoissonBinomialDisplay:

        ax = self._axes(ax, figsize=(6, 3.6))
        k = np.arange(self.pmf.size)
        mean = float((k * self.pmf).sum())
        sd = float(np.sqrt(((k - mean) ** 2 * self.pmf).sum()))
        lo = max(0, int(min(self.observed, mean) - 4 * sd - 2))
        hi = min(self.pmf.size - 1, int(max(self.observed, mean) + 4 * sd + 2))
        shown = slice(lo, hi + 1)
        colours = np.where(k[shown] <= self.observed, "#c2410c", "#9aa3ad")
        ax.bar(k[shown], self.pmf[shown], color=colours, width=0.9)
        ax.axvline(self.observed, color="#1b1f24", linestyle="--", label="observed")
        ax.axvline(mean, color="#33415c", linestyle=":", label="expected")
        ax.set_xlabel("Number of reoffenders")
        ax.set_ylabel("Probability if predictions held")
        ax.legend(fontsize="small")
        return self._finish()


class ObservedExpectedDisplay(Display):
    """Observed and expected reoffending rates by band, observed with its exact interval.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> result = cohort_evaluation(y_true=[0, 1, 1, 1], y_prob=[0.2, 0.6, 0.8, 0.95])
    >>> ObservedExpectedDisplay.from_result(result).plot().ax_.get_ylabel()
    'Reoffending rate'
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.table = table

    @classmethod
    def from_result(cls, result: CohortResult) -> ObservedExpectedDisplay:
        rows = [b for b in result.by_band if b.get("n", 0) > 0]
        return cls(pd.DataFrame(rows))

    def plot(self, ax: Any = None) -> ObservedExpectedDisplay:

        ax = self._axes(ax, figsize=(6, 3.6))
        table = self.table
        x = np.arange(len(table))
        if len(table):
            observed = table["observed_rate"].to_numpy(dtype=float)
            ci = np.array(table["rate_ci"].tolist(), dtype=float)
            ax.bar(x - 0.2, table["expected_rate"], width=0.4, color="#9aa3ad", label="expected")
            ax.bar(x + 0.2, observed, width=0.4, color="#33415c", label="observed")
            ax.errorbar(
                x + 0.2,
                observed,
                yerr=np.clip([observed - ci[:, 0], ci[:, 1] - observed], 0.0, None),
                fmt="none",
                ecolor="#c2410c",
                capsize=4,
                label="exact interval (observed)",
            )
            ax.set_xticks(
                x, [f"{b}\n(n={n})" for b, n in zip(table["band"], table["n"], strict=True)]
            )
        ax.set_ylim(0, 1)
        ax.set_ylabel("Reoffending rate")
        ax.legend(fontsize="small")
        return self._finish()
