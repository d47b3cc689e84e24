"""The feature catalogue: every model feature documented in one place.

Each :class:`Feature` gives a column of ``FeatureTable.X`` its meaning, unit, a short
plain-language label and a phrase template for reports (``"{value} sanction occasions"``).
Explanation reports and model cards read this catalogue; nothing else describes features.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from riskmodel.contract._vocabulary import NEED_AREAS, OFFENCE_GROUPS, PATHWAYS

#: Kinds of feature: ``numeric`` (float, may be NaN), ``binary`` (0/1), ``categorical`` (str).
KINDS: tuple[str, ...] = ("numeric", "binary", "categorical")

#: Offence-group families counted in the offence history; every offence group is in one.
OFFENCE_FAMILIES: dict[str, tuple[str, ...]] = {
    "violence": ("violence", "weapons", "robbery"),
    "public_order": ("public_order", "criminal_damage"),
    "sexual": ("sexual_adult", "sexual_child"),
    "acquisitive": (
        "burglary_domestic",
        "burglary_other",
        "theft",
        "handling",
        "fraud_forgery",
        "vehicle_theft",
    ),
    "drugs": ("drug_possession_supply", "drug_import_production"),
    "motoring": ("motoring_other", "drink_driving"),
    "breach": ("breach", "absconding_bail"),
    "other": ("other",),
}

assert sorted(g for gs in OFFENCE_FAMILIES.values() for g in gs) == sorted(OFFENCE_GROUPS)

#: Plain-language names of the need areas and pathways, for labels.
NEED_AREA_LABELS: dict[str, str] = {
    "accommodation": "accommodation",
    "education_training_employment": "education, training and employment",
    "finance": "finance",
    "relationships": "relationships",
    "lifestyle": "lifestyle and associates",
    "drugs": "drugs",
    "alcohol": "alcohol",
    "emotional_wellbeing": "emotional well-being",
    "thinking_behaviour": "thinking and behaviour",
    "attitudes": "attitudes",
}
PATHWAY_LABELS: dict[str, str] = {
    "accommodation": "accommodation",
    "education_training_employment": "education, training and employment",
    "finance_benefit_debt": "finance, benefit and debt",
    "children_families": "children and families",
    "drugs_alcohol": "drugs and alcohol",
    "health": "health",
    "attitudes_thinking_behaviour": "attitudes, thinking and behaviour",
    "lifestyle_associates": "lifestyle and associates",
}
FAMILY_LABELS: dict[str, str] = {
    "violence": "violence (incl. weapons, robbery)",
    "public_order": "public order and criminal damage",
    "sexual": "sexual",
    "acquisitive": "acquisitive (burglary, theft, handling, fraud, vehicle theft)",
    "drugs": "drugs",
    "motoring": "motoring (incl. drink driving)",
    "breach": "breach and absconding/bail",
    "other": "other",
}
OFFENCE_GROUP_LABELS: dict[str, str] = {
    "violence": "violence",
    "weapons": "weapons",
    "robbery": "robbery",
    "public_order": "public order",
    "sexual_adult": "sexual (adult victim)",
    "sexual_child": "sexual (child victim)",
    "burglary_domestic": "domestic burglary",
    "burglary_other": "non-domestic burglary",
    "criminal_damage": "criminal damage",
    "theft": "theft",
    "handling": "handling stolen goods",
    "fraud_forgery": "fraud and forgery",
    "vehicle_theft": "vehicle theft",
    "motoring_other": "other motoring",
    "drink_driving": "drink driving",
    "drug_possession_supply": "drug possession or supply",
    "drug_import_production": "drug import or production",
    "absconding_bail": "absconding or bail",
    "breach": "breach",
    "other": "other",
}

assert tuple(OFFENCE_GROUP_LABELS) == OFFENCE_GROUPS


@dataclass(frozen=True)
class Feature:
    """One model feature.

    Attributes
    ----------
    name : str
        Column name in ``FeatureTable.X``.
    meaning : str
        Exact definition, including what counts and the point-in-time rule.
    unit : str
        ``years``, ``months``, ``count``, ``score 0-2``, ``0/1``, ``log rate`` or ``category``.
    label : str
        Short plain-language label for tables and charts.
    template : str
        Phrase for reports; ``{value}`` is replaced by the formatted value.
    kind : str
        ``numeric``, ``binary`` or ``categorical``.
    source : str
        ``people``, ``offences`` or ``needs``.
    """

    name: str
    meaning: str
    unit: str
    label: str
    template: str
    kind: str
    source: str

    def describe(self, value: object) -> str:
        """The report phrase for ``value`` (``"3 sanction occasions …"``; "unknown" if NaN)."""
        return self.template.format(value=format_value(self, value))


def format_value(feature: Feature, value: object) -> str:
    """Format ``value`` of ``feature`` for a sentence: whole numbers without decimals,
    binary features as yes/no, missing values as ``unknown``."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "unknown"
    if feature.kind == "binary":
        return "yes" if float(value) >= 0.5 else "no"
    if feature.kind == "categorical":
        return str(value).replace("_", " ")
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.1f}" if feature.unit != "log rate" else f"{number:.2f}"


