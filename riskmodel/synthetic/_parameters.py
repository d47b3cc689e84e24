"""Parameters of the synthetic generating process (documented in :mod:`riskmodel.synthetic`).

Every number the process uses lives here, with the curves built from them. Rates are per year
of time at liberty; times inside the generator are float days since 1970-01-01.
"""

from __future__ import annotations

import numpy as np

from riskmodel.contract._vocabulary import DISPOSALS, NEED_AREAS, OFFENCE_GROUPS

#: Bumped whenever the process changes, so that a population records what drew it.
GENERATOR_VERSION = "1.0"

DAYS_PER_YEAR = 365.25

# --- the hidden traits -------------------------------------------------------------------------

#: Shape (= rate) of the gamma prior of the individual propensity Z (mean 1, variance 1/k).
GAMMA_SHAPE = 2.0

#: Offence groups a person's own mix is drawn over (breach is recorded separately).
MIX_GROUPS: tuple[str, ...] = tuple(g for g in OFFENCE_GROUPS if g != "breach")
#: Concentration of each person's Dirichlet offence mix around their class's mix.
MIX_CONCENTRATION = 4.0

#: Latent classes ("criminogenic profiles") and what each is: ``rate`` scales the history
#: intensity, ``future`` the post-index intensity relative to it; ``prior`` is the weight at
#: age 30 for (male, female) and ``age_slope`` the change of its log per decade of age.
CLASS_TRAITS: dict[str, tuple[float, float, tuple[float, float], float]] = {
    # name: (rate, future, prior (male, female), age_slope)
    "acquisitive_drug": (1.6, 1.15, (0.20, 0.30), -0.10),
    "violent_alcohol": (0.9, 1.0, (0.18, 0.10), -0.10),
    "chaotic_versatile": (2.2, 1.2, (0.12, 0.10), -0.35),
    "domestic_relationships": (0.6, 1.05, (0.14, 0.10), 0.10),
    "motoring": (0.5, 0.7, (0.08, 0.04), 0.20),
    "low_need_situational": (0.35, 0.75, (0.12, 0.30), 0.20),
    "drug_supply": (0.9, 0.95, (0.10, 0.04), -0.40),
    "sexual": (0.25, 0.5, (0.06, 0.02), 0.45),
}
#: P(true score >= 1) of each class in each need area (in the order of ``NEED_AREAS``).
CLASS_NEEDS: dict[str, tuple[float, ...]] = {
    "acquisitive_drug": (0.40, 0.75, 0.55, 0.35, 0.70, 0.80, 0.18, 0.35, 0.96, 0.80),
    "violent_alcohol": (0.12, 0.50, 0.25, 0.40, 0.45, 0.15, 0.65, 0.28, 0.95, 0.80),
    "chaotic_versatile": (0.50, 0.82, 0.62, 0.50, 0.80, 0.60, 0.40, 0.42, 0.98, 0.90),
    "domestic_relationships": (0.15, 0.40, 0.25, 0.75, 0.22, 0.15, 0.35, 0.40, 0.97, 0.80),
    "motoring": (0.08, 0.35, 0.30, 0.15, 0.30, 0.12, 0.25, 0.10, 0.85, 0.55),
    "low_need_situational": (0.05, 0.30, 0.22, 0.15, 0.15, 0.06, 0.08, 0.15, 0.82, 0.45),
    "drug_supply": (0.12, 0.55, 0.40, 0.25, 0.75, 0.35, 0.12, 0.12, 0.93, 0.90),
    "sexual": (0.15, 0.35, 0.20, 0.55, 0.20, 0.05, 0.15, 0.35, 0.95, 0.65),
}
#: Offence-group weights of each class's mix (groups left out weigh nothing but the floor).
CLASS_MIX_WEIGHTS: dict[str, dict[str, int]] = {
    "acquisitive_drug": {
        "theft": 35, "burglary_domestic": 6, "burglary_other": 6, "handling": 7,
        "drug_possession_supply": 12, "fraud_forgery": 4, "vehicle_theft": 4, "robbery": 3,
        "violence": 6, "public_order": 4, "criminal_damage": 4, "absconding_bail": 5,
        "other": 3, "weapons": 2,
    },
    "violent_alcohol": {
        "violence": 40, "public_order": 18, "criminal_damage": 12, "weapons": 5,
        "drink_driving": 5, "theft": 5, "other": 5, "robbery": 2, "absconding_bail": 2,
        "motoring_other": 2,
    },
    "chaotic_versatile": {
        "violence": 14, "theft": 20, "burglary_domestic": 6, "burglary_other": 5,
        "criminal_damage": 8, "public_order": 8, "handling": 4, "vehicle_theft": 4,
        "drug_possession_supply": 8, "absconding_bail": 6, "weapons": 4, "robbery": 4,
        "motoring_other": 3, "fraud_forgery": 2, "other": 4,
    },
    "domestic_relationships": {
        "violence": 55, "criminal_damage": 15, "public_order": 10, "other": 12,
        "weapons": 2, "theft": 2, "drink_driving": 2,
    },
    "motoring": {
        "motoring_other": 45, "drink_driving": 28, "vehicle_theft": 6, "theft": 5,
        "other": 6, "public_order": 3, "violence": 4,
    },
    "low_need_situational": {
        "theft": 20, "fraud_forgery": 20, "violence": 15, "public_order": 10, "other": 15,
        "criminal_damage": 6, "handling": 3, "drug_possession_supply": 5,
        "motoring_other": 3,
    },
    "drug_supply": {
        "drug_possession_supply": 40, "drug_import_production": 8, "weapons": 10,
        "robbery": 5, "violence": 10, "handling": 5, "fraud_forgery": 5, "public_order": 4,
        "theft": 5, "motoring_other": 5, "other": 3,
    },
    "sexual": {
        "sexual_adult": 35, "sexual_child": 35, "violence": 10, "other": 12,
        "public_order": 3,
    },
}  # fmt: skip

