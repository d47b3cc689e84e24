"""``generate_population``: draw people, records, needs and outcomes, and the exact truth."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError
from riskmodel._provenance import GENERATOR
from riskmodel.contract import _schema as schema
from riskmodel.contract._messages import BAD_EXTRACT_DATE
from riskmodel.contract._tables import EventTables
from riskmodel.contract._vocabulary import (
    DISPOSALS,
    FOLLOW_UP_MONTHS,
    NEED_AREAS,
    OFFENCE_GROUPS,
    WAITING_MONTHS,
)
from riskmodel.synthetic import _parameters as par
from riskmodel.synthetic import _process as proc
from riskmodel.synthetic._messages import (
    BAD_ETHNICITY_BIAS,
    BAD_N_PEOPLE,
    BAD_SEED,
)
from riskmodel.synthetic._truth import class_log_prior, true_probability

#: The columns of each table as the data contract orders them.
PEOPLE_COLUMNS: tuple[str, ...] = tuple(column.name for column in schema.PEOPLE)
OFFENCE_COLUMNS: tuple[str, ...] = tuple(column.name for column in schema.OFFENCES)
NEEDS_COLUMNS: tuple[str, ...] = tuple(column.name for column in schema.NEEDS)
TRUTH_COLUMNS: tuple[str, ...] = ("person_id", "true_probability_2y", "true_probability_1y")
#: The one-year horizon of ``true_probability_1y`` (the proof period is the same).
ONE_YEAR_MONTHS = 12


@dataclass
class SyntheticPopulation(EventTables):
    """A synthetic population: the contract's three tables, the truth and metadata.

    Attributes
    ----------
    people, offences, needs : DataFrame
        The contract's tables (DATA_CONTRACT.md), dates as ISO ``YYYY-MM-DD`` strings,
        ``custody_days`` and need scores as nullable integers.
    truth : DataFrame
        ``person_id``, ``true_probability_2y``: P(two-year proven reoffending | everything
        recorded on the index date), and ``true_probability_1y``: the same at one year (an
        offence within 12 months, proven within a further 6).
    metadata : dict
        ``extract_date`` (ISO string), ``seed``, ``n_people``, ``ethnicity_bias``,
        ``generator_version`` and counts.
    latent : DataFrame
        The hidden traits and workings, for research on the generator (never written with the
        data: no real extract has them): ``profile``, ``propensity``, ``desisted``, the true
        accommodation and drugs scores, ``probability_given_traits`` (the label's probability
        given the traits as well as the record; its mean given the record is the truth),
        the two exposures and ``posterior_<profile>`` (P(profile | record)).
    """

    truth: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)
    latent: pd.DataFrame | None = None


def _check_arguments(
    n_people: object, seed: object, extract_date: object, ethnicity_bias: object
) -> tuple[int, int, int, float]:
    if isinstance(n_people, bool) or not isinstance(n_people, int | np.integer) or n_people < 1:
        raise ConfigError(BAD_N_PEOPLE.format(value=n_people))
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(BAD_SEED.format(value=seed))
    text = str(extract_date).strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        extract = pd.Timestamp(text)
    except ValueError:
        raise ConfigError(BAD_EXTRACT_DATE.format(value=extract_date)) from None
    if not (pd.Timestamp("1990-01-01") <= extract <= pd.Timestamp("2150-12-31")):
        raise ConfigError(BAD_EXTRACT_DATE.format(value=extract_date))
    try:
        bias = float(ethnicity_bias)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(BAD_ETHNICITY_BIAS.format(value=ethnicity_bias)) from None
    if not math.isfinite(bias) or bias < 0:
        raise ConfigError(BAD_ETHNICITY_BIAS.format(value=ethnicity_bias))
    extract_day = int(np.datetime64(extract.date(), "D").astype(np.int64))
    return int(n_people), int(seed), extract_day, bias


def _iso(days: np.ndarray) -> np.ndarray:
    """ISO date strings of integer day numbers (formatting each distinct day once)."""
    days = np.asarray(days, dtype=np.int64)
    if days.size == 0:
        return np.zeros(0, dtype=object)
    unique, inverse = np.unique(days, return_inverse=True)
    return unique.astype("datetime64[D]").astype(str).astype(object)[inverse]


def _draw_ages(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """Age in years (continuous) at the index sanction."""
    n = len(female)
    age = np.empty(n)
    for sex_value, bands in ((False, par.MALE_AGE_BANDS), (True, par.FEMALE_AGE_BANDS)):
        who = np.flatnonzero(female == sex_value)
        shares = np.array([b[2] for b in bands])
        band = proc.draw_categorical(
            rng, np.broadcast_to(np.cumsum(shares / shares.sum()), (who.size, len(bands)))
        )
        u = rng.random(who.size)
        low = np.array([b[0] for b in bands], dtype=float)[band]
        width = np.array([b[1] - b[0] + 1 for b in bands], dtype=float)[band]
        decay = np.array([b[3] for b in bands], dtype=float)[band]
        # Uniform (decay 0) or exponential decay within the band, truncated to its width.
        safe = np.where(decay > 0, decay, 1.0)
        expo = -safe * np.log1p(-u * -np.expm1(-width / safe))
        age[who] = low + np.where(decay > 0, expo, u * width)
    return age


def generate_population(
    n_people: int,
    *,
    seed: int,
    extract_date: str = "2026-06-30",
    ethnicity_bias: float = 0.0,
) -> SyntheticPopulation:
    """Draw a synthetic probation caseload with known two-year reoffending probabilities.

    The generating process (criminal careers as a self-exciting point process with a hidden
    propensity and profile, needs assessments, outcomes with proof delays) and why
    ``true_probability_2y`` is exact are described in :mod:`riskmodel.synthetic`.

    Parameters
    ----------
    n_people : int
        Number of people (one index event each).
    seed : int
        Seed of the random generator: the same seed gives identical tables.
    extract_date : str
        The data's extract date (ISO); index dates fall in the eight years before it, so the
        latest people are censored.
    ethnicity_bias : float
        Measurement bias: offences of people in :data:`BIASED_ETHNICITIES` are recorded and
        proven ``1 + ethnicity_bias`` times as often as the same behaviour of others. 0 (the
        default) means ethnicity carries no information about the record or the outcome.

    Returns
    -------
    SyntheticPopulation

    Raises
    ------
    ConfigError
        For a non-positive ``n_people``, a negative seed, an unreadable extract date or a
        negative bias.

    Examples
    --------
    >>> pop = generate_population(200, seed=1)
    >>> list(pop.truth.columns)
    ['person_id', 'true_probability_2y', 'true_probability_1y']
    >>> pop.people["person_id"].iloc[0], pop.metadata["extract_date"]
    ('P0000001', '2026-06-30')
    """
    n, seed, extract_day, bias = _check_arguments(n_people, seed, extract_date, ethnicity_bias)
    rng = np.random.default_rng(seed)

    # --- who: sex, age, index sanction date, ethnicity -------------------------------------
    female = rng.random(n) < par.FEMALE_SHARE
    age_at_sanction = _draw_ages(rng, female)
    span_days = round(par.INDEX_SPAN_YEARS * par.DAYS_PER_YEAR)
    sanction_day = extract_day - par.INDEX_LAST_DAYS - rng.integers(0, span_days, size=n)
    born = sanction_day - np.round(age_at_sanction * par.DAYS_PER_YEAR).astype(np.int64)
    under = proc.whole_years_days(born, sanction_day) < 18
    born[under] -= 366
    age_at_sanction = (sanction_day - born) / par.DAYS_PER_YEAR
    young_share = np.clip((age_at_sanction - 24.0) / 26.0, 0.0, 1.0)[:, None]
    eth_probs = (1 - young_share) * par.ETHNICITY_YOUNG + young_share * par.ETHNICITY_OLD
    ethnicity = proc.draw_categorical(rng, np.cumsum(eth_probs, axis=1))
    biased = np.isin(ethnicity, [par.ETHNICITIES.index(e) for e in par.BIASED_ETHNICITIES])
    record_rate = np.where(biased, 1.0 + bias, 1.0) * np.where(female, par.FEMALE_RATE, 1.0)

    # --- hidden traits: profile, propensity, own offence mix, true needs --------------------
    prior = class_log_prior(female, age_at_sanction)
    prior_p = np.exp(prior - prior.max(axis=1, keepdims=True))
    klass = proc.draw_categorical(rng, np.cumsum(prior_p, axis=1))
    propensity = rng.gamma(par.GAMMA_SHAPE, 1.0 / par.GAMMA_SHAPE, size=n)
    alpha = par.MIX_CONCENTRATION * par.CLASS_MIX[klass]
    mix = rng.gamma(alpha)
    mix_cum = np.cumsum(mix, axis=1)
    mix_cum /= mix_cum[:, -1:]
    severe = rng.random(n) < par.SEVERE_SHARE
    true_needs = proc.draw_true_needs(rng, klass, severe)

    # --- criminal career before the index sanction ------------------------------------------
    start = born + par.CAREER_START_AGE * par.DAYS_PER_YEAR
    end = sanction_day - par.REFRACTORY_DAYS
    history = proc.simulate_history(
        rng,
        intensity=propensity * par.CLASS_RATE[klass] * record_rate,
        born=born.astype(float),
        start=start,
        end=end.astype(float),
        mix_cum=mix_cum,
    )
    exposure = record_rate * proc.history_exposure(
        history, born=born.astype(float), start=start, end=end.astype(float)
    )
    n_history = np.bincount(history.person, minlength=n)
    history_day = np.floor(history.time).astype(np.int64)
    last_prior_day = np.full(n, -1, dtype=np.int64)
    last_prior_day[history.person] = history_day  # sorted by time: the last write wins

    # --- the index event ---------------------------------------------------------------------
    index_group = proc.draw_groups(rng, mix_cum, np.arange(n))
    index_disposal, index_days = proc.draw_disposals(
        rng, age_at_sanction, n_history, index_group, index=True
    )
    # A release cannot fall after the extract date (the person would not be in it).
    room = extract_day - 1 - sanction_day
    index_days = np.where(index_days > 0, np.minimum(index_days, 2 * room), index_days)
    served = np.where(index_days > 0, index_days // 2, 0)
    index_day = sanction_day + served
    age_at_index = (index_day - born) / par.DAYS_PER_YEAR

    # --- offence rows up to the index date -----------------------------------------------------
    occ_extra = rng.poisson(par.EXTRA_OFFENCES, size=len(history.person))
    occ_extra[history.group == proc.BREACH] = 0
    rows_per = 1 + occ_extra
    h_person = np.repeat(history.person, rows_per)
    h_sanction = np.repeat(history_day, rows_per)
    first_row = np.zeros(len(h_person), dtype=bool)
    first_row[np.cumsum(rows_per) - rows_per] = True
    h_group = np.where(
        first_row, np.repeat(history.group, rows_per), proc.draw_groups(rng, mix_cum, h_person)
    )
    h_offence = h_sanction - np.floor(proc.draw_delays(rng, len(h_person))).astype(np.int64)
    h_offence = np.minimum(np.maximum(h_offence, born[h_person] + 3653), h_sanction)
    history_rows = proc.Events(
        h_person,
        h_offence,
        h_sanction,
        h_group,
        np.repeat(history.disposal, rows_per),
        np.repeat(history.custody_days, rows_per),
    )
    with_row = rng.random(n) >= par.INDEX_ROW_MISSING
    i_extra = rng.poisson(par.EXTRA_OFFENCES, size=n)
    i_rows = (1 + i_extra) * with_row
    i_person = np.repeat(np.arange(n), i_rows)
    i_first = np.zeros(len(i_person), dtype=bool)
    i_first[np.cumsum(i_rows)[with_row] - i_rows[with_row]] = True
    i_group = np.where(i_first, index_group[i_person], proc.draw_groups(rng, mix_cum, i_person))
    i_offence = sanction_day[i_person] - np.floor(proc.draw_delays(rng, len(i_person))).astype(
        np.int64
    )
    i_offence = np.minimum(np.maximum(i_offence, born[i_person] + 3653), sanction_day[i_person])
    index_rows = proc.Events(
        i_person,
        i_offence,
        sanction_day[i_person],
        i_group,
        index_disposal[i_person],
        index_days[i_person],
    )

    # --- needs assessments ---------------------------------------------------------------------
    assessed_p = np.array([par.ASSESSED_BY_DISPOSAL[d] for d in DISPOSALS])[index_disposal]
    assessed = rng.random(n) < assessed_p
    main = assessed & (rng.random(n) < 0.95)
    only_later = assessed & ~main
    lag_kind = proc.draw_categorical(rng, np.broadcast_to([0.80, 0.92, 1.0], (n, 3)))
    lag = np.choose(
        lag_kind,
        [rng.integers(0, 181, n), rng.integers(181, 366, n), rng.integers(366, 541, n)],
    )
    main_day = index_day - lag
    older = main & (rng.random(n) < 0.30)
    older_day = main_day - rng.integers(365, 1461, n)
    older &= older_day >= born + 6575  # assessments are of adults
    later = (main & (rng.random(n) < 0.35)) | only_later
    later_day = index_day + rng.integers(60, 451, n)
    later &= later_day <= extract_day
    a_person = np.concatenate([np.flatnonzero(main), np.flatnonzero(older), np.flatnonzero(later)])
    a_day = np.concatenate([main_day[main], older_day[older], later_day[later]])
    a_scores = proc.observe_needs(rng, true_needs[a_person])

    # --- the future ------------------------------------------------------------------------------
    follow_end = proc.add_months_days(index_day, FOLLOW_UP_MONTHS) - index_day
    proof_end = proc.add_months_days(index_day, FOLLOW_UP_MONTHS + WAITING_MONTHS) - index_day
    effect = (
        par.ACCOMMODATION_EFFECT[true_needs[:, par.ACCOMMODATION]]
        * par.DRUGS_EFFECT[true_needs[:, par.DRUGS]]
        * par.SEVERITY_EFFECT[severe.astype(np.int64)]
    )
    known_factor = (
        record_rate
        * proc.recency_factor(last_prior_day, sanction_day)
        * par.DISPOSAL_FACTORS[index_disposal]
    )
    desist = rng.random(n) < par.desistance(age_at_index)
    horizon = np.minimum(extract_day - index_day, par.FUTURE_HORIZON_YEARS * par.DAYS_PER_YEAR)
    f_person, f_t = proc.simulate_future(
        rng,
        intensity=propensity * par.CLASS_FUTURE[klass] * effect * known_factor * ~desist,
        age_at_index=age_at_index,
        horizon=horizon.astype(float),
    )
    f_delay = proc.draw_delays(rng, len(f_person))
    f_offence = index_day[f_person] + np.floor(f_t).astype(np.int64)
    f_sanction = index_day[f_person] + np.floor(f_t + f_delay).astype(np.int64)
    f_group = proc.draw_groups(rng, mix_cum, f_person)
    f_disposal, f_days = proc.draw_disposals(
        rng, age_at_index[f_person] + f_t / par.DAYS_PER_YEAR, n_history[f_person] + 1, f_group
    )
    f_extra = rng.poisson(par.EXTRA_OFFENCES, size=len(f_person))
    e_src = np.repeat(np.arange(len(f_person)), f_extra)
    e_person = f_person[e_src]
    room_days = np.minimum(f_sanction[e_src] - f_offence[e_src], 7)
    e_offence = f_offence[e_src] + np.floor(rng.random(len(e_src)) * (room_days + 1)).astype(
        np.int64
    )
    future_rows = proc.Events(
        np.concatenate([f_person, e_person]),
        np.concatenate([f_offence, e_offence]),
        np.concatenate([f_sanction, f_sanction[e_src]]),
        np.concatenate([f_group, proc.draw_groups(rng, mix_cum, e_person)]),
        np.concatenate([f_disposal, f_disposal[e_src]]),
        np.concatenate([f_days, f_days[e_src]]),
    )

    # Offences committed before the index sanction, proven after the index date.
    pending_p = np.minimum(par.PENDING_MAX, par.PENDING_BASE + par.PENDING_PER_PRIOR * n_history)
    p_person = np.flatnonzero(rng.random(n) < pending_p)
    p_offence = sanction_day[p_person] - rng.integers(7, 366, len(p_person))
    p_offence = np.maximum(p_offence, born[p_person] + 3653)
    p_sanction = index_day[p_person] + rng.integers(1, 271, len(p_person))
    p_group = proc.draw_groups(rng, mix_cum, p_person)
    p_disposal, p_days = proc.draw_disposals(
        rng, (p_sanction - born[p_person]) / par.DAYS_PER_YEAR, n_history[p_person] + 1, p_group
    )
    pending_rows = proc.Events(p_person, p_offence, p_sanction, p_group, p_disposal, p_days)

    # Breaches of a community or suspended index sentence (never counted as reoffending).
    on_order = (index_disposal == proc.COMMUNITY) | (index_disposal == proc.SUSPENDED)
    b_count = np.where(on_order, rng.poisson(par.BREACH_AFTER_MEAN * np.sqrt(propensity)), 0)
    b_person = np.repeat(np.arange(n), b_count)
    b_offence = index_day[b_person] + rng.integers(14, 541, len(b_person))
    b_sanction = b_offence + rng.integers(7, 61, len(b_person))
    b_custody = rng.random(len(b_person)) < 0.25
    breach_rows = proc.Events(
        b_person,
        b_offence,
        b_sanction,
        np.full(len(b_person), proc.BREACH),
        np.where(b_custody, proc.CUSTODY, proc.COMMUNITY),
        np.where(b_custody, rng.integers(28, 181, len(b_person)), proc.NO_DAYS),
    )
    after = proc.Events.concat([future_rows, pending_rows, breach_rows])
    after = after.select(after.sanction_day <= extract_day)

    # --- the truth: P(label | record) ---------------------------------------------------------
    mix_index = {code: i for i, code in enumerate(proc.MIX_CODES)}
    record_rows = proc.Events.concat([history_rows, index_rows])
    counted = record_rows.group != proc.BREACH
    mix_counts = np.zeros((n, len(proc.MIX_CODES)))
    lookup = np.full(len(OFFENCE_GROUPS), -1)
    lookup[list(mix_index)] = list(mix_index.values())
    np.add.at(mix_counts, (record_rows.person[counted], lookup[record_rows.group[counted]]), 1)
    no_row = np.flatnonzero(~with_row)
    mix_counts[no_row, lookup[index_group[no_row]]] += 1
    in_record = a_day <= index_day[a_person]
    need_counts = np.zeros((n, len(NEED_AREAS), 3))
    for value in range(3):
        hits = (a_scores == value) & in_record[:, None]
        rows, areas = np.nonzero(hits)
        np.add.at(need_counts, (a_person[rows], areas, value), 1)
    counting = known_factor * proc.counting_exposure(age_at_index, follow_end, proof_end)
    follow_end_1y = proc.add_months_days(index_day, ONE_YEAR_MONTHS) - index_day
    proof_end_1y = proc.add_months_days(index_day, ONE_YEAR_MONTHS + WAITING_MONTHS) - index_day
    counting_1y = known_factor * proc.counting_exposure(age_at_index, follow_end_1y, proof_end_1y)
    (truth, truth_1y), posterior = true_probability(
        class_prior=prior,
        n_history=n_history,
        history_exposure=exposure,
        mix_counts=mix_counts,
        need_counts=need_counts,
        counting_exposure=(counting, counting_1y),
    )
    truth = (1.0 - par.desistance(age_at_index)) * truth
    truth_1y = (1.0 - par.desistance(age_at_index)) * truth_1y
    # The same probability given the hidden traits too (desistance still integrated out).
    given_traits = (1.0 - par.desistance(age_at_index)) * -np.expm1(
        -propensity * par.CLASS_FUTURE[klass] * effect * counting
    )

    # --- tables --------------------------------------------------------------------------------
    ids = np.array([f"P{i:07d}" for i in range(1, n + 1)], dtype=object)
    people = pd.DataFrame(
        {
            "person_id": ids,
            "date_of_birth": _iso(born),
            "sex": np.where(female, "female", "male").astype(object),
            "index_date": _iso(index_day),
            "index_offence": np.array(OFFENCE_GROUPS, dtype=object)[index_group],
            "index_sanction_date": _iso(sanction_day),
            "index_disposal": np.array(DISPOSALS, dtype=object)[index_disposal],
            "ethnicity": np.array(par.ETHNICITIES, dtype=object)[ethnicity],
        }
    )
    rows = proc.Events.concat([history_rows, index_rows, after])
    order = np.lexsort((rows.offence_day, rows.sanction_day, rows.person))
    rows = rows.select(order)
    offences = pd.DataFrame(
        {
            "person_id": ids[rows.person],
            "offence_date": _iso(rows.offence_day),
            "sanction_date": _iso(rows.sanction_day),
            "offence_group": np.array(OFFENCE_GROUPS, dtype=object)[rows.group],
            "disposal": np.array(DISPOSALS, dtype=object)[rows.disposal],
            "custody_days": pd.array(
                np.where(rows.custody_days >= 0, rows.custody_days, 0), dtype="Int64"
            ),
        }
    )
    offences.loc[rows.custody_days < 0, "custody_days"] = pd.NA
    a_order = np.lexsort((a_day, a_person))
    needs = pd.DataFrame(
        {"person_id": ids[a_person[a_order]], "assessment_date": _iso(a_day[a_order])}
    )
    for j, area in enumerate(NEED_AREAS):
        scores = a_scores[a_order, j]
        column = pd.array(np.maximum(scores, 0), dtype="Int64")
        column[scores < 0] = pd.NA
        needs[area] = column
    truth_frame = pd.DataFrame(
        {"person_id": ids, "true_probability_2y": truth, "true_probability_1y": truth_1y}
    )
    latent = pd.DataFrame(
        {
            "person_id": ids,
            "profile": np.array(par.CLASS_NAMES, dtype=object)[klass],
            "propensity": propensity,
            "desisted": desist,
            "severe_needs": severe,
            "true_accommodation": true_needs[:, par.ACCOMMODATION],
            "true_drugs": true_needs[:, par.DRUGS],
            "probability_given_traits": given_traits,
            "history_exposure": exposure,
            "counting_exposure": counting,
        }
    )
    for k, name in enumerate(par.CLASS_NAMES):
        latent[f"posterior_{name}"] = posterior[:, k]
    metadata = {
        "extract_date": str(np.datetime64(extract_day, "D")),
        "seed": seed,
        "n_people": n,
        "ethnicity_bias": bias,
        "biased_ethnicities": list(par.BIASED_ETHNICITIES) if bias > 0 else [],
        "generator": GENERATOR,
        "generator_version": par.GENERATOR_VERSION,
        "n_offences": len(offences),
        "n_assessments": len(needs),
        "people_unassessed": int(n - len(np.unique(a_person))),
        "index_rows_missing": int((~with_row).sum()),
        "label": (
            f"two-year proven reoffending: offence within {FOLLOW_UP_MONTHS} months of the "
            f"index date, proven within {FOLLOW_UP_MONTHS + WAITING_MONTHS}; breaches excluded"
        ),
    }
    return SyntheticPopulation(
        people=people,
        offences=offences,
        needs=needs,
        truth=truth_frame,
        metadata=metadata,
        latent=latent,
    )
