"""Verdicts on fairness criteria from intervals: one rule for every report.

A criterion compares each group with a stated reference group (the largest by default): the
difference of a rate (predictive parity, equal false positive rates, equal false negative
rates), or for calibration within groups each group's observed/expected against 1. The
difference's interval comes from the stratified bootstrap of
:func:`riskmodel.fairness.bootstrap_group_metrics` (people resampled within their group). Then:

- **holds**: the interval lies within the tolerance (``±rate_tolerance`` for a rate, ``1 ±
  oe_tolerance`` for observed/expected);
- **does not hold**: the interval lies entirely outside the tolerance;
- **cannot tell**: the interval reaches across a limit of the tolerance (too wide to say), or a
  group is too small (fewer than ``min_people`` people, fewer than ``min_outcomes`` who
  reoffended or who did not, or fewer than ``min_denominator`` in the figure's denominator);
- **undefined**: the figure does not exist (nobody flagged, nobody who reoffended ...).

Over the groups of a column, a criterion does not hold when one comparison does not hold,
holds when every comparison holds, is undefined when every comparison is, and cannot be told
otherwise. Every sentence is generated from these figures.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

from riskmodel._format import NOISE_DECIMALS, beside, join_words, signed
from riskmodel.fairness import _messages as const

__all__ = ["VerdictRule", "fairness_verdicts", "interval_verdict"]


@dataclass(frozen=True)
class VerdictRule:
    """The tolerances and minimums of a verdict (see the module docstring)."""

    rate_tolerance: float = const.DEFAULT_RATE_TOLERANCE
    oe_tolerance: float = const.DEFAULT_OE_TOLERANCE
    min_people: int = const.SMALL_GROUP_N
    min_outcomes: int = const.SMALL_GROUP_CLASS
    min_denominator: int = const.MIN_DENOMINATOR
    confidence: float = const.DEFAULT_CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self, *, probability: bool) -> str:
        """The rule in one plain paragraph, with its tolerances and minimums."""
        level = f"{100 * self.confidence:g}%"
        text = (
            f"A criterion holds when the {level} interval of every difference from the"
            f" reference group lies within ±{_points(self.rate_tolerance)} percentage points"
        )
        if probability:
            text += (
                f" (for calibration, when each group's observed/expected interval lies within"
                f" {1 - self.oe_tolerance:.2f} to {1 + self.oe_tolerance:.2f})"
            )
        return text + (
            "; it does not hold when an interval lies entirely outside that tolerance; and it"
            " cannot be told when an interval reaches across the tolerance, or when a group"
            f" has fewer than {self.min_people} people, fewer than {self.min_outcomes} who"
            f" reoffended or who did not, or fewer than {self.min_denominator} people in the"
            " figure's own denominator (people flagged, for the positive predictive value;"
            " people who did not reoffend, for the false positive rate; people who"
            " reoffended, for the false negative rate). A figure that does not exist (nobody"
            " flagged, nobody who reoffended) is said to be undefined."
        )


def interval_verdict(low: float, high: float, *, center: float, tolerance: float) -> str:
    """The verdict of an interval ``[low, high]`` against ``center ± tolerance``.

    Examples
    --------
    >>> interval_verdict(-0.02, 0.03, center=0.0, tolerance=0.05)
    'holds'
    >>> interval_verdict(0.07, 0.15, center=0.0, tolerance=0.05)
    'does not hold'
    >>> interval_verdict(-0.333, 0.186, center=0.0, tolerance=0.05)
    'cannot tell'
    >>> interval_verdict(float("nan"), float("nan"), center=0.0, tolerance=0.05)
    'undefined'
    """
    if _missing(low) or _missing(high):
        return const.UNDEFINED
    if center - tolerance <= low and high <= center + tolerance:
        return const.HOLDS
    if low > center + tolerance or high < center - tolerance:
        return const.DOES_NOT_HOLD
    return const.CANNOT_TELL


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _float(value: Any) -> float | None:
    value = None if value is None else float(value)
    return None if value is None or math.isnan(value) else value


def _points(value: float) -> str:
    return f"{100 * value:.1f}".rstrip("0").rstrip(".")


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def difference_points(value: float, tolerance: float) -> str:
    """A difference of rates (or its bound) in points, signed, never printed on 0 or
    ±``tolerance`` unless it is exactly there: as the verdicts and the report's table of
    differences print it.

    Examples
    --------
    >>> difference_points(-0.0004, 0.05), difference_points(0.0504, 0.05)
    ('−0.04', '+5.04')
    """
    return signed(100 * value, 1, (0.0, 100 * tolerance))


#: Why each figure can be undefined in a group, and what its denominator counts.
_UNDEFINED_WHY = {
    "ppv": "nobody in {g} is flagged",
    "fpr": "everybody in {g} reoffended",
    "fnr": "nobody in {g} reoffended",
    "observed_expected": "the mean score of {g} is 0",
    "base_rate": "{g} has nobody",
    "selection_rate": "{g} has nobody",
}
_DENOMINATOR = {
    "ppv": "flagged",
    "fpr": "who did not reoffend",
    "fnr": "who reoffended",
}


def _counts(row: pd.Series) -> dict[str, int]:
    n = int(row["n"])
    flagged = row.get("selection_rate")
    return {
        "n": n,
        "n_positive": int(row["n_positive"]),
        "n_negative": int(row["n_negative"]),
        "n_flagged": None if _missing(flagged) else round(float(flagged) * n),
    }


def _people(n: int) -> str:
    """``"1 person"``, ``"2 people"``."""
    return f"{n:,} person" if n == 1 else f"{n:,} people"


def _too_few(group: str, counts: dict[str, int], metric: str, rule: VerdictRule) -> str | None:
    """Why ``group`` is too small to judge ``metric`` on (None when it is not)."""
    n, pos, neg = counts["n"], counts["n_positive"], counts["n_negative"]
    if n < rule.min_people:
        return f"{group} has {_people(n)}, fewer than {rule.min_people}"
    if min(pos, neg) < rule.min_outcomes:
        return (
            f"{group} has {_people(pos)} who reoffended and {neg:,} who did not,"
            f" fewer than {rule.min_outcomes} of either"
        )
    denominator = {
        "ppv": counts["n_flagged"],
        "fpr": neg,
        "fnr": pos,
    }.get(metric)
    if denominator is not None and denominator < rule.min_denominator:
        return (
            f"{group} has {_people(denominator)} {_DENOMINATOR[metric]},"
            f" fewer than {rule.min_denominator}"
        )
    return None


def _comparison(
    *,
    metric: str,
    group: str,
    reference: str | None,
    value: Any,
    reference_value: Any,
    estimate: Any,
    interval: Any,
    too_few: list[str],
    rule: VerdictRule,
    degenerate: str | None = None,
) -> dict[str, Any]:
    """One group's verdict on one criterion, with its figures and the reason in words."""
    calibration = metric == "observed_expected"
    center, tolerance = (1.0, rule.oe_tolerance) if calibration else (0.0, rule.rate_tolerance)
    low, high = (None, None) if not interval else (_float(interval[0]), _float(interval[1]))
    # judged and printed free of floating-point noise (0.55 - 0.50 is 0.05)
    low, high = (None if b is None else round(b, NOISE_DECIMALS) for b in (low, high))
    entry: dict[str, Any] = {
        "group": group,
        "against": "1" if calibration else reference,
        "value": _float(value),
        "reference_value": None if calibration else _float(reference_value),
        "estimate": _float(estimate),
        "interval": [low, high],
        "tolerance": [center - tolerance, center + tolerance],
    }
    undefined = [g for g, v in ((group, value), (reference, reference_value)) if g and _missing(v)]
    if calibration:
        undefined = [group] if _missing(value) else []
    if undefined or degenerate:
        entry["verdict"] = const.UNDEFINED
        entry["reason"] = (
            _UNDEFINED_WHY[metric].format(g=undefined[0]) if undefined else str(degenerate)
        )
    elif too_few:
        entry["verdict"] = const.CANNOT_TELL
        entry["reason"] = "too few to tell: " + "; ".join(too_few)
    else:
        entry["verdict"] = interval_verdict(
            math.nan if low is None else low,
            math.nan if high is None else high,
            center=center,
            tolerance=tolerance,
        )
        # "cannot tell" judged from the interval itself, which excludes the centre
        entry["apart"] = entry["verdict"] == const.CANNOT_TELL and (low > center or high < center)
        entry["reason"] = _figures_clause(entry, calibration=calibration)
    entry.setdefault("apart", False)  # undefined, or too few people to judge
    return entry


