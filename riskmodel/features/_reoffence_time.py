"""Time to reoffence of event data: from the index date to the first proven reoffence.

The same offences as the label (:mod:`riskmodel.features._labels`) count: committed after the
index date and within the follow-up, proven within the follow-up and its waiting period, not a
breach. People with none are followed to the end of the follow-up (``event = 0``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel._survival import DAYS_PER_MONTH
from riskmodel.contract._vocabulary import FOLLOW_UP_MONTHS, WAITING_MONTHS
from riskmodel.features._common import as_datetime
from riskmodel.features._labels import FollowUp, counting_offences

__all__ = ["time_to_reoffence"]


def time_to_reoffence(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    *,
    follow_up_months: int = FOLLOW_UP_MONTHS,
    waiting_months: int = WAITING_MONTHS,
) -> pd.DataFrame:
    """``person_id``, ``time_months`` (index date to the first counting reoffence, or to the
    end of the follow-up) and ``event`` (1 reoffended then, 0 not within the follow-up), one
    row per person in the order of ``people``.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["a", "b"],
    ...                        "index_date": ["2020-01-01", "2020-01-01"]})
    >>> offences = pd.DataFrame({"person_id": ["a", "a"],
    ...                          "offence_date": ["2021-01-01", "2020-02-01"],
    ...                          "sanction_date": ["2021-03-01", "2020-03-01"],
    ...                          "offence_group": ["theft", "breach"]})
    >>> out = time_to_reoffence(people, offences)
    >>> out["time_months"].round(1).tolist(), out["event"].tolist()
    ([12.0, 24.0], [1, 0])
    """
    follow_up = FollowUp.starting(
        as_datetime(people["index_date"]),
        horizon_months=follow_up_months,
        proof_months=waiting_months,
    )
    first = np.full(len(people), np.datetime64("NaT"), dtype="datetime64[ns]")
    person, offence_date = counting_offences(people, offences, follow_up)
    found = pd.Series(offence_date).groupby(person).min()
    first[found.index.to_numpy()] = found.to_numpy()
    event = ~np.isnat(first)
    end = np.where(event, first, follow_up.follow_up_end)
    days = (end - follow_up.index_date) / np.timedelta64(1, "D")
    return pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(),
            # calendar months and days disagree by a day or so: the end of the follow-up is
            # the horizon itself
            "time_months": np.minimum(
                np.asarray(days, dtype=float) / DAYS_PER_MONTH, follow_up_months
            ),
            "event": event.astype("int64"),
        }
    )
