"""HTML report of a fairness audit (``riskmodel fairness``), and writing its outputs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from riskmodel._format import join_words, signed
from riskmodel._io import write_json, write_text
from riskmodel._messages import DECISION_NOTE
from riskmodel.fairness import (
    ErrorRateDisplay,
    FairnessAudit,
    GroupCalibrationDisplay,
    VerdictRule,
)
from riskmodel.fairness import _messages as const
from riskmodel.fairness._verdicts import difference_points
from riskmodel.reports._render import figure_to_data_uri, new_axes, render_template

__all__ = ["fairness_report_html", "write_fairness_outputs"]


#: Metrics shown as percentages; the others as plain numbers.
_PCT = {"base_rate", "selection_rate", "fpr", "fnr", "ppv"}


def _fmt(value: Any, metric: str, *, kind: str) -> str:
    if value is None:
        return "—"
    if metric == "n":
        return f"{int(value):,}"
    if metric in _PCT or (metric == "mean_score" and kind == const.PROBABILITY):
        return f"{100 * value:.1f}%"
    if metric == "mean_score":
        return f"{value:.2f}"
    return f"{value:.3f}"


def _fmt_diff(value: Any, metric: str, *, kind: str, tolerance: float = 0.0) -> str:
    """A difference from the reference; in points for a rate, printed as the verdicts print
    it (never on 0 or the tolerance it is not on)."""
    if value is None:
        return "—"
    if metric in _PCT or (metric == "mean_score" and kind == const.PROBABILITY):
        return f"{difference_points(value, tolerance)} pts"
    return signed(value, 3)


def _fmt_ci(
    pair: Any, metric: str, *, kind: str, diff: bool = False, tolerance: float = 0.0
) -> str:
    if not pair or pair[0] is None or pair[1] is None:
        return ""
    if diff and (metric in _PCT or (metric == "mean_score" and kind == const.PROBABILITY)):
        return (
            f"({difference_points(pair[0], tolerance)} to {difference_points(pair[1], tolerance)})"
        )
    if diff:
        return f"({signed(pair[0], 3)} to {signed(pair[1], 3)})"
    return f"({_fmt(pair[0], metric, kind=kind)} to {_fmt(pair[1], metric, kind=kind)})"


def _fmt_ratio(value: Any, pair: Any) -> str:
    if value is None:
        return "—"
    text = f"{value:.2f}"
    if pair and pair[0] is not None and pair[1] is not None:
        text += f" ({pair[0]:.2f} to {pair[1]:.2f})"
    return text


def _figures(audit: FairnessAudit, column: str) -> dict[str, str]:
    labels = audit.data.groups[column].rename(column)
    small = audit.small_groups(column)
    fig, ax = new_axes(figsize=(6.4, 4.6))
    GroupCalibrationDisplay.from_predictions(
        audit.data.y_true,
        audit.data.y_score,
        labels,
        score_kind=audit.score_kind,
        small_groups=small,
        group_name=column,
    ).plot(ax=ax)
    ax.set_title(
        "Reliability by group"
        if audit.score_kind == const.PROBABILITY
        else "Observed reoffending at each score, by group",
        fontsize="medium",
    )
    calibration = figure_to_data_uri(fig)
    rates = audit.by_group[column][["fpr", "fnr"]]
    display = ErrorRateDisplay(
        rates,
        intervals=audit.disparities[column]["group_ci"],
        small_groups=small,
        group_name=column,
        threshold=audit.threshold,
    ).plot()
    errors = figure_to_data_uri(display.figure_)
    return {"calibration": calibration, "error_rates": errors}


def _section(audit: FairnessAudit, summary: dict, column: str) -> dict:
    kind = audit.score_kind
    shown = [
        m
        for m in const.GROUP_METRICS
        if kind == const.PROBABILITY or m not in const.PROBABILITY_ONLY
    ]
    groups = summary["by_group"][column]
    disp = summary["disparities"][column]
    tolerance = summary["settings"]["verdict_rule"]["rate_tolerance"]
    rows = []
    for g, entry in groups.items():
        cells = []
        for m in shown:
            text = _fmt(entry[m], m, kind=kind)
            ci = _fmt_ci(entry.get(f"{m}_ci"), m, kind=kind) if m != "n" else ""
            cells.append({"value": text, "ci": ci})
        rows.append(
            {
                "group": g,
                "small": entry["small"],
                "reference": g == disp["reference"],
                "positives": entry["n_positive"],
                "negatives": entry["n_negative"],
                "cells": cells,
            }
        )
    others = [g for g in groups if g != disp["reference"]]
    diff_rows = []
    for m, d in disp["metrics"].items():
        diff_rows.append(
            {
                "metric": const.METRIC_LABELS[m],
                "reference": _fmt(d["reference_value"], m, kind=kind),
                "differences": [
                    {
                        "value": _fmt_diff(
                            d["by_group"][g]["difference"], m, kind=kind, tolerance=tolerance
                        ),
                        "ci": _fmt_ci(
                            d["by_group"][g]["difference_ci"],
                            m,
                            kind=kind,
                            diff=True,
                            tolerance=tolerance,
                        ),
                        "ratio": _fmt_ratio(
                            d["by_group"][g]["ratio"], d["by_group"][g]["ratio_ci"]
                        ),
                    }
                    for g in others
                ],
            }
        )
    verdicts = summary["tradeoff"][column]
    return {
        "column": column,
        "headers": [const.METRIC_LABELS[m] for m in shown],
        "rows": rows,
        "reference": disp["reference"],
        "others": others,
        "diff_rows": diff_rows,
        "verdicts": verdicts,
        "criteria": [{**c, "slug": c["verdict"].replace(" ", "-")} for c in verdicts["criteria"]],
        "small": summary["small_groups"][column],
        "figures": _figures(audit, column),
    }


#: Features named for each group column, strongest first, in the proxy check's sentences.
PROXY_NAMED = 3
#: Features per group column in the proxy check's short table (all are in the full one).
PROXY_SHOWN = 5


def proxy_groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each group column of the proxy check (``rows``: the summary's ``proxies``, sorted
    strongest first within a column): a sentence naming the features that tell its groups
    apart best on their own, with their AUC, and the strongest rows for the short table
    (at most :data:`PROXY_SHOWN`).

    Examples
    --------
    >>> rows = [{"group_column": "sex", "feature": f, "auc": a, "nmi": 0.0}
    ...         for f, a in [("sex", 1.0), ("age", 0.62), ("area", 0.58), ("priors", 0.51)]]
    >>> import textwrap
    >>> print(textwrap.fill(proxy_groups(rows)[0]["sentence"], 84))
    sex: on their own, the features that tell its groups apart best are age (AUC 0.62),
    area (AUC 0.58) and priors (AUC 0.51). The column is itself a feature (AUC 1.00).
    """
    columns = list(dict.fromkeys(row["group_column"] for row in rows))
    out = []
    for column in columns:
        own = sorted(  # strongest first, whatever order the rows came in
            (row for row in rows if row["group_column"] == column),
            key=lambda row: (row["auc"] is None, -(row["auc"] or 0.0), -(row["nmi"] or 0.0)),
        )
        others = [row for row in own if row["feature"] != column and row["auc"] is not None]
        named = [f"{row['feature']} (AUC {row['auc']:.2f})" for row in others[:PROXY_NAMED]]
        if len(named) > 1:
            sentence = (
                f"{column}: on their own, the features that tell its groups apart best are"
                f" {join_words(named)}."
            )
        elif named:
            sentence = (
                f"{column}: on its own, the feature that tells its groups apart best is"
                f" {named[0]}."
            )
        else:
            sentence = f"{column}: no other feature has an AUC to compare."
        itself = [row for row in own if row["feature"] == column and row["auc"] is not None]
        if itself:
            sentence += f" The column is itself a feature (AUC {itself[0]['auc']:.2f})."
        out.append({"column": column, "sentence": sentence, "rows": own[:PROXY_SHOWN]})
    return out


