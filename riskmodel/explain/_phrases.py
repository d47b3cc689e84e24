"""Plain-language reasons from the feature catalogue.

Every phrase starts from the catalogue (:data:`riskmodel.features.CATALOGUE`): its label and
phrase template. Need scores read as words ("no accommodation need recorded (score 0)"); a
feature the catalogue does not know (flat tables such as COMPAS) reads as ``name: value``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.explain._additive import Explanation
from riskmodel.features import CATALOGUE, Feature, format_value
from riskmodel.features._catalogue import NEED_AREA_LABELS

__all__ = [
    "LOWERS",
    "RAISES",
    "Factor",
    "catalogue_for",
    "describe_value",
    "feature_label",
    "top_factors",
]

#: Direction words appended to a reason (tests match them).
RAISES = "raises the risk"
LOWERS = "lowers the risk"

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


def _plain_number(value: Any) -> str:
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.3g}"


def describe_value(name: str, value: Any, *, catalogue: Mapping[str, Feature] = CATALOGUE) -> str:
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
    """
    feature = catalogue.get(name)
    if feature is None:
        if _missing(value):
            text = "missing"
        elif isinstance(value, int | float | np.integer | np.floating):
            text = _plain_number(value)
        else:
            text = str(value)
        return f"{name.replace('_', ' ')}: {text}"
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


@dataclass(frozen=True)
class Factor:
    """One feature's part in one person's score."""

    feature: str
    label: str
    value: str
    contribution: float
    percentage_points: float

    @property
    def direction(self) -> str:
        """:data:`RAISES` or :data:`LOWERS`."""
        return RAISES if self.contribution > 0 else LOWERS

    @property
    def reason(self) -> str:
        """``"<value phrase> — raises the risk"``."""
        return f"{self.value} — {self.direction}"

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (for templates and JSON)."""
        return {
            "feature": self.feature,
            "label": self.label,
            "value": self.value,
            "contribution": self.contribution,
            "percentage_points": self.percentage_points,
            "direction": self.direction,
            "reason": self.reason,
        }


def top_factors(
    explanation: Explanation,
    row: int,
    k: int = 5,
    *,
    min_abs: float = 1e-9,
    percentage_points: pd.DataFrame | None = None,
) -> tuple[list[Factor], list[Factor]]:
    """The ``k`` features raising and the ``k`` lowering one person's risk the most.

    Parameters
    ----------
    explanation : Explanation
    row : int
        Position of the person in the explanation.
    k : int
        At most this many factors each way.
    min_abs : float
        Contributions smaller than this (log-odds) are neither.
    percentage_points : DataFrame, optional
        ``explanation.percentage_points``, when already computed.

    Returns
    -------
    (raising, lowering) : two lists of Factor, largest effect first.
    """
    values = explanation.contributions.iloc[row]
    points = (
        percentage_points if percentage_points is not None else explanation.percentage_points
    ).iloc[row]
    person = explanation.X.iloc[row]
    catalogue = catalogue_for(explanation.features)

    def factor(name: str) -> Factor:
        return Factor(
            feature=name,
            label=feature_label(name, catalogue=catalogue),
            value=describe_value(name, person[name], catalogue=catalogue),
            contribution=float(values[name]),
            percentage_points=float(points[name]),
        )

    order = values.sort_values(ascending=False, kind="stable")
    raising = [factor(n) for n, v in order.items() if v > min_abs][:k]
    lowering = [factor(n) for n, v in order[::-1].items() if v < -min_abs][:k]
    return raising, lowering
