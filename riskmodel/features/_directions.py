"""Directions of the event features: where the field agrees which way risk moves.

A model whose risk falls as convictions or needs rise cannot be defended to a court, an
inspector or the person. OGRS and the OASys predictors are monotone in these by construction,
and so is every model family here (:class:`riskmodel.models.RiskModel`): raising a feature
declared ``+1`` (or lowering one declared ``-1``) of any person, everything else unchanged,
never lowers their probability.

Every feature of the catalogue (:data:`riskmodel.features.FEATURES`) is decided explicitly:
it has a direction in :data:`DIRECTIONS` or a reason in :data:`UNDECLARED` (a test checks
both lists against the catalogue). Missing values are not ordered: a missing need score is no
reading, neither below nor above a score of 0.
"""

from __future__ import annotations

from collections.abc import Iterable

from riskmodel.contract._vocabulary import NEED_AREAS, OFFENCE_GROUPS, PATHWAYS
from riskmodel.features._catalogue import OFFENCE_FAMILIES

__all__ = ["DECREASING", "DIRECTIONS", "INCREASING", "UNDECLARED", "directions_for"]

#: Non-decreasing: more history, more recent offending, more needs never lower the risk.
INCREASING: tuple[str, ...] = (
    "sanction_occasions",
    "copas_rate",
    "previous_custodial_sentences",
    "previous_sanctions_1y",
    "previous_sanctions_2y",
    *(f"offences_{family}" for family in OFFENCE_FAMILIES),
    *(f"offence_count_{group}" for group in OFFENCE_GROUPS),
    *(f"need_{area}" for area in NEED_AREAS),
    *(f"mean_need_{area}" for area in NEED_AREAS),
    "needs_count",
    "needs_pathways",
    *(f"pathway_{pathway}" for pathway in PATHWAYS),
)
#: Non-increasing: an older first sanction, a longer time since the previous one and an older
#: person (adults only: the data contract rejects people under 18) never raise the risk.
DECREASING: tuple[str, ...] = (
    "age_at_first_sanction",
    "months_since_previous_sanction",
    "age_at_index",
)
#: Direction of every declared event feature: ``+1`` non-decreasing, ``-1`` non-increasing.
DIRECTIONS: dict[str, int] = {
    **{name: 1 for name in INCREASING},
    **{name: -1 for name in DECREASING},
}
#: Catalogue features with no declared direction, and why.
UNDECLARED: dict[str, str] = {
    "sex": "a category: no order",
    "index_offence": "a category: no order",
    "index_disposal": "a category: no order",
    "first_sanction": (
        "a flag that restates sanction_occasions = 1; raising it alone describes no real "
        "person, and the history counts carry the direction"
    ),
    "years_first_to_current": (
        "the length of the criminal career: at equal sanction occasions a longer career is a "
        "lower rate (Copas rate, declared), at equal rate a longer record; no agreed direction"
    ),
    "months_sanction_to_index": (
        "roughly the time served for the current sanction: longer for more serious offences, "
        "and time in custody is time not at risk; no agreed direction"
    ),
    "months_previous_to_current": (
        "the gap before the current sanction, measured from the current sanction rather than "
        "the start of follow-up; recency is declared through months_since_previous_sanction"
    ),
    "years_in_custody": (
        "more custody is a more serious history but also fewer years at liberty over which "
        "the history accumulated; no agreed direction"
    ),
    "years_at_risk": (
        "time at liberty since age 10: the exposure behind the history counts, not a risk "
        "factor with an agreed sign"
    ),
    "assessments_before_index": (
        "how often the person was assessed: coverage of the needs record, not a need"
    ),
    "needs_missing": "a missing-value flag (no recent assessment): coverage, not a need",
}


def directions_for(names: Iterable[str]) -> dict[str, int]:
    """The catalogue's directions of the features among ``names``, in their order.

    Examples
    --------
    >>> directions_for(["sex", "age_at_index", "sanction_occasions"])
    {'age_at_index': -1, 'sanction_occasions': 1}
    """
    return {name: DIRECTIONS[name] for name in names if name in DIRECTIONS}
