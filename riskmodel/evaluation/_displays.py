"""Figures of an evaluation: reliability diagram and risk distribution (Display classes)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from riskmodel._display import Display
from riskmodel.evaluation._metrics import N_BINS

__all__ = ["ReliabilityDisplay", "RiskDistributionDisplay", "reliability_table"]


def reliability_table(
    y_true: ArrayLike, y_prob: ArrayLike, n_bins: int = N_BINS
) -> dict[str, np.ndarray]:
    """Equal-frequency bins of ``y_prob``: count, mean predicted and observed rate of each.

    Examples
    --------
    >>> t = reliability_table([0, 1, 0, 1], [0.1, 0.2, 0.7, 0.8], n_bins=2)
    >>> t["observed"].tolist(), t["n"].tolist()
    ([0.5, 0.5], [2, 2])
    """
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_prob, dtype=float)
    order = np.argsort(p, kind="stable")
    edges = np.linspace(0, y.size, min(n_bins, max(y.size, 1)) + 1).round().astype(int)
    n, predicted, observed = [], [], []
    for lo, hi in itertools.pairwise(edges):
        if hi <= lo:
            continue
        idx = order[lo:hi]
        n.append(hi - lo)
        predicted.append(p[idx].mean())
        observed.append(y[idx].mean())
    return {
        "n": np.asarray(n),
        "predicted": np.asarray(predicted),
        "observed": np.asarray(observed),
    }


class ReliabilityDisplay(Display):
    """Reliability diagram: observed rate against mean predicted probability per bin, with
    Wilson 95% intervals on the observed rates.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.linspace(0.05, 0.95, 200); y = (p > 0.5).astype(int)
    >>> display = ReliabilityDisplay.from_predictions(y, p).plot()
    >>> display.ax_.get_xlabel()
    'mean predicted probability'
    """

    def __init__(self, *, predicted: np.ndarray, observed: np.ndarray, n: np.ndarray) -> None:
        self.predicted = predicted
        self.observed = observed
        self.n = n

    @classmethod
    def from_predictions(
        cls, y_true: ArrayLike, y_prob: ArrayLike, *, n_bins: int = N_BINS
    ) -> ReliabilityDisplay:
        table = reliability_table(y_true, y_prob, n_bins)
        return cls(predicted=table["predicted"], observed=table["observed"], n=table["n"])

    def plot(self, ax: Any = None, *, label: str = "model") -> ReliabilityDisplay:
        ax = self._axes(ax, figsize=(5, 5))
        z = 1.96
        n = np.maximum(self.n, 1)
        centre = (self.observed + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * np.sqrt(self.observed * (1 - self.observed) / n + z**2 / (4 * n**2))
        half = half / (1 + z**2 / n)
        # the Wilson interval holds the observed rate; rounding can put a bound a hair past it
        # (a bin with 0% or 100% outcomes), and matplotlib refuses a negative error bar
        low = np.clip(centre - half, 0.0, self.observed)
        high = np.clip(centre + half, self.observed, 1.0)
        ax.plot([0, 1], [0, 1], linestyle="--", color="#888888", label="perfect calibration")
        ax.errorbar(
            self.predicted,
            self.observed,
            yerr=[self.observed - low, high - self.observed],
            marker="o",
            color="#33415c",
            capsize=3,
            label=label,
        )
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel("mean predicted probability")
        ax.set_ylabel("observed rate")
        ax.set_title("Reliability (equal-frequency bins)")
        ax.legend(loc="upper left")
        return self._finish()


class RiskDistributionDisplay(Display):
    """Histogram of predicted probabilities, separately for people with and without the
    outcome.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.linspace(0.05, 0.95, 200); y = (p > 0.5).astype(int)
    >>> RiskDistributionDisplay.from_predictions(y, p).plot().ax_.get_xlabel()
    'predicted probability'
    """

    def __init__(self, *, y: np.ndarray, p: np.ndarray) -> None:
        self.y = y
        self.p = p

    @classmethod
    def from_predictions(cls, y_true: ArrayLike, y_prob: ArrayLike) -> RiskDistributionDisplay:
        return cls(y=np.asarray(y_true, dtype=float), p=np.asarray(y_prob, dtype=float))

    def plot(self, ax: Any = None) -> RiskDistributionDisplay:
        ax = self._axes(ax, figsize=(6, 4))
        bins = np.linspace(0, 1, 41)
        for value, colour, label in ((0, "#7a9cc6", "no outcome"), (1, "#c6533f", "outcome")):
            ax.hist(self.p[self.y == value], bins=bins, alpha=0.6, color=colour, label=label)
        ax.set_xlim(0, 1)
        ax.set_xlabel("predicted probability")
        ax.set_ylabel("people")
        ax.set_title("Distribution of predicted risk")
        ax.legend()
        return self._finish()