CLASS_NAMES: tuple[str, ...] = tuple(CLASS_TRAITS)
N_CLASSES = len(CLASS_NAMES)
#: Overall scale of the history intensity (occasions per year at the peak of the age curve).
HISTORY_SCALE = 0.42
#: Overall scale of the future (post-index) intensity relative to the history intensity.
FUTURE_SCALE = 1.9
#: Intensity multiplier of women, relative to men, before and after the index date.
FEMALE_RATE = 0.7

_RATE, _FUTURE, _PRIOR, _AGE_SLOPE = zip(*(CLASS_TRAITS[c] for c in CLASS_NAMES), strict=True)
CLASS_RATE = np.array(_RATE) * HISTORY_SCALE
CLASS_FUTURE = CLASS_RATE * np.array(_FUTURE) * FUTURE_SCALE
CLASS_PRIOR = np.log(np.array(_PRIOR))  # (K, 2 sexes)
CLASS_AGE_SLOPE = np.array(_AGE_SLOPE)
_FLOOR = 0.3
CLASS_MIX = np.array(
    [[CLASS_MIX_WEIGHTS[c].get(g, 0.0) + _FLOOR for g in MIX_GROUPS] for c in CLASS_NAMES]
)
CLASS_MIX /= CLASS_MIX.sum(axis=1, keepdims=True)

# --- needs -------------------------------------------------------------------------------------

#: Share of needs that are significant (score 2) among true needs, by area.
SIGNIFICANT_SHARE = dict.fromkeys(NEED_AREAS, 0.4) | {
    "drugs": 0.5,
    "thinking_behaviour": 0.35,
    "attitudes": 0.35,
}
#: Calibration shift of each area's log-odds of a true need (to meet DOMAIN.md's prevalences
#: among the assessed, after the measurement error below).
NEED_SHIFT = {
    "accommodation": -0.997,
    "education_training_employment": 0.055,
    "finance": -0.416,
    "relationships": -0.649,
    "lifestyle": -0.174,
    "drugs": -0.875,
    "alcohol": -1.205,
    "emotional_wellbeing": -0.702,
    "thinking_behaviour": 1.151,
    "attitudes": 0.418,
}


