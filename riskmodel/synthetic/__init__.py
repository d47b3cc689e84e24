r"""Synthetic probation caseloads with a known, exact probability of reoffending.

:func:`generate_population` draws people, their whole offence record (before, at and after
the index event), needs assessments and outcomes, in the tables of DATA_CONTRACT.md, plus
``true_probability_2y``: the probability of the two-year proven-reoffending label given
everything recorded about the person on their index date (and ``true_probability_1y``, the
same for the one-year label: an offence within 12 months, proven within a further 6). No
model can do better on average,
so it is the yardstick of every model trained on these data. :func:`write_population` writes
a data directory; ``riskmodel synth`` does both. Every parameter is in
``riskmodel/synthetic/_parameters.py``.

The generating process
----------------------
**People.** Sex (13.9% women) and age at the index sanction (male bands 18–24 / 25–49 / 50+
weighted to the caseload mix of DOMAIN.md), the index sanction date uniform over the eight
years before the extract date (ending two months before it), so the latest third are
censored. Ethnicity (ONS five groups) depends on age only (younger people are more often from
minority groups) and on nothing else.

**Hidden traits.** Each person has

* a *profile* ``C`` among eight criminogenic profiles (acquisitive/drug-using, violent/
  alcohol, chaotic/versatile, domestic/relationships, motoring, low-need/situational, drug
  supply, sexual), with probabilities that depend on sex and age;
* a *propensity* ``Z ~ Gamma(k, rate k)`` (mean 1, ``k = 2``), independent of all else;
* an *own offence mix* ``θ ~ Dirichlet(4 · mix_C)`` over the 19 offence groups other than
  breach, so mixes differ by person around their profile's;
* a *general level of need* (high for 40%), independent of ``C``, shifting the log-odds of
  every need area (needs cluster in people);
* *true need scores* 0/1/2 in the ten areas, independent across areas given ``C`` and the
  level of need (so needs are correlated with each other and, through ``C``, with offending:
  drugs with acquisitive offending, alcohol with violence, relationships with domestic
  abuse, ...);
* *desistance* at the index event, with probability ``0.07 + 0.005 · (age − 18)`` (at most
  0.35), independent of everything else given age: a desister offends no more.

**Criminal career before the index sanction.** Sanction occasions (courts or cautions; several
offences dealt with on one day are one occasion) form a self-exciting point process from age
10 until 14 days before the index sanction, with conditional intensity (per year)

.. math:: Z \cdot a_C \cdot s \cdot b \cdot g(\mathrm{age}) \cdot r(\text{time at liberty
          since the last occasion})

where ``a_C`` is the profile's rate, ``s`` 0.7 for women, ``b`` the measurement-bias factor
(below), ``g`` a piecewise-exponential age–crime curve peaking at 19, and ``r`` a state
dependence (2.0 in the first half year after an occasion or release, falling to 0.7 after
four crime-free years; 1.0 before any occasion). The intensity is zero in custody (half of the
custodial sentence) and for 14 days after each occasion. Each occasion has ``1 + Poisson(0.4)``
offences with groups drawn from ``θ`` (or is a breach, with probability 0.18 within two years of
a community or suspended sentence), offence dates a proof delay before the sanction date, and a
disposal (caution, fine, discharge, community order, suspended sentence, custody with
``custody_days``) that depends on age, earlier occasions and the offence's seriousness. Age at
onset, offending frequency and custody thus all vary by person.

**The index event.** Its offence is drawn from ``θ``; its disposal depends on earlier
occasions and seriousness (about a third custody). For custody, ``index_sanction_date`` is the
sentencing date and ``index_date`` the release date, half the sentence later; otherwise the two
dates are equal. 2% of people have no offence row for the index occasion (the contract's
fallback takes it from ``people``).

**Needs assessments.** 20–80% of people are assessed, by index disposal (about 74% have at
least one assessment; 25–27% never do).
Most assessed people have one shortly before the index date (80% within six months, 12% within
6–12 months, 8% earlier than that), some an older one (one to four years before) or a later one
(after the index date; not in the record, so point-in-time matters); 5% of the assessed only a
later one. Each assessment reads the true scores with error (a 6–12% chance of a neighbouring
score) and leaves 2% of areas empty.

**Outcomes.** After the index date, non-breach offences are committed as a Poisson process with
intensity ``Z · a_C · f_C · h(level, accommodation, drugs) · s · b · g(age) · u(t) · m · d`` (0
for a desister), where ``f_C`` scales the profile's future rate, ``h`` is the direct effect of
the general level of need (1.2 when high) and the true accommodation and drugs scores (up to
1.45 and 1.4), ``u`` is high just after release or sentence (1.7 in the first
three months, 0.95 after a year), ``m`` depends on the time between the previous occasion and
the index sanction (the momentum of recent offending: 1.35 within six months, 0.75 after five
years, 0.85 with no earlier occasion) and ``d`` on the index disposal (1.4 after custody). Each
is proven after a delay of ``3 days + a mixture of exponentials`` (means 25, 110 and 330 days),
so some offences of the follow-up are proven after the six-month waiting period and do not
count. Breaches of community and suspended index sentences, and offences committed before
the index sanction but proven after the index date, are added; neither counts. Only offences
proven by the extract date are in the tables.

The effects of history are thus non-linear and interacting by construction: the propensity is
learnt from the number of occasions *relative to* the time at liberty since age 10 weighted by
the age curve (an age × history interaction, the Copas rate of OGRS), on top of recency, age,
custody and needs.

Why the truth is exact
----------------------
The record is: people (sex, date of birth, ethnicity, index dates, offence and disposal), the
offences proven on or before the index date, and the assessments made on or before it. Given
``C`` and ``Z``, the likelihood of the recorded history is that of a point process,
``Π (Z a_C φ(t_i)) · exp(−Z a_C M)``, where ``φ`` and its integral ``M`` (the *history
exposure*) depend only on the record (dates of birth and occasions, custody days, sex and
ethnicity). Everything else recorded is either drawn from the record alone (disposals,
sentences, the number of offences per occasion, delays, assessment dates, missing areas,
ethnicity) or is a known function of the hidden traits: offence groups (Dirichlet-multinomial
given ``C``) and assessed scores (given the true scores). Hence, with ``n`` earlier occasions,

* ``Z | C, record ~ Gamma(k + n, k + a_C M)`` (gamma–Poisson conjugacy);
* ``P(C, level of need, true accommodation, true drugs | record)`` is computed exactly by
  enumerating the 8 × 2 × 3 × 3 states, with weights prior × ``a_C^n (k + a_C M)^{−(k + n)}`` × the
  Dirichlet-multinomial likelihood of the recorded groups × the needs likelihood (the other
  eight areas summed over their true score); the level of need and true scores are
  independent of ``Z`` and of the history given ``C``;
* the counting offences (committed in ``(index, index + 24 months]``, proven by
  ``index + 30 months``) are a thinned Poisson process with mean ``Z · Λ``, where
  ``Λ = a_C f_C h · s b m d · ∫ g(age) u(t) P(delay < proof_end + 1 − t) dt`` over the
  follow-up (Gauss–Legendre quadrature, error below 1e-6);

so ``P(label = 1 | record) = (1 − P(desist | age)) · Σ_states P(state | record) ·
[1 − (1 + Λ_state / (k + a_C M))^{−(k + n)}]``. Censoring does not matter (the truth is
defined for everyone); the only approximation is that event times inside a day are kept by the
generator while the tables round them to the day, which changes nothing measurable.
``population.latent`` keeps the hidden traits, the posterior profile probabilities and the
probability given the traits, for checks.

Ethnicity and the measurement-bias knob
---------------------------------------
Ethnicity is **not causal** and, with the default ``ethnicity_bias=0``, carries no information
about the record or the outcome beyond age. With ``ethnicity_bias = β > 0``, offences of people
recorded as ``black`` or ``mixed`` are recorded and proven ``1 + β`` times as often as the
same behaviour of anyone else (``b`` above, before and after the index date): their histories
look longer and their proven-reoffending labels are more often 1, although their underlying
offending is the same. The truth then conditions on ethnicity (it is in the record) and stays
exact for the biased label; fairness studies can compare models with and without the bias.

Examples
--------
>>> from riskmodel.synthetic import generate_population
>>> pop = generate_population(500, seed=3)
>>> len(pop.people), sorted(pop.metadata)[:2]
(500, ['biased_ethnicities', 'ethnicity_bias'])
>>> bool(pop.truth["true_probability_2y"].between(0, 1).all())
True
"""

