"""HTML report of a programme cohort's observed against expected reoffending."""

from __future__ import annotations

from typing import Any

from riskmodel._format import beside
from riskmodel._io import to_jsonable
from riskmodel._messages import DECISION_NOTE
from riskmodel.cohort import (
    CohortResult,
    ObservedExpectedDisplay,
    PoissonBinomialDisplay,
)
from riskmodel.cohort._messages import PREDICTIONS_AS_KNOWN
from riskmodel.reports._render import figure_to_data_uri, render_template

__all__ = ["cohort_report_html"]

#: What observed/expected means, and why it cannot stand for an effect (the page says first
#: that it is not one, :data:`NOT_AN_EFFECT`; tests match it).
MEANING_NOTE = (
    "Observed/expected compares this cohort's reoffending with what the model predicted for "
    "people like them. A cohort that chose to take part is not a random sample: the people "
    "who join, stay or leave differ in ways the model does not see."
)
#: Said first on the page: observed against expected does not measure a programme's effect.
NOT_AN_EFFECT = (
    "Observed against expected is not a programme effect. Measuring what the programme did "
    "needs a comparison with similar people who did not take part (a randomised or matched "
    "comparison group), which this report does not make."
)
#: Above the figures that include the model's own uncertainty (tests match it); how, is
#: said under the table.
COMBINED_NOTE = (
    "Intervals and p-values include the uncertainty of the model's own predictions "
    "(model {model_id}, fitted on {n_train:,} people): its predictions for a cohort may be "
    "somewhat off, by as much as its calibration on those people allows. How this is done is "
    "said under the table."
)
#: The finding, as the interval of observed/expected gives it (one per case).
FINDING = (
    "{n}: {observed} reoffended ({observed_rate}) against {expected} expected from the "
    "model's predictions ({expected_rate}), observed/expected {oe} ({level} interval {low} to "
    "{high}{uncertainty}). {verdict}"
)
#: The finding when observed/expected is undefined (nobody was expected to reoffend).
NO_RATIO = (
    "{n}: {observed} reoffended against {expected} expected from the model's predictions; "
    "with nobody expected to reoffend, observed/expected is undefined."
)
NO_INTERVAL = "Without an interval, whether this differs from the prediction cannot be told."
FEWER = "Fewer people reoffended than the model predicted for people like them."
MORE = "More people reoffended than the model predicted for people like them."
AS_PREDICTED = (
    "The cohort's reoffending cannot be told apart from what the model predicted for people "
    "like them: the interval includes 1."
)


def finding(data: dict[str, Any]) -> str:
    """The cohort's finding in one or two sentences, its verdict from the interval of
    observed/expected (with the model's own uncertainty when the report has it); bounds are
    printed so that one judged to exclude 1 never reads as 1.00.

    Examples
    --------
    >>> print(finding({"n": 300, "observed": 184, "observed_rate": 0.6133, "expected": 209.1,
    ...                "expected_rate": 0.697, "observed_expected": 0.88, "confidence": 0.95,
    ...                "observed_expected_ci": [0.82, 0.94], "with_model_uncertainty":
    ...                {"observed_expected_ci": [0.81, 0.996]}}))  # doctest: +NORMALIZE_WHITESPACE
    300 people: 184 reoffended (61.3%) against 209.1 expected from the model's predictions
    (69.7%), observed/expected 0.88 (95% interval 0.81 to 0.996, with the model's own
    uncertainty). Fewer people reoffended than the model predicted for people like them.
    """
    combined = data.get("with_model_uncertainty")
    low, high = (combined or data)["observed_expected_ci"]
    ratio = data["observed_expected"]
    if ratio is None:
        return NO_RATIO.format(
            n=_people(data["n"]),
            observed=f"{data['observed']:,}",
            expected=_expected(data["expected"]),
        )
    undefined = low is None or high is None
    if undefined:
        verdict = NO_INTERVAL
    else:
        verdict = FEWER if high < 1 else MORE if low > 1 else AS_PREDICTED
    rates = {key: f"{100 * data[key]:.1f}%" for key in ("observed_rate", "expected_rate")}
    bounds = ["—", "—"] if undefined else [beside(bound, (1.0,), 2) for bound in (low, high)]
    return FINDING.format(
        **rates,
        n=_people(data["n"]),
        observed=f"{data['observed']:,}",
        expected=_expected(data["expected"]),
        oe=beside(ratio, (1.0,), 2),
        level=f"{100 * data['confidence']:g}%",
        low=bounds[0],
        high=bounds[1],
        uncertainty=", with the model's own uncertainty" if combined else "",
        verdict=verdict,
    )


def _expected(expected: float) -> str:
    """Expected reoffenders: one decimal, more when a few hundredths would read as 0.0."""
    return f"{expected:,.1f}" if expected >= 1 or expected == 0 else beside(expected, (0.0,), 1)


def _people(n: int) -> str:
    return "1 person" if n == 1 else f"{n:,} people"


EXAMPLE_NOTE = (
    "In one London payment-by-results scheme, 21 of 38 people (55%) reoffended against 71% "
    "predicted; those who completed the programme reoffended at 45% and those who dropped out "
    "at 69%. Completers and drop-outs were not alike to begin with, so neither the gap between "
    "them nor the gap to the prediction measures what the programme did."
)


def _sentence(text: str) -> str:
    """A message fragment as a sentence: first letter capital, a full stop at the end.

    Examples
    --------
    >>> _sentence("the model was fitted on 200 people")
    'The model was fitted on 200 people.'
    """
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


#: Under the expected figures: they take the model's predictions as known.
KNOWN_NOTE = _sentence(PREDICTIONS_AS_KNOWN)


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
    model = data["model_uncertainty"]
    combined_note = (
        None
        if model is None
        else COMBINED_NOTE.format(
            model_id=model["model_id"] or "unnamed", n_train=model["n_train"]
        )
    )
    return render_template(
        "cohort.html",
        r=data,
        figures=figures,
        meaning_note=MEANING_NOTE,
        not_an_effect=NOT_AN_EFFECT,
        known_note=KNOWN_NOTE,
        combined_note=combined_note,
        finding=finding(data) if data["n"] else None,
        warnings=[_sentence(w) for w in data["warnings"]],
        example_note=EXAMPLE_NOTE,
        decision_note=DECISION_NOTE,
        small=small,
        source=source,
        score_column=score_column,
        outcome_column=outcome_column,
        count_column=count_column,
    )