#: A general level of need ("severity": low or high), independent of the profile, shifts the
#: log-odds of every area: needs cluster in people, as in OASys data.
SEVERE_SHARE = 0.4
SEVERITY_SHIFT = np.array([-0.9, 1.1])
SEVERITY_PRIOR = np.array([1 - SEVERE_SHARE, SEVERE_SHARE])


def _need_probabilities() -> np.ndarray:
    """P(true score = 0, 1, 2 | class, severity) per area: array (areas, classes, 2, 3)."""
    out = np.empty((len(NEED_AREAS), N_CLASSES, 2, 3))
    for a, area in enumerate(NEED_AREAS):
        p = np.array([CLASS_NEEDS[c][a] for c in CLASS_NAMES])
        logit = np.log(p / (1 - p))[:, None] + NEED_SHIFT[area] + SEVERITY_SHIFT[None, :]
        p = 1 / (1 + np.exp(-logit))
        q = SIGNIFICANT_SHARE[area]
        out[a] = np.stack([1 - p, p * (1 - q), p * q], axis=-1)
    return out


NEED_PROBABILITIES = _need_probabilities()
#: P(recorded score | true score): an assessment is a noisy reading of the current state.
NEED_MEASUREMENT = np.array(
    [
        [0.93, 0.06, 0.01],
        [0.06, 0.88, 0.06],
        [0.01, 0.07, 0.92],
    ]
)
#: Chance that one area of an assessment is left empty (not assessed), independently.
NEED_AREA_EMPTY = 0.02
#: Direct effects of the true accommodation and drugs scores on the future intensity.
ACCOMMODATION_EFFECT = np.array([1.0, 1.2, 1.45])
#: Direct effect of a high general level of need on the future intensity.
SEVERITY_EFFECT = np.array([1.0, 1.2])
DRUGS_EFFECT = np.array([1.0, 1.15, 1.4])
ACCOMMODATION = NEED_AREAS.index("accommodation")
DRUGS = NEED_AREAS.index("drugs")

#: Chance of being assessed at all, by index disposal.
ASSESSED_BY_DISPOSAL = {
    "custody": 0.80,
    "suspended_sentence": 0.74,
    "community_order": 0.78,
    "caution": 0.20,
    "fine": 0.25,
    "discharge": 0.20,
    "other": 0.50,
}

# --- the age-crime curve -----------------------------------------------------------------------

#: Knots (age in years, log intensity): piecewise exponential, peak at 19, from age 10.
AGE_KNOTS = np.array([10.0, 14.0, 17.0, 19.0, 23.0, 30.0, 40.0, 50.0, 60.0, 70.0, 110.0])
AGE_LOG_CURVE = np.array([-2.3, -0.9, -0.15, 0.0, -0.15, -0.5, -1.0, -1.5, -2.0, -2.5, -4.0])
CAREER_START_AGE = 10.0
PEAK_AGE = 19.0


def age_curve(age: np.ndarray) -> np.ndarray:
    """Relative offending intensity g(age) (1 at the peak, 0 before age 10)."""
    age = np.asarray(age, dtype=np.float64)
    out = np.exp(np.interp(age, AGE_KNOTS, AGE_LOG_CURVE))
    return np.where(age < CAREER_START_AGE, 0.0, out)


_SLOPES = np.diff(AGE_LOG_CURVE) / np.diff(AGE_KNOTS)
_SEGMENT_AREA = np.where(
    _SLOPES != 0,
    np.exp(AGE_LOG_CURVE[:-1])
    * np.expm1(_SLOPES * np.diff(AGE_KNOTS))
    / np.where(_SLOPES, _SLOPES, 1),
    np.exp(AGE_LOG_CURVE[:-1]) * np.diff(AGE_KNOTS),
)
_CUMULATIVE = np.concatenate([[0.0], np.cumsum(_SEGMENT_AREA)])


def age_curve_integral(age: np.ndarray) -> np.ndarray:
    """G(age) = integral of g from age 10 to ``age`` (years), exactly (closed form)."""
    age = np.clip(np.asarray(age, dtype=np.float64), AGE_KNOTS[0], AGE_KNOTS[-1])
    seg = np.clip(np.searchsorted(AGE_KNOTS, age, side="right") - 1, 0, len(_SLOPES) - 1)
    x = age - AGE_KNOTS[seg]
    s = _SLOPES[seg]
    base = np.exp(AGE_LOG_CURVE[seg])
    safe = np.where(s != 0, s, 1.0)
    part = np.where(s != 0, base * np.expm1(s * x) / safe, base * x)
    return _CUMULATIVE[seg] + part