def _rule_fields(summary: dict) -> dict:
    return dict(summary["settings"]["verdict_rule"])


def fairness_report_html(audit: FairnessAudit, *, source: str = "") -> str:
    """Render the fairness report as self-contained HTML (plots embedded as data URIs).

    Written for a reviewer who is not a data scientist: it says how to read each figure.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from riskmodel.fairness import fairness_audit
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"p": rng.uniform(size=200), "sex": rng.choice(["f", "m"], 200)})
    >>> frame["y"] = (rng.uniform(size=200) < frame["p"]).astype(int)
    >>> audit = fairness_audit(frame, score_column="p", outcome_column="y",
    ...                        group_columns=["sex"], n_resamples=50)
    >>> "How to read this report" in fairness_report_html(audit)
    True
    """
    summary = audit.to_dict()
    sections = [_section(audit, summary, c) for c in audit.by_group]
    return render_template(
        "fairness.html",
        s=summary,
        source=source,
        sections=sections,
        proxy_groups=proxy_groups(summary.get("proxies") or []),
        proxy_shown=PROXY_SHOWN,
        decision_note=DECISION_NOTE,
        probability=audit.score_kind == const.PROBABILITY,
        rule_text=VerdictRule(**_rule_fields(summary)).describe(
            probability=audit.score_kind == const.PROBABILITY
        ),
        small_rule=(
            f"fewer than {const.SMALL_GROUP_N} people, or fewer than"
            f" {const.SMALL_GROUP_CLASS} people who reoffended or who did not"
        ),
    )


def write_fairness_outputs(
    audit: FairnessAudit, out_dir: str | os.PathLike, *, source: str = ""
) -> dict[str, Path]:
    """Write ``fairness.json`` and ``report.html`` into ``out_dir``, each atomically."""
    out_dir = Path(out_dir)
    html = fairness_report_html(audit, source=source)
    json_path = write_json(audit.to_dict(), out_dir / "fairness.json")
    html_path = write_text(html, out_dir / "report.html")
    return {"json": json_path, "html": html_path}
