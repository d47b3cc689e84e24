"""A synthetic programme: selection on risk and needs, and a known effect on reoffending.

The programme picks people with a probability that rises with their true risk (the log-odds
of ``true_probability_2y``) and with the needs recorded in their latest assessment on or
before the index date: ``P(select) = sigmoid(a + risk_weight * logit(p) + need_weight * z)``
where ``z`` is the standardised total of recorded need scores (0 when never assessed) and
``a`` is set so that the expected share selected is ``share``. Both are recorded before the
index date, so a comparison group matched on the record can be alike. The programme then
stops every proven reoffence of a share ``effect`` of its participants, chosen at random
among them: their offences committed after the index date (breaches aside) are not
committed. A participant's probability of the two-year label is therefore exactly
``(1 - effect) * true_probability_2y`` with the programme and ``true_probability_2y``
without it.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from riskmodel._errors import ConfigError
from riskmodel.contract._vocabulary import NEED_AREAS
from riskmodel.synthetic._generate import SyntheticPopulation
from riskmodel.synthetic._messages import BAD_PROGRAMME

__all__ = ["PROGRAMME_COLUMNS", "programme_selection", "recorded_need_total", "with_programme"]

#: Columns of ``programme.csv``: one row per participant.
PROGRAMME_COLUMNS: tuple[str, ...] = (
    "person_id",
    "true_probability_2y_without",
    "true_probability_2y_with",
    "prevented",
)


def recorded_need_total(people: pd.DataFrame, needs: pd.DataFrame) -> np.ndarray:
    """Sum of the need scores of each person's latest assessment on or before the index date
    (empty areas count 0; 0 for a person never assessed before it)."""
    index = pd.Series(
        pd.to_datetime(people["index_date"]).to_numpy(), index=people["person_id"].astype(str)
    )
    if needs.empty:
        return np.zeros(len(people))
    frame = needs.assign(
        person_id=needs["person_id"].astype(str),
        when=pd.to_datetime(needs["assessment_date"]),
        total=needs[list(NEED_AREAS)].apply(pd.to_numeric, errors="coerce").fillna(0).sum(axis=1),
    )
    frame = frame[frame["when"].to_numpy() <= index.reindex(frame["person_id"]).to_numpy()]
    latest = frame.sort_values("when").groupby("person_id")["total"].last()
    return latest.reindex(index.index).fillna(0.0).to_numpy(dtype=float)


def programme_selection(
    probability: np.ndarray,
    need_total: np.ndarray,
    *,
    share: float,
    rng: np.random.Generator,
    risk_weight: float = 1.0,
    need_weight: float = 0.5,
) -> np.ndarray:
    """Who a programme selecting on risk and needs picks (boolean), ``share`` of people on
    average.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = rng.uniform(0.05, 0.95, 5000)
    >>> chosen = programme_selection(p, np.zeros(5000), share=0.2, rng=rng)
    >>> bool(0.17 < chosen.mean() < 0.23), bool(p[chosen].mean() > p.mean())
    (True, True)
    """
    p = np.clip(np.asarray(probability, dtype=float), 1e-6, 1 - 1e-6)
    need = np.asarray(need_total, dtype=float)
    sd = need.std()
    z = (need - need.mean()) / sd if sd > 0 else np.zeros_like(need)
    score = risk_weight * logit(p) + need_weight * z
    intercept = brentq(lambda a: expit(a + score).mean() - share, -50, 50)
    return rng.random(len(p)) < expit(intercept + score)


def with_programme(
    population: SyntheticPopulation,
    *,
    effect: float,
    seed: int,
    share: float = 0.1,
) -> tuple[SyntheticPopulation, pd.DataFrame]:
    """The population with a programme: a ``programme`` column (1 for participants) in
    ``people``, the prevented participants' offences after their index date removed, and the
    truth of each participant with and without the programme.

    The draws use their own random stream (from ``seed``), so the population itself is the
    one :func:`generate_population` drew.

    Examples
    --------
    >>> from riskmodel.synthetic import generate_population
    >>> pop, programme = with_programme(generate_population(400, seed=1), effect=0.3, seed=1)
    >>> int(pop.people["programme"].sum()) == len(programme)
    True
    >>> bool(np.allclose(programme["true_probability_2y_with"],
    ...                  0.7 * programme["true_probability_2y_without"]))
    True
    """
    if not (isinstance(effect, int | float) and 0 <= effect <= 1):
        raise ConfigError(
            BAD_PROGRAMME.format(name="effect", interval="from 0 to 1", value=effect)
        )
    if not (isinstance(share, int | float) and 0 < share < 1):
        raise ConfigError(
            BAD_PROGRAMME.format(name="share", interval="strictly between 0 and 1", value=share)
        )
    rng = np.random.default_rng([int(seed), 17])
    people = population.people
    truth = (
        population.truth.set_index("person_id")["true_probability_2y"]
        .reindex(people["person_id"])
        .to_numpy(dtype=float)
    )
    chosen = programme_selection(
        truth, recorded_need_total(people, population.needs), share=share, rng=rng
    )
    prevented = chosen & (rng.random(len(people)) < effect)
    index = pd.Series(pd.to_datetime(people["index_date"]).to_numpy(), index=people["person_id"])
    offences = population.offences
    stopped = set(people["person_id"][prevented])
    after = (
        pd.to_datetime(offences["offence_date"]).to_numpy()
        > index.reindex(offences["person_id"]).to_numpy()
    )
    drop = (
        offences["person_id"].isin(stopped).to_numpy()
        & after
        & (offences["offence_group"].to_numpy() != "breach")
    )
    programme = pd.DataFrame(
        {
            "person_id": people["person_id"][chosen].to_numpy(),
            "true_probability_2y_without": truth[chosen],
            "true_probability_2y_with": (1 - effect) * truth[chosen],
            "prevented": prevented[chosen].astype(int),
        }
    )
    metadata = {
        **population.metadata,
        "programme_effect": float(effect),
        "programme_share": float(share),
        "programme_participants": int(chosen.sum()),
    }
    changed = replace(
        population,
        people=people.assign(programme=chosen.astype(int)),
        offences=offences[~drop].reset_index(drop=True),
        metadata=metadata,
    )
    return changed, programme
