"""The exact probability of the label given the record (see :mod:`riskmodel.synthetic`).

The hidden traits are the profile ``C`` (8), the general level of need (2), the true
accommodation and drugs scores (3 x 3), the propensity ``Z`` and desistance at the index
event. ``Z`` is integrated out in closed form (gamma-Poisson conjugacy) and the 144 discrete
states are enumerated; desistance, independent of the record given age, multiplies the result
by ``1 - P(desist | age)`` (done by the caller). Everything is a dense numpy array of shape
(people, classes, ...): a second for 100,000 people.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import gammaln

from riskmodel.synthetic import _parameters as par


def class_log_prior(female: np.ndarray, age_years: np.ndarray) -> np.ndarray:
    """log P(class | sex, age) up to a per-person constant: (people, classes)."""
    return (
        par.CLASS_PRIOR[:, female.astype(np.int64)].T
        + par.CLASS_AGE_SLOPE[None, :] * (age_years[:, None] - 30.0) / 10.0
    )


def mix_log_likelihood(counts: np.ndarray) -> np.ndarray:
    """log P(recorded offence groups | class): Dirichlet-multinomial, (people, classes).

    ``counts`` is (people, mix groups). The multinomial coefficient is left out: it is the same
    for every class.
    """
    alpha = par.MIX_CONCENTRATION * par.CLASS_MIX  # (K, G)
    total = counts.sum(axis=1)
    out = np.empty((counts.shape[0], par.N_CLASSES))
    nz_people, nz_groups = np.nonzero(counts)
    c = counts[nz_people, nz_groups]
    for k in range(par.N_CLASSES):
        a = alpha[k, nz_groups]
        per = gammaln(a + c) - gammaln(a)
        out[:, k] = np.bincount(nz_people, weights=per, minlength=counts.shape[0])
    out += gammaln(par.MIX_CONCENTRATION) - gammaln(par.MIX_CONCENTRATION + total)[:, None]
    return out


def true_probability(
    *,
    class_prior: np.ndarray,
    n_history: np.ndarray,
    history_exposure: np.ndarray,
    mix_counts: np.ndarray,
    need_counts: np.ndarray,
    counting_exposure: np.ndarray | tuple[np.ndarray, ...],
) -> tuple[Any, np.ndarray]:
    """P(label = 1 | record) and the posterior class probabilities.

    With a tuple of counting exposures (one per label horizon), the probability is a tuple
    too, one per exposure: the posterior over the hidden states is computed once.

    Parameters
    ----------
    class_prior : (people, classes)
        :func:`class_log_prior`.
    n_history : (people,)
        Sanction occasions before the index sanction.
    history_exposure : (people,)
        The history compensator without ``Z`` and the class rate (record only).
    mix_counts : (people, mix groups)
        Recorded non-breach offences by group, up to and including the index occasion.
    need_counts : (people, areas, 3)
        How often each score was recorded for each area in assessments on or before the
        index date.
    counting_exposure : (people,) or tuple of (people,)
        The integrated intensity of counting offences without ``Z`` and the class factor
        (:func:`riskmodel.synthetic._process.counting_exposure`), for one label horizon or
        several.
    """
    k = par.GAMMA_SHAPE
    n = n_history.astype(np.float64)[:, None]
    rate = par.CLASS_RATE[None, :]
    scale = k + rate * history_exposure[:, None]  # posterior rate of Z given the class
    log_w = class_prior + n * np.log(rate) - (k + n) * np.log(scale)
    log_w = log_w + mix_log_likelihood(mix_counts)

    # Needs: P(recorded scores | true score) per area, (people, areas, 3 true scores); the
    # counts are small, so this is computed in probability space without underflow.
    reading = np.exp(need_counts @ np.log(par.NEED_MEASUREMENT).T)
    w = np.exp(log_w - log_w.max(axis=1, keepdims=True))[:, :, None] * par.SEVERITY_PRIOR
    direct = (par.ACCOMMODATION, par.DRUGS)
    for a in range(reading.shape[1]):
        if a not in direct:  # summed over the true score: (n, K, 2)
            w = w * np.einsum("nt,kst->nks", reading[:, a, :], par.NEED_PROBABILITIES[a])
        w /= w.max(axis=(1, 2), keepdims=True)
    acc = (
        par.NEED_PROBABILITIES[par.ACCOMMODATION][None] * reading[:, par.ACCOMMODATION, None, None]
    )
    drg = par.NEED_PROBABILITIES[par.DRUGS][None] * reading[:, par.DRUGS, None, None]
    # States (class, severity, true accommodation, true drugs): (n, K, 2, 3, 3).
    weight = w[..., None, None] * acc[..., :, None] * drg[..., None, :]
    weight /= weight.sum(axis=(1, 2, 3, 4), keepdims=True)

    effect = (
        par.SEVERITY_EFFECT[:, None, None]
        * par.ACCOMMODATION_EFFECT[None, :, None]
        * par.DRUGS_EFFECT[None, None, :]
    )  # (2, 3, 3)
    shape = (k + n)[:, :, None, None, None]

    def probability_of(exposure: np.ndarray) -> np.ndarray:
        big_lambda = (
            par.CLASS_FUTURE[None, :, None, None, None]
            * effect[None, None]
            * exposure[:, None, None, None, None]
        )
        p_state = -np.expm1(-shape * np.log1p(big_lambda / scale[:, :, None, None, None]))
        return (weight * p_state).sum(axis=(1, 2, 3, 4))

    posterior = weight.sum(axis=(2, 3, 4))
    if isinstance(counting_exposure, tuple):
        return tuple(probability_of(e) for e in counting_exposure), posterior
    return probability_of(counting_exposure), posterior
