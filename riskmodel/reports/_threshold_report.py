"""HTML report of the allocation threshold helper."""

from __future__ import annotations

from typing import Any

import numpy as np

from riskmodel._horizon import horizon_words
from riskmodel._io import to_jsonable
from riskmodel._messages import DECISION_NOTE
from riskmodel.allocation import (
    CapacityCurveDisplay,
    ExpectedCost,
    ThresholdResult,
)
from riskmodel.allocation._threshold import SMALL_GROUP_N
from riskmodel.reports._render import figure_to_data_uri, new_axes, render_template

__all__ = ["ranking_note", "threshold_report_html"]


def ranking_note(horizon_months: int | None) -> str:
    """What the allocation ranks people by, with the scores' horizon when it is known (from
    the score column's name, ``probability_1y``, or the model bundle).

    Examples
    --------
    >>> ranking_note(12)[:60]
    'The allocation ranks people by their predicted probability o'
    >>> "reoffending within one year;" in ranking_note(12), "within" in ranking_note(None)
    (True, False)
    """
    within = f" {horizon_words(horizon_months)}" if horizon_months else ""
    return (
        f"The allocation ranks people by their predicted probability of proven reoffending"
        f"{within}; panels and practitioners decide who is offered a place, with the score as "
        "one input among others."
    )


POLICY_TITLES = {
    "capacity": "Capacity: a fixed number of places",
    "sensitivity": "Sensitivity target: catch a share of those who reoffend",
    "ppv": "PPV target: a share of those allocated reoffend",
    "expected_cost": "Expected cost: costs and effect given by the user",
    "bands": "Risk bands",
}


def _cost_figure(result: ThresholdResult) -> str:
    table = result.capacity_curve()
    policy = result.policy
    assert isinstance(policy, ExpectedCost)
    k = table["allocated"].to_numpy()
    ranking = result._ranking
    assert ranking is not None
    a, b, e = float(policy.cost_reoffence), float(policy.cost_intervention), float(policy.effect)
    cost = a * ranking.cum_p[-1] + k * b - a * e * ranking.cum_p
    fig, ax = new_axes(figsize=(6, 3.6))
    ax.plot(table["allocated_fraction"], cost, color="#33415c")
    ax.axvline(result.allocated_fraction, color="#2e7d32", linestyle="--", label="chosen")
    ax.set_xlabel("Share of people allocated")
    ax.set_ylabel("Expected total cost")
    ax.legend(fontsize="small")
    ax.grid(alpha=0.3)
    return figure_to_data_uri(fig)


def _bands_figure(result: ThresholdResult) -> str:
    bands = result.bands or []
    fig, ax = new_axes(figsize=(6, 3.4))
    x = np.arange(len(bands))
    ax.bar(x, [b["n"] for b in bands], color="#33415c")
    ax.set_xticks(x, [b["name"] for b in bands])
    ax.set_ylabel("People")
    ax.set_title("People in each band", fontsize="medium")
    return figure_to_data_uri(fig)


def threshold_report_html(
    result: ThresholdResult,
    *,
    source: str = "",
    score_column: str = "score",
    outcome_column: str | None = None,
    left_out: list[str] | None = None,
    horizon_months: int | None = None,
) -> str:
    """Render the threshold report as self-contained HTML.

    Parameters
    ----------
    result : ThresholdResult
        From :func:`riskmodel.allocation.choose_threshold`.
    source, score_column, outcome_column : str
        Where the scores came from, printed in the report.
    left_out : list of str, optional
        Columns of the scores file not reported as groups, each with the reason.
    horizon_months : int, optional
        The horizon of the scores (:func:`ranking_note`); None when not known.

    Returns
    -------
    str
        HTML with every figure embedded as a data URI.
    """
    display = CapacityCurveDisplay.from_result(result).plot()
    figures: list[dict[str, str]] = [
        {
            "title": "Capacity curve",
            "src": figure_to_data_uri(display.figure_),
            "alt": "Capacity curve: share of reoffenders captured against share allocated",
            "caption": (
                "Share of reoffenders captured as more people are allocated, highest scores "
                "first. The dotted diagonal is allocation at random."
            ),
        }
    ]
    if isinstance(result.policy, ExpectedCost):
        figures.append(
            {
                "title": "Expected total cost",
                "src": _cost_figure(result),
                "alt": "Expected total cost against share allocated",
                "caption": "Expected total cost against the share of people allocated.",
            }
        )
    if result.bands is not None:
        figures.append(
            {
                "title": "Bands",
                "src": _bands_figure(result),
                "alt": "Number of people in each band",
                "caption": "Number of people in each band.",
            }
        )
    data: dict[str, Any] = to_jsonable(result.to_dict())
    return render_template(
        "threshold.html",
        decision_note=DECISION_NOTE,
        ranking_note=ranking_note(horizon_months),
        policy_title=POLICY_TITLES[result.policy.name],
        r=data,
        has_outcomes=result.has_outcomes,
        figures=figures,
        source=source,
        score_column=score_column,
        outcome_column=outcome_column,
        left_out=left_out or [],
        small_group_n=SMALL_GROUP_N,
        table=to_jsonable(result.table().to_dict(orient="records")),
    )
