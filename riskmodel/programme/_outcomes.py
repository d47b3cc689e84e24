"""Outcomes of a programme evaluation: the label rule's counting offences, counted and timed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from riskmodel._errors import DataError
from riskmodel._horizon import DEFAULT_HORIZON_MONTHS, DEFAULT_PROOF_MONTHS, label_horizon
from riskmodel._survival import DAYS_PER_MONTH
from riskmodel._tables import INDEX_ID
from riskmodel.features import FeatureTable
from riskmodel.features._build import _by_index_event
from riskmodel.features._labels import CENSORED, LABELLED, checked_follow_up, counting_offences
from riskmodel.flat_table import numeric_values
from riskmodel.programme._messages import BAD_COUNTS, NO_COUNT_COLUMN, NO_TIME_COLUMNS

__all__ = ["OUTCOME_COLUMNS", "reoffending_outcomes", "table_outcomes"]

#: Columns of :func:`reoffending_outcomes`.
OUTCOME_COLUMNS: tuple[str, ...] = (
    "person_id",
    "reoffended",
    "reoffences",
    "days_to_first",
    "follow_up_days",
    "label_status",
)


def reoffending_outcomes(
    people: pd.DataFrame,
    offences: pd.DataFrame,
    extract_date: object,
    *,
    horizon_months: int = DEFAULT_HORIZON_MONTHS,
    proof_months: int = DEFAULT_PROOF_MONTHS,
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
        ``person_id`` and ``index_date``; with an ``index_id`` column (several index events
        per person) every index event is followed on its own and ``index_id`` is returned
        next to ``person_id``.
    offences : DataFrame
        ``person_id``, ``offence_date``, ``sanction_date``, ``offence_group``.
    extract_date : str, date or Timestamp
        Required; people whose proof period ends after it are censored.
    horizon_months, proof_months : int
        The follow-up and the further time for proof.

    Returns
    -------
    DataFrame
        :data:`OUTCOME_COLUMNS`, one row per person (or index event) in the order of
        ``people``:
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
    horizon_months, proof_months = label_horizon(horizon_months, proof_months)
    follow_up, censored = checked_follow_up(
        people, offences, extract_date, horizon_months=horizon_months, proof_months=proof_months
    )
    person_id = people["person_id"].to_numpy()
    if INDEX_ID in people.columns:
        people, offences, _ = _by_index_event(people.reset_index(drop=True), offences, None)
    n = len(people)
    count = np.zeros(n, dtype=np.float64)
    first = np.full(n, np.nan)
    who, offence_date = counting_offences(people, offences, follow_up)
    if who.size:
        count = np.bincount(who, minlength=n).astype(np.float64)
        days = (offence_date - follow_up.index_date[who]) / np.timedelta64(1, "D")
        order = np.lexsort((days, who))
        who, days = who[order], days[order]
        starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
        first[who[starts]] = days[starts]
    follow_up_days = (follow_up.follow_up_end - follow_up.index_date) / np.timedelta64(1, "D")
    frame = pd.DataFrame(
        {
            "person_id": person_id,
            "reoffended": np.where(censored, np.nan, (count > 0).astype(np.float64)),
            "reoffences": np.where(censored, np.nan, count),
            "days_to_first": np.where(censored, np.nan, first),
            "follow_up_days": follow_up_days.astype(np.float64),
            "label_status": np.where(censored, CENSORED, LABELLED),
        }
    )
    if INDEX_ID in people.columns:
        frame.insert(1, INDEX_ID, people[INDEX_ID].astype("str").to_numpy())
    return frame


def table_outcomes(
    table: FeatureTable,
    *,
    horizon_months: int,
    counts: pd.Series | None = None,
    source: str = "the table",
    count_column: str | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The outcomes of a flat table's people, as :func:`reoffending_outcomes` gives them, and
    what the table cannot give.

    ``reoffended`` is the table's label at its ``follow_up_months`` (NaN when unknown);
    ``reoffences`` its reoffence count column (``counts``, read from ``[table] reoffences``)
    when there is one; ``days_to_first`` the time-to-event ``duration`` of those whose
    ``event`` falls within the horizon. Without a count column (or a time to reoffence) the
    measures that need it are returned, keyed by name, with the sentence saying so
    (:data:`NO_COUNT_COLUMN`, :data:`NO_TIME_COLUMNS`), and their column is NaN.

    Raises
    ------
    DataError
        Counts that are not whole numbers >= 0, or that are above 0 when the label is not 1
        or 0 when it is (:data:`BAD_COUNTS`).

    Examples
    --------
    >>> from riskmodel.features import FeatureTable
    >>> t = FeatureTable(X=pd.DataFrame({"x": [1.0, 2.0]}), label=pd.Series([1.0, 0.0]),
    ...     label_status=None, groups=pd.DataFrame(index=range(2)), ids=pd.Series(["a", "b"]))
    >>> out, unavailable = table_outcomes(t, horizon_months=12)
    >>> out["reoffended"].tolist(), sorted(unavailable)
    ([1.0, 0.0], ['days_to_first', 'reoffences_per_person', 'reoffences_per_reoffender'])
    """
    label = table.label.to_numpy(dtype=float)
    known = np.isfinite(label)
    n = len(label)
    unavailable: dict[str, str] = {}
    if counts is None:
        reoffences = np.full(n, np.nan)
        reason = NO_COUNT_COLUMN.format(source=source)
        unavailable = {"reoffences_per_person": reason, "reoffences_per_reoffender": reason}
    else:
        values, unreadable = numeric_values(counts.reset_index(drop=True))
        reoffences = values.to_numpy(dtype=float)
        whole = np.isfinite(reoffences) & (reoffences >= 0) & (reoffences == np.round(reoffences))
        agrees = whole & ((reoffences > 0) == (label == 1))
        bad = known & (unreadable.to_numpy() | ~agrees)
        if bad.any():
            raise DataError(
                BAD_COUNTS.format(
                    source=source,
                    column=count_column,
                    count=int(bad.sum()),
                    first=str(table.ids.to_numpy()[bad][0]),
                )
            )
        reoffences = np.where(known, reoffences, np.nan)
    first = np.full(n, np.nan)
    survival = table.survival
    if survival is None:
        unavailable["days_to_first"] = NO_TIME_COLUMNS.format(source=source)
    else:
        months = survival["time_months"].to_numpy(dtype=float)
        reoffended = (survival["event"].to_numpy() == 1) & (months <= horizon_months) & known
        first = np.where(reoffended, months * DAYS_PER_MONTH, np.nan)
    status = (
        table.label_status.to_numpy()
        if table.label_status is not None
        else np.where(known, LABELLED, CENSORED)
    )
    frame = pd.DataFrame(
        {
            "person_id": table.ids.astype(str).to_numpy(),
            "reoffended": label,
            "reoffences": reoffences,
            "days_to_first": first,
            "follow_up_days": float(horizon_months * DAYS_PER_MONTH),
            "label_status": status,
        }
    )
    return frame, unavailable
