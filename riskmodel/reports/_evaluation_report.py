"""Evaluation report: ``metrics.json`` and a self-contained ``report.html``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._io import to_jsonable, write_json, write_text
from riskmodel.evaluation import (
    CumulativeReoffendingDisplay,
    ReliabilityDisplay,
    RiskDistributionDisplay,
    heldout_metrics,
)
from riskmodel.reports._messages import ONE_OUTCOME_CLASS
from riskmodel.reports._render import figure_to_data_uri, new_axes, render_template

__all__ = ["METRIC_HELP", "evaluation_report_html", "undefined_notes", "write_evaluation"]

#: Label and plain-language meaning of each metric, in report order.
METRIC_HELP: dict[str, tuple[str, str]] = {
    "auc": ("AUC", "chance a random person with the outcome scores above one without (0.5: none)"),
    "brier": ("Brier score", "mean squared error of the probabilities (lower is better)"),
    "log_loss": ("log loss", "mean negative log-likelihood (lower is better)"),
    "ece": ("expected calibration error", "mean gap between observed and predicted by bin"),
    "calibration_slope": ("calibration slope", "1 is ideal; below 1: predictions too extreme"),
    "calibration_intercept": ("calibration intercept", "0 is ideal; above 0: under-prediction"),
    "observed_expected": (
        "observed / expected",
        "1 is ideal; above 1: more outcomes than predicted",
    ),
}


def evaluation_report_html(
    metrics: dict[str, Any],
    y: np.ndarray,
    p: np.ndarray,
    *,
    source: str = "",
    outcome: str = "",
    follow_up_months: int | None = None,
    model_name: str = "",
    n_excluded: int = 0,
    design: str = "",
    comparison: dict[str, dict[str, Any]] | None = None,
    n_resamples: int = 1000,
    fairness: dict[str, Any] | None = None,
) -> str:
    """Render the evaluation report (figures embedded as data URIs).

    ``fairness`` is a :func:`riskmodel.fairness.fairness_summary` of the same people: the
    training report shows it by sex, age band, cohort and ethnicity, at the base rate and at a
    capacity of 10%, with the verdicts of :func:`riskmodel.fairness.fairness_verdicts`.

    ``metrics`` may carry ``survival`` (a time-to-event table's unlabelled and rates at the
    horizon, said in a note) and ``over_time`` (the cumulative share reoffending by risk band,
    :func:`riskmodel.evaluation.cumulative_reoffending`, drawn beside the predicted).
    """
    _, ax = new_axes(figsize=(5, 5))
    reliability = figure_to_data_uri(ReliabilityDisplay.from_predictions(y, p).plot(ax=ax).figure_)
    _fig, ax = new_axes(figsize=(6, 4))
    distribution = figure_to_data_uri(
        RiskDistributionDisplay.from_predictions(y, p).plot(ax=ax).figure_
    )
    data = to_jsonable(metrics)
    rows = [
        {"label": label, "value": data[name], "ci": data[f"{name}_ci"], "help": help_text}
        for name, (label, help_text) in METRIC_HELP.items()
    ]
    figures = [
        {
            "title": "Reliability",
            "src": reliability,
            "alt": "Reliability diagram: observed rate against mean predicted probability",
            "caption": "Each point is a tenth of the people ranked by predicted probability; "
            "bars are 95% Wilson intervals. Points on the diagonal mean calibrated predictions.",
        },
        {
            "title": "Distribution of predicted risk",
            "src": distribution,
            "alt": "Histogram of predicted probabilities by outcome",
            "caption": "Predicted probabilities of people with and without the outcome.",
        },
    ]
    over_time = metrics.get("over_time")
    if over_time:
        _fig, ax = new_axes(figsize=(6, 4))
        display = CumulativeReoffendingDisplay(over_time).plot(ax=ax)
        figures.append(
            {
                "title": "Reoffending over time by risk band",
                "src": figure_to_data_uri(display.figure_),
                "alt": "Kaplan–Meier cumulative share reoffending by month, by risk band",
                "caption": over_time_caption(over_time),
            }
        )
    return render_template(
        "evaluation.html",
        m=data,
        rows=rows,
        figures=figures,
        by_group=data.get("by_group", {}),
        comparison=to_jsonable(comparison or {}),
        source=source,
        outcome=outcome or "the outcome",
        follow_up_months=follow_up_months,
        model_name=model_name,
        n_excluded=n_excluded,
        design=design,
        n_resamples=n_resamples,
        fairness=to_jsonable(fairness or {}),
    )


def over_time_caption(over_time: dict[str, Any]) -> str:
    """The caption of the reoffending-over-time figure, from its figures.

    Examples
    --------
    >>> over_time_caption({"horizon_months": 24.0, "weighted": False, "bands": [
    ...     {"band": "Low", "n": 10, "observed_at_horizon": 0.2, "predicted_at_horizon": 0.25}]}
    ... ).split(". ")[-1]
    'At 24 months: Low 20.0% observed, 25.0% predicted (10 people).'
    """
    weighted = (
        " The people with a known outcome are weighted by the inverse probability of staying "
        "uncensored."
        if over_time.get("weighted")
        else ""
    )
    horizon = f"{over_time['horizon_months']:g}"
    at = "; ".join(
        f"{b['band']} {b['observed_at_horizon']:.1%} observed, "
        f"{b['predicted_at_horizon']:.1%} predicted ({b['n']:,} people)"
        for b in over_time["bands"]
    )
    return (
        "Kaplan–Meier cumulative share reoffending by month since the index date, by risk "
        f"band; the diamonds are the mean predicted probabilities of reoffending within "
        f"{horizon} months.{weighted} At {horizon} months: {at}."
    )


def undefined_notes(y: np.ndarray) -> list[str]:
    """Why some figures of an evaluation of outcomes ``y`` are undefined (none: empty).

    Examples
    --------
    >>> undefined_notes(np.array([0, 1]))
    []
    >>> undefined_notes(np.array([0, 0, 0]))[0][:40]
    'all 3 people evaluated did not have the '
    """
    values = np.unique(np.asarray(y))
    if values.size != 1:
        return []
    had = "had" if values[0] == 1 else "did not have"
    return [ONE_OUTCOME_CLASS.format(n=f"{np.asarray(y).size:,}", had=had)]


def write_evaluation(
    out_dir: str | os.PathLike,
    y: np.ndarray,
    p: np.ndarray,
    *,
    groups: pd.DataFrame | None = None,
    n_resamples: int = 1000,
    seed: int = 0,
    extra: dict[str, Any] | None = None,
    sample_weight: np.ndarray | None = None,
    times: pd.DataFrame | None = None,
    horizon_months: float | None = None,
    **report: Any,
) -> dict[str, Any]:
    """Evaluate ``p`` against ``y``; write ``metrics.json`` and ``report.html`` into ``out_dir``.

    Metrics are also given by index disposal and index offence group when ``groups`` has
    those columns (``by_group``); ``notes`` says which figures are undefined and why. Returns
    the metrics written. ``sample_weight`` weights every figure (a time-to-event table's
    censoring weights); ``times`` (``FeatureTable.survival`` of the same people) with
    ``horizon_months`` adds the cumulative share reoffending by risk band (``over_time``).
    """
    out = Path(out_dir)
    metrics = heldout_metrics(
        y_true=y,
        y_prob=p,
        groups=groups,
        times=times,
        horizon_months=horizon_months,
        n_resamples=n_resamples,
        seed=seed,
        sample_weight=sample_weight,
    )
    metrics.update(extra or {})
    notes = undefined_notes(y)
    if notes:
        metrics["notes"] = notes
    write_json(metrics, out / "metrics.json")
    html = evaluation_report_html(metrics, y, p, n_resamples=n_resamples, **report)
    write_text(html, out / "report.html")
    return metrics