def _offence_history() -> list[Feature]:
    people = "people"
    off = "offences"
    point = "counting only offences proven (sanction_date) on or before the index date"
    items = [
        Feature(
            "age_at_index",
            "Age in whole years on the index date (start of follow-up).",
            "years",
            "Age",
            "aged {value}",
            "numeric",
            people,
        ),
        Feature(
            "sex",
            "Sex as recorded in people.sex (male / female); a feature by default, as in OGRS.",
            "category",
            "Sex",
            "{value}",
            "categorical",
            people,
        ),
        Feature(
            "index_offence",
            "Offence group of the current sanction (people.index_offence).",
            "category",
            "Current offence",
            "current offence: {value}",
            "categorical",
            people,
        ),
        Feature(
            "index_disposal",
            "Disposal of the current sanction; 'unknown' when not recorded.",
            "category",
            "Current disposal",
            "current disposal: {value}",
            "categorical",
            people,
        ),
        Feature(
            "sanction_occasions",
            "Number of sanction occasions (days with at least one proven offence, several "
            "offences proven on one day being one occasion) up to the index date, "
            f"{point}; the current sanction always counts once.",
            "count",
            "Sanction occasions",
            "{value} sanction occasions including the current one",
            "numeric",
            off,
        ),
        Feature(
            "first_sanction",
            "1 when the current sanction is the person's only sanction occasion so far.",
            "0/1",
            "First sanction",
            "first ever sanction: {value}",
            "binary",
            off,
        ),
        Feature(
            "age_at_first_sanction",
            "Age in whole years at the earliest sanction occasion (the current sanction when "
            f"there is no earlier one), {point}.",
            "years",
            "Age at first sanction",
            "first sanctioned at age {value}",
            "numeric",
            off,
        ),
        Feature(
            "years_first_to_current",
            "Age in whole years at the current sanction minus age at the first sanction "
            "(as in OGRS3).",
            "years",
            "Years from first to current sanction",
            "{value} years between first and current sanction",
            "numeric",
            off,
        ),
        Feature(
            "copas_rate",
            "Copas rate ln(sanction_occasions / (years_first_to_current + 10)): the rate of "
            "criminal career; higher means more sanctions in a shorter career.",
            "log rate",
            "Offending rate over the criminal career",
            "offending rate {value} (log of sanctions per year of career plus 10 years)",
            "numeric",
            off,
        ),
        Feature(
            "months_sanction_to_index",
            "Months from the current sanction (index_sanction_date) to the index date; for a "
            "release from custody, roughly the time served. Months of 365.25/12 days.",
            "months",
            "Months from current sanction to start of follow-up",
            "{value} months from current sanction to start of follow-up",
            "numeric",
            people,
        ),
        Feature(
            "previous_custodial_sentences",
            "Sanction occasions other than the current one with a custodial disposal "
            f"(disposal 'custody' or custody_days > 0), {point}.",
            "count",
            "Previous custodial sentences",
            "{value} previous custodial sentences",
            "numeric",
            off,
        ),
        Feature(
            "previous_sanctions_1y",
            "Sanction occasions other than the current one proven in the 12 calendar months "
            "up to and including the index date.",
            "count",
            "Other sanctions in the last year",
            "{value} other sanction occasions in the year before follow-up",
            "numeric",
            off,
        ),
        Feature(
            "previous_sanctions_2y",
            "Sanction occasions other than the current one proven in the 24 calendar months "
            "up to and including the index date.",
            "count",
            "Other sanctions in the last two years",
            "{value} other sanction occasions in the two years before follow-up",
            "numeric",
            off,
        ),
        Feature(
            "months_since_previous_sanction",
            "Months from the latest sanction occasion other than the current one to the "
            "index date; missing (NaN) when there is none (see first_sanction). Months of "
            "365.25/12 days.",
            "months",
            "Months since previous sanction",
            "{value} months since the previous sanction",
            "numeric",
            off,
        ),
        Feature(
            "months_previous_to_current",
            "Months from the latest sanction occasion before the current sanction to the "
            "current sanction (index_sanction_date): how recently the person had been "
            "sanctioned when sanctioned again; missing (NaN) when there is none. Months of "
            "365.25/12 days.",
            "months",
            "Months from previous to current sanction",
            "{value} months between the previous and the current sanction",
            "numeric",
            off,
        ),
        Feature(
            "years_in_custody",
            "Estimated years served in custody before the current sanction: half of each "
            "earlier occasion's custodial sentence (its longest custody_days; standard "
            f"determinate sentences are served to the halfway point), {point}; 0 when none.",
            "years",
            "Years in custody before",
            "about {value} years served in custody before",
            "numeric",
            off,
        ),
        Feature(
            "years_at_risk",
            "Years at liberty since the age of criminal responsibility (10) up to the current "
            "sanction: age at the current sanction minus 10 minus years_in_custody (time at "
            "risk of offending, over which sanction_occasions accumulated).",
            "years",
            "Years out of custody since age 10",
            "about {value} years out of custody since age 10",
            "numeric",
            off,
        ),
    ]
    for family, groups in OFFENCE_FAMILIES.items():
        items.append(
            Feature(
                f"offences_{family}",
                f"Number of proven offences ({', '.join(groups)}) {point}, including the "
                "current offence.",
                "count",
                f"{FAMILY_LABELS[family].capitalize()} offences",
                f"{{value}} proven {FAMILY_LABELS[family]} offences",
                "numeric",
                off,
            )
        )
    for group in OFFENCE_GROUPS:
        items.append(
            Feature(
                f"offence_count_{group}",
                f"Number of proven offences in the offence group {group} {point}, including "
                "the current offence.",
                "count",
                f"{OFFENCE_GROUP_LABELS[group].capitalize()} offences",
                f"{{value}} proven {OFFENCE_GROUP_LABELS[group]} offences",
                "numeric",
                off,
            )
        )
    return items