from riskmodel.synthetic._generate import (
    BAD_ETHNICITY_BIAS,
    BAD_EXTRACT_DATE,
    BAD_N_PEOPLE,
    BAD_SEED,
    NEEDS_COLUMNS,
    OFFENCE_COLUMNS,
    PEOPLE_COLUMNS,
    TRUTH_COLUMNS,
    SyntheticPopulation,
    generate_population,
)
from riskmodel.synthetic._parameters import BIASED_ETHNICITIES, ETHNICITIES, GENERATOR_VERSION
from riskmodel.synthetic._programme import (
    PROGRAMME_COLUMNS,
    programme_selection,
    recorded_need_total,
    with_programme,
)
from riskmodel.synthetic._write import FILES, write_csv, write_population

__all__ = [
    "BAD_ETHNICITY_BIAS",
    "BAD_EXTRACT_DATE",
    "BAD_N_PEOPLE",
    "BAD_SEED",
    "BIASED_ETHNICITIES",
    "ETHNICITIES",
    "FILES",
    "GENERATOR_VERSION",
    "NEEDS_COLUMNS",
    "OFFENCE_COLUMNS",
    "PEOPLE_COLUMNS",
    "PROGRAMME_COLUMNS",
    "TRUTH_COLUMNS",
    "SyntheticPopulation",
    "generate_population",
    "programme_selection",
    "recorded_need_total",
    "with_programme",
    "write_csv",
    "write_population",
]