# --- state dependence before the index date ----------------------------------------------------

#: Refractory time after a sanction occasion (and before the index sanction): several matters
#: are dealt with together, so no new occasion within this many days.
REFRACTORY_DAYS = 14.0
#: Intensity multiplier before any sanction.
FIRST_FACTOR = 1.0
#: Intensity multiplier by years at liberty since the last occasion (or release from custody).
GAP_EDGES_YEARS = np.array([0.0, 0.5, 1.0, 2.0, 4.0, np.inf])
GAP_FACTORS = np.array([2.0, 1.6, 1.3, 1.0, 0.7])
MAX_GAP_FACTOR = float(max(GAP_FACTORS.max(), FIRST_FACTOR))

# --- after the index date ----------------------------------------------------------------------

#: Future intensity multiplier by days since the index date (release or sentence).
FOLLOW_EDGES_DAYS = np.array([0.0, 91.0, 182.0, 365.0, np.inf])
FOLLOW_FACTORS = np.array([1.7, 1.4, 1.15, 0.95])
#: Offences on the index date itself do not count; the future process starts a day later.
FUTURE_START_DAYS = 1.0
#: Future multiplier by years between the last earlier occasion and the index sanction
#: ("momentum"); no earlier occasion at all: ``NO_PRIOR_FACTOR``.
RECENCY_EDGES_YEARS = np.array([0.0, 0.5, 1.0, 2.0, 5.0, np.inf])
RECENCY_FACTORS = np.array([1.35, 1.2, 1.05, 0.92, 0.75])
NO_PRIOR_FACTOR = 0.85
#: Future multiplier by index disposal.
DISPOSAL_FACTOR = {
    "custody": 1.4,
    "suspended_sentence": 0.95,
    "community_order": 1.0,
    "caution": 0.85,
    "fine": 0.9,
    "discharge": 0.9,
    "other": 1.0,
}
DISPOSAL_FACTORS = np.array([DISPOSAL_FACTOR[d] for d in DISPOSALS])
#: Chance of desisting at the index event (no offending afterwards at all): a hidden trait
#: drawn independently of everything else given the age at the index date.
DESIST_BASE, DESIST_PER_YEAR, DESIST_MAX = 0.07, 0.005, 0.35


def desistance(age_at_index: np.ndarray) -> np.ndarray:
    """P(desisting at the index event | age at the index date)."""
    return np.minimum(DESIST_MAX, DESIST_BASE + DESIST_PER_YEAR * np.maximum(age_at_index - 18, 0))


#: The future process is simulated this far (years) past the index date, for realism.
FUTURE_HORIZON_YEARS = 3.0

# --- proof delay (offence to sanction) ---------------------------------------------------------

#: Delay = minimum + a mixture of exponentials (days): quick, usual and slow (Crown Court).
DELAY_MIN_DAYS = 3.0
DELAY_WEIGHTS = np.array([0.55, 0.35, 0.10])
DELAY_MEANS = np.array([25.0, 110.0, 330.0])


def delay_cdf(days: np.ndarray) -> np.ndarray:
    """P(proof delay < ``days``)."""
    x = np.maximum(np.asarray(days, dtype=np.float64) - DELAY_MIN_DAYS, 0.0)
    survival = np.zeros_like(x)
    for weight, mean in zip(DELAY_WEIGHTS, DELAY_MEANS, strict=True):
        survival += weight * np.exp(-x / mean)
    return 1.0 - survival


# --- offences per occasion, disposals and sentences ---------------------------------------------

