"""The concept catalogue: which features an explanation reports together, as one reason.

Many features say the same thing in different ways (the latest need score, the mean score
over every assessment and the pathway flags of one need area; the sanction counts, the age at
the first sanction and the Copas rate of one criminal career). Explained one by one, such
collinear features pull against each other and a reason can read as nonsense. A
:class:`Concept` is a declared group of features whose contributions are *summed*, so an
explanation by concept stays exactly additive.

Every feature of :data:`riskmodel.features.CATALOGUE` belongs to exactly one concept, with one
stated exception: a pathway flag that reads two need areas (``pathway_drugs_alcohol`` reads
drugs and alcohol; ``pathway_attitudes_thinking_behaviour`` reads thinking and behaviour and
attitudes) is *shared* between those two areas' concepts by :data:`SHARED_RULE`. The shares of
each person add up to 1, so the sum over concepts is still the sum over features.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskmodel.contract._vocabulary import NEED_AREAS, OFFENCE_GROUPS, PATHWAYS
from riskmodel.features._catalogue import NEED_AREA_LABELS, OFFENCE_FAMILIES

__all__ = [
    "CONCEPTS",
    "SHARED_FEATURES",
    "SHARED_RULE",
    "Concept",
    "concept_of",
]

#: The rule sharing a two-area pathway flag between its need areas (documented and tested).
SHARED_RULE = (
    "a pathway flag that reads two need areas is shared equally between the areas that set "
    "its value: the areas scored 1 or 2 when the flag is 1, the areas assessed when it is 0, "
    "both areas when neither is assessed"
)


@dataclass(frozen=True)
class Concept:
    """One reason of an explanation: a group of features whose contributions are summed.

    Attributes
    ----------
    name : str
        Identifier (a JSON key of ``explanations.json``).
    label : str
        The concept in everyday words, for reasons and charts.
    features : tuple of str
        The features wholly in this concept.
    """

    name: str
    label: str
    features: tuple[str, ...]


def _need_concept(area: str) -> Concept:
    own_pathways = tuple(
        f"pathway_{pathway}" for pathway, areas in PATHWAYS.items() if areas == (area,)
    )
    label = NEED_AREA_LABELS[area]
    return Concept(
        f"need_area_{area}",
        f"{label[0].upper()}{label[1:]} needs",
        (f"need_{area}", f"mean_need_{area}", *own_pathways),
    )


#: Pathway flags that read several need areas: feature -> the need areas it is shared between
#: (see :data:`SHARED_RULE`).
SHARED_FEATURES: dict[str, tuple[str, ...]] = {
    f"pathway_{pathway}": areas for pathway, areas in PATHWAYS.items() if len(areas) > 1
}

#: The concepts of event data (features built by :func:`riskmodel.features.build_feature_table`),
#: in the order reports list them when nothing else ranks them.
CONCEPTS: tuple[Concept, ...] = (
    Concept("age", "Age", ("age_at_index",)),
    Concept("sex", "Sex", ("sex",)),
    Concept(
        "criminal_history",
        "Criminal record so far",
        (
            "sanction_occasions",
            "first_sanction",
            "age_at_first_sanction",
            "years_first_to_current",
            "copas_rate",
            "years_at_risk",
        ),
    ),
    Concept(
        "recent_offending",
        "Recent offending",
        (
            "previous_sanctions_1y",
            "previous_sanctions_2y",
            "months_since_previous_sanction",
            "months_previous_to_current",
        ),
    ),
    Concept(
        "current_offence",
        "Current offence and sentence",
        ("index_offence", "index_disposal", "months_sanction_to_index"),
    ),
    Concept(
        "custody",
        "Time in custody",
        ("previous_custodial_sentences", "years_in_custody"),
    ),
    *(_need_concept(area) for area in NEED_AREAS),
    Concept(
        "needs_overall",
        "Needs assessments overall",
        ("assessments_before_index", "needs_missing", "needs_count", "needs_pathways"),
    ),
    Concept(
        "offending_profile",
        "Kinds of offence on record",
        (
            *(f"offences_{family}" for family in OFFENCE_FAMILIES),
            *(f"offence_count_{group}" for group in OFFENCE_GROUPS),
            "offending_profile",
        ),
    ),
)

_OWNER: dict[str, str] = {f: c.name for c in CONCEPTS for f in c.features}


def concept_of(feature: str) -> str | None:
    """The concept a catalogue feature belongs to wholly (None for a shared pathway flag or a
    feature outside the catalogue).

    Examples
    --------
    >>> concept_of("copas_rate"), concept_of("pathway_accommodation")
    ('criminal_history', 'need_area_accommodation')
    >>> concept_of("pathway_drugs_alcohol") is None
    True
    """
    return _OWNER.get(feature)
