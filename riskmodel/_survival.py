"""Time to reoffence: the label at a horizon, censoring weights and Kaplan–Meier curves.

A time-to-event table gives each person a time (from the index date) and whether they
reoffended then (``event = 1``) or were last seen then without reoffending (``event = 0``,
censored). At a horizon of ``h`` months:

- reoffended by the horizon (``event = 1`` and ``time <= h``): label 1;
- followed to the horizon or past it without reoffending by then: label 0;
- censored before the horizon without reoffending: unlabelled (never silently dropped: counted).

The labelled are weighted by the inverse probability of staying uncensored to their time,
``1 / G(min(time, h)-)``, with ``G`` the Kaplan–Meier estimate of the censoring distribution
(the event flag inverted), so that weighted rates and models estimate the Kaplan–Meier risk
rather than the complete cases' (which over-represent those who reoffended early).

Times are held in months; :data:`DURATION_UNITS` converts days and weeks (a month is
365.25 / 12 days).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "CENSORING_NOTE",
    "DAYS_PER_MONTH",
    "DURATION_UNITS",
    "censoring_note",
    "censoring_weights",
    "horizon_labels",
    "kaplan_meier_median",
    "kaplan_meier_risk",
    "survival_summary",
    "to_months",
]

#: Days in a month (a year of 365.25 days in twelve).
DAYS_PER_MONTH: float = 365.25 / 12
#: Months in one unit of each duration unit a ``[table]`` may name.
DURATION_UNITS: dict[str, float] = {
    "days": 1 / DAYS_PER_MONTH,
    "weeks": 7 / DAYS_PER_MONTH,
    "months": 1.0,
}

#: Printed by train, crossval and evaluate for a time-to-event table, and kept in their
#: metrics.json and reports (generated from the counts and rates it states).
CENSORING_NOTE = (
    "{n_unlabelled:,} of {n_people:,} people were censored before the {horizon:g}-month horizon "
    "without reoffending: they are unlabelled and left out; the {n_labelled:,} labelled are "
    "weighted by the inverse probability of staying uncensored, estimated on the whole table "
    "(Kaplan–Meier risk at the horizon {km:.1%}; weighted label rate {weighted:.1%}; complete "
    "cases, censored dropped, {complete:.1%})"
)


def to_months(duration: ArrayLike, unit: str) -> np.ndarray:
    """Durations in ``unit`` (days, weeks or months) as months.

    Examples
    --------
    >>> to_months([365.25, 0], "days").tolist()
    [12.0, 0.0]
    """
    return np.asarray(duration, dtype=float) * DURATION_UNITS[unit]


def horizon_labels(time: ArrayLike, event: ArrayLike, horizon: float) -> np.ndarray:
    """The label at ``horizon``: 1 reoffended by it, 0 followed to it without reoffending,
    NaN censored before it without reoffending (unlabelled).

    Examples
    --------
    >>> horizon_labels([3, 30, 10, 30], [1, 1, 0, 0], 24).tolist()
    [1.0, 0.0, nan, 0.0]
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float) == 1
    label = np.full(t.shape, np.nan)
    label[t >= horizon] = 0.0
    label[e & (t <= horizon)] = 1.0
    return label


