"""HTML report of a programme evaluation with a matched comparison group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from riskmodel._horizon import horizon_words
from riskmodel._io import to_jsonable
from riskmodel._provenance import is_synthetic
from riskmodel.programme import SMD_LIMIT, ProgrammeResult, pbr_sentences
from riskmodel.programme._evaluate import measure_words, p_text
from riskmodel.reports._render import figure_to_data_uri, new_axes, render_template

__all__ = ["balance_figure", "programme_report_html", "survival_figure"]

#: Unmatched participants listed on the page (programme.json lists them all).
LISTED_UNMATCHED = 200


def survival_figure(result: ProgrammeResult) -> Any:
    """Kaplan-Meier curves of the share not yet proven to have reoffended, participants and
    matched comparisons."""
    s = result.survival
    figure, ax = new_axes((6, 3.6))
    days = np.asarray(s["days"], dtype=float)
    for key, label, colour in (
        ("participants", "matched participants", "#33415c"),
        ("comparisons", "matched comparisons", "#c05a2b"),
    ):
        values = np.asarray(s[key], dtype=float)
        if np.isfinite(values).any():
            ax.step(days, values, where="post", label=label, color=colour)
    ax.set_xlabel("Days after the index date")
    ax.set_ylabel("Share without a proven reoffence")
    ax.set_ylim(0, 1.02)
    if ax.get_legend_handles_labels()[0]:  # nobody matched: no curve to name
        ax.legend(fontsize="small")
    return figure


def balance_figure(result: ProgrammeResult) -> Any:
    """Standardised mean difference of every matching variable before and after matching."""
    table = result.balance.sort_values("smd_before", key=np.abs)
    n = len(table)
    figure, ax = new_axes((6, 1.2 + 0.16 * max(n, 1)))
    y = np.arange(n)
    ax.scatter(table["smd_before"], y, marker="o", facecolors="none", edgecolors="#9aa3ad",
               label="before matching")  # fmt: skip
    ax.scatter(table["smd_after"], y, marker="o", color="#33415c", label="after matching")
    for edge in (-SMD_LIMIT, SMD_LIMIT):
        ax.axvline(edge, color="#c05a2b", linestyle="--", linewidth=0.8)
    ax.axvline(0, color="#555555", linewidth=0.6)
    ax.set_yticks(y, table["variable"].tolist(), fontsize=6)
    ax.set_xlabel("Standardised mean difference (participants − comparisons)")
    ax.legend(fontsize="small", loc="lower right")
    return figure


def programme_report_html(
    result: ProgrammeResult,
    *,
    sources: Sequence[str] = (),
    model: object = None,
) -> str:
    """Render the programme report as self-contained HTML (figures as data URIs)."""
    data: dict[str, Any] = to_jsonable(result.to_dict())
    horizon = int(result.settings["horizon_months"])
    within = horizon_words(horizon)
    survival_title = f"Time to the first proven reoffence {within}"
    figures = []
    if result.survival.get("not_available") is None:
        figures.append(
            {
                "title": survival_title,
                "src": figure_to_data_uri(survival_figure(result)),
                "alt": "Kaplan-Meier curves of participants and matched comparisons",
                "caption": (
                    "Share of matched participants and of their comparisons (weighted) "
                    f"without a proven reoffence {within}, by days after the index date "
                    "(Kaplan-Meier)."
                ),
            }
        )
    figures += [
        {
            "title": "Balance before and after matching",
            "src": figure_to_data_uri(balance_figure(result)),
            "alt": "Standardised mean differences of every matching variable before and after",
            "caption": (
                f"Standardised mean differences; the dashed lines mark ±{SMD_LIMIT}. Hollow: "
                "participants against the usable pool (known outcome, complete matching "
                "variables); filled: against matched comparisons."
            ),
        },
    ]
    pbr = result.payment_by_results
    return render_template(
        "programme.html",
        r=data,
        measures=measure_words(horizon),
        survival_title=survival_title,
        figures=figures,
        source=", ".join(sources),
        sources=list(sources),
        synthetic=bool(sources) and all(is_synthetic(s) for s in sources),
        model=None if model is None else str(model),
        listed=data["unmatched"][:LISTED_UNMATCHED],
        pbr_sentences=[] if pbr is None else pbr_sentences(pbr, horizon),
        p_texts={k: p_text(o, prefix=False) for k, o in result.outcomes.items()},
    )