def _figures_clause(entry: dict[str, Any], *, calibration: bool) -> str:
    verdict, (low, high) = entry["verdict"], entry["interval"]
    if verdict == const.UNDEFINED:
        return "its interval is undefined"
    if calibration:
        edges = (1.0, *entry["tolerance"])
        figures = (
            f"observed/expected {beside(entry['estimate'], edges, 2)} (interval"
            f" {beside(low, edges, 2)} to {beside(high, edges, 2)})"
        )
        limits = f"{entry['tolerance'][0]:.2f} to {entry['tolerance'][1]:.2f}"
    else:
        tolerance = entry["tolerance"][1]
        figures = (
            f"{_pct(entry['value'])} against {_pct(entry['reference_value'])}, a difference of"
            f" {difference_points(entry['estimate'], tolerance)} points (interval"
            f" {difference_points(low, tolerance)} to {difference_points(high, tolerance)})"
        )
        limits = f"±{_points(entry['tolerance'][1])} points"
    how = {
        const.HOLDS: f"within {limits}",
        const.DOES_NOT_HOLD: f"entirely outside {limits}",
        const.CANNOT_TELL: f"reaching across the limits of {limits}: too wide to tell",
    }[verdict]
    if entry["apart"]:
        return (
            f"{figures}; the interval excludes {1 if calibration else 0}, which points to a"
            f" real difference, but it reaches across the limits of {limits}: too wide to tell"
            " whether the difference lies within them"
        )
    return f"{figures}, {how}"


