"""Plots of explanations, following scikit-learn's Display classes.

``from_explanation`` computes, ``plot(ax=)`` draws on a matplotlib axis; nothing here calls
``plt.show()``.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import ticker, transforms
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from riskmodel._display import Display
from riskmodel._format import signed
from riskmodel.explain._additive import Explanation, logit
from riskmodel.explain._phrases import (
    Factor,
    catalogue_for,
    feature_words,
    level_words,
    top_factors,
)
from riskmodel.features import Feature

__all__ = [
    "CALIBRATION_LABEL",
    "OTHERS_LABEL",
    "DependenceDisplay",
    "ImportanceDisplay",
    "WaterfallDisplay",
    "importance",
    "signed_points",
]

#: Label of the waterfall bar that sums every factor not listed as a reason.
OTHERS_LABEL = "All other factors together"
#: Label of the waterfall bar for the step isotonic calibration adds (approximate explanations).
CALIBRATION_LABEL = "Calibration step, not attributed to any factor"
#: Steps smaller than this (log-odds or probability) are not drawn as a bar of their own.
_NOTHING = 1e-12
#: A calibration step is drawn when the probability differs from the bars' end by more than
#: this (an exact explanation's gap is rounding, far below it).
_STEP = 1e-6
#: Height of a bar, in rows.
_BAR = 0.4
#: Characters per line of a bar label.
_WRAP = 52

_UP = "#c62828"
_DOWN = "#2e7d32"
_NEUTRAL = "#33415c"


def signed_points(value: float, digits: int = 1) -> str:
    """A change in percentage points with its sign, as printed beside bars and reasons (the
    minus sign U+2212); a change that rounds to zero reads "0.0", never "-0.0" or "+0.0".

    Examples
    --------
    >>> signed_points(12.94), signed_points(-0.61), signed_points(-0.04), signed_points(0.0)
    ('+12.9', '−0.6', '0.0', '0.0')
    """
    return signed(value, digits)


#: Features held as the log of a rate: their dependence plots show the rate (axis label).
_RATES = {"copas_rate": "sanctions a year over the criminal career (log scale)"}
#: Units written on a dependence plot's axis.
_UNITS = {"years": "years", "months": "months", "count": "number"}


def _axis_label(feature: str, catalogue: Mapping[str, Feature], label: str) -> str:
    """The x axis of a dependence plot: the feature's ``label`` with its unit."""
    if feature in _RATES:
        return _RATES[feature]
    known = catalogue.get(feature)
    unit = _UNITS.get(known.unit) if known is not None else None
    return f"{label} ({unit})" if unit and unit not in label.lower() else label


