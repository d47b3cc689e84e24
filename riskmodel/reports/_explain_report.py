"""HTML report of explanations: global importance, dependence plots and per-person pages.

Built as summary dict → Jinja2 (autoescaped) → self-contained HTML (figures embedded as PNG
data URIs, printable: every person page starts on a new printed page).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from riskmodel._format import signed
from riskmodel._io import to_jsonable
from riskmodel._messages import DECISION_NOTE
from riskmodel.bands import DEFAULT_BANDS
from riskmodel.explain import (
    NEGLIGIBLE,
    DependenceDisplay,
    Explanation,
    Factor,
    ImportanceDisplay,
    WaterfallDisplay,
    feature_label,
    feature_words,
    top_factors,
)
from riskmodel.explain._display import CALIBRATION_LABEL, OTHERS_LABEL, importance, signed_points
from riskmodel.explain._phrases import catalogue_for
from riskmodel.fairness import model_reads
from riskmodel.reports._render import figure_to_data_uri, render_template

__all__ = [
    "DECISION_NOTE",
    "expected_of_100",
    "explain_report_html",
    "explanation_summary",
    "importance_sentence",
    "made_of",
    "metric_words",
    "model_summary",
    "person_factors",
    "standing",
]

#: Contributions smaller than this (log-odds) are not listed as factors on a person page.
MIN_FACTOR = 0.005
#: Band names and ranges, for the "how to read" section.
BAND_TEXT = DEFAULT_BANDS.describe()


def model_summary(manifest: Mapping[str, Any] | None, model: Any) -> list[dict[str, str]]:
    """Rows (``label``, ``value``) summarising the model, from its manifest when there is one.

    Only plain scalars are shown: the model id, when it was made, family and calibration,
    training size and base rate, and the manifest's top-level metrics.
    """
    rows: list[dict[str, str]] = []
    manifest = dict(manifest or {})

    def add(label: str, value: Any, *, rate: bool = False) -> None:
        if value is None or isinstance(value, dict | list):
            return
        if rate:  # a share of people, as the training outcome rate is shown
            value = f"{100 * float(value):.1f}%"
        elif isinstance(value, float):
            value = (
                f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:.4g}"
            )
        elif isinstance(value, int) and not isinstance(value, bool):
            value = f"{value:,}"
        rows.append({"label": label, "value": str(value)})

    add("model id", manifest.get("model_id"))
    add("created", manifest.get("created_at"))
    add("model family", getattr(model, "family_", None))
    add("calibration", getattr(model, "calibration", None))
    add("calibrator's slope (log-odds)", getattr(model, "calibration_slope_", None))
    add("calibrator's intercept (log-odds)", getattr(model, "calibration_intercept_", None))
    add("people in training", getattr(model, "n_train_", None))
    base_rate = getattr(model, "base_rate_", None)
    if base_rate is not None:
        add("outcome rate in training", base_rate, rate=True)
    metrics = manifest.get("metrics")
    split = manifest.get("split")
    held_out = "held-out people: " if isinstance(split, Mapping) and split.get("n_test") else ""
    if isinstance(metrics, Mapping):
        for key, value in list(metrics.items())[:40]:
            if isinstance(value, int | float) and not isinstance(value, bool):
                add(f"{held_out}{metric_words(key)}", float(value), rate=key in RATE_METRICS)
            elif isinstance(value, Mapping):
                for sub, inner in list(value.items())[:12]:
                    if isinstance(inner, int | float) and not isinstance(inner, bool):
                        add(f"{held_out}{metric_words(key)}, {metric_words(sub)}", float(inner))
    return rows


#: Metrics that are shares of people (a rate, a mean probability): shown as percentages.
RATE_METRICS = frozenset({"base_rate", "mean_predicted"})
#: Plain words for the model card's metric names.
METRIC_WORDS = {
    "n": "number of people",
    "base_rate": "observed outcome rate",
    "mean_predicted": "mean probability",
    "auc": "AUC (ranking: 0.5 is chance, 1 is perfect)",
    "brier": "Brier score (lower is better)",
    "log_loss": "log loss (lower is better)",
    "ece": "expected calibration error",
    "calibration_slope": "calibration slope (1 is ideal)",
    "calibration_intercept": "calibration intercept (0 is ideal)",
    "observed_expected": "observed / expected outcomes (1 is ideal)",
}


def metric_words(name: str) -> str:
    """A metric's name in words (the name made readable when it has none).

    Examples
    --------
    >>> metric_words("observed_expected"), metric_words("nij_score")
    ('observed / expected outcomes (1 is ideal)', 'nij score')
    """
    return METRIC_WORDS.get(name, name.replace("_", " "))


def standing(probability: np.ndarray, row: int) -> dict[str, Any]:
    """Where one person's probability sits among everyone's, in counts of people.

    Returns ``n`` (everyone, the person included), ``lower`` and ``higher`` (how many others
    have a lower or a higher probability), ``same`` (how many others have exactly the same)
    and ``sentence``: those counts in words, never a percentage (which would round 431 of 432
    up to "100%").

    Examples
    --------
    >>> standing(np.array([0.1, 0.2, 0.3]), 2)["sentence"]
    'Higher than 2 of the 3 people explained: the highest score.'
    >>> standing(np.array([0.1, 0.2, 0.2, 0.3]), 1)["sentence"]
    'Higher than 1 and lower than 1 of the 4 people explained; 1 other person has the same score.'
    """
    probability = np.asarray(probability, dtype=np.float64)
    own = probability[row]
    n = int(probability.size)
    lower = int(np.sum(probability < own))
    higher = int(np.sum(probability > own))
    same = n - 1 - lower - higher
    of = f"of the {n:,} people explained"
    if n == 1:
        sentence = "The only person explained."
    elif lower and higher:
        sentence = f"Higher than {lower:,} and lower than {higher:,} {of}"
    elif lower:
        sentence = f"Higher than {lower:,} {of}" + ("" if same else ": the highest score")
    elif higher:
        sentence = f"Lower than {higher:,} {of}" + ("" if same else ": the lowest score")
    else:
        sentence = f"The same score as the other {same:,} {of}"
    if n > 1 and same and (lower or higher):
        others = "1 other person has" if same == 1 else f"{same:,} others have"
        sentence += f"; {others} the same score"
    if not sentence.endswith("."):
        sentence += "."
    return {"n": n, "lower": lower, "higher": higher, "same": same, "sentence": sentence}


def expected_of_100(probability: float) -> str:
    """How many of 100 people with this probability would be expected to have the outcome,
    in words (a natural frequency, for a person page that is printed alone).

    Examples
    --------
    >>> expected_of_100(0.818), expected_of_100(0.003), expected_of_100(0.999)
    ('about 82', 'fewer than 1', 'more than 99')
    """
    count = round(100 * float(probability))
    if count < 1:
        return "fewer than 1"
    if count >= 100:
        return "more than 99"
    return f"about {count}"


def _plain(explanation: Explanation, name: str) -> str:
    """A column in words for a sentence: a feature's words (:func:`feature_words`), any other
    column's name made readable, lower case unless it starts with an abbreviation.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from riskmodel.explain import ConceptMap
    >>> names = ["index_disposal", "sex"]
    >>> e = SimpleNamespace(concepts=ConceptMap.for_features(names), features=names)
    >>> _plain(e, "index_disposal"), _plain(e, "age_band"), _plain(e, "NIJ_group")
    ('current disposal', 'age band', 'NIJ group')
    """
    words = (
        feature_words(explanation, name)
        if name in explanation.features
        else name.replace("_", " ")
    )
    return words[:1].lower() + words[1:] if words[1:2].islower() else words


def _owners(explanation: Explanation) -> dict[str, str]:
    """Feature -> the concept it belongs to wholly (shared features are in none)."""
    return {f: c.name for c in explanation.concepts.concepts for f in c.features}


def made_of(explanation: Explanation, concept: str) -> str:
    """The event-data features a concept sums, in plain words, for the importance table (""
    for a concept that is one feature under its own name, and for a flat table, whose report
    lists a concept's data columns instead).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from riskmodel.explain import ConceptMap
    >>> names = ["age_at_index", "sanction_occasions", "copas_rate"]
    >>> e = SimpleNamespace(concepts=ConceptMap.for_features(names), features=names)
    >>> made_of(e, "criminal_history"), made_of(e, "age")
    ('Sanction occasions, Offending rate over the criminal career', '')
    >>> flat = ConceptMap.for_features(["priors", "juv"], {"record": ["priors", "juv"]})
    >>> made_of(SimpleNamespace(concepts=flat, features=["priors", "juv"]), "record")
    ''
    """
    catalogue = catalogue_for(explanation.features)
    if not catalogue:
        return ""
    shared = set(explanation.concepts.shared)
    words = [
        feature_label(f, catalogue=catalogue)
        + (" (shared with another area)" if f in shared else "")
        for f in explanation.concepts.members(concept)
    ]
    if len(words) == 1 and words[0].lower() == explanation.concepts.get(concept).label.lower():
        return ""
    return ", ".join(words)


def importance_sentence(concepts: Sequence[Mapping[str, Any]], n_features: int) -> str:
    """What the importance table ranks, from its rows: how many factors, made of how many
    features, and which moves scores most.

    Examples
    --------
    >>> rows = [{"label": "Criminal record so far", "mean_abs": 0.61, "mean_abs_points": 12.3},
    ...         {"label": "Age", "mean_abs": 0.2, "mean_abs_points": 4.1}]
    >>> print(importance_sentence(rows, 9))  # doctest: +NORMALIZE_WHITESPACE
    The model's 9 features make up 2 factors. Criminal record so far moves a person's score
    most: by 0.61 log-odds (12.3 percentage points) on average, either way.
    """
    if not concepts:
        return "The model has no factors to rank."
    top = concepts[0]
    kinds = "factor" if len(concepts) == 1 else "factors"
    made = (
        f"The model's {n_features:,} features are its {len(concepts):,} {kinds}."
        if n_features == len(concepts)
        else f"The model's {n_features:,} features make up {len(concepts):,} {kinds}."
    )
    return (
        f"{made} {top['label']} moves a person's score most: by {top['mean_abs']:.2f} "
        f"log-odds ({top['mean_abs_points']:.1f} percentage points) on average, either way."
    )


def _lead(factor: Factor) -> str:
    """The factor's label, when its reason does not already start with it (the label is what
    the waterfall's bar says, so the list and the chart can be read side by side)."""
    return "" if factor.reason.lower().startswith(factor.label.lower()) else factor.label


def person_factors(
    explanation: Explanation, row: int, top_k: int = 5, *, points: Any = None
) -> tuple[list[Factor], list[Factor], list[Factor]]:
    """The reasons on one person's page, in the order they are listed and drawn: those that
    raise the risk, those that lower it, and those that make little difference (less than
    :data:`~riskmodel.explain.NEGLIGIBLE` log-odds either way), each from the ``top_k``
    raising and ``top_k`` lowering concepts of
    :func:`~riskmodel.explain.top_factors`.

    A reason that "makes little difference" is listed under neither "Raising the risk" nor
    "Lowering the risk", so that a heading never contradicts its reason.
    """
    raising, lowering = top_factors(
        explanation, row, top_k, min_abs=MIN_FACTOR, percentage_points=points
    )
    little = [f for f in raising + lowering if abs(f.contribution) < NEGLIGIBLE]
    return (
        [f for f in raising if abs(f.contribution) >= NEGLIGIBLE],
        [f for f in lowering if abs(f.contribution) >= NEGLIGIBLE],
        little,
    )


def _none_moving(verb: str, side: str) -> str:
    """What the page says when no factor moves the score ``side`` the base by at least
    :data:`~riskmodel.explain.NEGLIGIBLE` log-odds (smaller ones may: they are listed as making
    little difference, or left out below :data:`MIN_FACTOR`).

    Examples
    --------
    >>> _none_moving("raises", "above")
    "Nothing raises this person's score above the base by 0.05 log-odds or more."
    """
    return (
        f"Nothing {verb} this person's score {side} the base by {NEGLIGIBLE:g} log-odds or more."
    )


def _person(
    explanation: Explanation,
    row: int,
    *,
    points: Any,
    top_k: int,
) -> dict[str, Any]:
    raising, lowering, little = person_factors(explanation, row, top_k, points=points)
    probability = float(explanation.probability[row])
    waterfall = WaterfallDisplay.from_factors(
        raising + lowering + little,
        base_value=explanation.base_value,
        end_value=explanation.base_value + float(explanation.contributions.iloc[row].sum()),
        probability=probability,
    )
    by_label = {item["label"]: item for item in waterfall.items}
    others = by_label.get(OTHERS_LABEL)
    step = by_label.get(CALIBRATION_LABEL)

    def listed(factors: list[Factor]) -> list[dict[str, Any]]:
        return [
            {
                **f.to_dict(),
                "lead": _lead(f),
                "points_text": signed_points(f.percentage_points),
                # never printed on the line between "little difference" and the rest
                "log_odds_text": signed(f.contribution, 2, (NEGLIGIBLE,)),
            }
            for f in factors
        ]

    return {
        "person_id": str(explanation.ids.iloc[row]),
        "probability": probability,
        "of_100": expected_of_100(probability),
        "band": str(DEFAULT_BANDS.band_of([probability])[0]),
        "standing": standing(explanation.probability, row),
        "log_odds": float(explanation.log_odds[row]),
        "raising": listed(raising),
        "lowering": listed(lowering),
        "little": listed(little),
        "no_raising": _none_moving("raises", "above"),
        "no_lowering": _none_moving("lowers", "below"),
        "others_points": None if others is None else others["percentage_points"],
        "others_text": None if others is None else signed_points(others["percentage_points"]),
        "calibration_points": None if step is None else step["percentage_points"],
        "calibration_adjustment": (
            None
            if explanation.calibration_adjustment is None
            else float(explanation.calibration_adjustment[row])
        ),
        "waterfall_items": [
            {**item, "points_text": signed_points(item["percentage_points"])}
            for item in waterfall.items
        ],
        "waterfall_probability": waterfall.probability,
        "waterfall": figure_to_data_uri(waterfall.plot().figure_),
    }


def explanation_summary(
    explanation: Explanation,
    *,
    person_rows: Sequence[int] = (),
    selection_note: str = "",
    manifest: Mapping[str, Any] | None = None,
    model: Any = None,
    source: str = "",
    outcome: str = "",
    group_columns: Sequence[str] = (),
    n_rejected: int = 0,
    top_k: int = 5,
    n_dependence: int = 6,
) -> dict[str, Any]:
    """Everything the report shows, as a plain dict (figures as data URIs).

    Parameters
    ----------
    explanation : Explanation
    person_rows : sequence of int
        Positions of the people who get a page (never everyone by default: see the CLI).
    selection_note : str
        How those people were chosen, printed above their pages.
    manifest : mapping, optional
        The model bundle's manifest (model card summary).
    model : RiskModel, optional
        The model explained (family, calibration, training size).
    source, outcome : str
        Where the data came from; what the outcome means.
    group_columns : sequence of str
        Characteristics carried with the data but not in the model (e.g. ``race``).
    n_rejected : int
        People left out by validation.
    top_k, n_dependence : int
        Factors per direction on a person page; features with a dependence plot.
    """
    points = explanation.percentage_points
    catalogue = catalogue_for(explanation.features)
    by_feature = importance(explanation, by="feature")
    by_concept = importance(explanation, by="concept")
    features = [
        {
            "rank": rank,
            "name": name,
            "label": row.label,
            "column": "" if name in catalogue else str(name),
            "concept": explanation.concepts.get(owner[name]).label if name in owner else "",
            "meaning": catalogue[name].meaning if name in catalogue else "",
            "mean_abs": float(row.mean_abs),
            "mean_abs_points": float(row.mean_abs_points),
        }
        for owner in [_owners(explanation)]
        for rank, (name, row) in enumerate(by_feature.iterrows(), start=1)
    ]
    concepts = [
        {
            "rank": rank,
            "name": name,
            "label": row.label,
            "made_of": made_of(explanation, str(name)),
            "columns": [] if catalogue else list(explanation.concepts.members(str(name))),
            "mean_abs": float(row.mean_abs),
            "mean_abs_points": float(row.mean_abs_points),
        }
        for rank, (name, row) in enumerate(by_concept.iterrows(), start=1)
    ]
    dependence = [
        {
            "feature": name,
            "label": feature_words(explanation, name),
            "src": figure_to_data_uri(
                DependenceDisplay.from_explanation(explanation, name).plot().figure_
            ),
        }
        for name in by_feature.index[:n_dependence]
    ]
    in_model = {c.lower() for c in explanation.features}
    not_features = [g for g in group_columns if g.lower() not in in_model and g != "ethnicity"]
    bands = DEFAULT_BANDS.band_of(explanation.probability)
    band_counts = [{"name": name, "n": int((bands == name).sum())} for name in DEFAULT_BANDS.names]
    return to_jsonable(
        {
            "n_people": len(explanation),
            "n_rejected": int(n_rejected),
            "source": source,
            "outcome": outcome,
            "method": explanation.method_summary(),
            "base_value": float(explanation.base_value),
            "base_probability": explanation.base_probability,
            "mean_probability": float(np.mean(explanation.probability)),
            "band_counts": band_counts,
            "features": features,
            "concepts": concepts,
            "importance_src": figure_to_data_uri(
                ImportanceDisplay(
                    labels=list(by_concept["label"].iloc[:15]),
                    values=by_concept["mean_abs"].to_numpy()[:15],
                )
                .plot()
                .figure_
            ),
            "importance_sentence": importance_sentence(concepts, len(features)),
            "dependence": dependence,
            "model_rows": model_summary(manifest, model),
            "not_features": not_features,
            "selection_note": selection_note,
            "people": [
                _person(explanation, row, points=points, top_k=top_k) for row in person_rows
            ],
        }
    )


def explain_report_html(explanation: Explanation, **kwargs: Any) -> str:
    """Render the explanation report as self-contained HTML.

    Takes the arguments of :func:`explanation_summary`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from riskmodel.models import RiskModel
    >>> from riskmodel.explain import explain
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"age": rng.integers(18, 70, 300).astype(float)})
    >>> y = (rng.random(300) < 1 / (1 + np.exp((X["age"] - 40) / 10))).astype(int)
    >>> e = explain(RiskModel(family="logistic", cv=3).fit(X, y), X)
    >>> "no group columns" in explain_report_html(e, person_rows=[0])
    True
    """
    summary = explanation_summary(explanation, **kwargs)
    return render_template(
        "explain.html",
        s=summary,
        decision_note=DECISION_NOTE,
        not_in_model=model_reads(
            [
                _plain(explanation, str(f))
                for f in getattr(kwargs.get("model"), "feature_names_in_", explanation.features)
            ],
            [_plain(explanation, str(g)) for g in kwargs.get("group_columns", ())],
        ),
        band_text=BAND_TEXT,
        negligible=f"{NEGLIGIBLE:g}",
    )