def _needs() -> list[Feature]:
    src = "needs"
    rule = (
        "from the latest assessment on or before the index date within the look-back "
        "(default 12 calendar months)"
    )
    items = [
        Feature(
            f"need_{area}",
            f"Score for {NEED_AREA_LABELS[area]} (0 no problem, 1 some problems, "
            f"2 significant problems) {rule}; NaN when not assessed.",
            "score 0-2",
            f"Need: {NEED_AREA_LABELS[area]}",
            f"{NEED_AREA_LABELS[area]} need score {{value}}",
            "numeric",
            src,
        )
        for area in NEED_AREAS
    ]
    history = (
        "averaged over every assessment on or before the index date, with no look-back "
        "limit (older assessments and repeated readings still carry information)"
    )
    items += [
        Feature(
            f"mean_need_{area}",
            f"Mean score for {NEED_AREA_LABELS[area]} {history}; NaN when never scored.",
            "score 0-2",
            f"Need over all assessments: {NEED_AREA_LABELS[area]}",
            f"{NEED_AREA_LABELS[area]} need score {{value}} on average over all assessments",
            "numeric",
            src,
        )
        for area in NEED_AREAS
    ]
    items += [
        Feature(
            "assessments_before_index",
            "Number of needs assessments on or before the index date, with no look-back "
            "limit; 0 when never assessed.",
            "count",
            "Needs assessments so far",
            "{value} needs assessments so far",
            "numeric",
            src,
        ),
        Feature(
            "needs_missing",
            f"1 when there is no needs assessment {rule}; the need features are then NaN.",
            "0/1",
            "No recent needs assessment",
            "not assessed within the look-back: {value}",
            "binary",
            src,
        ),
        Feature(
            "needs_count",
            f"Number of the ten need areas scored 1 or 2 {rule}; NaN without an assessment.",
            "count",
            "Number of needs",
            "{value} of ten areas assessed as a need",
            "numeric",
            src,
        ),
        Feature(
            "needs_pathways",
            f"Number of resettlement pathways with at least one area scored 1 or 2 {rule}; "
            "NaN without an assessment.",
            "count",
            "Pathways with a need",
            "needs on {value} resettlement pathways",
            "numeric",
            src,
        ),
    ]
    for pathway, areas in PATHWAYS.items():
        items.append(
            Feature(
                f"pathway_{pathway}",
                f"1 when any of {', '.join(areas)} is scored 1 or 2 {rule}; 0 when they are "
                "assessed and none is; NaN when none is assessed.",
                "0/1",
                f"Need in resettlement area: {PATHWAY_LABELS[pathway]}",
                f"a need (score 1 or 2) in the {PATHWAY_LABELS[pathway]} area of "
                "resettlement: {value}",
                "binary",
                src,
            )
        )
    return items


