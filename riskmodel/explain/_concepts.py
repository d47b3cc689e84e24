"""Explanations by concept: per-feature contributions summed into one reason per concept.

A :class:`ConceptMap` says which features make up each concept of one explanation. For event
data it is the concept catalogue (:data:`riskmodel.features.CONCEPTS`); for a flat table the
config's ``[explain.groups]``, every feature left out of a group being a concept of its own.
:meth:`ConceptMap.aggregate` sums contributions (or percentage points) into concepts. It is
linear and the shares of a shared feature add up to 1 for every person, so
``base_value + concepts.sum(axis=1)`` equals ``base_value + contributions.sum(axis=1)`` up to
float rounding: the explanation by concept is exactly as additive as the one by feature.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from riskmodel.config import check_groups
from riskmodel.features import CATALOGUE
from riskmodel.features._concepts import CONCEPTS, SHARED_FEATURES, Concept

__all__ = ["ConceptMap", "need_contradictions"]


def _readable(name: str) -> str:
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else name


@dataclass(frozen=True)
class ConceptMap:
    """The concepts of one explanation.

    Attributes
    ----------
    concepts : tuple of Concept
        In report order; each lists the features wholly in it.
    shared : dict
        Feature -> the concepts it is shared between, person by person
        (:data:`riskmodel.features._concepts.SHARED_RULE`); event data only.
    catalogue : bool
        True for the event-data concept catalogue (reasons in its words).
    """

    concepts: tuple[Concept, ...]
    shared: dict[str, tuple[str, ...]] = field(default_factory=dict)
    catalogue: bool = False

    @property
    def names(self) -> list[str]:
        """Concept names, in order."""
        return [c.name for c in self.concepts]

    def get(self, name: str) -> Concept:
        """The concept called ``name`` (``KeyError`` when absent)."""
        for concept in self.concepts:
            if concept.name == name:
                return concept
        raise KeyError(name)

    def members(self, name: str) -> tuple[str, ...]:
        """Every feature with a part in concept ``name``: its own, then shared ones."""
        own = self.get(name).features
        return (*own, *(f for f, targets in self.shared.items() if name in targets))

    @classmethod
    def for_features(
        cls, features: Sequence[str], groups: Mapping[str, Sequence[str]] | None = None
    ) -> ConceptMap:
        """The concepts of an explanation of ``features``.

        Event-data features (all in the feature catalogue) get the concept catalogue, keeping
        the concepts with at least one feature present; anything else gets ``groups`` (a
        config's ``[explain.groups]``), every feature outside a group being its own concept.

        Raises
        ------
        ConfigError
            A group names a feature that is not among ``features``, or a feature is in two
            groups.

        Examples
        --------
        >>> m = ConceptMap.for_features(["age", "priors", "juv"], {"record": ["priors", "juv"]})
        >>> [(c.name, c.features) for c in m.concepts]
        [('record', ('priors', 'juv')), ('age', ('age',))]
        """
        features = [str(f) for f in features]
        present = set(features)
        if features and present <= set(CATALOGUE) and not groups:
            shared = {
                f: tuple(f"need_area_{a}" for a in areas)
                for f, areas in SHARED_FEATURES.items()
                if f in present
            }
            targets = {t for ts in shared.values() for t in ts}
            concepts = []
            for concept in CONCEPTS:
                own = tuple(f for f in concept.features if f in present)
                if own or concept.name in targets:
                    concepts.append(Concept(concept.name, concept.label, own))
            covered = {f for c in concepts for f in c.features} | set(shared)
            extra = [Concept(f, _readable(f), (f,)) for f in features if f not in covered]
            return cls(tuple(concepts + extra), shared, catalogue=True)
        groups = dict(groups or {})
        check_groups(groups, features)
        owner = {f: g for g, members in groups.items() for f in members}
        concepts = [
            Concept(str(g), _readable(str(g)), tuple(members)) for g, members in groups.items()
        ]
        concepts += [Concept(f, _readable(f), (f,)) for f in features if f not in owner]
        return cls(tuple(concepts))

    def shares(self, feature: str, X: pd.DataFrame) -> pd.DataFrame:
        """Each person's share of a shared ``feature`` for each of its concepts (rows add up
        to 1), by :data:`riskmodel.features._concepts.SHARED_RULE`."""
        targets = self.shared[feature]
        n = len(X)
        areas = [t.removeprefix("need_area_") for t in targets]
        if not all(f"need_{a}" in X.columns for a in areas) or feature not in X.columns:
            return pd.DataFrame({t: np.full(n, 1 / len(targets)) for t in targets})
        scores = np.column_stack([X[f"need_{a}"].to_numpy(dtype=np.float64) for a in areas])
        flag = X[feature].to_numpy(dtype=np.float64)
        assessed = np.isfinite(scores)
        responsible = np.where((flag >= 0.5)[:, None], assessed & (scores >= 1), assessed).astype(
            np.float64
        )
        none = responsible.sum(axis=1) == 0
        responsible[none] = 1.0
        weights = responsible / responsible.sum(axis=1, keepdims=True)
        return pd.DataFrame(weights, columns=list(targets))

    def aggregate(self, values: pd.DataFrame, X: pd.DataFrame) -> pd.DataFrame:
        """Per-feature ``values`` (contributions or percentage points; one column per feature)
        summed into concepts, one column per concept; ``X`` gives the shares of shared
        features."""
        index = values.index
        out = {}
        for concept in self.concepts:
            columns = [f for f in concept.features if f in values.columns]
            out[concept.name] = (
                values[columns].to_numpy().sum(axis=1) if columns else np.zeros(len(values))
            )
        frame = X.reset_index(drop=True)
        for feature in self.shared:
            if feature not in values.columns:
                continue
            weights = self.shares(feature, frame)
            column = values[feature].to_numpy()
            for target in weights.columns:
                out[target] = out[target] + weights[target].to_numpy() * column
        return pd.DataFrame(out, index=index)

    def to_dict(self) -> dict[str, Any]:
        """``{name: {"label", "features", "shared_features"}}`` for ``explanations.json``."""
        return {
            c.name: {
                "label": c.label,
                "features": list(c.features),
                "shared_features": [f for f, t in self.shared.items() if c.name in t],
            }
            for c in self.concepts
        }


def need_contradictions(explanation: Any, *, threshold: float = 0.0) -> dict[str, Any]:
    """How often a significant need is explained as *lowering* the risk.

    For every need area, the people whose latest assessment scored it 2, and how many of them
    get a concept contribution for that area below ``-threshold`` (log-odds; 0 counts every
    negative contribution; :data:`riskmodel.explain.NEGLIGIBLE` counts those whose reason
    reads "lowers the risk").

    Returns
    -------
    dict
        ``significant_needs`` (person-area pairs scored 2), ``negative`` (of them, with a
        negative area contribution), ``people`` (people with at least one area scored 2),
        ``people_negative`` (of them, with at least one such area), ``share`` (negative /
        significant_needs, None when there are none) and ``by_area`` (``{area: {"n",
        "negative"}}``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from types import SimpleNamespace
    >>> X = pd.DataFrame({"need_drugs": [2.0, 2.0, 0.0], "mean_need_drugs": [2.0, 1.0, 0.0]})
    >>> c = pd.DataFrame({"need_area_drugs": [0.4, -0.1, -0.3]})
    >>> e = SimpleNamespace(X=X, concept_contributions=c)
    >>> need_contradictions(e)["negative"], need_contradictions(e)["significant_needs"]
    (1, 2)
    """
    concepts = explanation.concept_contributions
    X = explanation.X.reset_index(drop=True)
    by_area: dict[str, dict[str, int]] = {}
    significant = np.zeros(len(X), dtype=bool)
    contradicted = np.zeros(len(X), dtype=bool)
    for column in concepts.columns:
        if not column.startswith("need_area_"):
            continue
        area = column.removeprefix("need_area_")
        if f"need_{area}" not in X.columns:
            continue
        scored_two = X[f"need_{area}"].to_numpy(dtype=np.float64) == 2
        negative = scored_two & (concepts[column].to_numpy() < -threshold)
        by_area[area] = {"n": int(scored_two.sum()), "negative": int(negative.sum())}
        significant |= scored_two
        contradicted |= negative
    total = sum(v["n"] for v in by_area.values())
    negative_total = sum(v["negative"] for v in by_area.values())
    return {
        "significant_needs": int(total),
        "negative": int(negative_total),
        "people": int(significant.sum()),
        "people_negative": int(contradicted.sum()),
        "share": (negative_total / total) if total else None,
        "threshold": float(threshold),
        "by_area": by_area,
    }
