"""Several index events per person, and the Ministry of Justice cohort rule.

Real extracts hold every sentence or release of a person over years (``people`` with an
``index_id``). The MoJ's proven reoffending cohorts take each person's *first* qualifying index
event in the period: :func:`first_per_person` applies that rule to validated people.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError
from riskmodel.features._messages import BAD_PERIOD_DATE, PERIOD_REVERSED

__all__ = ["CohortRule", "first_per_person"]


def _day(value: str | None, option: str) -> pd.Timestamp | None:
    if value is None or str(value).strip() == "":
        return None
    stamp = pd.to_datetime(str(value), format="ISO8601", errors="coerce")
    if pd.isna(stamp):
        raise ConfigError(BAD_PERIOD_DATE.format(option=option, value=value))
    return pd.Timestamp(stamp).normalize()


@dataclass(frozen=True)
class CohortRule:
    """What :func:`first_per_person` kept, for the run summary.

    Attributes
    ----------
    start, end : str or None
        The period (ISO dates, both ends included; None: open).
    events_read : int
        Index events before the rule.
    outside_period : int
        Index events whose index date is outside the period.
    later_events : int
        Index events in the period after the person's first one.
    kept : int
        One per person with an index event in the period.
    """

    start: str | None
    end: str | None
    events_read: int
    outside_period: int
    later_events: int
    kept: int

    def sentence(self) -> str:
        """The rule and its counts in words.

        Examples
        --------
        >>> CohortRule("2020-01-01", "2020-12-31", 5, 1, 2, 2).sentence()
        'first index event per person from 2020-01-01 to 2020-12-31: kept 2 of 5 index events (1 outside the period, 2 later events of the same people)'
        """  # noqa: E501
        period = f"from {self.start or 'the first'} to {self.end or 'the last'}"
        if self.start is None and self.end is None:
            period = "over the whole data"
        return (
            f"first index event per person {period}: kept {self.kept:,} of "
            f"{self.events_read:,} index events ({self.outside_period:,} outside the period, "
            f"{self.later_events:,} later events of the same people)"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain form, for summaries."""
        return dict(self.__dict__)


def first_per_person(
    people: pd.DataFrame, *, start: str | None = None, end: str | None = None
) -> tuple[pd.DataFrame, CohortRule]:
    """Each person's first index event with an index date from ``start`` to ``end`` (both
    included; None leaves that end open): the MoJ cohort rule.

    Ties on the first index date keep the row that comes first in ``people``. People with no
    index event in the period are left out. The rows kept stay in their order in ``people``.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["a", "a", "b", "c"],
    ...     "index_id": ["a1", "a2", "b1", "c1"],
    ...     "index_date": pd.to_datetime(["2020-05-01", "2020-02-01", "2021-03-01",
    ...                                   "2019-12-31"])})
    >>> kept, rule = first_per_person(people, start="2020-01-01", end="2020-12-31")
    >>> kept["index_id"].tolist(), rule.outside_period, rule.later_events
    (['a2'], 2, 1)
    """
    first = _day(start, "--from")
    last = _day(end, "--to")
    if first is not None and last is not None and last < first:
        raise ConfigError(PERIOD_REVERSED.format(start=first.date(), end=last.date()))
    dates = pd.to_datetime(people["index_date"]).to_numpy()
    inside = ~pd.isna(dates)
    if first is not None:
        inside &= dates >= np.datetime64(first.to_datetime64())
    if last is not None:
        inside &= dates <= np.datetime64(last.to_datetime64())
    candidates = np.flatnonzero(inside)
    order = candidates[np.argsort(dates[candidates], kind="stable")]
    persons = people["person_id"].astype("str").to_numpy()[order]
    _, first_rows = np.unique(persons, return_index=True)
    kept_rows = np.sort(order[first_rows])
    rule = CohortRule(
        start=None if first is None else str(first.date()),
        end=None if last is None else str(last.date()),
        events_read=len(people),
        outside_period=int((~inside).sum()),
        later_events=int(inside.sum() - len(kept_rows)),
        kept=len(kept_rows),
    )
    return people.iloc[kept_rows].reset_index(drop=True), rule
