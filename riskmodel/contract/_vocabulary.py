"""Controlled vocabularies of the data contract (DATA_CONTRACT.md)."""

from __future__ import annotations

SEXES: tuple[str, ...] = ("male", "female")

OFFENCE_GROUPS: tuple[str, ...] = (
    "violence",
    "weapons",
    "robbery",
    "public_order",
    "sexual_adult",
    "sexual_child",
    "burglary_domestic",
    "burglary_other",
    "criminal_damage",
    "theft",
    "handling",
    "fraud_forgery",
    "vehicle_theft",
    "motoring_other",
    "drink_driving",
    "drug_possession_supply",
    "drug_import_production",
    "absconding_bail",
    "breach",
    "other",
)

DISPOSALS: tuple[str, ...] = (
    "custody",
    "suspended_sentence",
    "community_order",
    "fine",
    "discharge",
    "caution",
    "other",
)

NEED_AREAS: tuple[str, ...] = (
    "accommodation",
    "education_training_employment",
    "finance",
    "relationships",
    "lifestyle",
    "drugs",
    "alcohol",
    "emotional_wellbeing",
    "thinking_behaviour",
    "attitudes",
)

#: Need score values: 0 no problem, 1 some problems, 2 significant problems.
NEED_SCORES: tuple[int, ...] = (0, 1, 2)

#: Resettlement pathway of each need area; ``lifestyle`` stands on its own.
PATHWAYS: dict[str, tuple[str, ...]] = {
    "accommodation": ("accommodation",),
    "education_training_employment": ("education_training_employment",),
    "finance_benefit_debt": ("finance",),
    "children_families": ("relationships",),
    "drugs_alcohol": ("drugs", "alcohol"),
    "health": ("emotional_wellbeing",),
    "attitudes_thinking_behaviour": ("thinking_behaviour", "attitudes"),
    "lifestyle_associates": ("lifestyle",),
}

#: Caseload cohorts, from sex and whole-year age on the index date.
COHORTS: tuple[str, ...] = ("young_male", "adult_male", "mature_male", "female")

#: Age bands used in reports: (label, lowest age, highest age or None).
AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("18-20", 18, 20),
    ("21-24", 21, 24),
    ("25-29", 25, 29),
    ("30-39", 30, 39),
    ("40-49", 40, 49),
    ("50+", 50, None),
)

#: People younger than this on the index date belong to youth justice.
MINIMUM_AGE = 18
#: An age above this on the index date is not plausible (a wrong date of birth).
MAXIMUM_AGE = 110
#: custody_days above 100 years of days is not plausible.
MAXIMUM_CUSTODY_DAYS = 36_525
#: Every date of the contract lies in this range (first day, and the day after the last).
EARLIEST_DATE, DATES_END = "1900-01-01", "2100-01-01"

#: The outcome: offences in the 24 months after the index date, proven within 6 more.
FOLLOW_UP_MONTHS = 24
WAITING_MONTHS = 6
