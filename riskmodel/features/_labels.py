"""The outcome: proven reoffending within the follow-up horizon (DATA_CONTRACT.md, "The
outcome"): 24 months and 6 more for proof unless told otherwise."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from riskmodel._horizon import (
    DEFAULT_HORIZON_MONTHS,
    DEFAULT_PROOF_MONTHS,
    outcome_column,
    whole_months,
)
from riskmodel.contract._vocabulary import OFFENCE_GROUPS
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
#: Columns of the people and offences tables that the label rule reads.
PEOPLE_COLUMNS: tuple[str, ...] = ("person_id", "index_date")
OFFENCE_COLUMNS: tuple[str, ...] = ("person_id", "offence_date", "sanction_date", "offence_group")


@dataclass(frozen=True, eq=False)
class FollowUp:
    """Each person's index date and the ends of their follow-up and of its proof period
    (``datetime64[ns]`` arrays, one value per person)."""

    index_date: np.ndarray
    follow_up_end: np.ndarray
    proof_end: np.ndarray

    @classmethod
    def starting(
        cls, index_date: np.ndarray, *, horizon_months: int, proof_months: int
    ) -> FollowUp:
        """The follow-up of ``horizon_months`` calendar months after each index date, and
        ``proof_months`` more for proof.

        Parameters
        ----------
        index_date : ndarray
            ``datetime64[ns]``, one per person.
        horizon_months, proof_months : int
            The follow-up and the further time for proof, in calendar months.

        Returns
        -------
        FollowUp
        """
        return cls(
            index_date=index_date,
            follow_up_end=add_months_array(index_date, horizon_months),
            proof_end=add_months_array(index_date, horizon_months + proof_months),
        )


def checked_follow_up(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    extract_date: object,
    *,
    horizon_months: int,
    proof_months: int,
) -> tuple[FollowUp, np.ndarray]:
    """The inputs of the label rule checked, each person's follow-up, and who is censored.

    Parameters
    ----------
    people, offences : DataFrame
        Checked to hold :data:`PEOPLE_COLUMNS` and :data:`OFFENCE_COLUMNS`; every
        ``index_date`` must be given.
    extract_date : str, date or Timestamp
        Required (:class:`~riskmodel.ConfigError` if None or not a date).
    horizon_months, proof_months : int
        Checked to be positive whole months.

    Returns
    -------
    follow_up : FollowUp
        One value per row of ``people``.
    censored : ndarray of bool
        Whose proof period ends after the extract date: their outcome is not known yet.

    Raises
    ------
    ConfigError
        A horizon or proof period that is not whole months, or a bad extract date.
    DataError
        A missing column or index date.
    """
    whole_months(horizon_months)
    whole_months(proof_months, "the proof period")
    extract = parse_extract_date(extract_date)
    require_columns(people, PEOPLE_COLUMNS, "people")
    require_columns(offences, OFFENCE_COLUMNS, "offences")
    follow_up = FollowUp.starting(
        required_dates(people, "index_date", "people"),
        horizon_months=horizon_months,
        proof_months=proof_months,
    )
    censored = follow_up.proof_end > np.datetime64(extract.to_datetime64(), "ns")
    return follow_up, censored


def build_labels(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    extract_date: object,
    *,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    proof_months: int = DEFAULT_PROOF_MONTHS,
) -> pd.DataFrame:
    """Proven reoffending of each person within the horizon, as DATA_CONTRACT.md defines it.

    With the default horizon of 24 months and 6 for proof, a person reoffended
    (``reoffended_2y = 1``) when they have an offence with
    ``index_date < offence_date <= index_date + 24 months`` that was proven
    (``sanction_date``) on or before ``index_date + 30 months``, and whose ``offence_group`` is
    not ``breach``. Another horizon (``horizon_months``, ``proof_months``) moves both ends and
    names the label after it (``reoffended_1y`` for 12 months, ``reoffended_18m`` for 18:
    :func:`riskmodel._horizon.outcome_column`). Offences on the index date itself do not
    count (strictly after), and an offence committed before the index date but proven after it
    is ignored.

    Months are **calendar months**, clipped to the end of the month
    (:func:`riskmodel.contract._ages.add_months`): for an index date of 2020-08-31 the
    follow-up ends on 2022-08-31 and the waiting period on 2023-02-28; for 2020-02-29 they end
    on 2022-02-28 and 2022-08-29 (not clipped: August has 29 days).

    A person whose ``index_date + 30 months`` (horizon plus proof) falls after
    ``extract_date`` cannot be labelled yet: ``label_status`` is ``"censored"`` and
    ``reoffended_2y`` is missing (NaN). Everyone else is ``"labelled"`` with ``reoffended_2y`` 0 or
    1.

    Parameters
    ----------
    people : DataFrame
        ``person_id`` and ``index_date`` (datetime64 or ISO date strings); one row per person.
    offences : DataFrame
        ``person_id``, ``offence_date``, ``sanction_date`` (datetime64 or ISO strings) and
        ``offence_group``. Rows whose person is not in ``people`` are ignored.
    extract_date : str, date or Timestamp
        The date the data were extracted; required (:class:`~riskmodel.ConfigError` if None).
    horizon_months, proof_months : int
        The follow-up after the index date and the further months for proof (calendar
        months).

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
    return labels_with_codes(
        people, offences, extract_date, horizon_months=horizon_months, proof_months=proof_months
    )


def labels_with_codes(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    extract_date: object,
    codes: tuple[np.ndarray, np.ndarray] | None = None,
    *,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    proof_months: int = DEFAULT_PROOF_MONTHS,
) -> pd.DataFrame:
    """:func:`build_labels`, reusing offence person codes and offence-group codes already
    computed (``codes``: as returned by :func:`riskmodel.features._common.offence_codes`)."""
    label_name = outcome_column(horizon_months)
    follow_up, censored = checked_follow_up(
        people, offences, extract_date, horizon_months=horizon_months, proof_months=proof_months
    )
    person, _ = counting_offences(people, offences, follow_up, codes)
    reoffended = np.bincount(person, minlength=len(people)) > 0
    label = np.where(censored, np.nan, reoffended.astype(np.float64))
    return pd.DataFrame(
        {
            "person_id": people["person_id"].to_numpy(),
            label_name: label,
            "label_status": np.where(censored, CENSORED, LABELLED),
        }
    )


def counting_offences(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    follow_up: FollowUp,
    codes: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The offences that count towards proven reoffending: committed after the index date and
    by the end of the follow-up, proven by the end of its proof period, and not a breach (or
    another excluded group). Returns each one's person (row of ``people``) and offence date.
    ``codes``: the offences' person and group codes when already computed
    (:func:`riskmodel.features._common.offence_codes`)."""
    if not len(offences):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype="datetime64[ns]")
    person, groups = offence_codes(people, offences) if codes is None else codes
    excluded = np.isin(groups, [OFFENCE_GROUPS.index(g) for g in EXCLUDED_GROUPS])
    keep = (person >= 0) & ~excluded
    person = person[keep]
    offence_date = as_datetime(offences["offence_date"])[keep]
    sanction_date = as_datetime(offences["sanction_date"])[keep]
    # NaT compares False everywhere, so an undated offence never counts.
    counts = (
        (offence_date > follow_up.index_date[person])
        & (offence_date <= follow_up.follow_up_end[person])
        & (sanction_date <= follow_up.proof_end[person])
    )
    return person[counts], np.asarray(offence_date)[counts]