#: Extra offences proven on the same occasion ~ Poisson(this).
EXTRA_OFFENCES = 0.4
#: Chance that an occasion is a breach, within two years of a community or suspended sentence.
BREACH_SHARE = 0.18
BREACH_WINDOW_DAYS = 730.0
#: Seriousness of each offence group (raises custody odds and sentence length).
SEVERITY = {
    "violence": 0.6, "weapons": 0.8, "robbery": 2.0, "public_order": -0.3,
    "sexual_adult": 1.8, "sexual_child": 2.0, "burglary_domestic": 1.3, "burglary_other": 0.6,
    "criminal_damage": -0.3, "theft": 0.1, "handling": 0.1, "fraud_forgery": 0.3,
    "vehicle_theft": 0.2, "motoring_other": -0.8, "drink_driving": -0.6,
    "drug_possession_supply": 0.4, "drug_import_production": 2.2, "absconding_bail": 0.3,
    "breach": 0.5, "other": -0.2,
}  # fmt: skip
SEVERITIES = np.array([SEVERITY[g] for g in OFFENCE_GROUPS])
CUSTODY_INTERCEPT = -2.8
INDEX_CUSTODY_INTERCEPT = -2.0
YOUTH_CUSTODY_INTERCEPT = -4.2
CUSTODY_PER_PRIOR = 0.14
#: Weights of non-custodial disposals: adults, youths (under 18), index events.
ADULT_OTHER_DISPOSALS = {
    "fine": 1.0, "discharge": 0.4, "community_order": 1.6, "suspended_sentence": 0.8,
    "other": 0.1,
}  # fmt: skip
YOUTH_OTHER_DISPOSALS = {
    "caution": 1.5, "discharge": 0.8, "other": 2.0, "community_order": 0.8, "fine": 0.2,
}  # fmt: skip
INDEX_OTHER_DISPOSALS = {
    "community_order": 1.6, "suspended_sentence": 1.1, "fine": 0.1, "discharge": 0.07,
}  # fmt: skip
#: Caution weight of adults with no earlier occasion (else ``CAUTION_REPEAT``), and at index.
CAUTION_FIRST = 1.5
CAUTION_REPEAT = 0.15
INDEX_CAUTION_FIRST = 0.4
INDEX_CAUTION_REPEAT = 0.03
#: Custodial sentence: median days = base * exp(severity * slope) * (1 + per_prior * priors).
SENTENCE_BASE_DAYS = 90.0
SENTENCE_SEVERITY_SLOPE = 0.9
SENTENCE_PER_PRIOR = 0.02
SENTENCE_SIGMA = 0.6
SENTENCE_MIN_DAYS, SENTENCE_MAX_DAYS = 14, 3650

# --- people ------------------------------------------------------------------------------------

FEMALE_SHARE = 186 / 1338
#: Whole-year age at the index sanction: male band shares and within-band decay (years).
MALE_AGE_BANDS = ((18, 24, 0.345, 0.0), (25, 49, 0.565, 22.0), (50, 85, 0.09, 7.0))
FEMALE_AGE_BANDS = ((18, 24, 0.20, 0.0), (25, 49, 0.70, 25.0), (50, 80, 0.10, 8.0))
#: Index sanctions fall uniformly in this many years before the extract date ...
INDEX_SPAN_YEARS = 8.0
#: ... ending this many days before it.
INDEX_LAST_DAYS = 60
#: Share of people whose index occasion has no offence row (the contract's fallback).
INDEX_ROW_MISSING = 0.02

#: Ethnicity (ONS five groups): shares among the youngest (18-24) and oldest (50+), linear in
#: between. Ethnicity depends on age only: it carries no information about reoffending.
ETHNICITIES: tuple[str, ...] = ("white", "black", "asian", "mixed", "other")
ETHNICITY_YOUNG = np.array([0.70, 0.12, 0.08, 0.07, 0.03])
ETHNICITY_OLD = np.array([0.86, 0.05, 0.05, 0.02, 0.02])
#: Groups whose offences are recorded and proven more often when ``ethnicity_bias > 0``.
BIASED_ETHNICITIES: tuple[str, ...] = ("black", "mixed")

# --- after the index date: offences that never count -------------------------------------------

#: Offences committed before the index sanction but proven after the index date.
PENDING_BASE, PENDING_PER_PRIOR, PENDING_MAX = 0.06, 0.01, 0.25
#: Breaches of a community or suspended index sentence: Poisson(mean * sqrt(Z)).
BREACH_AFTER_MEAN = 0.3