def _short(text: str, width: int = 32) -> str:
    """``text`` cut to ``width`` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=np.float64)))


def _wrap(label: str, width: int = _WRAP) -> str:
    """``label`` on at most two lines of about ``width`` characters (never cut mid-word)."""
    lines = textwrap.wrap(label, width) or [""]
    if len(lines) <= 2:
        return "\n".join(lines)
    return lines[0] + "\n" + " ".join(lines[1:])


def _rows(labels: list[str]) -> tuple[list[str], np.ndarray]:
    """Labels wrapped for the chart, and the row of each (first on top): one unit per row,
    more for a label on two lines."""
    wrapped = [_wrap(label) for label in labels]
    heights = np.array([1.0 + 0.4 * label.count("\n") for label in wrapped])
    return wrapped, np.cumsum(heights) - 1.0


def _height(y: np.ndarray, extra: float) -> float:
    """Figure height (inches) for bars at rows ``y`` and ``extra`` inches of axes and text."""
    return 0.5 * (float(y[-1]) + 2.2 if len(y) else 1.0) + extra


def _labels_above(
    ax: Axes,
    wrapped: list[str],
    y: np.ndarray,
    *,
    top: float = -1.4,
    bottom: float = 1.2,
    fontsize: float = 10,
) -> None:
    """Write each bar's label just above it, across the whole width, instead of beside it:
    the chart stays readable when a narrow screen (a phone) shrinks it, since no column is
    spent on labels. Bars have height :data:`_BAR`, centred on their row; ``top`` and
    ``bottom`` leave room (in rows) above the first and below the last."""
    across = transforms.blended_transform_factory(ax.transAxes, ax.transData)
    for yi, label in zip(y, wrapped, strict=True):
        ax.text(
            0.01,
            yi - _BAR / 2 - 0.06,
            label,
            transform=across,
            ha="left",
            va="bottom",
            fontsize=fontsize,
            linespacing=1.1,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5},
        )
    ax.set_yticks([])
    ax.set_ylim(float(y[-1]) + bottom if len(y) else 1.0, top)


@dataclass
class WaterfallDisplay(Display):
    """One person's probability built up from the base, reason by reason.

    The bars are the reasons themselves: the factors :func:`~riskmodel.explain.top_factors`
    returns for the person (those raising the risk, then those lowering it, each largest
    first), then one bar for all other factors together, and, when the explanation is
    approximate (isotonic calibration), one for the calibration's own step. The chart reads
    in percentage points on the probability scale, from the base probability to the person's
    probability, which is marked and labelled.

    Attributes
    ----------
    labels : list of str
        Bar labels in the order drawn: each factor's ``label``, then :data:`OTHERS_LABEL`
        (and :data:`CALIBRATION_LABEL`) when drawn.
    values : ndarray
        Contributions (log-odds) in the order drawn.
    points : ndarray
        The same contributions as percentage points; they add up to the person's probability
        minus the base probability (x 100).
    base_value, end_value : float
        Log-odds at the start (base) and at the end of the bars (the person's log-odds).
    base_probability, probability : float
        The base probability and the person's probability (0-1): where the bars start and
        where they end, marked on the chart.
    """

    labels: list[str]
    values: np.ndarray
    points: np.ndarray
    base_value: float
    end_value: float
    base_probability: float
    probability: float
    figure_: Figure | None = None
    ax_: Axes | None = None

    @property
    def items(self) -> list[dict[str, float | str]]:
        """The bars drawn, in order: ``label``, ``contribution`` (log-odds) and
        ``percentage_points``."""
        return [
            {"label": label, "contribution": float(value), "percentage_points": float(point)}
            for label, value, point in zip(self.labels, self.values, self.points, strict=True)
        ]

    @classmethod
    def from_factors(
        cls,
        factors: Sequence[Factor],
        *,
        base_value: float,
        end_value: float,
        probability: float,
    ) -> WaterfallDisplay:
        """The waterfall of exactly these factors, in this order.

        Parameters
        ----------
        factors : sequence of Factor
            The reasons, in the order listed (``raising + lowering`` of
            :func:`~riskmodel.explain.top_factors`).
        base_value : float
            The explanation's base value (log-odds).
        end_value : float
            Base value plus every contribution of the person (log-odds): the bars end here.
        probability : float
            The person's probability. When it is not ``sigmoid(end_value)`` (isotonic
            calibration), a last bar, :data:`CALIBRATION_LABEL`, takes the chart there.
        """
        base_value, end_value, probability = (
            float(base_value),
            float(end_value),
            float(probability),
        )
        labels = [f.label for f in factors]
        values = [float(f.contribution) for f in factors]
        points = [float(f.percentage_points) for f in factors]
        base_p = float(_sigmoid(base_value))
        end_p = float(_sigmoid(end_value))
        rest = (end_value - base_value) - sum(values)
        if abs(rest) > _NOTHING:
            labels.append(OTHERS_LABEL)
            values.append(rest)
            points.append(100 * (end_p - base_p) - sum(points))
        if abs(probability - end_p) > _STEP:
            gap = float(logit(np.clip(probability, 1e-12, 1 - 1e-12))) - end_value
            labels.append(CALIBRATION_LABEL)
            values.append(gap)
            points.append(100 * (probability - end_p))
        return cls(
            labels=labels,
            values=np.asarray(values, dtype=float),
            points=np.asarray(points, dtype=float),
            base_value=base_value,
            end_value=end_value,
            base_probability=base_p,
            probability=probability,
        )

    @classmethod
    def from_explanation(
        cls, explanation: Explanation, row: int, *, k: int = 5, min_abs: float = 1e-9
    ) -> WaterfallDisplay:
        """The waterfall of the person at position ``row``: the reasons
        ``top_factors(explanation, row, k, min_abs=min_abs)`` gives, in its order."""
        raising, lowering = top_factors(explanation, row, k, min_abs=min_abs)
        return cls.from_factors(
            raising + lowering,
            base_value=explanation.base_value,
            end_value=explanation.base_value + float(explanation.contributions.iloc[row].sum()),
            probability=float(explanation.probability[row]),
        )

    def plot(self, ax: Axes | None = None) -> WaterfallDisplay:
        """Draw the bars from the base probability to the person's, on a probability axis,
        the person's probability marked and labelled."""
        wrapped, y = _rows(self.labels)
        ax = self._axes(ax, figsize=(5.0, _height(y, 0.7)))
        _labels_above(ax, wrapped, y)
        start = 100 * self.base_probability
        finish = 100 * self.probability
        starts = start + np.concatenate([[0.0], np.cumsum(self.points)[:-1]])
        colours = [
            _NEUTRAL if label in (OTHERS_LABEL, CALIBRATION_LABEL) else (_UP if v > 0 else _DOWN)
            for label, v in zip(self.labels, self.points, strict=True)
        ]
        ax.barh(y, self.points, left=starts, color=colours, height=_BAR)
        ends = starts + self.points
        for yi, end, point in zip(y, ends, self.points, strict=True):
            ax.text(
                end,
                yi,
                f" {signed_points(point)} ",
                va="center",
                ha="left" if point >= 0 else "right",
                fontsize=9,
            )
        ax.axvline(start, color="#5b6675", linestyle=":", linewidth=1.2)
        ax.axvline(finish, color=_NEUTRAL, linestyle="--", linewidth=1.5)
        low = min(
            start, finish, float(np.min(ends, initial=start)), float(np.min(starts, initial=start))
        )
        high = max(
            start, finish, float(np.max(ends, initial=start)), float(np.max(starts, initial=start))
        )
        span = max(high - low, 10.0)
        ax.set_xlim(max(low - 0.2 * span, 0.0), min(high + 0.2 * span, 100.0))
        ax.text(
            start,
            -1.05,
            f"base {start:.1f}%",
            ha="center",
            va="center",
            fontsize=9,
            color="#5b6675",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
        )
        ax.text(
            finish,
            float(y[-1]) + 0.75 if len(y) else 0.0,
            f"this person {finish:.1f}%",
            ha="center",
            va="center",
            fontsize=10,
            fontweight="bold",
            color=_NEUTRAL,
            bbox={"facecolor": "white", "edgecolor": _NEUTRAL, "pad": 2},
        )
        ax.set_xlabel("probability (%); bars in percentage points")
        ax.grid(axis="x", alpha=0.3)
        return self._finish()


