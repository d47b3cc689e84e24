"""The outcome: two-year proven reoffending (DATA_CONTRACT.md, "The outcome")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel.contract._vocabulary import FOLLOW_UP_MONTHS, OFFENCE_GROUPS, WAITING_MONTHS
from riskmodel.features._common import (
    add_months_array,
    as_datetime,
    offence_codes,
    parse_extract_date,
    require_columns,
    required_dates,
)

#: ``label_status`` of a person whose outcome is known.
LABELLED = "labelled"
#: ``label_status`` of a person whose follow-up and waiting period end after the extract date.
CENSORED = "censored"
#: Offence groups that never count as reoffending.
EXCLUDED_GROUPS: tuple[str, ...] = ("breach",)

LABEL_COLUMNS: tuple[str, ...] = ("person_id", "reoffended_2y", "label_status")


def build_labels(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    extract_date: object,
) -> pd.DataFrame:
    """Two-year proven reoffending of each person, as DATA_CONTRACT.md defines it.

    A person reoffended (``reoffended_2y = 1``) when they have an offence with
    ``index_date < offence_date <= index_date + 24 months`` that was proven
    (``sanction_date``) on or before ``index_date + 30 months``, and whose ``offence_group`` is
    not ``breach``. Offences on the index date itself do not count (strictly after), and an
    offence committed before the index date but proven after it is ignored.

    Months are **calendar months**, clipped to the end of the month
    (:func:`riskmodel.contract._ages.add_months`): for an index date of 2020-08-31 the
    follow-up ends on 2022-08-31 and the waiting period on 2023-02-28; for 2020-02-29 they end
    on 2022-02-28 and 2022-08-29 (not clipped: August has 29 days).

    A person whose ``index_date + 30 months`` falls after ``extract_date`` cannot be labelled
    yet: ``label_status`` is ``"censored"`` and ``reoffended_2y`` is missing (NaN). Everyone
    else is ``"labelled"`` with ``reoffended_2y`` 0 or 1.

    Parameters
    ----------
    people : DataFrame
        ``person_id`` and ``index_date`` (datetime64 or ISO date strings); one row per person.
    offences : DataFrame
        ``person_id``, ``offence_date``, ``sanction_date`` (datetime64 or ISO strings) and
        ``offence_group``. Rows whose person is not in ``people`` are ignored.
    extract_date : str, date or Timestamp
        The date the data were extracted; required (:class:`~riskmodel.ConfigError` if None).

    Returns
    -------
    DataFrame
        ``person_id``, ``reoffended_2y`` (float64: 0.0, 1.0, or NaN when censored) and
        ``label_status`` (``"labelled"`` / ``"censored"``), one row per person in the order of
        ``people``, with a fresh RangeIndex.

    Examples
    --------
    >>> import pandas as pd
    >>> people = pd.DataFrame({"person_id": ["a", "b"],
    ...                        "index_date": ["2020-08-31", "2023-01-01"]})
    >>> offences = pd.DataFrame({"person_id": ["a", "a"],
    ...                          "offence_date": ["2022-08-31", "2020-09-01"],
    ...                          "sanction_date": ["2023-02-28", "2020-10-01"],
    ...                          "offence_group": ["theft", "breach"]})
    >>> build_labels(people, offences, "2024-06-30")
      person_id  reoffended_2y label_status
    0         a            1.0     labelled
    1         b            NaN     censored
    """
    return labels_with_codes(people, offences, extract_date)


def labels_with_codes(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    extract_date: object,
    codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """:func:`build_labels`, reusing offence person codes and offence-group codes already
    computed (``codes``: as returned by :func:`riskmodel.features._common.offence_codes`)."""
    extract = parse_extract_date(extract_date)
    require_columns(people, ("person_id", "index_date"), "people")
    require_columns(
        offences, ("person_id", "offence_date", "sanction_date", "offence_group"), "offences"
    )
    index_date = required_dates(people, "index_date", "people")
    n = len(index_date)
    follow_up_end = add_months_array(index_date, FOLLOW_UP_MONTHS)
    proof_end = add_months_array(index_date, FOLLOW_UP_MONTHS + WAITING_MONTHS)

    reoffended = np.zeros(n, dtype=bool)
    if len(offences):
        if codes is None:
            codes = offence_codes(people, offences)
        codes, groups = codes
        excluded = np.isin(groups, [OFFENCE_GROUPS.index(g) for g in EXCLUDED_GROUPS])
        keep = (codes >= 0) & ~excluded
        codes = codes[keep]
        offence_date = as_datetime(offences["offence_date"])[keep]
        sanction_date = as_datetime(offences["sanction_date"])[keep]
        # NaT compares False everywhere, so an undated offence never counts.
        counts = (
            (offence_date > index_date[codes])
            & (offence_date <= follow_up_end[codes])
            & (sanction_date <= proof_end[codes])
        )
        reoffended = np.bincount(codes[counts], minlength=n) > 0

    censored = proof_end > np.datetime64(extract.to_datetime64(), "ns")
    label = np.where(censored, np.nan, reoffended.astype(np.float64))
    return pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(),
            "reoffended_2y": label,
            "label_status": np.where(censored, CENSORED, LABELLED),
        }
    )
