"""A short fairness summary for the model card and the training report: two operating points.

A threshold of 0.5 means little when a quarter of people reoffend, so the summary audits the
score where it would be used: flagged at the observed reoffending rate of the people audited
(the base rate), and the highest-scoring tenth (a capacity of 10%). At each point every
criterion gets its verdict from intervals (:func:`riskmodel.fairness.fairness_verdicts`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._io import to_jsonable
from riskmodel._markdown import markdown_text
from riskmodel.fairness import _messages as const
from riskmodel.fairness._disparities import (
    _vectorised_metrics,
    bootstrap_group_metrics,
    default_reference,
    disparities,
)
from riskmodel.fairness._inputs import prepare_input
from riskmodel.fairness._metrics import group_metrics
from riskmodel.fairness._reads import model_reads
from riskmodel.fairness._verdicts import VerdictRule, fairness_verdicts

__all__ = ["fairness_summary", "operating_points", "summary_markdown"]

#: Figures of a group that do not depend on the threshold.
_GROUP_FIGURES = ("n", "base_rate", "mean_score", "auc", "observed_expected")
#: Figures of a group at an operating point.
_POINT_FIGURES = ("selection_rate", "fpr", "fnr", "ppv")
#: What the verdicts need bootstrapped.
_BOOTSTRAPPED = ("base_rate", "selection_rate", "fpr", "fnr", "ppv", "observed_expected")


def operating_points(
    y_true: np.ndarray,
    y_score: np.ndarray,
    *,
    capacity: float = const.SUMMARY_CAPACITY,
) -> list[dict[str, Any]]:
    """The summary's two thresholds for probability scores: the base rate and a capacity.

    ``base_rate``: flagged when the predicted probability is at least the observed
    reoffending rate of these people. ``capacity``: flagged when the score is at least that of
    the person ranked ``ceil(capacity * n)``-th from the top (ties at that score are flagged
    too, so slightly more people may be).

    Examples
    --------
    >>> points = operating_points(np.array([0, 0, 1, 1] * 5), np.linspace(0, 1, 20))
    >>> [(p["name"], round(p["threshold"], 3), p["flagged"]) for p in points]
    [('base_rate', 0.5, 10), ('capacity', 0.947, 2)]
    """
    y = np.asarray(y_true, dtype=float)
    s = np.asarray(y_score, dtype=float)
    base = float(y.mean())
    k = max(1, math.ceil(capacity * s.size))
    top = float(np.sort(s)[::-1][k - 1])
    points = []
    for name, threshold in (("base_rate", base), ("capacity", top)):
        flagged = int((s >= threshold).sum())
        if name == "base_rate":
            description = (
                f"flagged at a predicted probability of {100 * threshold:.1f}% or more, the"
                " observed reoffending rate of these people"
            )
        else:
            description = (
                f"the highest-scoring {100 * capacity:g}% flagged, as a capacity of"
                f" {100 * capacity:g}% would: a predicted probability of {100 * threshold:.1f}%"
                " or more"
            )
        description += f" ({flagged:,} of {s.size:,} people, {100 * flagged / s.size:.1f}%)"
        points.append(
            {
                "name": name,
                "label": "at the base rate" if name == "base_rate" else f"top {100 * capacity:g}%",
                "threshold": threshold,
                "flagged": flagged,
                "flagged_fraction": flagged / s.size,
                "description": description,
            }
        )
    return points


def _at_threshold(
    table: pd.DataFrame, y: np.ndarray, s: np.ndarray, labels: pd.Series, threshold: float
) -> pd.DataFrame:
    """``table`` (:func:`group_metrics`) with its threshold-dependent figures at ``threshold``
    (the same arithmetic as the bootstrap's, on the sample itself)."""
    table = table.copy()
    names = np.asarray(labels, dtype=object).astype(str)
    for g in table.index:
        inside = names == g
        values = _vectorised_metrics(s[inside][None, :], y[inside][None, :], threshold,
                                     _POINT_FIGURES)[0]  # fmt: skip
        table.loc[g, list(_POINT_FIGURES)] = values
    return table


def fairness_summary(
    *,
    y_true,
    y_score,
    groups: pd.DataFrame | Mapping[str, Sequence],
    threshold: float | None = None,
    score_kind: str | None = None,
    features: Sequence[str] | None = None,
    capacity: float = const.SUMMARY_CAPACITY,
    n_resamples: int = const.DEFAULT_N_RESAMPLES,
    seed: int = const.DEFAULT_SEED,
    rule: VerdictRule | None = None,
) -> dict:
    """A short fairness summary for a model card or training report, with verdicts.

    Parameters
    ----------
    y_true : array-like of {0, 1}
        The outcomes of the people. Rows with a missing score or outcome are counted and
        left out.
    y_score : array-like
        Their scores (e.g. calibrated probabilities on the test split).
    groups : DataFrame or mapping
        One column per group variable (sex, age band, cohort, ethnicity ...), aligned with
        ``y_true``.
    threshold : float, optional
        One operating point at this threshold. Without it, a probability score is audited at
        two (:func:`operating_points`): the base rate and a capacity of ``capacity``; an
        ordinal score needs a threshold.
    score_kind : {"probability", "ordinal"}, optional
    features : sequence of str, optional
        The model's features: the summary then says which group columns it reads
        (``model_reads``).
    capacity : float
        The share flagged at the capacity operating point.
    n_resamples, seed : int
        The stratified bootstrap of the verdicts' intervals.
    rule : VerdictRule, optional
        Tolerances and minimums of the verdicts.

    Returns
    -------
    dict
        ``score_kind``, ``rows``, ``rule`` (with ``text``), ``by_group`` ({column: {value:
        {n, n_positive, n_negative, base_rate, mean_score, auc, observed_expected, small}}}),
        ``points`` (list of ``name``, ``threshold``, ``description``, ``flagged``,
        ``by_group`` ({column: {value: {selection_rate, fpr, fnr, ppv}}}) and ``verdicts``
        ({column: :func:`riskmodel.fairness.fairness_verdicts`})), and ``model_features``
        and ``model_reads`` (None without ``features``). JSON-ready.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> p = rng.uniform(size=300)
    >>> y = (rng.uniform(size=300) < p).astype(int)
    >>> out = fairness_summary(y_true=y, y_score=p, n_resamples=100,
    ...                        groups={"sex": rng.choice(["female", "male"], 300)})
    >>> sorted(out["by_group"]["sex"]), [point["name"] for point in out["points"]]
    (['female', 'male'], ['base_rate', 'capacity'])
    """
    rule = rule or VerdictRule()
    frame = pd.DataFrame(
        {name: np.asarray(values, dtype=object) for name, values in dict(groups).items()}
    )
    columns = list(frame.columns)
    frame["__score__"] = np.asarray(y_score, dtype=float)
    frame["__outcome__"] = np.asarray(y_true, dtype=float)
    data = prepare_input(
        frame,
        score_column="__score__",
        outcome_column="__outcome__",
        group_columns=columns,
        threshold=threshold,
        score_kind=score_kind,
    )
    if threshold is None and data.score_kind == const.PROBABILITY:
        points = operating_points(data.y_true, data.y_score, capacity=capacity)
    else:
        flagged = int((data.y_score >= data.threshold).sum())
        points = [
            {
                "name": "threshold",
                "label": f"at {data.threshold:g}",
                "threshold": data.threshold,
                "flagged": flagged,
                "flagged_fraction": flagged / data.y_score.size,
                "description": f"flagged at a score of {data.threshold:g} or more"
                f" ({flagged:,} of {data.y_score.size:,} people)",
            }
        ]
    metrics = [
        m
        for m in _BOOTSTRAPPED
        if data.score_kind == const.PROBABILITY or m not in const.PROBABILITY_ONLY
    ]
    by_group: dict[str, dict] = {}
    for point in points:
        point["by_group"], point["verdicts"] = {}, {}
    for i, column in enumerate(columns):
        labels = data.groups[column].rename(column)
        first, _ = group_metrics(
            y_true=data.y_true,
            y_score=data.y_score,
            groups=labels,
            threshold=points[0]["threshold"],
            score_kind=data.score_kind,
        )
        for point in points:
            table = _at_threshold(first, data.y_true, data.y_score, labels, point["threshold"])
            if column not in by_group:
                by_group[column] = {
                    str(g): {
                        **{m: row[m] for m in _GROUP_FIGURES},
                        "n_positive": int(row["n_positive"]),
                        "n_negative": int(row["n_negative"]),
                        "small": bool(row["small"]),
                    }
                    for g, row in table.iterrows()
                }
            point["by_group"][column] = {
                str(g): {m: row[m] for m in _POINT_FIGURES} for g, row in table.iterrows()
            }
            replicates = bootstrap_group_metrics(
                y_true=data.y_true,
                y_score=data.y_score,
                groups=labels,
                threshold=point["threshold"],
                metrics=metrics,
                n_resamples=n_resamples,
                seed=seed + i,
            )
            disp = disparities(
                table,
                replicates,
                metrics=metrics,
                reference=default_reference(table),
                confidence=rule.confidence,
            )
            point["verdicts"][column] = fairness_verdicts(
                table,
                disp,
                column=column,
                score_kind=data.score_kind,
                threshold=point["threshold"],
                rule=rule,
            )
    return to_jsonable(
        {
            "score_kind": data.score_kind,
            "rows": data.counts,
            "rule": {
                **rule.to_dict(),
                "text": rule.describe(probability=data.score_kind == const.PROBABILITY),
                "n_resamples": n_resamples,
                "seed": seed,
            },
            "by_group": by_group,
            "points": points,
            "model_features": None if features is None else list(features),
            "model_reads": None if features is None else model_reads(features, columns),
        }
    )


def _cell(value, pct: bool) -> str:
    if value is None:
        return "—"
    return f"{100 * value:.1f}%" if pct else f"{value:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def summary_markdown(summary: dict) -> str:
    """Markdown of a :func:`fairness_summary`, for ``MODEL_CARD.md``: the operating points,
    the rule, and per group column its figures and the verdict sentences at each point.

    Group names and values are written as plain text (HTML and Markdown characters escaped).
    """
    probability = summary["score_kind"] == const.PROBABILITY
    lines = ["Operating points:", ""]
    for point in summary["points"]:
        lines.append(f"- **{point['label']}**: "
                     f"{markdown_text(point['description'])}.")  # fmt: skip
    lines += ["", markdown_text(summary["rule"]["text"]), ""]
    fixed = ["n", "base_rate", "mean_score", "auc"] + (
        ["observed_expected"] if probability else []
    )
    for column, groups in summary["by_group"].items():
        lines += [f"**{markdown_text(column)}**", ""]
        header = ["group", *(const.METRIC_LABELS[m] for m in fixed)]
        rows = []
        for g, row in groups.items():
            cells = [f"{markdown_text(g)}{' (small)' if row['small'] else ''}", f"{row['n']:,}"]
            cells += [_cell(row[m], pct=m in {"base_rate", "mean_score"}) for m in fixed[1:]]
            rows.append(cells)
        lines += [*_table(header, rows), ""]
        for point in summary["points"]:
            name = point["label"]
            header = [f"group ({name})", *(const.METRIC_LABELS[m] for m in _POINT_FIGURES)]
            rows = [
                [markdown_text(g), *(_cell(row[m], pct=True) for m in _POINT_FIGURES)]
                for g, row in point["by_group"][column].items()
            ]
            lines += [*_table(header, rows), ""]
            for criterion in point["verdicts"][column]["criteria"]:
                lines.append(f"- {name}: {markdown_text(criterion['sentence'])}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