#: Every model feature, in the column order of ``FeatureTable.X``.
FEATURES: tuple[Feature, ...] = (*_offence_history(), *_needs())
#: Features a model derives from several catalogue features, explained as one.
DERIVED_FEATURES: tuple[Feature, ...] = (
    Feature(
        "offending_profile",
        "The offending profile the person most resembles, learnt from the training people by "
        "latent class analysis of the offence counts by group (breach excluded), the latest "
        "need levels, and the thirds of age and Copas rate: each profile has its own offence "
        "mix, need levels, ages and offending rate, and the model reads the person's "
        "probability of each profile. Its explanation is the profile probabilities' "
        "contribution together.",
        "category",
        "Offending profile (offence mix and needs)",
        "offence mix and needs most like {value}",
        "categorical",
        "offences and needs",
    ),
)
#: Features by name (those of the feature table, and the derived ones).
CATALOGUE: dict[str, Feature] = {f.name: f for f in (*FEATURES, *DERIVED_FEATURES)}
#: Names of the categorical features (strings in X).
CATEGORICAL_FEATURES: tuple[str, ...] = tuple(f.name for f in FEATURES if f.kind == "categorical")
#: Names of the numeric and binary features (float64 in X).
NUMERIC_FEATURES: tuple[str, ...] = tuple(f.name for f in FEATURES if f.kind != "categorical")


def feature_catalogue() -> pd.DataFrame:
    """The catalogue as a tidy table: one row per feature.

    Returns
    -------
    DataFrame
        Columns ``name``, ``label``, ``meaning``, ``unit``, ``kind``, ``source``, ``template``.

    Examples
    --------
    >>> table = feature_catalogue()
    >>> table.set_index("name").loc["sanction_occasions", "unit"]
    'count'
    >>> CATALOGUE["sanction_occasions"].describe(3.0)
    '3 sanction occasions including the current one'
    """
    return pd.DataFrame(
        [
            {
                "name": f.name,
                "label": f.label,
                "meaning": f.meaning,
                "unit": f.unit,
                "kind": f.kind,
                "source": f.source,
                "template": f.template,
            }
            for f in FEATURES
        ]
    )