def _overall(verdicts: list[str]) -> str:
    if not verdicts or all(v == const.UNDEFINED for v in verdicts):
        return const.UNDEFINED
    if const.DOES_NOT_HOLD in verdicts:
        return const.DOES_NOT_HOLD
    if all(v == const.HOLDS for v in verdicts):
        return const.HOLDS
    return const.CANNOT_TELL


#: How a verdict reads after a criterion's name: a singular name, then a plural one.
_VERDICT_WORDS = {
    const.HOLDS: ("holds", "hold"),
    const.DOES_NOT_HOLD: ("does not hold", "do not hold"),
    const.CANNOT_TELL: ("cannot be told", "cannot be told"),
    const.UNDEFINED: ("is undefined", "are undefined"),
}


def _criterion_sentence(
    name: str, verdict: str, comparisons: list[dict], *, plural: bool = False
) -> str:
    """The criterion's verdict in one sentence, its comparisons in brackets; the verb agrees
    with the name (``plural``: "equal false positive rates do not hold").

    Examples
    --------
    >>> _criterion_sentence("equal false positive rates", "does not hold", [], plural=True)
    'Equal false positive rates do not hold.'
    >>> _criterion_sentence("calibration within groups", "holds", [])
    'Calibration within groups holds.'
    """
    clauses = []
    for c in comparisons:
        who = c["group"] if c["against"] == "1" else f"{c['group']} against {c['against']}"
        clauses.append(f"{who}: {c['verdict']}, {c['reason']}")
    head = f"{name[0].upper()}{name[1:]} {_VERDICT_WORDS[verdict][int(plural)]}"
    if not clauses:
        return head + "."
    return f"{head} ({'; '.join(clauses)})."


