"""The trade-off between fairness criteria, stated in plain English, and the NIJ score."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.fairness import _messages as const
from riskmodel.fairness._metrics import _brier, _fpr

__all__ = ["nij_fairness_score", "tradeoff"]


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _ratio(value: float) -> str:
    return f"{value:.2f}"


def _range(by_group: pd.DataFrame, metric: str) -> dict | None:
    values = by_group[metric].astype(float).dropna()
    if values.empty:
        return None
    return {
        "min": float(values.min()),
        "min_group": str(values.idxmin()),
        "max": float(values.max()),
        "max_group": str(values.idxmax()),
        "spread": float(values.max() - values.min()),
        "groups_defined": len(values),
    }


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def tradeoff(
    by_group: pd.DataFrame,
    *,
    column: str,
    score_kind: str,
    threshold: float,
    rate_tolerance: float = const.DEFAULT_RATE_TOLERANCE,
    oe_tolerance: float = const.DEFAULT_OE_TOLERANCE,
) -> dict:
    """Which fairness criteria hold between groups, and which cannot all hold together.

    Criteria: calibration within groups (observed/expected within ``1 ± oe_tolerance`` in
    every group; probability scores only), predictive parity (PPV), equal false positive
    rates and equal false negative rates (each: max - min within ``rate_tolerance``).
    Groups flagged small are left out of the comparison (and named), unless fewer than two
    groups would remain. When base rates differ by more than ``rate_tolerance``, no score
    short of a perfect one can satisfy calibration (or predictive parity) and both error-rate
    balances at once (Chouldechova 2017; Kleinberg, Mullainathan and Raghavan 2016).

    Returns
    -------
    dict
        ``column``, ``groups_compared``, ``small_groups_left_out``, ``base_rate``
        (range), ``base_rates_differ``, ``criteria`` (list of dicts with ``name``,
        ``metric``, ``holds`` (None when undefined) and the range), ``cannot_all_hold``
        (criterion names) and ``paragraph``.

    Examples
    --------
    >>> import pandas as pd
    >>> by_group = pd.DataFrame(
    ...     {"n": [100, 100], "base_rate": [0.3, 0.5], "ppv": [0.6, 0.6],
    ...      "fpr": [0.1, 0.3], "fnr": [0.4, 0.2], "observed_expected": [1.0, 1.0],
    ...      "small": [False, False]}, index=["a", "b"])
    >>> result = tradeoff(by_group, column="g", score_kind="probability", threshold=0.5)
    >>> [c["holds"] for c in result["criteria"]]
    [True, True, False, False]
    """
    large = by_group[~by_group["small"].astype(bool)]
    compared = large if len(large) >= 2 else by_group
    left_out = [str(g) for g in by_group.index if g not in compared.index]
    base = _range(compared, "base_rate")
    differ = base is not None and base["spread"] > rate_tolerance

    criteria = []
    if score_kind == const.PROBABILITY:
        oe = _range(compared, "observed_expected")
        holds = None
        if oe is not None:
            holds = bool(oe["min"] >= 1 - oe_tolerance and oe["max"] <= 1 + oe_tolerance)
        criteria.append(
            {
                "name": "calibration within groups",
                "metric": "observed_expected",
                "holds": holds,
                "tolerance": oe_tolerance,
                **(oe or {}),
            }
        )
    for name, metric in (
        ("predictive parity (equal PPV)", "ppv"),
        ("equal false positive rates", "fpr"),
        ("equal false negative rates", "fnr"),
    ):
        r = _range(compared, metric)
        holds = None if r is None or r["groups_defined"] < 2 else r["spread"] <= rate_tolerance
        criteria.append(
            {
                "name": name,
                "metric": metric,
                "holds": holds,
                "tolerance": rate_tolerance,
                **(r or {}),
            }
        )

    cannot = [c["name"] for c in criteria] if differ and len(compared) >= 2 else []
    paragraph = _paragraph(
        column=column,
        compared=[str(g) for g in compared.index],
        left_out=left_out,
        base=base,
        differ=differ,
        criteria=criteria,
        score_kind=score_kind,
        threshold=threshold,
        rate_tolerance=rate_tolerance,
        oe_tolerance=oe_tolerance,
    )
    return {
        "column": column,
        "groups_compared": [str(g) for g in compared.index],
        "small_groups_left_out": left_out,
        "base_rate": base,
        "base_rates_differ": bool(differ),
        "rate_tolerance": rate_tolerance,
        "oe_tolerance": oe_tolerance,
        "criteria": criteria,
        "cannot_all_hold": cannot,
        "paragraph": paragraph,
    }


def _criterion_sentence(c: dict) -> str:
    fmt = _ratio if c["metric"] == "observed_expected" else _pct
    name = c["name"][0].upper() + c["name"][1:]
    if c["holds"] is None:
        return f"{name} cannot be judged: the figure is undefined in all but one group."
    figures = f"from {fmt(c['min'])} ({c['min_group']}) to {fmt(c['max'])} ({c['max_group']})"
    if c["metric"] != "observed_expected":
        figures += f", a gap of {100 * c['spread']:.1f} percentage points"
    verdict = "holds" if c["holds"] else "does not hold"
    return f"{name} {verdict} ({figures})."


def _paragraph(
    *,
    column: str,
    compared: list[str],
    left_out: list[str],
    base: dict | None,
    differ: bool,
    criteria: list[dict],
    score_kind: str,
    threshold: float,
    rate_tolerance: float,
    oe_tolerance: float,
) -> str:
    if len(compared) < 2:
        return f"Only one group in {column!r} ({_join(compared)}), so there is nothing to compare."
    parts = [f"Comparing the groups of {column!r} ({_join(compared)})"]
    if left_out:
        parts[0] += (
            f"; {_join(left_out)} {'is' if len(left_out) == 1 else 'are'} too small to judge"
            " and left out of this comparison (their figures are in the tables)"
        )
    parts[0] += "."
    assert base is not None
    if differ:
        parts.append(
            f"The observed reoffending rate differs between groups, from {_pct(base['min'])}"
            f" ({base['min_group']}) to {_pct(base['max'])} ({base['max_group']})."
        )
    else:
        parts.append(
            f"The observed reoffending rate is similar across groups ({_pct(base['min'])} to"
            f" {_pct(base['max'])})."
        )
    tolerance = f"within {100 * rate_tolerance:.0f} percentage points for rates"
    if score_kind == const.PROBABILITY:
        tolerance += f" and within {oe_tolerance:.2f} of 1 for observed/expected"
    parts.append(
        f"Counting a criterion as met when the groups agree {tolerance}, at a"
        f" threshold of {threshold:g}:"
    )
    parts.extend(_criterion_sentence(c) for c in criteria)
    if score_kind != const.PROBABILITY:
        parts.append(
            "Calibration within groups needs a probability; for this ordinal score,"
            " predictive parity is the nearest check."
        )
    if differ:
        first = (
            "is calibrated within every group or has equal positive predictive value"
            if score_kind == const.PROBABILITY
            else "has equal positive predictive value in every group"
        )
        parts.append(
            "Because the groups' reoffending rates differ, these criteria cannot all hold"
            f" together for any score short of a perfect one: a score that {first}"
            " cannot also have equal false positive and equal false negative rates"
            " (Chouldechova 2017; Kleinberg, Mullainathan and Raghavan 2016). Which"
            " criterion matters most is a decision about policy, not a technical one."
        )
    else:
        parts.append(
            "Because the reoffending rates are similar, these criteria are not in"
            " conflict here: a score could in principle meet them all together."
        )
    return " ".join(parts)


def nij_fairness_score(
    *,
    y_true: np.ndarray,
    y_prob: np.ndarray,
    groups: pd.Series,
    column: str,
    group_a: str,
    group_b: str,
) -> dict:
    """The NIJ Recidivism Forecasting Challenge's fairness-penalised score for two groups.

    ``(1 - Brier) * (1 - |FPR_a - FPR_b|)`` with a prediction positive at p >= 0.5; the
    Brier score is over the people of both groups.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> out = nij_fairness_score(y_true=np.array([0, 0, 0, 1]),
    ...     y_prob=np.array([0.6, 0.2, 0.1, 0.3]), groups=pd.Series(["a", "a", "b", "b"]),
    ...     column="g", group_a="a", group_b="b")
    >>> round(out["score"], 4)
    0.3875
    """
    labels = np.asarray(groups, dtype=object).astype(str)
    s = np.asarray(y_prob, dtype=float)
    y = np.asarray(y_true, dtype=int)
    in_a = labels == group_a
    in_b = labels == group_b
    both = in_a | in_b
    brier = _brier(y[both], s[both])
    fpr_a = _fpr(y[in_a], s[in_a], threshold=const.NIJ_THRESHOLD)
    fpr_b = _fpr(y[in_b], s[in_b], threshold=const.NIJ_THRESHOLD)
    gap = abs(fpr_a - fpr_b)
    return {
        "column": column,
        "group_a": group_a,
        "group_b": group_b,
        "threshold": const.NIJ_THRESHOLD,
        "n": int(both.sum()),
        "brier": brier,
        "fpr_a": fpr_a,
        "fpr_b": fpr_b,
        "fpr_difference": gap,
        "score": (1 - brier) * (1 - gap),
    }
