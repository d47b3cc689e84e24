"""The generating process, vectorised over people (see :mod:`riskmodel.synthetic`).

Times are float days since 1970-01-01; a recorded date is the whole day (``floor``). Each step
draws from one :class:`numpy.random.Generator` in a fixed order, so a seed fixes everything.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from riskmodel.contract._vocabulary import DISPOSALS, NEED_AREAS, OFFENCE_GROUPS
from riskmodel.synthetic import _parameters as par

BREACH = OFFENCE_GROUPS.index("breach")
CUSTODY = DISPOSALS.index("custody")
SUSPENDED = DISPOSALS.index("suspended_sentence")
COMMUNITY = DISPOSALS.index("community_order")
CAUTION = DISPOSALS.index("caution")
#: Code (in OFFENCE_GROUPS) of each mix group.
MIX_CODES = np.array([OFFENCE_GROUPS.index(g) for g in par.MIX_GROUPS])
NO_DAYS = -1  # custody_days of a non-custodial disposal


@dataclass
class Events:
    """Offence rows as parallel arrays (person code, days, group and disposal codes)."""

    person: np.ndarray
    offence_day: np.ndarray
    sanction_day: np.ndarray
    group: np.ndarray
    disposal: np.ndarray
    custody_days: np.ndarray

    @classmethod
    def concat(cls, parts: list[Events]) -> Events:
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in (
                    "person",
                    "offence_day",
                    "sanction_day",
                    "group",
                    "disposal",
                    "custody_days",
                )
            )
        )

    def select(self, mask: np.ndarray) -> Events:
        return Events(
            self.person[mask],
            self.offence_day[mask],
            self.sanction_day[mask],
            self.group[mask],
            self.disposal[mask],
            self.custody_days[mask],
        )


# --- small vectorised helpers ----------------------------------------------------------------


def whole_years_days(born: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Completed years between integer day numbers (calendar birthdays), vectorised."""
    b = np.asarray(born, dtype="int64").astype("datetime64[D]")
    o = np.asarray(on, dtype="int64").astype("datetime64[D]")
    by = b.astype("datetime64[Y]").astype(np.int64)
    oy = o.astype("datetime64[Y]").astype(np.int64)
    # Compare (month, day) rather than day-of-year, so leap years do not shift birthdays.
    bm = b.astype("datetime64[M]").astype(np.int64) % 12
    om = o.astype("datetime64[M]").astype(np.int64) % 12
    bd = (b - b.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    od = (o - o.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64)
    before = (om < bm) | ((om == bm) & (od < bd))
    return oy - by - before.astype(np.int64)


def add_months_days(days: np.ndarray, months: int) -> np.ndarray:
    """Add calendar months to integer day numbers, clipping to the month's last day."""
    d = np.asarray(days, dtype="int64").astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + np.timedelta64(months, "M")
    length = ((target + np.timedelta64(1, "M")).astype("datetime64[D]") - target).astype(np.int64)
    out = target.astype("datetime64[D]") + np.minimum(day_of_month, length - 1)
    return out.astype(np.int64)


def draw_categorical(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """One draw per row of a matrix of cumulative probabilities (last column 1)."""
    u = rng.random(cumulative.shape[0])
    out = (cumulative < u[:, None] * cumulative[:, -1:]).sum(axis=1)
    return np.minimum(out, cumulative.shape[1] - 1)


def draw_groups(rng: np.random.Generator, mix_cum: np.ndarray, people: np.ndarray) -> np.ndarray:
    """Offence-group codes drawn from each person's own mix."""
    if len(people) == 0:
        return np.zeros(0, dtype=np.int64)
    return MIX_CODES[draw_categorical(rng, mix_cum[people])]


def draw_delays(rng: np.random.Generator, size: int) -> np.ndarray:
    """Proof delays in days (offence to sanction)."""
    component = draw_categorical(
        rng, np.broadcast_to(np.cumsum(par.DELAY_WEIGHTS), (size, len(par.DELAY_WEIGHTS)))
    )
    return par.DELAY_MIN_DAYS + rng.exponential(par.DELAY_MEANS[component])


def _weights_matrix(table: dict[str, float], size: int) -> np.ndarray:
    w = np.zeros((size, len(DISPOSALS)))
    for name, value in table.items():
        w[:, DISPOSALS.index(name)] = value
    return w


def draw_disposals(
    rng: np.random.Generator,
    age: np.ndarray,
    priors: np.ndarray,
    group: np.ndarray,
    *,
    index: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Disposal codes and custody days (``NO_DAYS`` when not custodial).

    Depends only on what the record shows: age, earlier occasions and the offence group.
    """
    size = len(age)
    priors = np.minimum(priors, 25)
    youth = (age < 18) & (not index)
    severity = par.SEVERITIES[group]
    intercept = np.where(
        youth,
        par.YOUTH_CUSTODY_INTERCEPT,
        par.INDEX_CUSTODY_INTERCEPT if index else par.CUSTODY_INTERCEPT,
    )
    p_custody = 1 / (1 + np.exp(-(intercept + par.CUSTODY_PER_PRIOR * priors + severity)))
    if index:
        w = _weights_matrix(par.INDEX_OTHER_DISPOSALS, size)
        w[:, CAUTION] = np.where(priors == 0, par.INDEX_CAUTION_FIRST, par.INDEX_CAUTION_REPEAT)
        w[:, CAUTION] *= group != BREACH
    else:
        w = np.where(
            youth[:, None],
            _weights_matrix(par.YOUTH_OTHER_DISPOSALS, size),
            _weights_matrix(par.ADULT_OTHER_DISPOSALS, size),
        )
        w[:, SUSPENDED] *= 1 + 0.05 * priors * ~youth
        w[:, CAUTION] += np.where(
            youth, 0.0, np.where(priors == 0, par.CAUTION_FIRST, par.CAUTION_REPEAT)
        )
    w[:, CUSTODY] = 0.0
    other = draw_categorical(rng, np.cumsum(w, axis=1))
    custody = rng.random(size) < p_custody
    disposal = np.where(custody, CUSTODY, other)
    median = (
        par.SENTENCE_BASE_DAYS
        * np.exp(par.SENTENCE_SEVERITY_SLOPE * severity)
        * (1 + par.SENTENCE_PER_PRIOR * priors)
        * np.where(youth, 0.5, 1.0)
    )
    days = np.clip(
        np.round(median * np.exp(par.SENTENCE_SIGMA * rng.standard_normal(size))),
        par.SENTENCE_MIN_DAYS,
        np.where(youth, 730, par.SENTENCE_MAX_DAYS),
    ).astype(np.int64)
    return disposal.astype(np.int64), np.where(custody, days, NO_DAYS)


def gap_factor(gap_years: np.ndarray, has_prior: np.ndarray) -> np.ndarray:
    """State dependence before the index date (time at liberty since the last occasion)."""
    band = np.searchsorted(par.GAP_EDGES_YEARS, gap_years, side="right") - 1
    band = np.clip(band, 0, len(par.GAP_FACTORS) - 1)
    return np.where(has_prior, par.GAP_FACTORS[band], par.FIRST_FACTOR)


def follow_factor(days_since_index: np.ndarray) -> np.ndarray:
    """Future intensity multiplier by days since the index date."""
    band = np.searchsorted(par.FOLLOW_EDGES_DAYS, days_since_index, side="right") - 1
    return par.FOLLOW_FACTORS[np.clip(band, 0, len(par.FOLLOW_FACTORS) - 1)]


def recency_factor(last_prior_day: np.ndarray, index_sanction_day: np.ndarray) -> np.ndarray:
    """Future multiplier from years between the last earlier occasion and the index sanction."""
    has = last_prior_day >= 0
    gap = (index_sanction_day - np.where(has, last_prior_day, 0)) / par.DAYS_PER_YEAR
    band = np.clip(
        np.searchsorted(par.RECENCY_EDGES_YEARS, gap, side="right") - 1,
        0,
        len(par.RECENCY_FACTORS) - 1,
    )
    return np.where(has, par.RECENCY_FACTORS[band], par.NO_PRIOR_FACTOR)


# --- history before the index date -------------------------------------------------------------


@dataclass
class History:
    """Sanction occasions before the index sanction, one entry per occasion."""

    person: np.ndarray
    time: np.ndarray  # float day of the occasion (recorded as its floor)
    free: np.ndarray  # at liberty again from (release, or the end of the refractory time)
    group: np.ndarray  # group of the first offence
    disposal: np.ndarray
    custody_days: np.ndarray
    priors: np.ndarray  # occasions before this one


def simulate_history(
    rng: np.random.Generator,
    *,
    intensity: np.ndarray,
    born: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    mix_cum: np.ndarray,
) -> History:
    """Sanction occasions by thinning, in a loop over candidate events (not over people).

    The conditional intensity at time t is ``intensity * g(age) * gap_factor``, zero while in
    custody or within the refractory time after an occasion; each person runs until ``end``.
    """
    n = len(intensity)
    t = start.copy()
    free = start.copy()
    has_prior = np.zeros(n, dtype=bool)
    priors = np.zeros(n, dtype=np.int64)
    last_community = np.full(n, -np.inf)
    active = np.flatnonzero(start < end)
    parts: list[tuple[np.ndarray, ...]] = []
    while active.size:
        tt = np.maximum(t[active], free[active])
        age = (tt - born[active]) / par.DAYS_PER_YEAR
        g_bound = np.where(age < par.PEAK_AGE, 1.0, par.age_curve(age))
        bound = np.maximum(intensity[active] * g_bound * par.MAX_GAP_FACTOR, 1e-300)
        tt = tt + rng.exponential(size=active.size) / bound * par.DAYS_PER_YEAR
        alive = tt < end[active]
        age = (tt - born[active]) / par.DAYS_PER_YEAR
        phi = par.age_curve(age) * gap_factor(
            (tt - free[active]) / par.DAYS_PER_YEAR, has_prior[active]
        )
        accept = alive & (rng.random(active.size) * g_bound * par.MAX_GAP_FACTOR < phi)
        if accept.any():
            who = active[accept]
            s = tt[accept]
            breach = (s - last_community[who] < par.BREACH_WINDOW_DAYS) & (
                rng.random(who.size) < par.BREACH_SHARE
            )
            group = np.where(breach, BREACH, draw_groups(rng, mix_cum, who))
            disposal, days = draw_disposals(rng, age[accept], priors[who], group)
            served = np.where(days > 0, days // 2, 0)
            # A sentence that would run into the index sanction is suspended instead.
            too_long = (days > 0) & (s + served > end[who] - 16)
            disposal = np.where(too_long, SUSPENDED, disposal)
            days = np.where(too_long, NO_DAYS, days)
            served = np.where(too_long, 0, served)
            new_free = s + np.maximum(served, par.REFRACTORY_DAYS)
            parts.append((who, s, new_free, group, disposal, days, priors[who].copy()))
            free[who] = new_free
            priors[who] += 1
            has_prior[who] = True
            community = (disposal == COMMUNITY) | (disposal == SUSPENDED)
            last_community[who[community]] = s[community]
        t[active] = tt
        active = active[alive]
    if parts:
        cols = [np.concatenate(c) for c in zip(*parts, strict=True)]
    else:
        cols = [np.zeros(0, dtype=d) for d in (np.int64, float, float, int, int, int, int)]
    order = np.lexsort((cols[1], cols[0]))
    return History(*(c[order] for c in cols))


def history_exposure(
    history: History, *, born: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Integral of ``g(age) * gap_factor`` over each person's time at liberty (years).

    This is the compensator of the history process divided by the person's intensity
    multiplier: it depends only on the record (dates of birth and occasions, custody days).
    """
    n = len(born)
    G = par.age_curve_integral

    def integral(a: np.ndarray, b: np.ndarray, who: np.ndarray) -> np.ndarray:
        b = np.maximum(a, b)
        return G((b - born[who]) / par.DAYS_PER_YEAR) - G((a - born[who]) / par.DAYS_PER_YEAR)

    person = history.person
    first = np.full(n, np.inf)
    is_first = np.ones(len(person), dtype=bool)
    is_first[1:] = person[1:] != person[:-1]
    first[person[is_first]] = history.time[is_first]
    everyone = np.arange(n)
    exposure = par.FIRST_FACTOR * integral(start, np.minimum(first, end), everyone)
    # After each occasion: at liberty from ``free`` until the next occasion (or the end).
    nxt = np.empty(len(person))
    if len(person):
        last = np.ones(len(person), dtype=bool)
        last[:-1] = person[:-1] != person[1:]
        nxt[:-1] = history.time[1:]
        nxt[last] = end[person[last]]
    total = np.zeros(len(person))
    for band, factor in enumerate(par.GAP_FACTORS):
        lo = history.free + par.GAP_EDGES_YEARS[band] * par.DAYS_PER_YEAR
        hi = history.free + par.GAP_EDGES_YEARS[band + 1] * par.DAYS_PER_YEAR
        a = np.minimum(lo, nxt)
        b = np.minimum(hi, nxt)
        total += factor * integral(a, b, person)
    exposure += np.bincount(person, weights=total, minlength=n)
    return exposure


# --- the future after the index date -----------------------------------------------------------


def future_shape(days_since_index: np.ndarray, age_at_index: np.ndarray) -> np.ndarray:
    """The time-varying part of the future intensity: ``g(age) * follow_factor``."""
    age = age_at_index + days_since_index / par.DAYS_PER_YEAR
    return par.age_curve(age) * follow_factor(days_since_index)


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(6)


def counting_exposure(
    age_at_index: np.ndarray, follow_end: np.ndarray, proof_end: np.ndarray
) -> np.ndarray:
    """Integral over the follow-up of ``future_shape * P(proven in time)`` (years).

    An offence committed ``t`` days after the index date counts when
    ``1 <= floor(t) <= follow_end`` and ``floor(t + delay) <= proof_end`` (days after the
    index date; calendar months as in the label rule), i.e. ``t < follow_end + 1`` and
    ``delay < proof_end + 1 - t``. Gauss-Legendre quadrature on pieces that break where the
    follow-up factor changes; the error is below 1e-6 of the value.
    """
    n = len(age_at_index)
    total = np.zeros(n)
    # Pieces (start, end, sub-pieces) on which the follow-up factor is constant.
    edges = np.concatenate([[par.FUTURE_START_DAYS], par.FOLLOW_EDGES_DAYS[1:-1]])
    end = follow_end + 1.0
    # Pieces past the end of a short follow-up have no width.
    pieces = [
        (np.minimum(lo, end), np.minimum(hi, end), 3) for lo, hi in itertools.pairwise(edges)
    ]
    pieces.append((np.minimum(edges[-1], end), end, 12))
    for lo, hi, k in pieces:
        factor = follow_factor((lo + hi) / 2)
        half = (hi - lo) / k / 2
        piece = np.zeros(n)
        for j in range(k):
            mid = lo + (2 * j + 1) * half
            for x, w in zip(_GL_NODES, _GL_WEIGHTS, strict=True):
                t = mid + half * x
                age = age_at_index + t / par.DAYS_PER_YEAR
                piece += w * par.age_curve(age) * par.delay_cdf(proof_end + 1.0 - t)
        total += factor * half * piece
    return total / par.DAYS_PER_YEAR


def simulate_future(
    rng: np.random.Generator,
    *,
    intensity: np.ndarray,
    age_at_index: np.ndarray,
    horizon: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Offences committed after the index date: (person codes, days after the index date).

    A Poisson process with intensity ``intensity * future_shape(t)`` on
    ``[1, horizon)`` days, drawn by thinning (no loop: it does not depend on its own past).
    """
    g_bound = np.where(age_at_index < par.PEAK_AGE, 1.0, par.age_curve(age_at_index))
    bound = intensity * g_bound * par.FOLLOW_FACTORS.max()
    span = np.maximum(horizon - par.FUTURE_START_DAYS, 0.0)
    counts = rng.poisson(bound * span / par.DAYS_PER_YEAR)
    person = np.repeat(np.arange(len(intensity)), counts)
    t = par.FUTURE_START_DAYS + rng.random(len(person)) * span[person]
    keep = rng.random(len(person)) * g_bound[person] * par.FOLLOW_FACTORS.max() < future_shape(
        t, age_at_index[person]
    )
    return person[keep], t[keep]


# --- needs -------------------------------------------------------------------------------------


def draw_true_needs(rng: np.random.Generator, klass: np.ndarray, severe: np.ndarray) -> np.ndarray:
    """True need scores (people x areas), independent across areas given class and severity."""
    out = np.empty((len(klass), len(NEED_AREAS)), dtype=np.int64)
    for a in range(len(NEED_AREAS)):
        probs = par.NEED_PROBABILITIES[a][klass, severe.astype(np.int64)]
        out[:, a] = draw_categorical(rng, np.cumsum(probs, axis=1))
    return out


def observe_needs(rng: np.random.Generator, true: np.ndarray) -> np.ndarray:
    """One assessment of each row of true scores: noisy readings, -1 where left empty."""
    cum = np.cumsum(par.NEED_MEASUREMENT, axis=1)
    out = np.empty_like(true)
    for a in range(true.shape[1]):
        out[:, a] = draw_categorical(rng, cum[true[:, a]])
    empty = rng.random(true.shape) < par.NEED_AREA_EMPTY
    return np.where(empty, -1, out)