def fairness_verdicts(
    by_group: pd.DataFrame,
    disparities: dict[str, Any],
    *,
    column: str,
    score_kind: str,
    threshold: float,
    rule: VerdictRule | None = None,
) -> dict[str, Any]:
    """Verdicts on the fairness criteria between the groups of one column, with sentences.

    Parameters
    ----------
    by_group : DataFrame
        :func:`riskmodel.fairness.group_metrics` of the column (with ``n_positive``,
        ``n_negative``).
    disparities : dict
        :func:`riskmodel.fairness.disparities` of the same groups (differences against the
        reference with their bootstrap intervals, and each group's intervals); it must hold
        ``base_rate``, ``ppv``, ``fpr`` and ``fnr``, and for a probability
        ``observed_expected``.
    column : str
        The group column's name, for the sentences.
    score_kind : {"probability", "ordinal"}
        Calibration within groups is judged for a probability only.
    threshold : float
        Flagged means score >= threshold (stated in the paragraph).
    rule : VerdictRule, optional
        Tolerances and minimums (the package defaults when omitted).

    Returns
    -------
    dict
        ``column``, ``reference``, ``threshold``, ``groups``, ``rule``, ``base_rates``
        (the base-rate comparison: ``verdict`` and ``comparisons``), ``criteria`` (list of
        ``name``, ``metric``, ``verdict``, ``comparisons`` and ``sentence``),
        ``base_rates_differ`` (True, False or None when it cannot be told) and
        ``paragraph``. JSON-ready (None for undefined numbers).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from riskmodel.fairness import bootstrap_group_metrics, disparities, group_metrics
    >>> rng = np.random.default_rng(0)
    >>> g = pd.Series(rng.choice(["a", "b"], 2000), name="g")
    >>> p = rng.uniform(size=2000)
    >>> y = (rng.uniform(size=2000) < p).astype(int)
    >>> table, _ = group_metrics(y_true=y, y_score=p, groups=g, threshold=0.5,
    ...                          score_kind="probability")
    >>> metrics = ["base_rate", "selection_rate", "fpr", "fnr", "ppv", "observed_expected"]
    >>> reps = bootstrap_group_metrics(y_true=y, y_score=p, groups=g, threshold=0.5,
    ...                                metrics=metrics, n_resamples=200)
    >>> d = disparities(table, reps, metrics=metrics, reference="a")
    >>> out = fairness_verdicts(table, d, column="g", score_kind="probability", threshold=0.5)
    >>> [c["verdict"] for c in out["criteria"]]
    ['holds', 'cannot tell', 'cannot tell', 'cannot tell']
    """
    rule = rule or VerdictRule()
    reference = str(disparities["reference"])
    groups = [str(g) for g in by_group.index]
    others = [g for g in groups if g != reference]
    counts = {str(g): _counts(row) for g, row in by_group.iterrows()}
    probability = score_kind == const.PROBABILITY
    metrics = disparities["metrics"]

    def compare(metric: str, group: str) -> dict[str, Any]:
        if metric == "observed_expected":
            few = _too_few(group, counts[group], metric, rule)
            return _comparison(
                metric=metric,
                group=group,
                reference=None,
                value=by_group.loc[group, metric],
                reference_value=None,
                estimate=by_group.loc[group, metric],
                interval=disparities["group_ci"][group][metric],
                too_few=[few] if few else [],
                rule=rule,
            )
        d = metrics[metric]["by_group"][group]
        few = [
            why
            for g in (group, reference)
            if (why := _too_few(g, counts[g], metric, rule)) is not None
        ]
        flagged = {counts[g]["n_flagged"] for g in (group, reference)}
        everyone = counts[group]["n"] == counts[group]["n_flagged"] and (
            counts[reference]["n"] == counts[reference]["n_flagged"]
        )
        degenerate = None
        if metric in ("fpr", "fnr") and flagged == {0}:
            degenerate = f"nobody in {group} or {reference} is flagged at this threshold"
        elif metric in ("fpr", "fnr") and everyone:
            degenerate = f"everybody in {group} and {reference} is flagged at this threshold"
        return _comparison(
            degenerate=degenerate,
            metric=metric,
            group=group,
            reference=reference,
            value=d["value"],
            reference_value=metrics[metric]["reference_value"],
            estimate=d["difference"],
            interval=d["difference_ci"],
            too_few=few,
            rule=rule,
        )

    criteria = []
    for name, metric in const.CRITERIA:
        if metric == "observed_expected" and not probability:
            continue
        compared = groups if metric == "observed_expected" else others
        comparisons = [compare(metric, g) for g in compared]
        verdict = _overall([c["verdict"] for c in comparisons])
        criteria.append(
            {
                "name": name,
                "metric": metric,
                "verdict": verdict,
                "comparisons": comparisons,
                "sentence": _criterion_sentence(
                    name, verdict, comparisons, plural=metric in const.PLURAL_CRITERIA
                ),
            }
        )
    base = [compare("base_rate", g) for g in others]
    base_verdict = _overall([c["verdict"] for c in base])
    differ = {const.HOLDS: False, const.DOES_NOT_HOLD: True}.get(base_verdict)
    result = {
        "column": column,
        "reference": reference,
        "threshold": float(threshold),
        "score_kind": score_kind,
        "groups": groups,
        "rule": rule.to_dict(),
        "base_rates": {"verdict": base_verdict, "comparisons": base},
        "base_rates_differ": differ,
        "criteria": criteria,
    }
    result.update(_paragraph(result, rule=rule, by_group=by_group))
    return result


