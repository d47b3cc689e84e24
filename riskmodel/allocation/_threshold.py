"""Choosing an allocation threshold from calibrated probabilities.

Pure functions compute (:func:`choose_threshold`); :class:`CapacityCurveDisplay` plots.
A person is allocated when their score is at or above the threshold, except under a capacity
policy when tied scores straddle the last place (see :class:`Capacity`). People without a score
are never allocated by the helper: they are counted and reported, for a person to decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from riskmodel._bootstrap import bootstrap_indices, percentile_interval
from riskmodel._display import Display
from riskmodel._errors import ConfigError, DataError
from riskmodel.allocation import _messages as msg
from riskmodel.allocation._calibration import CalibrationError, recalibrated, widen
from riskmodel.allocation._inputs import as_group_columns, as_outcomes, as_probabilities
from riskmodel.allocation._policies import (
    Capacity,
    ExpectedCost,
    Policy,
    PPVTarget,
    SensitivityTarget,
)
from riskmodel.allocation._summary import allocation_summary, calibration_note
from riskmodel.bands import Bands
from riskmodel.fairness._messages import SMALL_GROUP_N

# SciPy is imported where used, so that a command's --help, which imports this
# package, stays quick (tests/test_startup.py).

__all__ = ["CapacityCurveDisplay", "ThresholdResult", "choose_threshold"]

#: Thresholds of the default table across thresholds (0, 0.05, ..., 1).
DEFAULT_TABLE_THRESHOLDS: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(21))

#: Statistics computed at the chosen allocation, overall and per group (with intervals).
STATISTICS: tuple[str, ...] = (
    "selection_rate",
    "expected_reoffenders_captured",
    "expected_sensitivity",
    "expected_ppv",
    "expected_fpr",
    "observed_reoffenders_captured",
    "sensitivity",
    "ppv",
    "fpr",
    "expected_reoffenders",
    "expected_reoffenders_missed",
    "expected_non_reoffenders_allocated",
    "observed_reoffenders",
    "observed_reoffenders_missed",
    "observed_non_reoffenders_allocated",
)
#: The statistics that are shares (the others are counts of people): their intervals lie
#: within 0 to 1, as the counts' lie above 0, however the calibration term widens them.
_SHARES = frozenset(
    {"selection_rate", "expected_sensitivity", "expected_ppv", "expected_fpr", "sensitivity",
     "ppv", "fpr"}
)  # fmt: skip
_OBSERVED = (
    "observed_reoffenders_captured",
    "sensitivity",
    "ppv",
    "fpr",
    "observed_reoffenders",
    "observed_reoffenders_missed",
    "observed_non_reoffenders_allocated",
)
_SELECTION_RATE = STATISTICS.index("selection_rate")

#: Relative tolerance when comparing a reached share with a target share.
_TOLERANCE = 1e-9


def _statistics(p: np.ndarray, y1: np.ndarray, y0: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The ``STATISTICS`` on arrays of shape ``(b, n)``; returns shape ``(b, 15)``.

    ``y1``/``y0`` are 1 for known reoffenders/non-reoffenders (0 when the outcome is unknown),
    ``a`` is 1 for allocated people.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        pa = (p * a).sum(axis=1)
        y1a = (y1 * a).sum(axis=1)
        known_a = ((y1 + y0) * a).sum(axis=1)
        total_p = p.sum(axis=1)
        total_y1 = y1.sum(axis=1)
        qa = ((1.0 - p) * a).sum(axis=1)
        columns = [
            a.mean(axis=1),
            pa,
            pa / total_p,
            pa / a.sum(axis=1),
            qa / (1.0 - p).sum(axis=1),
            y1a,
            y1a / total_y1,
            y1a / known_a,
            (y0 * a).sum(axis=1) / y0.sum(axis=1),
            total_p,
            total_p - pa,
            qa,
            total_y1,
            total_y1 - y1a,
            (y0 * a).sum(axis=1),
        ]
    return np.stack(columns, axis=1)


@dataclass
class _Ranking:
    """People with a score, sorted by descending score (ties in the tie-break order)."""

    p: np.ndarray  # sorted scores
    order: np.ndarray  # positions (among scored people) in sorted order
    cum_p: np.ndarray  # length n + 1, cum_p[k] = sum of the k highest p
    cum_q: np.ndarray  # same for 1 - p
    cum_y1: np.ndarray | None  # known reoffenders among the k highest
    cum_y0: np.ndarray | None  # known non-reoffenders among the k highest

    @property
    def n(self) -> int:
        return int(self.p.size)

    def count_at(self, threshold: float | np.ndarray) -> np.ndarray:
        """Number of people with a score >= threshold."""
        return np.searchsorted(-self.p, -np.asarray(threshold, dtype=float), side="right")

    def boundaries(self) -> np.ndarray:
        """Allocated counts at every distinct score used as a threshold (increasing)."""
        last_of_value = np.flatnonzero(np.r_[self.p[1:] != self.p[:-1], True])
        return last_of_value + 1

    def metrics(self, k: np.ndarray, policy: Policy | None = None) -> dict[str, np.ndarray]:
        """Figures when the ``k`` highest people are allocated (vectorised over ``k``)."""
        k = np.asarray(k, dtype=int)
        n = self.n
        with np.errstate(invalid="ignore", divide="ignore"):
            ep = self.cum_p[k]
            out: dict[str, np.ndarray] = {
                "allocated": k,
                "allocated_fraction": k / n,
                "expected_reoffenders_captured": ep,
                "expected_sensitivity": ep / self.cum_p[n],
                "expected_ppv": ep / k,
                "expected_fpr": self.cum_q[k] / self.cum_q[n],
            }
            if self.cum_y1 is not None and self.cum_y0 is not None:
                y1, y0 = self.cum_y1, self.cum_y0
                out["observed_reoffenders_captured"] = y1[k]
                out["sensitivity"] = y1[k] / y1[n]
                out["ppv"] = y1[k] / (y1[k] + y0[k])
                out["fpr"] = y0[k] / y0[n]
            if isinstance(policy, ExpectedCost):
                out["expected_cost"] = _cost(policy, self.cum_p[n], k, ep)
        return out


def _cost(policy: ExpectedCost, total_p: float, k: np.ndarray, captured: np.ndarray) -> np.ndarray:
    a, b, e = float(policy.cost_reoffence), float(policy.cost_intervention), float(policy.effect)
    return a * total_p + k * b - a * e * captured


def _rank(p: np.ndarray, y: np.ndarray | None, policy: Policy) -> _Ranking:
    n = p.size
    if isinstance(policy, Capacity) and policy.tie_break == "random":
        secondary = np.random.default_rng(policy.seed).permutation(n)
    else:
        secondary = np.arange(n)
    order = np.lexsort((secondary, -p))
    sp = p[order]

    def cum(values: np.ndarray) -> np.ndarray:
        return np.concatenate([[0.0], np.cumsum(values)])

    cum_y1 = cum_y0 = None
    if y is not None:
        sy = y[order]
        cum_y1 = cum(sy == 1)
        cum_y0 = cum(sy == 0)
    return _Ranking(sp, order, cum(sp), cum(1.0 - sp), cum_y1, cum_y0)


@dataclass
class ThresholdResult:
    """What a policy chose, and the figures that go with it.

    Attributes
    ----------
    policy : Policy
        The policy that chose the threshold.
    basis : {"observed", "expected"}
        Whether the sensitivity or PPV target was met on observed outcomes or on the
        expectations from the probabilities (the other policies do not depend on it).
    threshold : float
        People with a score at or above it are allocated (``inf`` when nobody is).
    allocated, allocated_fraction : int, float
        Number and share of people with a score who are allocated.
    allocation : numpy.ndarray of bool
        One entry per input row; people without a score are never allocated.
    n_rows, n_scored, n_missing_score, n_outcome_known : int
        Input rows, people with a score, people without, people with a known outcome.
    metrics : dict
        The ``STATISTICS`` at the chosen allocation (observed ones are NaN without outcomes).
    metrics_ci : dict
        Bootstrap percentile intervals ``[low, high]`` of the same (allocation held fixed).
    by_group : dict
        ``{column: {value: {...}}}`` with the same statistics, intervals and counts per group,
        ``small`` (fewer than ``SMALL_GROUP_N`` people with a score: too few to compare) and,
        except for the reference group, ``selection_rate_difference`` (and ``_ci``) against
        the reference. People with a missing group value form the group ``"(missing)"``.
    group_gaps : dict
        ``{column: {"reference", "highest", "lowest", "difference", "difference_ci",
        "n_compared"}}``: the reference (largest) group, and the highest less the lowest
        selection rate among the groups large enough to compare (none with fewer than two).
    calibration : dict or None
        The calibration error included in the intervals (:class:`CalibrationError`), or None
        when the intervals treat the probabilities as exactly calibrated.
    tie_rule, ties : str and dict or None
        Capacity policy only: how the last places were given among tied scores.
    cost : dict or None
        Expected-cost policy only: costs and savings against treating nobody and everybody.
    bands : list of dict or None
        Bands policy only: one entry per band.
    """

    policy: Policy
    basis: str
    threshold: float
    allocated: int
    allocated_fraction: float
    allocation: np.ndarray
    n_rows: int
    n_scored: int
    n_missing_score: int
    n_outcome_known: int
    has_outcomes: bool
    metrics: dict[str, float]
    metrics_ci: dict[str, list[float]]
    by_group: dict[str, dict[str, dict[str, Any]]]
    bootstrap: dict[str, Any]
    group_gaps: dict[str, dict[str, Any]] = field(default_factory=dict)
    calibration: dict[str, Any] | None = None
    tie_rule: str | None = None
    ties: dict[str, Any] | None = None
    cost: dict[str, float] | None = None
    bands: list[dict[str, Any]] | None = None
    _ranking: _Ranking | None = field(default=None, repr=False)

    def table(self, thresholds: ArrayLike | None = None) -> pd.DataFrame:
        """Tidy table across thresholds (one row each), with the chosen allocation marked.

        Parameters
        ----------
        thresholds : array-like, optional
            Thresholds to tabulate; default 0, 0.05, ..., 1. The chosen threshold is always
            added (its row uses the actual allocation, ties included).

        Returns
        -------
        pandas.DataFrame
            Columns ``threshold``, ``allocated``, ``allocated_fraction``, the expected (and,
            with outcomes, observed) reoffenders captured, sensitivity, PPV and FPR,
            ``expected_cost`` under the cost policy, and ``chosen``; ordered by falling
            threshold (rising allocation).
        """
        ranking = self._ranking
        assert ranking is not None
        grid = np.asarray(
            DEFAULT_TABLE_THRESHOLDS if thresholds is None else thresholds, dtype=float
        )
        grid = np.unique(grid)[::-1]
        ks = ranking.count_at(grid)
        rows = pd.DataFrame({"threshold": grid, **ranking.metrics(ks, self.policy)})
        rows["chosen"] = False
        chosen = pd.DataFrame(
            {
                "threshold": [self.threshold],
                **ranking.metrics(np.array([self.allocated]), self.policy),
            }
        )
        chosen["chosen"] = True
        same = (rows["threshold"] == self.threshold) & (rows["allocated"] == self.allocated)
        if same.any():
            rows.loc[same, "chosen"] = True
        else:
            rows = pd.concat([rows, chosen], ignore_index=True)
        rows = rows.sort_values(["allocated", "threshold"], ascending=[True, False])
        return rows.reset_index(drop=True)

    def capacity_curve(self) -> pd.DataFrame:
        """Share of reoffenders captured against share of people allocated, for every count.

        Returns
        -------
        pandas.DataFrame
            ``allocated``, ``allocated_fraction``, ``expected_captured_fraction`` and (with
            outcomes) ``observed_captured_fraction``, from nobody to everybody.
        """
        ranking = self._ranking
        assert ranking is not None
        k = np.arange(ranking.n + 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            frame = pd.DataFrame(
                {
                    "allocated": k,
                    "allocated_fraction": k / ranking.n,
                    "expected_captured_fraction": ranking.cum_p / ranking.cum_p[-1],
                }
            )
            if ranking.cum_y1 is not None:
                frame["observed_captured_fraction"] = ranking.cum_y1 / ranking.cum_y1[-1]
        return frame

    def groups_table(self) -> pd.DataFrame:
        """Tidy per-group table: one row per group column and value."""
        rows = [
            {"column": column, "value": value, **figures}
            for column, values in self.by_group.items()
            for value, figures in values.items()
        ]
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """The ``threshold.json`` content (see CLI.md)."""
        out: dict[str, Any] = {
            "policy": self.policy.name,
            "policy_parameters": self.policy.parameters(),
            "basis": self.basis,
            "threshold": self.threshold,
            "allocated": self.allocated,
            "allocated_fraction": self.allocated_fraction,
        }
        if self.tie_rule is not None:
            out["tie_rule"] = self.tie_rule
            out["ties"] = self.ties
        out.update(
            {
                "n_rows": self.n_rows,
                "n_scored": self.n_scored,
                "n_missing_score": self.n_missing_score,
                "n_outcome_known": self.n_outcome_known,
                "has_outcomes": self.has_outcomes,
            }
        )
        for name in STATISTICS:
            out[name] = self.metrics[name]
            out[f"{name}_ci"] = self.metrics_ci[name]
        if self.cost is not None:
            out["cost"] = self.cost
        if self.bands is not None:
            out["bands"] = self.bands
        out["by_group"] = self.by_group
        out["group_gaps"] = self.group_gaps
        out["calibration"] = self.calibration
        out["bootstrap"] = self.bootstrap
        out["table"] = self.table().to_dict(orient="records")
        out["summary"] = allocation_summary(out)
        out["calibration_note"] = calibration_note(out)
        return out


def _basis(outcomes_given: bool, basis: str) -> str:
    if basis not in ("auto", "observed", "expected"):
        raise ConfigError(msg.BAD_BASIS.format(value=basis))
    if basis == "observed" and not outcomes_given:
        raise ConfigError(msg.NO_OUTCOMES_FOR_OBSERVED)
    if basis == "auto":
        return "observed" if outcomes_given else "expected"
    return basis


def _choose_k(ranking: _Ranking, policy: Policy, basis: str) -> int:
    """Number of people allocated by a threshold policy (capacity handled by the caller)."""
    n = ranking.n
    if isinstance(policy, Bands):
        return int(ranking.count_at(policy.threshold))
    ks = ranking.boundaries()
    if isinstance(policy, ExpectedCost):
        candidates = np.r_[0, ks]
        costs = _cost(policy, ranking.cum_p[n], candidates, ranking.cum_p[candidates])
        return int(candidates[int(np.argmin(costs))])
    observed = basis == "observed"
    caught = ranking.cum_y1 if observed else ranking.cum_p
    assert caught is not None
    if isinstance(policy, SensitivityTarget):
        total = caught[n]
        if total <= 0:
            raise DataError(msg.NO_REOFFENDERS.format(basis=basis, total=total))
        reached = caught[ks] >= policy.target * total * (1 - _TOLERANCE)
        return int(ks[np.argmax(reached)])  # the last k always reaches the target
    assert isinstance(policy, PPVTarget)
    with np.errstate(invalid="ignore", divide="ignore"):
        if observed:
            assert ranking.cum_y1 is not None and ranking.cum_y0 is not None
            ppv = ranking.cum_y1[ks] / (ranking.cum_y1[ks] + ranking.cum_y0[ks])
        else:
            ppv = ranking.cum_p[ks] / ks
    reached = np.nan_to_num(ppv, nan=-1.0) >= policy.target * (1 - _TOLERANCE)
    if not reached.any():
        best = int(np.nanargmax(np.nan_to_num(ppv, nan=-1.0)))
        raise DataError(
            msg.PPV_UNREACHABLE.format(
                target=policy.target, best=float(ppv[best]), threshold=ranking.p[ks[best] - 1]
            )
        )
    return int(ks[np.flatnonzero(reached)[-1]])


@dataclass
class _Figures:
    """The ``STATISTICS`` of some people at the chosen allocation, with their intervals."""

    metrics: dict[str, float]
    ci: dict[str, list[float]]
    replicates: np.ndarray | None  # (resamples, statistics), sampling only


def _figures(
    p: np.ndarray,
    y: np.ndarray | None,
    a: np.ndarray,
    *,
    n_resamples: int,
    confidence: float,
    rng: np.random.Generator,
    draws: tuple[np.ndarray, np.ndarray] | None = None,
) -> _Figures:
    """Figures of people with scores ``p``, outcomes ``y`` and allocation ``a``.

    Intervals: percentile bootstrap over the people (the allocation held fixed); with
    calibration ``draws`` (intercepts, slopes), widened by the calibration term
    (:func:`riskmodel.allocation._calibration.widen`).
    """
    if y is None:
        y1 = y0 = np.zeros_like(p)
    else:
        y1 = (y == 1).astype(float)
        y0 = (y == 0).astype(float)
    a = a.astype(float)
    point = _statistics(p[None, :], y1[None, :], y0[None, :], a[None, :])[0]
    replicates = None
    if n_resamples > 0 and p.size > 0:
        replicates = np.concatenate(
            [
                _statistics(p[idx], y1[idx], y0[idx], a[idx])
                for idx in bootstrap_indices(p.size, n_resamples=n_resamples, rng=rng)
            ]
        )
        ci = percentile_interval(replicates, confidence)
        if draws is not None:
            deviations = np.concatenate(
                [
                    _statistics(
                        q, *np.broadcast_arrays(y1[None, :], y0[None, :], a[None, :], q)[:3]
                    )
                    - point
                    for q in recalibrated(p, *draws)
                ]
            )
            ci = widen(point, ci, deviations, confidence)
            upper = np.array([1.0 if name in _SHARES else np.inf for name in STATISTICS])
            ci = np.clip(ci, 0.0, upper[:, None])
    else:
        ci = np.full((len(STATISTICS), 2), np.nan)
    metrics = {name: float(v) for name, v in zip(STATISTICS, point, strict=True)}
    cis = {name: [float(lo), float(hi)] for name, (lo, hi) in zip(STATISTICS, ci, strict=True)}
    if y is None:
        for name in _OBSERVED:
            metrics[name] = float("nan")
            cis[name] = [float("nan"), float("nan")]
    return _Figures(metrics, cis, replicates)


def _largest(entries: dict[str, dict[str, Any]], values: list[str]) -> str:
    """The group with the most people (the first in label order when sizes tie)."""
    return max(values, key=lambda v: (entries[v]["n"], -values.index(v)))


def _difference(high: np.ndarray | None, low: np.ndarray | None, confidence: float) -> list[float]:
    if high is None or low is None:
        return [float("nan"), float("nan")]
    low_bound, high_bound = percentile_interval(high - low, confidence)
    return [float(low_bound), float(high_bound)]


def _selection_gaps(
    entries: dict[str, dict[str, Any]],
    replicates: dict[str, np.ndarray | None],
    confidence: float,
) -> dict[str, Any]:
    """Selection-rate differences of one group column.

    Each group against the reference (the largest group), and the largest gap: the highest
    selection rate less the lowest among the groups large enough to compare. Replicate ``i``
    of every group comes from the same stratified resample (people resampled within their
    group), so differences of replicates give the differences' intervals.
    """
    scored = sorted(v for v, e in entries.items() if e["n"])
    if not scored:
        return {"reference": None, "highest": None, "lowest": None, "n_compared": 0}
    reference = _largest(entries, scored)
    rate = {v: entries[v]["selection_rate"] for v in scored}
    for value in scored:
        if value != reference:
            entries[value]["selection_rate_difference"] = rate[value] - rate[reference]
            entries[value]["selection_rate_difference_ci"] = _difference(
                replicates[value], replicates[reference], confidence
            )
    large = [v for v in scored if not entries[v]["small"]]
    out: dict[str, Any] = {"reference": reference, "n_compared": len(large)}
    if len(large) < 2:
        out.update({"highest": None, "lowest": None})
        return out
    highest = max(large, key=lambda v: (rate[v], -large.index(v)))
    lowest = min(large, key=lambda v: (rate[v], large.index(v)))
    out.update(
        {
            "highest": highest,
            "lowest": lowest,
            "difference": rate[highest] - rate[lowest],
            "difference_ci": _difference(replicates[highest], replicates[lowest], confidence),
        }
    )
    return out


def _bands(
    policy: Bands, p: np.ndarray, y: np.ndarray | None, confidence: float
) -> list[dict[str, Any]]:
    from scipy.stats import binomtest

    edges = policy.edges
    rows = []
    for i, (name, inside) in enumerate(policy.members(p)):
        low, high = edges[i], edges[i + 1]
        n = int(inside.sum())
        row: dict[str, Any] = {
            "name": name,
            "low": low,
            "high": high,
            "n": n,
            "share": n / p.size if p.size else float("nan"),
            "expected_reoffenders": float(p[inside].sum()),
            "expected_rate": float(p[inside].mean()) if n else float("nan"),
        }
        if y is not None:
            known = inside & ~np.isnan(y)
            k = int(known.sum())
            events = int((y[known] == 1).sum())
            row["n_outcome_known"] = k
            row["observed_reoffenders"] = events
            row["observed_rate"] = events / k if k else float("nan")
            if k:
                ci = binomtest(events, k).proportion_ci(confidence_level=confidence)
                row["observed_rate_ci"] = [float(ci.low), float(ci.high)]
            else:
                row["observed_rate_ci"] = [float("nan"), float("nan")]
        rows.append(row)
    return rows


def choose_threshold(
    y_prob: ArrayLike,
    policy: Policy,
    *,
    y_true: ArrayLike | None = None,
    groups: Any = None,
    basis: str = "auto",
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    calibration: CalibrationError | None = None,
) -> ThresholdResult:
    """Choose who to allocate under a policy, with the figures that inform the decision.

    The result informs a decision made by people; a reoffending score is not an assessment of
    risk of serious harm.

    Parameters
    ----------
    y_prob : array-like
        Calibrated probabilities of reoffending in [0, 1]; missing values (NaN or empty) are
        allowed: those people are never allocated and are counted in ``n_missing_score``.
    policy : Capacity, SensitivityTarget, PPVTarget, ExpectedCost or Bands
        How to choose.
    y_true : array-like of 0/1, optional
        Observed outcomes (missing allowed). Without them every figure is an expectation from
        the probabilities (e.g. expected reoffenders captured = sum of p among those
        allocated), which is only as good as the calibration.
    groups : DataFrame, mapping of name to array, Series or array, optional
        Group columns (never used to choose; reported with selection rate and false positive
        rate per group).
    basis : {"auto", "observed", "expected"}
        What sensitivity and PPV targets are met on; ``"auto"`` is observed when outcomes are
        given, expected otherwise.
    n_resamples, confidence, seed : int, float, int
        Percentile bootstrap of the figures at the chosen allocation (the allocation itself
        held fixed), over all people and, per group, over the group's people (stratified by
        group); ``n_resamples=0`` skips the intervals.
    calibration : CalibrationError, optional
        The model's held-out calibration (:meth:`CalibrationError.from_manifest`). With it, the
        intervals of figures computed from the probabilities (expected reoffenders, expected
        sensitivity, PPV and false positive rate) also cover the model's calibration error:
        ``n_resamples`` draws of the calibration intercept and slope, combined with the
        sampling interval in quadrature (never narrower than without). Without it, those
        intervals treat the probabilities as exactly calibrated.

    Returns
    -------
    ThresholdResult

    Examples
    --------
    >>> from riskmodel.allocation import Capacity, choose_threshold
    >>> result = choose_threshold([0.9, 0.7, 0.7, 0.2], Capacity(count=2), n_resamples=0)
    >>> result.threshold, result.allocated
    (0.7, 2)
    >>> round(result.metrics["expected_reoffenders_captured"], 2)
    1.6
    """
    p_all = as_probabilities(y_prob)
    n_rows = p_all.size
    y_all = None if y_true is None else as_outcomes(y_true, n=n_rows)
    group_columns = as_group_columns(groups, n_rows)
    scored = ~np.isnan(p_all)
    if not scored.any():
        name = getattr(y_prob, "name", None)
        raise DataError(msg.NO_SCORES.format(column=name if name is not None else "score"))
    p = p_all[scored]
    y = None if y_all is None else y_all[scored]
    chosen_basis = _basis(y is not None, basis)
    ranking = _rank(p, y, policy)
    n = ranking.n

    tie_rule = ties = None
    if isinstance(policy, Capacity):
        k = policy.places(n)
        threshold = float(ranking.p[k - 1]) if k else float("inf")
        if k:
            n_tied = int((p == threshold).sum())
            n_tied_allocated = int((ranking.p[:k] == threshold).sum())
        else:
            n_tied = n_tied_allocated = 0
        ties = {
            "score": threshold if k else None,
            "n_tied": n_tied,
            "n_tied_allocated": n_tied_allocated,
        }
        how = (
            f"a random order drawn with seed {policy.seed}"
            if policy.tie_break == "random"
            else "the order of the input rows"
        )
        if n_tied_allocated < n_tied:
            tie_rule = (
                f"{n_tied} people share the score {threshold:.6g} at the last place; "
                f"{n_tied_allocated} of them were allocated, taken in {how}"
            )
        else:
            tie_rule = f"no tie at the last place (ties would be broken by {how})"
    else:
        k = _choose_k(ranking, policy, chosen_basis)
        if isinstance(policy, Bands):
            threshold = float(policy.threshold)
        else:
            threshold = float(ranking.p[k - 1]) if k else float("inf")

    a_sorted = np.zeros(n, dtype=bool)
    a_sorted[:k] = True
    a = np.zeros(n, dtype=bool)
    a[ranking.order] = a_sorted
    allocation = np.zeros(n_rows, dtype=bool)
    allocation[scored] = a

    rng = np.random.default_rng(seed)
    draws = None
    if calibration is not None and n_resamples > 0:
        draws = calibration.draws(n_resamples, np.random.default_rng([seed, 1]))
    overall = _figures(
        p, y, a, n_resamples=n_resamples, confidence=confidence, rng=rng, draws=draws
    )
    by_group: dict[str, dict[str, dict[str, Any]]] = {}
    group_gaps: dict[str, dict[str, Any]] = {}
    for column, labels_all in group_columns.items():
        labels = labels_all[scored]
        by_group[column] = {}
        replicates: dict[str, np.ndarray | None] = {}
        for value in sorted(set(labels_all.tolist())):
            members = labels == value
            n_members = int(members.sum())
            entry: dict[str, Any] = {
                "n": n_members,
                "n_missing_score": int((labels_all[~scored] == value).sum()),
                "allocated": int(a[members].sum()),
                "small": n_members < SMALL_GROUP_N,
            }
            if y is not None:
                entry["n_outcome_known"] = int((~np.isnan(y[members])).sum())
            if members.any():
                figures = _figures(
                    p[members],
                    None if y is None else y[members],
                    a[members],
                    n_resamples=n_resamples,
                    confidence=confidence,
                    rng=rng,
                    draws=draws,
                )
                for name in STATISTICS:
                    entry[name] = figures.metrics[name]
                    entry[f"{name}_ci"] = figures.ci[name]
                reps = figures.replicates
                replicates[value] = None if reps is None else reps[:, _SELECTION_RATE]
            by_group[column][value] = entry
        group_gaps[column] = _selection_gaps(by_group[column], replicates, confidence)

    cost = None
    if isinstance(policy, ExpectedCost):
        total_p = float(ranking.cum_p[n])
        chosen_cost = float(_cost(policy, total_p, np.array(k), ranking.cum_p[k]))
        nobody = float(_cost(policy, total_p, np.array(0), 0.0))
        everybody = float(_cost(policy, total_p, np.array(n), total_p))
        cost = {
            "expected_cost": chosen_cost,
            "cost_nobody": nobody,
            "cost_everybody": everybody,
            "saving_vs_nobody": nobody - chosen_cost,
            "saving_vs_everybody": everybody - chosen_cost,
            "break_even_probability": policy.break_even,
            "expected_reoffences_prevented": float(policy.effect) * float(ranking.cum_p[k]),
        }

    bands = _bands(policy, p, y, confidence) if isinstance(policy, Bands) else None

    return ThresholdResult(
        policy=policy,
        basis=chosen_basis,
        threshold=threshold,
        allocated=int(k),
        allocated_fraction=k / n,
        allocation=allocation,
        n_rows=n_rows,
        n_scored=n,
        n_missing_score=int(n_rows - n),
        n_outcome_known=0 if y is None else int((~np.isnan(y)).sum()),
        has_outcomes=y is not None,
        metrics=overall.metrics,
        metrics_ci=overall.ci,
        by_group=by_group,
        group_gaps=group_gaps,
        calibration=None if draws is None or calibration is None else calibration.to_dict(),
        bootstrap={"n_resamples": n_resamples, "confidence": confidence, "seed": seed},
        tie_rule=tie_rule,
        ties=ties,
        cost=cost,
        bands=bands,
        _ranking=ranking,
    )


class CapacityCurveDisplay(Display):
    """Capacity curve: share of reoffenders captured against share of people allocated.

    Build it with :meth:`from_result` and draw it with :meth:`plot`.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from riskmodel.allocation import Capacity, choose_threshold
    >>> result = choose_threshold([0.9, 0.6, 0.3, 0.1], Capacity(count=1), n_resamples=0)
    >>> display = CapacityCurveDisplay.from_result(result).plot()
    >>> display.ax_.get_xlabel()
    'Share of people allocated (capacity)'
    """

    def __init__(self, curve: pd.DataFrame, chosen_fraction: float) -> None:
        self.curve = curve
        self.chosen_fraction = chosen_fraction

    @classmethod
    def from_result(cls, result: ThresholdResult) -> CapacityCurveDisplay:
        return cls(result.capacity_curve(), result.allocated_fraction)

    def plot(self, ax: Any = None) -> CapacityCurveDisplay:

        ax = self._axes(ax, figsize=(6, 4.2))
        curve = self.curve
        ax.plot([0, 1], [0, 1], color="#9aa3ad", linestyle=":", label="allocation at random")
        ax.plot(
            curve["allocated_fraction"],
            curve["expected_captured_fraction"],
            color="#33415c",
            label="expected (from the probabilities)",
        )
        if "observed_captured_fraction" in curve:
            ax.plot(
                curve["allocated_fraction"],
                curve["observed_captured_fraction"],
                color="#c2410c",
                label="observed",
            )
        ax.axvline(self.chosen_fraction, color="#2e7d32", linestyle="--", label="chosen")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("Share of people allocated (capacity)")
        ax.set_ylabel("Share of reoffenders captured")
        ax.legend(loc="lower right", fontsize="small")
        ax.grid(alpha=0.3)
        return self._finish()
