"""Plots of a fairness audit, following scikit-learn's Display classes.

``from_predictions`` computes, ``plot(ax=)`` draws; nothing here calls ``plt.show()``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskmodel._display import Display
from riskmodel.fairness import _messages as const

# scikit-learn is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

__all__ = ["ErrorRateDisplay", "GroupCalibrationDisplay", "group_reliability"]

#: Fewest people per bin before a group's curve gets fewer bins.
_MIN_PER_BIN = 20


@dataclass
class _Curve:
    group: str
    predicted: np.ndarray
    observed: np.ndarray
    n: int
    small: bool


def group_reliability(
    y_true: np.ndarray,
    y_score: np.ndarray,
    groups: Sequence,
    *,
    score_kind: str = const.PROBABILITY,
    n_bins: int = 10,
) -> pd.DataFrame:
    """Reliability curve points per group (tidy: ``group``, ``predicted``, ``observed``).

    For a probability, scikit-learn's ``calibration_curve`` with equal-frequency
    (``"quantile"``) bins; a group gets fewer bins when it has fewer than 20 people per bin.
    For an ordinal score, the observed rate at each score value (or equal-frequency bins of
    the score when it takes more than ``n_bins * 2`` values).

    Examples
    --------
    >>> import numpy as np
    >>> points = group_reliability(np.array([0, 1, 0, 1]), np.array([0.2, 0.8, 0.3, 0.6]),
    ...                            ["a", "a", "b", "b"], n_bins=2)
    >>> sorted(points["group"].unique())
    ['a', 'b']
    """
    from sklearn.calibration import calibration_curve

    y = np.asarray(y_true, dtype=int)
    s = np.asarray(y_score, dtype=float)
    labels = np.asarray(groups, dtype=object).astype(str)
    rows = []
    for group in sorted(set(labels)):
        mask = labels == group
        yg, sg = y[mask], s[mask]
        bins = int(max(1, min(n_bins, mask.sum() // _MIN_PER_BIN)))
        if score_kind == const.PROBABILITY:
            observed, predicted = calibration_curve(yg, sg, n_bins=bins, strategy="quantile")
        else:
            frame = pd.DataFrame({"s": sg, "y": yg})
            if frame["s"].nunique() > 2 * n_bins:
                frame["bin"] = pd.qcut(frame["s"], q=bins, duplicates="drop")
            else:
                frame["bin"] = frame["s"]
            grouped = frame.groupby("bin", observed=True)
            predicted = grouped["s"].mean().to_numpy()
            observed = grouped["y"].mean().to_numpy()
        rows.append(
            pd.DataFrame(
                {"group": group, "predicted": predicted, "observed": observed, "n": mask.sum()}
            )
        )
    return pd.concat(rows, ignore_index=True)


class GroupCalibrationDisplay(Display):
    """Reliability curves of one score, one line per group, on one chart.

    Like :class:`sklearn.calibration.CalibrationDisplay`, but disaggregated by group: build it
    with :meth:`from_predictions` and draw it with :meth:`plot`. Groups flagged small are
    drawn dashed and marked "(small)" in the legend.

    Parameters
    ----------
    points : DataFrame
        Output of :func:`group_reliability`.
    score_kind : {"probability", "ordinal"}
    small_groups : sequence of str
        Groups to draw dashed.
    group_name : str
        Name of the group column (the legend title).

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> display = GroupCalibrationDisplay.from_predictions(
    ...     np.array([0, 1, 0, 1]), np.array([0.2, 0.8, 0.3, 0.6]), ["a", "a", "b", "b"])
    >>> display = display.plot()
    >>> len(display.lines_)
    2
    """

    def __init__(
        self,
        points: pd.DataFrame,
        *,
        score_kind: str = const.PROBABILITY,
        small_groups: Sequence[str] = (),
        group_name: str = "group",
    ) -> None:
        self.points = points
        self.score_kind = score_kind
        self.small_groups = list(small_groups)
        self.group_name = group_name

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_score,
        groups,
        *,
        score_kind: str = const.PROBABILITY,
        n_bins: int = 10,
        small_groups: Sequence[str] = (),
        group_name: str | None = None,
    ) -> GroupCalibrationDisplay:
        """Compute the curves of each group (see :func:`group_reliability`)."""
        if group_name is None:
            group_name = str(getattr(groups, "name", None) or "group")
        points = group_reliability(y_true, y_score, groups, score_kind=score_kind, n_bins=n_bins)
        return cls(points, score_kind=score_kind, small_groups=small_groups, group_name=group_name)

    def plot(self, ax=None) -> GroupCalibrationDisplay:
        """Draw the curves on ``ax`` (a new figure when None); sets ``ax_``, ``figure_``,
        ``lines_``."""

        ax = self._axes(ax, figsize=(6.4, 4.8))
        lines = []
        if self.score_kind == const.PROBABILITY:
            ax.plot([0, 1], [0, 1], color="#8a8f98", linestyle=":", label="perfectly calibrated")
            ax.set_xlim(0, 1)
            ax.set_xlabel("Predicted probability (mean in bin)")
        else:
            ax.set_xlabel("Score")
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("Observed reoffending rate")
        for group, part in self.points.groupby("group", sort=True):
            small = group in self.small_groups
            label = f"{group} (n={int(part['n'].iloc[0]):,}{', small' if small else ''})"
            (line,) = ax.plot(
                part["predicted"],
                part["observed"],
                marker="o",
                markersize=4,
                linestyle="--" if small else "-",
                alpha=0.6 if small else 1.0,
                label=label,
            )
            lines.append(line)
        ax.legend(title=self.group_name, fontsize="small", title_fontsize="small")
        ax.grid(alpha=0.3)
        self.lines_ = lines
        return self._finish()


class ErrorRateDisplay(Display):
    """Bar chart of false positive and false negative rates by group, with intervals.

    Parameters
    ----------
    rates : DataFrame
        Indexed by group, columns ``fpr`` and ``fnr``.
    intervals : mapping, optional
        ``{group: {"fpr": [low, high], "fnr": [low, high]}}`` drawn as error bars.
    small_groups : sequence of str
        Groups whose bars are hatched.

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> rates = pd.DataFrame({"fpr": [0.2, 0.4], "fnr": [0.5, 0.3]}, index=["a", "b"])
    >>> display = ErrorRateDisplay(rates).plot()
    >>> len(display.bars_)
    2
    """

    def __init__(
        self,
        rates: pd.DataFrame,
        *,
        intervals: Mapping[str, Mapping[str, Sequence[float | None]]] | None = None,
        small_groups: Sequence[str] = (),
        group_name: str = "group",
        threshold: float | None = None,
    ) -> None:
        self.rates = rates
        self.intervals = intervals or {}
        self.small_groups = list(small_groups)
        self.group_name = group_name
        self.threshold = threshold

    def plot(self, ax=None) -> ErrorRateDisplay:
        """Draw grouped bars on ``ax`` (a new figure when None); sets ``ax_``, ``figure_``,
        ``bars_``."""

        groups = [str(g) for g in self.rates.index]
        ax = self._axes(ax, figsize=(max(5.0, 1.1 * len(groups) + 2), 4.2))
        x = np.arange(len(groups))
        width = 0.38
        bars = []
        for offset, metric, colour, label in (
            (-width / 2, "fpr", "#d97706", "False positive rate"),
            (width / 2, "fnr", "#2563eb", "False negative rate"),
        ):
            values = self.rates[metric].astype(float).to_numpy()
            heights = np.nan_to_num(values, nan=0.0)
            errors = np.zeros((2, len(groups)))
            for i, g in enumerate(groups):
                low, high = (self.intervals.get(g, {}).get(metric) or [None, None])[:2]
                if low is not None and high is not None and np.isfinite(values[i]):
                    errors[:, i] = [max(0.0, values[i] - low), max(0.0, high - values[i])]
            container = ax.bar(
                x + offset,
                heights,
                width,
                yerr=errors,
                capsize=3,
                color=colour,
                label=label,
                error_kw={"elinewidth": 1, "ecolor": "#333"},
            )
            for i, (g, patch) in enumerate(zip(groups, container.patches, strict=True)):
                if g in self.small_groups:
                    patch.set_hatch("//")
                    patch.set_alpha(0.6)
                if not np.isfinite(values[i]):
                    ax.annotate(
                        "n/a",
                        (patch.get_x() + patch.get_width() / 2, 0.01),
                        ha="center",
                        fontsize="x-small",
                    )
            bars.append(container)
        ax.set_xticks(x, [f"{g}\n(small)" if g in self.small_groups else g for g in groups])
        ax.set_ylim(0, 1)
        ax.set_ylabel("Rate")
        title = f"Error rates by {self.group_name}"
        if self.threshold is not None:
            title += f" (flagged at score ≥ {self.threshold:g})"
        ax.set_title(title, fontsize="medium")
        ax.legend(fontsize="small")
        ax.grid(axis="y", alpha=0.3)
        self.bars_ = bars
        return self._finish()
