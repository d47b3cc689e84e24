"""Outcomes of a programme evaluation: the label rule's counting offences, counted and timed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError
from riskmodel.contract._vocabulary import FOLLOW_UP_MONTHS, WAITING_MONTHS
from riskmodel.features._common import (
    add_months_array,
    parse_extract_date,
    require_columns,
    required_dates,
)
from riskmodel.features._labels import CENSORED, LABELLED, counting_offences
from riskmodel.programme._messages import BAD_HORIZON

__all__ = ["OUTCOME_COLUMNS", "reoffending_outcomes"]

#: Columns of :func:`reoffending_outcomes`.
OUTCOME_COLUMNS: tuple[str, ...] = (
    "person_id",
    "reoffended",
    "reoffences",
    "days_to_first",
    "follow_up_days",
    "label_status",
)


def check_horizon(horizon_months: object, proof_months: object) -> tuple[int, int]:
    """The horizon and proof period as whole months, or :class:`ConfigError`."""
    good = (
        isinstance(horizon_months, int | np.integer)
        and isinstance(proof_months, int | np.integer)
        and not isinstance(horizon_months, bool)
        and not isinstance(proof_months, bool)
        and horizon_months >= 1
        and proof_months >= 0
    )
    if not good:
        raise ConfigError(BAD_HORIZON.format(horizon=horizon_months, proof=proof_months))
    return int(horizon_months), int(proof_months)


def reoffending_outcomes(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    extract_date: object,
    *,
    horizon_months: int = FOLLOW_UP_MONTHS,
    proof_months: int = WAITING_MONTHS,
) -> pd.DataFrame:
    """Proven reoffending, its frequency and the time to the first reoffence of each person.

    The rule is the label's (:func:`riskmodel.features.build_labels`) with the horizon and
    proof period as parameters: an offence counts when it was committed strictly after the
    index date and at most ``horizon_months`` calendar months after it, proven on or before
    ``horizon_months + proof_months`` months after it, and is not a breach. At the defaults
    (24 and 6) ``reoffended`` equals ``reoffended_2y``.

    Parameters
    ----------
    people : DataFrame
        ``person_id`` and ``index_date``.
    offences : DataFrame
        ``person_id``, ``offence_date``, ``sanction_date``, ``offence_group``.
    extract_date : str, date or Timestamp
        Required; people whose proof period ends after it are censored.
    horizon_months, proof_months : int
        The follow-up and the further time for proof.

    Returns
    -------
    DataFrame
        :data:`OUTCOME_COLUMNS`, one row per person in the order of ``people``:
        ``reoffended`` (0.0/1.0, NaN when censored), ``reoffences`` (counting offences; NaN
        when censored), ``days_to_first`` (days from the index date to the first counting
        offence; NaN when there is none or when censored), ``follow_up_days`` (length of the
        horizon in days) and ``label_status``.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["a", "b"],
    ...                        "index_date": ["2020-01-01", "2020-01-01"]})
    >>> offences = pd.DataFrame({"person_id": ["a", "a", "a"],
    ...     "offence_date": ["2020-01-11", "2020-03-01", "2021-01-01"],
    ...     "sanction_date": ["2020-02-01", "2020-04-01", "2023-01-01"],
    ...     "offence_group": ["theft", "breach", "theft"]})
    >>> reoffending_outcomes(people, offences, "2024-01-01")[
    ...     ["person_id", "reoffended", "reoffences", "days_to_first"]]
      person_id  reoffended  reoffences  days_to_first
    0         a         1.0         1.0           10.0
    1         b         0.0         0.0            NaN
    """
    horizon_months, proof_months = check_horizon(horizon_months, proof_months)
    extract = parse_extract_date(extract_date)
    require_columns(people, ("person_id", "index_date"), "people")
    require_columns(
        offences, ("person_id", "offence_date", "sanction_date", "offence_group"), "offences"
    )
    index_date = required_dates(people, "index_date", "people")
    n = len(index_date)
    follow_up_end = add_months_array(index_date, horizon_months)
    proof_end = add_months_array(index_date, horizon_months + proof_months)
    count = np.zeros(n, dtype=np.float64)
    first = np.full(n, np.nan)
    who, offence_date = counting_offences(people, offences, index_date, follow_up_end, proof_end)
    if who.size:
        count = np.bincount(who, minlength=n).astype(np.float64)
        days = (offence_date - index_date[who]) / np.timedelta64(1, "D")
        order = np.lexsort((days, who))
        who, days = who[order], days[order]
        starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
        first[who[starts]] = days[starts]
    censored = proof_end > np.datetime64(extract.to_datetime64(), "ns")
    follow_up = (follow_up_end - index_date) / np.timedelta64(1, "D")
    return pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(),
            "reoffended": np.where(censored, np.nan, (count > 0).astype(np.float64)),
            "reoffences": np.where(censored, np.nan, count),
            "days_to_first": np.where(censored, np.nan, first),
            "follow_up_days": follow_up.astype(np.float64),
            "label_status": np.where(censored, CENSORED, LABELLED),
        }
    )
