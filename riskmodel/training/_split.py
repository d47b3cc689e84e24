"""The held-out split of ``riskmodel train`` and ``crossval``, and the sentence stating it.

Three ways, as the field validates: forward in time (``--test-from``, on the index date of
event data; without it the latest ``--test-fraction`` of index dates), by named periods of a
flat table (``[table] period`` with ``--test-periods``), or, without dates, stratified at
random with the seed. Whatever the way, a person with several rows (several index events, or
a flat table's ``[table] person``) is never on both sides: their rows in the training part
are left out when any of their rows is in the test part
(:func:`riskmodel.models._splits.without_shared`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from riskmodel._errors import ConfigError, DataError
from riskmodel.models import _splits
from riskmodel.training._messages import (
    BAD_TEST_FROM,
    BOTH_SPLITS,
    SPLIT_PART_TOO_SMALL,
    TEST_FROM_NEEDS_DATES,
    TEST_PERIODS_NEED_PERIOD,
    UNKNOWN_PERIODS,
)

__all__ = ["SplitRequest", "fold_sentence", "row_unit", "split_rows", "split_sentence"]

#: Fewest rows of each outcome a part of a temporal split must hold.
MINIMUM_PER_OUTCOME = 5


@dataclass(frozen=True)
class SplitRequest:
    """A temporal split asked for on the command line.

    Attributes
    ----------
    test_from : str or None
        ``--test-from``: rows with an index date on or after it are the test part.
    test_periods : tuple of str
        ``--test-periods``: rows of these ``[table] period`` values are the test part.
    """

    test_from: str | None = None
    test_periods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.test_from is not None and self.test_periods:
            raise ConfigError(BOTH_SPLITS)

    @classmethod
    def from_options(cls, test_from: str | None, test_periods: str | None) -> SplitRequest:
        """From ``--test-from`` and ``--test-periods`` (comma-separated) as given.

        Examples
        --------
        >>> SplitRequest.from_options(None, "2019, 2020").test_periods
        ('2019', '2020')
        """
        periods = tuple(p.strip() for p in (test_periods or "").split(",") if p.strip())
        return cls(test_from=test_from or None, test_periods=periods)

    @property
    def temporal(self) -> bool:
        """Whether a temporal split was asked for."""
        return self.test_from is not None or bool(self.test_periods)

    def cutoff(self) -> pd.Timestamp | None:
        """``test_from`` as a day (:class:`ConfigError` when it is not a date)."""
        if self.test_from is None:
            return None
        stamp = pd.to_datetime(str(self.test_from), format="ISO8601", errors="coerce")
        if pd.isna(stamp):
            raise ConfigError(BAD_TEST_FROM.format(value=self.test_from))
        return pd.Timestamp(stamp).normalize()


def _check_part(y: np.ndarray, rows: np.ndarray, part: str) -> None:
    positives = int(y[rows].sum())
    if min(positives, len(rows) - positives) < MINIMUM_PER_OUTCOME:
        raise DataError(SPLIT_PART_TOO_SMALL.format(part=part, n=len(rows), positives=positives))


def split_rows(
    y: np.ndarray,
    dates: pd.Series | None,
    *,
    test_fraction: float,
    seed: int,
    groups: np.ndarray | None = None,
    periods: pd.Series | None = None,
    request: SplitRequest | None = None,
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """Train and test row positions and a description of the split.

    ``request`` gives a temporal split (``--test-from`` on ``dates``, ``--test-periods`` on
    ``periods``). Without one: with dates, the test rows are those with the latest index
    dates (about ``test_fraction`` of them; every row on the cut-off date goes to the test
    side); otherwise a stratified random part (seeded). ``groups`` names each row's person:
    no person is then on both sides.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> dates = pd.Series(pd.date_range("2020-01-01", periods=10, freq="MS"))
    >>> train, test, info = split_rows(np.arange(10) % 2, dates, test_fraction=0.2, seed=0)
    >>> test.tolist(), info["method"]
    ([8, 9], 'by index date')
    """
    request = request or SplitRequest()
    if request.test_periods and periods is None:
        raise ConfigError(TEST_PERIODS_NEED_PERIOD)
    if request.test_from is not None and dates is None:
        raise ConfigError(TEST_FROM_NEEDS_DATES)
    info: dict[str, Any]
    if request.test_periods:
        known = pd.Series(periods).astype("str").to_numpy()
        wanted = [str(p) for p in request.test_periods]
        test_mask = np.isin(known, wanted)
        if not test_mask.any():
            raise DataError(
                UNKNOWN_PERIODS.format(
                    given=",".join(wanted), known=", ".join(sorted(set(known.tolist()))[:20])
                )
            )
        info = {"method": "by period", "test_periods": wanted}
        train, test = np.flatnonzero(~test_mask), np.flatnonzero(test_mask)
    elif request.test_from is not None:
        cutoff = request.cutoff()
        values = pd.to_datetime(dates).to_numpy()
        test_mask = values >= np.datetime64(cutoff.to_datetime64())
        info = {"method": "by index date", "test_from": str(cutoff.date()), "given": True}
        train, test = np.flatnonzero(~test_mask), np.flatnonzero(test_mask)
    else:
        automatic = _latest(y, dates, test_fraction)
        if automatic is not None:
            train, test, cutoff_day = automatic
            info = {"method": "by index date", "test_from": cutoff_day}
        else:
            train, test = _splits.holdout_split(y, groups, test_fraction, seed)
            info = {"method": "stratified at random", "seed": seed}
    if groups is not None:
        kept = _splits.without_shared(train, test, groups)
        info["grouped_by_person"] = True
        info["n_persons"] = len(np.unique(groups))
        info["n_left_out_shared"] = int(len(train) - len(kept))
        train = kept
    if request.temporal:
        _check_part(y, train, "training")
        _check_part(y, test, "test")
    info["n_train"] = len(train)
    info["n_test"] = len(test)
    if info["method"] == "stratified at random" and "seed" not in info:
        info["seed"] = seed
    return np.sort(train), np.sort(test), info


def _latest(
    y: np.ndarray, dates: pd.Series | None, test_fraction: float
) -> tuple[np.ndarray, np.ndarray, str] | None:
    """The rows with the latest index dates as the test part, when dates allow it."""
    n = len(y)
    if dates is None or not dates.notna().all() or dates.nunique() <= 1:
        return None
    values = pd.to_datetime(dates).to_numpy()
    cutoff = np.sort(values)[int(np.floor(n * (1 - test_fraction)))]
    test_mask = values >= cutoff
    if not (0 < test_mask.sum() < n and len(np.unique(y[test_mask])) == 2):
        return None
    day = str(pd.Timestamp(cutoff).date())
    return np.flatnonzero(~test_mask), np.flatnonzero(test_mask), day


def row_unit(table: Any) -> str:
    """What a row of a FeatureTable is, in words: an index event (event data with
    ``index_id``), a row (a flat table grouped by ``[table] person``), else a person."""
    if table.index_ids is not None:
        return "index events"
    return "rows" if table.persons is not None else "people"


def _rows(n: int, unit: str) -> str:
    return f"{int(n):,} {unit}"


def split_sentence(split: dict[str, Any], *, unit: str = "people") -> str:
    """One sentence stating a held-out split, from its description (:func:`split_rows`).

    ``unit`` names the rows (``"people"``, ``"index events"``, ``"rows"``).

    Examples
    --------
    >>> split_sentence({"method": "by index date", "test_from": "2021-03-01", "given": True,
    ...                 "n_train": 800, "n_test": 200})
    'Held-out test: the 200 people with an index date on or after 2021-03-01 (--test-from); the 800 people before it trained the model.'
    >>> split_sentence({"method": "stratified at random", "seed": 3, "n_train": 80,
    ...     "n_test": 20, "grouped_by_person": True, "n_persons": 60, "n_left_out_shared": 0},
    ...     unit="rows")
    "Held-out test: 20 rows drawn at random (stratified by outcome, seed 3); 80 rows trained the model; each of the 60 people's rows are all on one side."
    """  # noqa: E501
    n_train, n_test = _rows(split["n_train"], unit), _rows(split["n_test"], unit)
    method = split.get("method")
    if method == "by period":
        periods = ", ".join(split.get("test_periods", []))
        text = (
            f"Held-out test: the {n_test} of period {periods} (--test-periods); the "
            f"{n_train} of the other periods trained the model"
        )
    elif method == "by index date" and split.get("given"):
        text = (
            f"Held-out test: the {n_test} with an index date on or after "
            f"{split['test_from']} (--test-from); the {n_train} before it trained the model"
        )
    elif method == "by index date":
        text = (
            f"Held-out test: the {n_test} with the latest index dates (on or after "
            f"{split['test_from']}); the {n_train} before them trained the model"
        )
    elif method == "stratified at random":
        text = (
            f"Held-out test: {n_test} drawn at random (stratified by outcome, seed "
            f"{split.get('seed')}); {n_train} trained the model"
        )
    else:
        text = f"Held-out test: {method}; {n_train} to train, {n_test} to test"
    if split.get("grouped_by_person"):
        text += f"; each of the {int(split['n_persons']):,} people's rows are all on one side"
        left_out = int(split.get("n_left_out_shared", 0))
        if left_out:
            text += (
                f" ({_rows(left_out, unit)} of people also in the test part were left out of "
                "training)"
            )
    return text + "."


def fold_sentence(
    folds: int, seed: int, *, groups: Sequence[str] | np.ndarray | None = None
) -> str:
    """One sentence stating out-of-fold cross-validation.

    Examples
    --------
    >>> fold_sentence(5, 0)
    'Out of fold: 5 folds stratified by outcome (seed 0); each row is scored by a model fitted on the other 4 folds.'
    """  # noqa: E501
    text = (
        f"Out of fold: {folds} folds stratified by outcome (seed {seed}); each row is scored "
        f"by a model fitted on the other {folds - 1} folds"
    )
    if groups is not None:
        persons = len(np.unique(np.asarray(groups)))
        text += f"; each of the {persons:,} people's rows are all in one fold"
    return text + "."
