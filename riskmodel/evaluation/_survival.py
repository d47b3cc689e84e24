"""The cumulative share reoffending over time by risk band, beside the predicted.

For people with a time to reoffence (event data: from the index date to the first proven
reoffence within the follow-up; a time-to-event table: its duration and event), the
Kaplan–Meier curve of each risk band (:mod:`riskmodel.bands`, the one band rule) up to the
horizon, and the band's mean predicted probability of reoffending by the horizon. A calibrated
model's curves end near their predictions. The labelled of a time-to-event table carry their
censoring weights, so each band's curve estimates its Kaplan–Meier risk.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from riskmodel._display import Display
from riskmodel._survival import kaplan_meier_risk
from riskmodel.bands import DEFAULT_BANDS, Bands

__all__ = ["CumulativeReoffendingDisplay", "cumulative_reoffending", "reoffending_over_time"]

_COLOURS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1")


def cumulative_reoffending(
    time_months: ArrayLike,
    event: ArrayLike,
    y_prob: ArrayLike,
    *,
    horizon_months: float,
    sample_weight: ArrayLike | None = None,
    bands: Bands = DEFAULT_BANDS,
) -> dict[str, Any]:
    """Kaplan–Meier cumulative share reoffending by month up to the horizon, by risk band
    and overall, with the mean predicted probability (weighted when ``sample_weight``).

    Returns ``{"horizon_months", "months", "bands": [{"band", "n", "events",
    "observed", "observed_at_horizon", "predicted_at_horizon"}, ...], "overall": {...}}``
    (figures for JSON; bands nobody is in are left out).

    Examples
    --------
    >>> out = cumulative_reoffending([1, 5, 24, 24], [1, 1, 0, 0], [0.2, 0.8, 0.2, 0.8],
    ...                              horizon_months=24)
    >>> [(b["band"], b["n"], b["observed_at_horizon"]) for b in out["bands"]]
    [('Low', 2, 0.5), ('High', 2, 0.5)]
    """
    t = np.asarray(time_months, dtype=float)
    e = np.asarray(event, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    w = np.ones_like(t) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    months = np.arange(0.0, float(horizon_months) + 1e-9, 1.0)
    if months[-1] < horizon_months:
        months = np.r_[months, float(horizon_months)]

    def curve(mask: np.ndarray, name: str) -> dict[str, Any]:
        observed = kaplan_meier_risk(t[mask], e[mask], months, weights=w[mask])
        return {
            "band": name,
            "n": int(mask.sum()),
            "events": int(((e == 1) & (t <= horizon_months) & mask).sum()),
            "observed": [float(v) for v in observed],
            "observed_at_horizon": float(observed[-1]),
            "predicted_at_horizon": float(np.average(p[mask], weights=w[mask])),
        }

    positions = bands.positions(p)
    out: dict[str, Any] = {
        "horizon_months": float(horizon_months),
        "months": [float(m) for m in months],
        "weighted": sample_weight is not None,
        "bands": [
            curve(positions == k, name)
            for k, name in enumerate(bands.names)
            if (positions == k).any()
        ],
    }
    out["overall"] = curve(np.ones(t.size, dtype=bool), "everyone") if t.size else None
    return out


class CumulativeReoffendingDisplay(Display):
    """The cumulative share reoffending over time by risk band (Kaplan–Meier steps), each
    band's mean predicted probability at the horizon beside it (a diamond).

    Examples
    --------
    >>> figures = cumulative_reoffending([1, 5, 24, 24], [1, 1, 0, 0], [0.2, 0.8, 0.2, 0.8],
    ...                                  horizon_months=24)
    >>> CumulativeReoffendingDisplay(figures).plot().ax_.get_xlabel()
    'months since the index date'
    """

    def __init__(self, figures: dict[str, Any]) -> None:
        self.figures = figures

    @classmethod
    def from_predictions(
        cls, time_months: ArrayLike, event: ArrayLike, y_prob: ArrayLike, **kwargs: Any
    ) -> CumulativeReoffendingDisplay:
        return cls(cumulative_reoffending(time_months, event, y_prob, **kwargs))

    def plot(self, ax: Any = None) -> CumulativeReoffendingDisplay:
        ax = self._axes(ax, figsize=(6, 4))
        months = self.figures["months"]
        horizon = self.figures["horizon_months"]
        top = 0.05
        for k, band in enumerate(self.figures["bands"]):
            colour = _COLOURS[k % len(_COLOURS)]
            label = f"{band['band']} ({band['n']:,} people)"
            ax.step(months, band["observed"], where="post", color=colour, label=label)
            ax.plot([horizon], [band["predicted_at_horizon"]], marker="D", color=colour)
            top = max(top, *band["observed"], band["predicted_at_horizon"])
        ax.set_xlim(0, horizon * 1.04)
        ax.set_ylim(0, min(1.0, top * 1.1))
        ax.set_xlabel("months since the index date")
        ax.set_ylabel("share reoffended (Kaplan–Meier)")
        ax.set_title("Reoffending over time by risk band (diamonds: predicted)")
        ax.legend(loc="upper left", fontsize="small")
        return self._finish()


def reoffending_over_time(
    times: Any, y_prob: ArrayLike, *, horizon_months: float | None, bands: Bands = DEFAULT_BANDS
) -> dict[str, Any] | None:
    """:func:`cumulative_reoffending` of the people of a ``FeatureTable.survival`` frame
    (``time_months``, ``event`` and, for a time-to-event table, ``weight``) aligned with
    ``y_prob``; None without times or a horizon. People without a time are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> times = pd.DataFrame({"time_months": [1.0, 24.0, None], "event": [1, 0, 0]})
    >>> reoffending_over_time(times, [0.3, 0.3, 0.3], horizon_months=24)["overall"]["n"]
    2
    """
    if times is None or horizon_months is None:
        return None
    known = times["time_months"].notna().to_numpy()
    if not known.any():
        return None
    weights = times["weight"].to_numpy(dtype=float)[known] if "weight" in times else None
    return cumulative_reoffending(
        times["time_months"].to_numpy(dtype=float)[known],
        times["event"].to_numpy(dtype=float)[known],
        np.asarray(y_prob, dtype=float)[known],
        horizon_months=horizon_months,
        sample_weight=weights,
        bands=bands,
    )