def _kaplan_meier(
    time: np.ndarray, observed: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Event times and the Kaplan–Meier survival just after each (lifelines; ``weights``
    count a person that many times)."""
    import warnings

    from lifelines import KaplanMeierFitter

    with warnings.catch_warnings():
        # lifelines warns that weights which are not whole numbers call for a robust variance
        # estimate; only the curve is used here.
        warnings.simplefilter("ignore")
        fitter = KaplanMeierFitter().fit(time, event_observed=observed, weights=weights)
    curve = fitter.survival_function_
    return curve.index.to_numpy(dtype=float), curve.iloc[:, 0].to_numpy(dtype=float)


def _left_limit(times: np.ndarray, survival: np.ndarray, at: np.ndarray) -> np.ndarray:
    """A right-continuous step function's value just before each of ``at``."""
    position = np.searchsorted(times, at, side="left") - 1
    return np.where(position >= 0, survival[np.maximum(position, 0)], 1.0)


def censoring_weights(time: ArrayLike, event: ArrayLike, horizon: float) -> np.ndarray:
    """Inverse probability of censoring weights: ``1 / G(min(time, horizon)-)`` for the
    labelled (:func:`horizon_labels`), NaN for the unlabelled; ``G`` is the Kaplan–Meier
    estimate of staying uncensored (lifelines, with the event flag inverted).

    Examples
    --------
    >>> censoring_weights([1, 2, 3, 4], [1, 0, 1, 0], 3).round(3).tolist()
    [1.0, nan, 1.5, 1.5]
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float) == 1
    # At a time both of a reoffence and of a censoring, the censoring counts as just after
    # the reoffence (the Kaplan–Meier convention), so the weighted rate is exactly the
    # Kaplan–Meier risk.
    after = 1e-9 * max(1.0, float(np.abs(t).max(initial=0.0)))
    times, uncensored = _kaplan_meier(np.where(e, t, t + after), ~e)
    at = np.minimum(t, horizon)
    weights = 1.0 / _left_limit(times, uncensored, at)
    return np.where(np.isnan(horizon_labels(t, e, horizon)), np.nan, weights)


def kaplan_meier_risk(
    time: ArrayLike, event: ArrayLike, at: ArrayLike, *, weights: ArrayLike | None = None
) -> np.ndarray:
    """The Kaplan–Meier cumulative share reoffending (``1 - S(t)``) at each of ``at``.

    ``weights`` (e.g. :func:`censoring_weights` of the labelled, the unlabelled left out)
    count a person that many times: among the labelled so weighted, the curve up to the
    horizon estimates the Kaplan–Meier risk of everyone.

    Examples
    --------
    >>> kaplan_meier_risk([1, 2, 3, 4], [1, 0, 1, 0], [0, 1, 3]).round(3).tolist()
    [0.0, 0.25, 0.625]
    """
    t = np.asarray(time, dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)
    times, survival = _kaplan_meier(t, np.asarray(event, dtype=float) == 1, w)
    at = np.asarray(at, dtype=float)
    position = np.searchsorted(times, at, side="right") - 1
    return 1.0 - np.where(position >= 0, survival[np.maximum(position, 0)], 1.0)


def kaplan_meier_median(
    time: ArrayLike, event: ArrayLike, *, weights: ArrayLike | None = None
) -> float:
    """The Kaplan–Meier median time: the first time the survival falls to 0.5 or below;
    ``inf`` when it never does (fewer than half had the event).

    Examples
    --------
    >>> kaplan_meier_median([1, 2, 3, 4], [1, 0, 1, 0]), kaplan_meier_median([1, 2], [0, 0])
    (3.0, inf)
    """
    t = np.asarray(time, dtype=float)
    w = None if weights is None else np.asarray(weights, dtype=float)
    times, survival = _kaplan_meier(t, np.asarray(event, dtype=float) == 1, w)
    reached = np.flatnonzero(survival <= 0.5)
    return float(times[reached[0]]) if reached.size else float("inf")


def survival_summary(
    time: ArrayLike, event: ArrayLike, horizon: float, *, duration_unit: str = "months"
) -> dict[str, Any]:
    """Counts and rates at the horizon: people, labelled and unlabelled, the Kaplan–Meier risk,
    the weighted label rate (:func:`censoring_weights`) and the complete-case rate (the
    censored dropped), with :data:`CENSORING_NOTE` in words (``note``).

    Examples
    --------
    >>> s = survival_summary([1, 2, 3, 4], [1, 0, 1, 0], 3)
    >>> s["n_unlabelled"], round(s["kaplan_meier_rate"], 3), round(s["weighted_rate"], 3)
    (1, 0.625, 0.625)
    """
    t = np.asarray(time, dtype=float)
    e = np.asarray(event, dtype=float)
    label = horizon_labels(t, e, horizon)
    weights = censoring_weights(t, e, horizon)
    known = ~np.isnan(label)
    summary: dict[str, Any] = {
        "horizon_months": float(horizon),
        "duration_unit": duration_unit,
        "n_people": int(t.size),
        "n_labelled": int(known.sum()),
        "n_unlabelled": int((~known).sum()),
        "n_events_by_horizon": int(np.nansum(label)),
        "kaplan_meier_rate": float(kaplan_meier_risk(t, e, [horizon])[0]),
        "weighted_rate": float(np.average(label[known], weights=weights[known]))
        if known.any()
        else float("nan"),
        "complete_case_rate": float(label[known].mean()) if known.any() else float("nan"),
    }
    summary["note"] = censoring_note(summary)
    return summary


def censoring_note(summary: dict[str, Any]) -> str:
    """:data:`CENSORING_NOTE` filled from a :func:`survival_summary`."""
    return CENSORING_NOTE.format(
        n_unlabelled=summary["n_unlabelled"],
        n_people=summary["n_people"],
        horizon=summary["horizon_months"],
        n_labelled=summary["n_labelled"],
        km=summary["kaplan_meier_rate"],
        weighted=summary["weighted_rate"],
        complete=summary["complete_case_rate"],
    )
