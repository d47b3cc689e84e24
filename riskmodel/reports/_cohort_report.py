"""HTML report of a programme cohort's observed against expected reoffending."""

from __future__ import annotations

from typing import Any

from riskmodel._io import to_jsonable
from riskmodel._messages import DECISION_NOTE
from riskmodel.cohort import (
    CohortResult,
    ObservedExpectedDisplay,
    PoissonBinomialDisplay,
)
from riskmodel.reports._render import figure_to_data_uri, render_template

__all__ = ["cohort_report_html"]

#: What observed/expected means and does not mean (tests match it).
MEANING_NOTE = (
    "Observed/expected compares this cohort's reoffending with what the model predicted for "
    "people like them. It is not by itself the programme's effect: a cohort that chose to take "
    "part is not a random sample, and the people who join, stay or leave differ in ways the "
    "model does not see."
)
EXAMPLE_NOTE = (
    "In one London payment-by-results scheme, 21 of 38 people (55%) reoffended against 71% "
    "predicted; those who completed the programme reoffended at 45% and those who dropped out "
    "at 69%. Completers and drop-outs were not alike to begin with, so neither the gap between "
    "them nor the gap to the prediction measures what the programme did."
)


def cohort_report_html(
    result: CohortResult,
    *,
    source: str = "",
    score_column: str = "score",
    outcome_column: str = "outcome",
    count_column: str | None = None,
) -> str:
    """Render the cohort report as self-contained HTML (figures embedded as data URIs).

    Parameters
    ----------
    result : CohortResult
        From :func:`riskmodel.cohort.cohort_evaluation`.
    source, score_column, outcome_column, count_column : str
        Where the figures came from, printed in the report.
    """
    figures = [
        {
            "title": "How many reoffenders if the predictions held",
            "src": figure_to_data_uri(PoissonBinomialDisplay.from_result(result).plot().figure_),
            "alt": "Poisson-binomial distribution of the number of reoffenders",
            "caption": (
                "Exact distribution of the number of reoffenders if every person reoffended "
                "with their own predicted probability; the shaded bars are the observed count "
                "or fewer (p_value_lower)."
            ),
        },
        {
            "title": "By risk band",
            "src": figure_to_data_uri(ObservedExpectedDisplay.from_result(result).plot().figure_),
            "alt": "Observed and expected reoffending rate by band",
            "caption": "Observed and expected rates by band; exact intervals on the observed.",
        },
    ]
    data: dict[str, Any] = to_jsonable(result.to_dict())
    small = data["n"] < 100
    return render_template(
        "cohort.html",
        r=data,
        figures=figures,
        meaning_note=MEANING_NOTE,
        example_note=EXAMPLE_NOTE,
        decision_note=DECISION_NOTE,
        small=small,
        source=source,
        score_column=score_column,
        outcome_column=outcome_column,
        count_column=count_column,
    )
