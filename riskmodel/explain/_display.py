"""Plots of explanations, following scikit-learn's Display classes.

``from_explanation`` computes, ``plot(ax=)`` draws on a matplotlib axis; nothing here calls
``plt.show()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from riskmodel._display import Display
from riskmodel.explain._additive import Explanation, logit
from riskmodel.explain._phrases import catalogue_for, describe_value, feature_label

__all__ = ["DependenceDisplay", "ImportanceDisplay", "WaterfallDisplay"]

_UP = "#c62828"
_DOWN = "#2e7d32"
_NEUTRAL = "#33415c"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def _probability_axis(ax: Axes, axis: str = "x") -> None:
    """A secondary axis reading log-odds as probabilities (percent)."""

    def forward(x: np.ndarray) -> np.ndarray:
        return 100 * _sigmoid(x)

    def backward(p: np.ndarray) -> np.ndarray:
        return logit(np.clip(np.asarray(p, dtype=float) / 100, 1e-9, 1 - 1e-9))

    if axis == "x":
        secondary = ax.secondary_xaxis("top", functions=(forward, backward))
        secondary.set_xlabel("probability (%)")
    else:
        secondary = ax.secondary_yaxis("right", functions=(forward, backward))
        secondary.set_ylabel("probability (%)")


@dataclass
class WaterfallDisplay(Display):
    """One person's score built up from the base value, feature by feature (log-odds).

    Attributes
    ----------
    labels : list of str
        Bar labels (feature phrase), largest effect first; the last may be "N other features".
    values : ndarray
        Contributions (log-odds) in the order drawn.
    base_value, end_value : float
        Start (base) and end (the person's log-odds).
    """

    labels: list[str]
    values: np.ndarray
    base_value: float
    end_value: float
    figure_: Figure | None = None
    ax_: Axes | None = None

    @classmethod
    def from_explanation(
        cls, explanation: Explanation, row: int, *, max_features: int = 10
    ) -> WaterfallDisplay:
        """The waterfall of the person at position ``row``."""
        values = explanation.contributions.iloc[row]
        order = values.abs().sort_values(ascending=False, kind="stable").index.tolist()
        shown = order[:max_features]
        rest = order[max_features:]
        person = explanation.X.iloc[row]
        catalogue = catalogue_for(explanation.features)
        labels = [describe_value(name, person[name], catalogue=catalogue) for name in shown]
        numbers = [float(values[name]) for name in shown]
        if rest:
            labels.append(f"{len(rest)} other features")
            numbers.append(float(values[rest].sum()))
        base = float(explanation.base_value)
        return cls(
            labels=labels,
            values=np.asarray(numbers),
            base_value=base,
            end_value=base + float(values.sum()),
        )

    def plot(self, ax: Axes | None = None) -> WaterfallDisplay:
        """Draw horizontal bars from the base value to the person's log-odds."""
        ax = self._axes(ax, figsize=(7.5, 0.42 * len(self.values) + 1.8))
        starts = self.base_value + np.concatenate([[0.0], np.cumsum(self.values)[:-1]])
        y = np.arange(len(self.values))[::-1]
        colours = [_UP if v > 0 else _DOWN for v in self.values]
        ax.barh(y, self.values, left=starts, color=colours, height=0.6)
        for yi, start, value in zip(y, starts, self.values, strict=True):
            ax.text(
                start + value,
                yi,
                f" {value:+.2f}",
                va="center",
                ha="left" if value >= 0 else "right",
                fontsize="x-small",
            )
        ax.set_yticks(y, self.labels, fontsize="small")
        ax.axvline(self.base_value, color="#5b6675", linestyle=":", linewidth=1)
        ax.axvline(self.end_value, color=_NEUTRAL, linestyle="--", linewidth=1)
        ax.set_xlabel(f"log-odds (base {self.base_value:.2f} → this person {self.end_value:.2f})")
        low = min(self.base_value, self.end_value, float(np.min(starts + self.values)))
        high = max(self.base_value, self.end_value, float(np.max(starts + self.values)))
        span = max(high - low, 0.5)
        ax.set_xlim(low - 0.25 * span, high + 0.25 * span)
        _probability_axis(ax, "x")
        ax.grid(axis="x", alpha=0.3)
        return self._finish()


@dataclass
class ImportanceDisplay(Display):
    """Features ranked by mean absolute contribution (log-odds)."""

    labels: list[str]
    values: np.ndarray
    figure_: Figure | None = None
    ax_: Axes | None = None

    @classmethod
    def from_explanation(
        cls, explanation: Explanation, *, max_features: int = 15
    ) -> ImportanceDisplay:
        """The ``max_features`` most important features."""
        ranked = explanation.mean_abs_contribution().iloc[:max_features]
        catalogue = catalogue_for(explanation.features)
        labels = [feature_label(n, catalogue=catalogue) for n in ranked.index]
        return cls(labels=labels, values=ranked.to_numpy())

    def plot(self, ax: Axes | None = None) -> ImportanceDisplay:
        """Horizontal bars, most important on top."""
        ax = self._axes(ax, figsize=(7, 0.35 * len(self.values) + 1.2))
        y = np.arange(len(self.values))[::-1]
        ax.barh(y, self.values, color=_NEUTRAL, height=0.6)
        ax.set_yticks(y, self.labels, fontsize="small")
        ax.set_xlabel("mean absolute contribution (log-odds)")
        ax.grid(axis="x", alpha=0.3)
        return self._finish()


@dataclass
class DependenceDisplay(Display):
    """How one feature's value moves its contribution, across people."""

    feature: str
    values: pd.Series
    contributions: np.ndarray
    categorical: bool
    label: str = ""
    figure_: Figure | None = None
    ax_: Axes | None = None

    @classmethod
    def from_explanation(
        cls, explanation: Explanation, feature: str, *, max_points: int = 4000, seed: int = 0
    ) -> DependenceDisplay:
        """Values and contributions of ``feature`` (a seeded sample of at most
        ``max_points`` people)."""
        n = len(explanation)
        rows = np.arange(n)
        if n > max_points:
            rows = np.sort(np.random.default_rng(seed).choice(n, max_points, replace=False))
        values = explanation.X[feature].iloc[rows].reset_index(drop=True)
        categorical = not pd.api.types.is_numeric_dtype(values.dtype)
        return cls(
            feature=feature,
            values=values,
            contributions=explanation.contributions[feature].to_numpy()[rows],
            categorical=categorical,
            label=feature_label(feature, catalogue=catalogue_for(explanation.features)),
        )

    def plot(self, ax: Axes | None = None) -> DependenceDisplay:
        """Scatter (numeric) or one row of points per level (categorical, 12 most common)."""
        ax = self._axes(ax, figsize=(5.2, 3.4))
        if self.categorical:
            levels = self.values.fillna("missing").astype(str)
            common = levels.value_counts().index[:12].tolist()
            rng = np.random.default_rng(0)
            for position, level in enumerate(common):
                mask = (levels == level).to_numpy()
                y = position + rng.uniform(-0.2, 0.2, int(mask.sum()))
                ax.scatter(self.contributions[mask], y, s=6, alpha=0.35, color=_NEUTRAL)
            ax.set_yticks(
                np.arange(len(common)),
                [c.replace("_", " ")[:28] for c in common],
                fontsize="x-small",
            )
            ax.invert_yaxis()
            ax.set_xlabel("contribution (log-odds)")
            ax.axvline(0, color="#5b6675", linewidth=1)
        else:
            x = pd.to_numeric(self.values, errors="coerce").to_numpy(dtype=float)
            present = np.isfinite(x)
            jitter = np.random.default_rng(0).uniform(-0.15, 0.15, x.size)
            whole = bool(present.any()) and bool(np.all(np.mod(x[present], 1) == 0))
            shown = x + (jitter if whole else 0)
            ax.scatter(
                shown[present], self.contributions[present], s=6, alpha=0.35, color=_NEUTRAL
            )
            if (~present).any():
                ax.scatter([], [], s=6, color="#b45309", label=f"not known: {(~present).sum()}")
                ax.legend(fontsize="x-small", loc="best")
            ax.set_xlabel(self.label or self.feature)
            ax.set_ylabel("contribution (log-odds)")
            ax.axhline(0, color="#5b6675", linewidth=1)
        ax.set_title(self.label or self.feature, fontsize="medium")
        ax.grid(alpha=0.3)
        return self._finish()
