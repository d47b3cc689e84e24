"""Evaluation report: ``metrics.json`` and a self-contained ``report.html``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._io import to_jsonable, write_json, write_text
from riskmodel.evaluation import (
    EVALUATION_GROUPS,
    ReliabilityDisplay,
    RiskDistributionDisplay,
    evaluate_predictions,
    metrics_by_group,
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
    **report: Any,
) -> dict[str, Any]:
    """Evaluate ``p`` against ``y``; write ``metrics.json`` and ``report.html`` into ``out_dir``.

    Metrics are also given by index disposal and index offence group when ``groups`` has
    those columns (``by_group``); ``notes`` says which figures are undefined and why. Returns
    the metrics written.
    """
    out = Path(out_dir)
    metrics = evaluate_predictions(y_true=y, y_prob=p, n_resamples=n_resamples, seed=seed)
    present = [c for c in EVALUATION_GROUPS if groups is not None and c in groups.columns]
    if present:
        metrics["by_group"] = metrics_by_group(
            y_true=y, y_prob=p, groups=groups[present], n_resamples=n_resamples, seed=seed
        )
    metrics.update(extra or {})
    notes = undefined_notes(y)
    if notes:
        metrics["notes"] = notes
    write_json(metrics, out / "metrics.json")
    html = evaluation_report_html(metrics, y, p, n_resamples=n_resamples, **report)
    write_text(html, out / "report.html")
    return metrics
