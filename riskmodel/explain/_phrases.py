"""Plain-language reasons: one per concept, from the facts they state.

A reason (:class:`Factor`) names a concept in everyday words (:data:`riskmodel.features.
CONCEPTS` for event data; a config's ``[explain.groups]`` for flat tables), gives the person's
values with their units, says where the person stands among a reference population ("more than
85 in 100 people": the people the model was trained on when the bundle stores them, otherwise
the people explained) and ends with a direction word that follows from the sign and size of the
concept's contribution: :data:`RAISES`, :data:`LOWERS`, or :data:`LITTLE_DIFFERENCE` below
:data:`NEGLIGIBLE` log-odds. Missing values read as "not assessed" or "not known"; codes of a
flat table read as the words of its config's ``[labels]``.

:func:`describe_value` still phrases one feature (charts, ``score --explain``): from the
catalogue's templates for event data, ``name: value`` (or the ``[labels]`` words) otherwise.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._format import join_words
from riskmodel.contract._vocabulary import NEED_AREAS
from riskmodel.explain._additive import NEGLIGIBLE_LOG_ODDS, Explanation
from riskmodel.explain._reference import BATCH_REFERENCE, Position, ReferencePopulation
from riskmodel.features import CATALOGUE, Feature, format_value
from riskmodel.features._catalogue import NEED_AREA_LABELS, OFFENCE_GROUP_LABELS, PATHWAY_LABELS

__all__ = [
    "LITTLE_DIFFERENCE",
    "LOWERS",
    "NEGLIGIBLE",
    "RAISES",
    "Factor",
    "catalogue_for",
    "code_words",
    "codes_in_words",
    "describe_value",
    "feature_label",
    "feature_words",
    "level_words",
    "position_words",
    "reasons_by_person",
    "top_factors",
]

#: Direction words appended to a reason (tests match them).
RAISES = "raises the risk"
LOWERS = "lowers the risk"
LITTLE_DIFFERENCE = "makes little difference to the risk"
#: A concept contributing less than this (log-odds, either way) "makes little difference": it
#: changes the odds by less than about 5%.
NEGLIGIBLE = NEGLIGIBLE_LOG_ODDS

_NEED_WORDS = {
    0: "no {area} need recorded (score 0)",
    1: "some {area} problems (need score 1)",
    2: "significant {area} problems (need score 2)",
}

#: Phrases for features whose missing value has a meaning of its own.
_MISSING_WORDS = {
    "months_since_previous_sanction": "no previous sanction",
    "months_previous_to_current": "no sanction before the current one",
}


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return bool(isinstance(value, float | np.floating) and math.isnan(value))
    except TypeError:  # pragma: no cover - exotic scalars
        return False


def catalogue_for(features: Iterable[str]) -> Mapping[str, Feature]:
    """The feature catalogue when every feature is one of its (event-data) features, else
    an empty mapping: a flat table's ``sex`` or ``age`` is not the catalogue's.

    Examples
    --------
    >>> len(catalogue_for(["age_at_index", "sex"])) > 0, len(catalogue_for(["age", "sex"]))
    (True, 0)
    """
    features = list(features)
    return CATALOGUE if features and set(features) <= set(CATALOGUE) else {}


def feature_label(name: str, *, catalogue: Mapping[str, Feature] = CATALOGUE) -> str:
    """Short plain label of a feature (the catalogue's, or the column name made readable).

    Examples
    --------
    >>> feature_label("sanction_occasions"), feature_label("priors_count")
    ('Sanction occasions', 'priors count')
    """
    feature = catalogue.get(name)
    return feature.label if feature is not None else name.replace("_", " ")


def feature_words(explanation: Explanation, name: str) -> str:
    """A feature's name in plain words within one explanation: the catalogue's label for
    event data; for a flat table, the name of the concept the feature alone makes up (a
    one-feature ``[explain.groups]`` group names its column in words; an ungrouped feature is
    its own concept, its name made readable).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from riskmodel.explain import ConceptMap
    >>> m = ConceptMap.for_features(["priors_count", "age"], {"Prior offences": ["priors_count"]})
    >>> e = SimpleNamespace(concepts=m, features=["priors_count", "age"])
    >>> feature_words(e, "priors_count"), feature_words(e, "age")
    ('Prior offences', 'Age')
    """
    catalogue = catalogue_for(explanation.features)
    if name in catalogue:
        return feature_label(name, catalogue=catalogue)
    for concept in explanation.concepts.concepts:
        if concept.features == (name,):
            return concept.label
    return feature_label(name, catalogue=catalogue)


def _plain_number(value: Any) -> str:
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.3g}"


def code_words(name: str, value: Any, labels: Mapping[str, Mapping[str, str]] | None) -> str:
    """A flat table's value in words: the config's ``[labels]`` words for its code when there
    are some, the number or text otherwise, "not known" when missing.

    Examples
    --------
    >>> code_words("fin", 1.0, {"fin": {"1": "financial aid"}}), code_words("fin", 0.0, {})
    ('financial aid', '0')
    """
    if _missing(value):
        return "not known"
    if isinstance(value, bool | np.bool_):
        code = "true" if value else "false"
    elif isinstance(value, int | float | np.integer | np.floating):
        code = _plain_number(value)
    else:
        code = str(value).strip()
    words = (labels or {}).get(name, {})
    return str(words.get(code, code))


def level_words(
    name: str, value: Any, labels: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """One value of a feature as a category in words, for chart axes and legends: a code as
    its ``[labels]`` words, an offending profile as the offences that mark it, "not known"
    when missing.

    Examples
    --------
    >>> level_words("c_charge_degree", "F", {"c_charge_degree": {"F": "felony"}})
    'felony'
    >>> level_words("offending_profile", "profile 2 of 8 (violence, criminal damage; 45%)")
    'mainly violence, criminal damage'
    """
    match = _PROFILE.fullmatch(str(value)) if not _missing(value) else None
    if match:
        return f"mainly {match['names']}"
    return code_words(name, value, labels)


def codes_in_words(
    frame: pd.DataFrame,
    labels: Mapping[str, Mapping[str, str]] | None,
    columns: Iterable[str] | None = None,
) -> pd.DataFrame:
    """``frame`` with the codes of its labelled ``columns`` (default: every labelled column
    it has) replaced by the words of ``labels`` (a config's ``[labels]``), for reports that
    show values, such as group names; missing values stay missing, and a value without words
    is kept as it is written.

    Examples
    --------
    >>> f = pd.DataFrame({"fin": [1, 0, None, 2], "age": [30, 40, 50, 60]})
    >>> codes_in_words(f, {"fin": {"0": "no aid", "1": "aid"}})["fin"].tolist()
    ['aid', 'no aid', nan, '2']
    """
    labels = labels or {}
    names = [c for c in (frame.columns if columns is None else columns) if c in labels]
    named = [c for c in names if c in frame.columns]
    if not named:
        return frame
    out = frame.copy()
    for column in named:
        values = out[column].astype(object)
        words = values.map(lambda v, c=column: code_words(c, v, labels))
        out[column] = words.where(values.notna(), np.nan)
    return out


def describe_value(
    name: str,
    value: Any,
    *,
    catalogue: Mapping[str, Feature] = CATALOGUE,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """The person's value of one feature as a phrase.

    Examples
    --------
    >>> describe_value("sanction_occasions", 14.0)
    '14 sanction occasions including the current one'
    >>> describe_value("need_accommodation", 0.0)
    'no accommodation need recorded (score 0)'
    >>> describe_value("mean_need_drugs", 1.5)
    'drugs need score 1.5 on average over all assessments'
    >>> describe_value("priors_count", 3)
    'priors count: 3'
    >>> describe_value("fin", 1.0, catalogue={}, labels={"fin": {"1": "financial aid"}})
    'fin: financial aid'
    >>> describe_value("copas_rate", -0.34)[:40]
    'sanctioned about 0.71 times a year over '
    >>> describe_value("pathway_accommodation", 1.0)
    'a need (score 1 or 2) in the accommodation area of resettlement'
    """
    feature = catalogue.get(name)
    if feature is None:
        return f"{name.replace('_', ' ')}: {code_words(name, value, labels)}"
    special = _special(name, value)
    if special is not None:
        return special
    if name.startswith("need_") and feature.unit == "score 0-2":
        area = NEED_AREA_LABELS.get(name.removeprefix("need_"), feature.label)
        if _missing(value):
            return f"{area} need not assessed"
        score = round(float(value))
        if score in _NEED_WORDS:
            return _NEED_WORDS[score].format(area=area)
    if name.startswith("mean_need_") and _missing(value):
        area = NEED_AREA_LABELS.get(name.removeprefix("mean_need_"), feature.label)
        return f"{area} never assessed"
    if _missing(value) and name in _MISSING_WORDS:
        return _MISSING_WORDS[name]
    if _missing(value) and feature.template.startswith("{value}"):
        return f"{feature.label}: not known"
    return feature.template.format(value=format_value(feature, value))


def _special(name: str, value: Any) -> str | None:
    """Features whose catalogue template would be a bare code or an internal quantity."""
    missing = _missing(value)
    if name == "copas_rate":
        if missing:
            return "offending rate not known"
        return (
            f"sanctioned about {math.exp(float(value)):.2f} times a year over their criminal "
            "career (counted from 10 years before the first sanction)"
        )
    if name == "years_at_risk":
        if missing:
            return "time out of custody since age 10 not known"
        return (
            f"about {float(value):.0f} years out of custody since age 10 (the age of "
            "criminal responsibility)"
        )
    if name.startswith("pathway_"):
        label = PATHWAY_LABELS.get(name.removeprefix("pathway_"), name)
        if missing:
            return f"{label}: not assessed"
        if float(value) >= 0.5:
            return f"a need (score 1 or 2) in the {label} area of resettlement"
        return f"no need in the {label} area of resettlement"
    if name == "needs_missing":
        if missing:
            return "needs assessment not known"
        return (
            "no recent needs assessment (not assessed)"
            if float(value) >= 0.5
            else "a recent needs assessment"
        )
    if name == "first_sanction":
        if missing:
            return "earlier sanctions not known"
        return "first ever sanction" if float(value) >= 0.5 else "sanctioned before"
    return None


# -- where a person stands -------------------------------------------------------------------

#: Comparative words (larger value, smaller value) of the features reasons position people on.
_COMPARATIVES: dict[str, tuple[str, str]] = {
    "age_at_index": ("older", "younger"),
    "sanction_occasions": ("more sanctions", "fewer sanctions"),
    "previous_sanctions_2y": ("more recent sanctions", "fewer recent sanctions"),
    "years_in_custody": ("more time in custody", "less time in custody"),
    "previous_custodial_sentences": ("more custodial sentences", "fewer custodial sentences"),
    "needs_count": ("more needs", "fewer needs"),
    "assessments_before_index": ("more assessments", "fewer assessments"),
}


def _per_hundred(count: float, n: int) -> int:
    """``count`` of ``n`` as a whole number in 100, rounded down (so never overstated)."""
    return math.floor(100.0 * count / n + 1e-9)


def position_words(
    position: Position | None,
    comparatives: tuple[str, str] = ("higher", "lower"),
    *,
    categorical: bool = False,
) -> str:
    """Where a person stands, in words, from a :class:`Position` (shares rounded down).

    A value above half of the reference reads "<more> than N in 100 people", below half
    "<less> than N in 100 people", otherwise "the same as N in 100 people" or both sides; a
    category "as are N in 100 people"; above or below everyone, "than all N people". Read from
    stored order statistics, the share is "about".

    Examples
    --------
    >>> position_words(Position(86, 4, 10, 100), ("more", "fewer"))
    'more than 86 in 100 people'
    >>> position_words(Position(431, 1, 0, 432))
    'higher than 99 in 100 people'
    >>> position_words(Position(0, 0, 432, 432), ("older", "younger"))
    'younger than all 432 people'
    >>> position_words(Position(0, 88, 0, 100), categorical=True)
    'as are 88 in 100 people'
    """
    if position is None or position.n <= 0:
        return ""
    n = position.n
    about = "about " if position.approximate else ""
    more, less = comparatives
    if categorical:
        share = _per_hundred(position.same, n)
        if not share:
            return "as are fewer than 1 in 100 people"
        return f"as are {about}{share} in 100 people"
    if position.same >= n:
        return f"the same as all {n:,} people"
    if position.lower >= n:
        return f"{more} than all {n:,} people"
    if position.higher >= n:
        return f"{less} than all {n:,} people"
    lower, same, higher = (_per_hundred(v, n) for v in (position.lower, position.same,
                                                         position.higher))  # fmt: skip
    if 2 * position.lower >= n:
        return f"{more} than {about}{lower} in 100 people"
    if 2 * position.higher >= n:
        return f"{less} than {about}{higher} in 100 people"
    if 2 * position.same >= n:
        return f"the same as {about}{same} in 100 people"
    parts = [f"{more} than {about}{lower} in 100 people"] if lower else []
    parts += [f"{less} than {about}{higher} in 100"] if higher else []
    return " and ".join(parts) if parts else f"the same as {about}{same} in 100 people"


# -- concepts in words ------------------------------------------------------------------------

_NEED_LEVELS = {0: "no problems", 1: "some problems", 2: "significant problems"}
_DISPOSAL_WORDS = {
    "custody": "a custodial sentence",
    "suspended_sentence": "a suspended sentence",
    "community_order": "a community order",
    "fine": "a fine",
    "discharge": "a discharge",
    "caution": "a caution",
    "other": "another disposal",
    "unknown": "a disposal not recorded",
}
_PROFILE = re.compile(r"profile \d+ of \d+ \((?P<names>[^;]+); (?P<share>\d{1,3})%\)")


def _number(value: Any) -> float | None:
    if _missing(value):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _times(count: float, one: str, many: str) -> str:
    whole = round(count)
    return f"{whole} {one if whole == 1 else many}"


def _months(value: float) -> str:
    """A time in months, in the unit a reader would use: months up to two years, then
    years."""
    if value < 0.5:
        return "less than a month"
    if value < 23.5:
        return _times(value, "month", "months")
    return "about " + _times(value / 12, "year", "years")


def _age(person: Mapping[str, Any]) -> tuple[str, str | None]:
    age = _number(person.get("age_at_index"))
    return ("age not known" if age is None else f"aged {age:.0f}"), "age_at_index"


def _criminal_history(person: Mapping[str, Any]) -> tuple[str, str | None]:
    occasions = _number(person.get("sanction_occasions"))
    first = _number(person.get("first_sanction"))
    age_first = _number(person.get("age_at_first_sanction"))
    career = _number(person.get("years_first_to_current"))
    if occasions is None:
        return "number of earlier sanctions not known", None
    if (first is not None and first >= 0.5) or occasions <= 1:
        text = "this is their first sanction"
        return (text + (f", at age {age_first:.0f}" if age_first is not None else "")), (
            "sanction_occasions"
        )
    text = f"sanctioned on {occasions:.0f} occasions, counting this one"
    if age_first is not None:
        text += f"; the first at age {age_first:.0f}"
    if career is not None:
        text += f", {_times(career, 'year', 'years')} before this one"
    return text, "sanction_occasions"


def _recent(person: Mapping[str, Any]) -> tuple[str, str | None]:
    one = _number(person.get("previous_sanctions_1y"))
    two = _number(person.get("previous_sanctions_2y"))
    since = _number(person.get("months_since_previous_sanction"))
    if two is None:
        text = "recent sanctions not known"
    elif two < 0.5:
        text = "no other sanction in the two years before"
    else:
        text = f"{_times(two, 'other sanction', 'other sanctions')} in the two years before"
        if one is not None:
            text += f"; {one:.0f} of them in the last year"
    if since is not None:
        text += f"; the previous sanction {_months(since)} before the start of follow-up"
    elif two is not None and two < 0.5:
        text += "; no earlier sanction at all"
    return text, "previous_sanctions_2y"


def _current(person: Mapping[str, Any]) -> tuple[str, str | None]:
    offence = person.get("index_offence")
    disposal = person.get("index_disposal")
    months = _number(person.get("months_sanction_to_index"))
    offence_words = (
        "not known" if _missing(offence) else OFFENCE_GROUP_LABELS.get(str(offence), str(offence))
    )
    text = offence_words.replace("_", " ")
    if not _missing(disposal):
        words = _DISPOSAL_WORDS.get(str(disposal), str(disposal).replace("_", " "))
        text += f"; dealt with by {words}"
    if months is not None:
        text += f"; {_months(months)} from sentence to the start of follow-up"
    return text, "index_offence"


def _custody(person: Mapping[str, Any]) -> tuple[str, str | None]:
    sentences = _number(person.get("previous_custodial_sentences"))
    years = _number(person.get("years_in_custody"))
    if sentences is None and years is None:
        return "time in custody not known", None
    if (sentences or 0) < 0.5 and (years or 0) <= 0:
        return "no custodial sentence before", "years_in_custody"
    if sentences is None:  # a count that is not known is never said as 0
        return f"about {years:.1f} years served in custody before", "years_in_custody"
    count = _times(sentences, "custodial sentence", "custodial sentences")
    if years is None:
        return f"{count} before", "previous_custodial_sentences"
    return f"about {years:.1f} years served in custody; {count} before", "years_in_custody"


def _need_area(area: str, person: Mapping[str, Any]) -> tuple[str, str | None]:
    latest = _number(person.get(f"need_{area}"))
    mean = _number(person.get(f"mean_need_{area}"))
    if latest is None:
        if mean is None:
            return "not assessed", None
        return f"not assessed recently; {mean:.1f} on average (of 2) in earlier assessments", None
    score = round(latest)
    text = f"{_NEED_LEVELS.get(score, 'a score of ' + str(score))} (score {score} of 2)"
    text += " at the latest assessment"
    if mean is not None:
        text += f"; {mean:.1f} on average over all assessments"
    return text, f"need_{area}"


def _needs_overall(person: Mapping[str, Any]) -> tuple[str, str | None]:
    missing = _number(person.get("needs_missing"))
    count = _number(person.get("needs_count"))
    assessments = _number(person.get("assessments_before_index"))
    so_far = (
        ""
        if assessments is None
        else f"; {_times(assessments, 'assessment', 'assessments')} so far"
    )
    if (missing is not None and missing >= 0.5) or count is None:
        if assessments is not None and assessments < 0.5:
            return "never assessed", "assessments_before_index"
        return f"not assessed recently{so_far}", "assessments_before_index"
    return f"needs in {count:.0f} of 10 areas at the latest assessment{so_far}", "needs_count"


def _profile(person: Mapping[str, Any]) -> tuple[str, str | None]:
    counts = []
    none_of_a_kind = False
    for group, words in OFFENCE_GROUP_LABELS.items():
        value = _number(person.get(f"offence_count_{group}"))
        if value is not None and value >= 0.5:
            counts.append((value, words))
        elif value is not None:
            none_of_a_kind = True
    counts.sort(key=lambda item: -item[0])
    parts = []
    if counts:
        shown = [_times(v, f"{w} offence", f"{w} offences") for v, w in counts[:3]]
        if len(counts) > 3:
            others = len(counts) - 3
            shown.append(f"offences of {others} other {'kind' if others == 1 else 'kinds'}")
        listed = join_words(shown)
        # Say the kinds with none as well: a record short of other kinds is what often lowers
        # this factor, and a reason must not read as if the listed offences did.
        parts.append(listed + (", and none of any other kind" if none_of_a_kind else ""))
    match = _PROFILE.fullmatch(str(person.get("offending_profile", "")))
    if match:
        parts.append(
            f"a record most like those of people with mainly {match['names']} offences "
            f"({match['share']}% match)"
        )
    return ("; ".join(parts) or "kinds of offence not known"), None


_CONCEPT_WORDS = {
    "age": _age,
    "criminal_history": _criminal_history,
    "recent_offending": _recent,
    "current_offence": _current,
    "custody": _custody,
    "needs_overall": _needs_overall,
    "offending_profile": _profile,
}


def concept_value(
    concept: str,
    features: Iterable[str],
    person: Mapping[str, Any],
    *,
    catalogue: bool,
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[str, str | None]:
    """A person's values of one concept in words, and the feature their position is read on
    (None: no position).

    Examples
    --------
    >>> concept_value("need_area_drugs", [], {"need_drugs": 2.0, "mean_need_drugs": 1.5},
    ...               catalogue=True)[0].split("; ")[1]
    '1.5 on average over all assessments'
    >>> concept_value("record", ["priors", "fin"], {"priors": 12.0, "fin": 1.0},
    ...               catalogue=False, labels={"fin": {"1": "financial aid"}})
    ('priors: 12; fin: financial aid', 'priors')
    """
    features = list(features)
    if catalogue:
        if concept.startswith("need_area_") and concept.removeprefix("need_area_") in NEED_AREAS:
            return _need_area(concept.removeprefix("need_area_"), person)
        if concept == "sex":
            value = person.get("sex")
            return ("sex not known" if _missing(value) else str(value)), "sex"
        if concept in _CONCEPT_WORDS:
            return _CONCEPT_WORDS[concept](person)
    if len(features) == 1:
        name = features[0]
        if name in CATALOGUE:
            return describe_value(name, person.get(name)), name
        return code_words(name, person.get(name), labels), name
    words = [f"{n.replace('_', ' ')}: {code_words(n, person.get(n), labels)}" for n in features]
    return "; ".join(words), (features[0] if features else None)


@dataclass(frozen=True)
class Factor:
    """One concept's part in one person's score: a reason.

    Attributes
    ----------
    feature : str
        The concept's name (for a flat table without groups, the feature's own name).
    label : str
        The concept in everyday words.
    value : str
        The person's values, with units.
    contribution : float
        The concept's contribution (log-odds): the sum of its features' contributions.
    percentage_points : float
        Its share of ``p - p_base``, in percentage points.
    position : str
        Where the person stands among the reference population ("" when not stated).
    features : tuple of str
        Every feature with a part in the concept.
    """

    feature: str
    label: str
    value: str
    contribution: float
    percentage_points: float
    position: str = ""
    features: tuple[str, ...] = ()

    @property
    def direction(self) -> str:
        """:data:`RAISES`, :data:`LOWERS`, or :data:`LITTLE_DIFFERENCE` when the contribution
        is smaller than :data:`NEGLIGIBLE` either way."""
        if abs(self.contribution) < NEGLIGIBLE:
            return LITTLE_DIFFERENCE
        return RAISES if self.contribution > 0 else LOWERS

    @property
    def reason(self) -> str:
        """``"<concept>: <value> (<position>); <more values> — <direction>"``: the position
        follows the first part of the value, the one it is read on.

        Examples
        --------
        >>> Factor("age", "Age", "aged 19", 0.4, 8.0, "younger than 90 in 100 people").reason
        'Age: aged 19 (younger than 90 in 100 people) — raises the risk'
        >>> f = Factor("x", "Drugs", "score 2; 1.5 on average", -0.01, -0.2, "higher than 88")
        >>> f.reason
        'Drugs: score 2 (higher than 88); 1.5 on average — makes little difference to the risk'
        """
        first, sep, rest = self.value.partition("; ")
        where = f" ({self.position})" if self.position else ""
        return f"{self.label}: {first}{where}{sep}{rest} — {self.direction}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for templates and JSON)."""
        return {
            "feature": self.feature,
            "concept": self.feature,
            "label": self.label,
            "value": self.value,
            "position": self.position,
            "features": list(self.features),
            "contribution": self.contribution,
            "percentage_points": self.percentage_points,
            "direction": self.direction,
            "reason": self.reason,
        }


def concept_factor(
    explanation: Explanation,
    row: int,
    concept: str,
    *,
    contributions: pd.Series | None = None,
    points: pd.Series | None = None,
    population: ReferencePopulation | None = None,
    person: pd.Series | None = None,
    positions: bool = True,
) -> Factor:
    """The reason of one concept for the person at ``row``, built from the facts it states:
    their values, their position among ``population`` (default
    ``explanation.reference_population``; none stated with ``positions=False``) and the sign
    and size of the concept's contribution."""
    concepts = explanation.concepts
    values = (
        explanation.concept_contributions.iloc[row] if contributions is None else contributions
    )
    shares = explanation.concept_percentage_points().iloc[row] if points is None else points
    person = explanation.X.iloc[row] if person is None else person
    population = population or explanation.reference_population
    definition = concepts.get(concept)
    value, on = concept_value(
        concept,
        definition.features,
        person,
        catalogue=concepts.catalogue,
        labels=explanation.labels,
    )
    where = ""
    if on is not None and positions:
        # A coded column named in words by [labels] is a category, whatever its dtype.
        categorical = on in (explanation.labels or {}) or not pd.api.types.is_numeric_dtype(
            explanation.X[on].dtype
        )
        words = _COMPARATIVES.get(on, ("higher", "lower"))
        where = position_words(population.position(on, person[on]), words, categorical=categorical)
    return Factor(
        feature=concept,
        label=definition.label,
        value=value,
        contribution=float(values[concept]),
        percentage_points=float(shares[concept]),
        position=where,
        features=concepts.members(concept),
    )


def top_factors(
    explanation: Explanation,
    row: int,
    k: int = 5,
    *,
    min_abs: float = 1e-9,
    percentage_points: pd.DataFrame | None = None,
) -> tuple[list[Factor], list[Factor]]:
    """The ``k`` concepts raising and the ``k`` lowering one person's risk the most: reasons.

    Each :class:`Factor` is one concept of ``explanation.concepts`` (its contribution the sum
    of its features'), so the reasons add up exactly with the base value to the person's
    log-odds. Both lists are ordered largest effect first; the waterfall and the reasons rank
    the same concepts.

    Parameters
    ----------
    explanation : Explanation
    row : int
        Position of the person in the explanation.
    k : int
        At most this many reasons each way.
    min_abs : float
        Concepts contributing less than this (log-odds) are neither.
    percentage_points : DataFrame, optional
        ``explanation.percentage_points`` (per feature), when already computed.

    Returns
    -------
    (raising, lowering) : two lists of Factor, largest effect first.
    """
    values = explanation.concept_contributions.iloc[row]
    points = explanation.concept_percentage_points(percentage_points).iloc[row]
    population = explanation.reference_population

    def factor(name: str) -> Factor:
        return concept_factor(
            explanation, row, name, contributions=values, points=points, population=population
        )

    order = values.sort_values(ascending=False, kind="stable")
    raising = [factor(n) for n, v in order.items() if v > min_abs][:k]
    lowering = [factor(n) for n, v in order[::-1].items() if v < -min_abs][:k]
    return raising, lowering


def reasons_by_person(
    explanation: Explanation,
    k: int,
    *,
    min_abs: float = 1e-9,
    batch_positions: bool = True,
) -> list[list[Factor]]:
    """For every person, the ``k`` concepts moving their risk most either way, largest
    absolute contribution first: the same :class:`Factor` (and so the same words) as
    :func:`top_factors` and the explanation report give, computed for everyone at once.

    Parameters
    ----------
    explanation : Explanation
    k : int
        At most this many reasons a person.
    min_abs : float
        Concepts contributing less than this (log-odds) are not reasons.
    batch_positions : bool
        When False, positions are stated only among the people the model was trained on
        (a stored reference): a position among the people of a batch would change with the
        batch (``riskmodel score`` scores in chunks).

    Returns
    -------
    list of list of Factor
        One list per person, in the explanation's order.
    """
    values = explanation.concept_contributions
    points = explanation.concept_percentage_points()
    population = explanation.reference_population
    positions = batch_positions or population.source != BATCH_REFERENCE
    names = np.asarray(values.columns)
    numbers = values.to_numpy()
    order = np.argsort(-np.abs(numbers), axis=1, kind="stable")[:, : max(int(k), 0)]
    out: list[list[Factor]] = []
    for row in range(len(values)):
        chosen = [j for j in order[row] if abs(numbers[row, j]) > min_abs]
        if not chosen:
            out.append([])
            continue
        person = explanation.X.iloc[row]
        contributions = pd.Series(numbers[row], index=names)
        shares = points.iloc[row]
        out.append(
            [
                concept_factor(
                    explanation,
                    row,
                    str(names[j]),
                    contributions=contributions,
                    points=shares,
                    population=population,
                    person=person,
                    positions=positions,
                )
                for j in chosen
            ]
        )
    return out