def _paragraph(
    result: dict[str, Any], *, rule: VerdictRule, by_group: pd.DataFrame
) -> dict[str, str]:
    """``opening`` (what is compared, at which threshold, the rates), ``conclusion`` (whether
    the rates differ, and what follows) and ``paragraph``: the opening, the rule, every
    criterion's sentence and the conclusion."""
    column, reference, groups = result["column"], result["reference"], result["groups"]
    probability = result["score_kind"] == const.PROBABILITY
    if len(groups) < 2:
        only = (
            f"Only one group in {column!r} ({join_words(groups)}), so there is nothing to compare."
        )
        return {"opening": only, "conclusion": "", "paragraph": only}
    rates = [f"{_pct(float(by_group.loc[g, 'base_rate']))} ({g})" for g in groups]
    opening = [
        f"Comparing the groups of {column!r} with {reference}, the largest group, as the"
        f" reference, flagged at a score of {result['threshold']:g} or more."
        if reference == _largest(by_group)
        else f"Comparing the groups of {column!r} with {reference} as the reference, flagged at"
        f" a score of {result['threshold']:g} or more.",
        f"Observed reoffending rates: {join_words(rates)}.",
    ]
    parts: list[str] = []
    base = result["base_rates"]
    clauses = "; ".join(
        f"{c['group']} against {c['against']}: {c['verdict']}, {c['reason']}"
        for c in base["comparisons"]
    )
    first = (
        "is calibrated within every group or has equal positive predictive value"
        if probability
        else "has equal positive predictive value in every group"
    )
    impossibility = (
        f"a score that {first} cannot also have equal false positive and equal false negative"
        " rates (Chouldechova 2017; Kleinberg, Mullainathan and Raghavan 2016). Which"
        " criterion matters most is a decision about policy, not a technical one."
    )
    tolerance = f"{_points(rule.rate_tolerance)} percentage point" + (
        "" if _points(rule.rate_tolerance) == "1" else "s"
    )
    if result["base_rates_differ"] is True:
        beyond = [
            f"{c['group']} against {c['against']}"
            for c in base["comparisons"]
            if c["verdict"] == const.DOES_NOT_HOLD
        ]
        parts.append(
            f"The reoffending rates differ by more than {tolerance} for {join_words(beyond)}"
            f" ({clauses}). Because they differ, these criteria cannot all hold together for"
            " any score short of a perfect one: " + impossibility
        )
    elif result["base_rates_differ"] is False:
        parts.append(
            f"Every group's reoffending rate is within {tolerance} of the rate of {reference},"
            f" the reference ({clauses}), so these criteria are not in conflict here: a score"
            " could in principle meet them all together, within the tolerance."
        )
    elif apart := _apart(base["comparisons"]):
        parts.append(
            f"The reoffending rates differ for {join_words(apart)}, but whether by more than"
            f" {tolerance} cannot be told ({clauses})."
            " Rates that differ mean these criteria cannot all hold exactly together for any"
            " score short of a perfect one: " + impossibility
        )
    else:
        parts.append(
            f"Whether the reoffending rates differ by more than {tolerance} cannot be told"
            f" ({clauses}). Where they differ, these criteria cannot all hold together for any"
            " score short of a perfect one: " + impossibility
        )
    if not probability:
        parts.append(
            "Calibration within groups needs a probability; for this ordinal score,"
            " predictive parity is the nearest check."
        )
    sentences = [c["sentence"] for c in result["criteria"]]
    return {
        "opening": " ".join(opening),
        "conclusion": " ".join(parts),
        "paragraph": " ".join(
            [*opening, rule.describe(probability=probability), *sentences, *parts]
        ),
    }


def _apart(comparisons: list[dict[str, Any]]) -> list[str]:
    """``"GROUP against REFERENCE"`` for every comparison that cannot be told from its
    interval although the interval excludes 0 (``apart``): rates that differ, by however
    little. A comparison that holds, or has too few people to judge, is never one.

    Examples
    --------
    >>> _apart([{"group": "b", "against": "a", "apart": True},
    ...         {"group": "c", "against": "a", "apart": False}])
    ['b against a']
    """
    return [f"{c['group']} against {c['against']}" for c in comparisons if c.get("apart")]


def _largest(by_group: pd.DataFrame) -> str:
    n = by_group["n"]
    return str(n[n == n.max()].index.sort_values()[0])