def importance(explanation: Explanation, *, by: str = "concept") -> pd.DataFrame:
    """What matters most overall: one row per concept (``by="concept"``, the factors reasons
    are given for) or per feature (``by="feature"``, for researchers), ranked by mean
    absolute contribution.

    Returns
    -------
    DataFrame
        Indexed by name, largest first: ``label`` (the words reasons and charts use),
        ``mean_abs`` (log-odds) and ``mean_abs_points`` (percentage points).
    """
    if by not in ("concept", "feature"):
        raise ValueError(f"by must be 'concept' or 'feature', got {by!r}")
    points = explanation.percentage_points
    if by == "concept":
        ranked = explanation.mean_abs_concept_contribution()
        shares = explanation.concept_percentage_points(points).abs().mean(axis=0)
        labels = [explanation.concepts.get(str(n)).label for n in ranked.index]
    else:
        ranked = explanation.mean_abs_contribution()
        shares = points.abs().mean(axis=0)
        labels = [feature_words(explanation, str(n)) for n in ranked.index]
    return pd.DataFrame(
        {
            "label": labels,
            "mean_abs": ranked.to_numpy(dtype=np.float64),
            "mean_abs_points": shares.reindex(ranked.index).to_numpy(dtype=np.float64),
        },
        index=ranked.index,
    )


@dataclass
class ImportanceDisplay(Display):
    """Factors (concepts, the units reasons are given in) or features ranked by mean absolute
    contribution (log-odds)."""

    labels: list[str]
    values: np.ndarray
    by: str = "concept"
    figure_: Figure | None = None
    ax_: Axes | None = None

    @classmethod
    def from_explanation(
        cls, explanation: Explanation, *, max_features: int = 15, by: str = "concept"
    ) -> ImportanceDisplay:
        """The ``max_features`` most important concepts (``by="concept"``, labelled as the
        reasons are) or features (``by="feature"``)."""
        ranked = importance(explanation, by=by).iloc[:max_features]
        return cls(labels=list(ranked["label"]), values=ranked["mean_abs"].to_numpy(), by=by)

    def plot(self, ax: Axes | None = None) -> ImportanceDisplay:
        """Horizontal bars, most important on top, each labelled above its bar."""
        wrapped, y = _rows(self.labels)
        ax = self._axes(ax, figsize=(5.0, _height(y, 0.1)))
        _labels_above(ax, wrapped, y, top=-0.9, bottom=0.6)
        ax.barh(y, self.values, color=_NEUTRAL, height=_BAR)
        for yi, value in zip(y, self.values, strict=True):
            ax.text(value, yi, f" {value:.2f}", va="center", ha="left", fontsize=9)
        ax.set_xlim(0, 1.15 * float(np.max(self.values, initial=0.0)) or 1.0)
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
    axis: str = ""
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
        if feature in explanation.labels or categorical:
            # codes read as their [labels] words, profiles as their offences: never a code
            values = values.map(lambda v: level_words(feature, v, explanation.labels))
            categorical = True
        catalogue = catalogue_for(explanation.features)
        return cls(
            feature=feature,
            values=values,
            contributions=explanation.contributions[feature].to_numpy()[rows],
            categorical=categorical,
            label=feature_words(explanation, feature),
            axis=_axis_label(feature, catalogue, feature_words(explanation, feature)),
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
                [_short(c.replace("_", " ")) for c in common],
                fontsize="x-small",
            )
            ax.invert_yaxis()
            ax.set_xlabel("contribution (log-odds)")
            ax.axvline(0, color="#5b6675", linewidth=1)
        else:
            x = pd.to_numeric(self.values, errors="coerce").to_numpy(dtype=float)
            if self.feature in _RATES:  # a log rate reads as the rate itself, on a log axis
                x = np.exp(x)
                ax.set_xscale("log")
                ax.xaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
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
            ax.set_xlabel(self.axis or self.label or self.feature)
            ax.set_ylabel("contribution (log-odds)")
            ax.axhline(0, color="#5b6675", linewidth=1)
        ax.set_title(self.label or self.feature, fontsize="medium")
        ax.grid(alpha=0.3)
        return self._finish()
