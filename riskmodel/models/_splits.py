"""Every split of the package's rows, in one place: folds, a held-out part, a subsample.

When a person may have several rows (several index events, or a flat table's
``[table] person``), ``groups`` names the person of each row and every split keeps a person's
rows on one side (``StratifiedGroupKFold``, ``GroupShuffleSplit``): a person in both the
training and the test part would make the evidence look better than it is. Without
``groups`` every row is its own person and the splits are the plain stratified ones.

Callers reach these functions through the module (``_splits.fold_splits(...)``), so a test
can record every split the package actually makes.
"""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import (
    GroupShuffleSplit,
    StratifiedGroupKFold,
    StratifiedKFold,
    train_test_split,
)

from riskmodel._errors import DataError
from riskmodel.models._messages import TOO_FEW_PERSONS

__all__ = ["fold_splits", "holdout_split", "subsample", "without_shared"]

Split = tuple[np.ndarray, np.ndarray]


def _check_persons(groups: np.ndarray, folds: int) -> None:
    persons = len(np.unique(groups))
    if persons < folds:
        raise DataError(TOO_FEW_PERSONS.format(persons=persons, folds=folds))


def fold_splits(y: np.ndarray, groups: np.ndarray | None, n_splits: int, seed: int) -> list[Split]:
    """Stratified ``n_splits``-fold (train, test) positions, shuffled with ``seed``; grouped
    by person when ``groups`` is given.

    Examples
    --------
    >>> y = np.array([0, 1] * 6)
    >>> groups = np.repeat(np.arange(6), 2)
    >>> splits = fold_splits(y, groups, 3, seed=0)
    >>> all(not set(groups[a]) & set(groups[b]) for a, b in splits)
    True
    """
    y = np.asarray(y)
    zeros = np.zeros(len(y))
    if groups is None:
        splitter = StratifiedKFold(n_splits, shuffle=True, random_state=seed)
        return list(splitter.split(zeros, y))
    groups = np.asarray(groups)
    _check_persons(groups, n_splits)
    grouped = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed)
    return list(grouped.split(zeros, y, groups))


def holdout_split(
    y: np.ndarray, groups: np.ndarray | None, test_fraction: float, seed: int
) -> Split:
    """Sorted (train, test) positions: about ``test_fraction`` of the rows held out,
    stratified by ``y``, and by whole people when ``groups`` is given (one fold of
    ``round(1 / test_fraction)`` stratified group folds).

    Examples
    --------
    >>> y = np.array([0, 1] * 10)
    >>> train, test = holdout_split(y, np.repeat(np.arange(10), 2), 0.2, seed=0)
    >>> len(train) + len(test), len(test)
    (20, 4)
    """
    y = np.asarray(y)
    if groups is None:
        train, test = train_test_split(
            np.arange(len(y)), test_size=test_fraction, stratify=y, random_state=seed
        )
        return np.sort(train), np.sort(test)
    folds = max(2, round(1 / test_fraction))
    train, test = fold_splits(y, groups, folds, seed)[0]
    return np.sort(train), np.sort(test)


def subsample(y: np.ndarray, groups: np.ndarray | None, size: int, seed: int) -> np.ndarray:
    """Positions of about ``size`` rows (stratified by ``y``; whole people when ``groups`` is
    given), in the order :func:`sklearn.model_selection.train_test_split` gives them.

    Examples
    --------
    >>> len(subsample(np.array([0, 1] * 50), None, 20, seed=0))
    20
    """
    y = np.asarray(y)
    rows = np.arange(len(y))
    if groups is None:
        chosen, _ = train_test_split(rows, train_size=size, stratify=y, random_state=seed)
        return chosen
    share = min(max(size / len(y), 0.0), 1.0)
    splitter = GroupShuffleSplit(n_splits=1, train_size=share, random_state=seed)
    chosen, _ = next(splitter.split(rows, y, np.asarray(groups)))
    return chosen


def without_shared(train: np.ndarray, test: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
    """The ``train`` positions whose person has no row among ``test`` (all of them without
    ``groups``).

    Examples
    --------
    >>> groups = np.array(["a", "a", "b", "c"])
    >>> without_shared(np.array([0, 2]), np.array([1, 3]), groups).tolist()
    [2]
    """
    if groups is None:
        return train
    groups = np.asarray(groups)
    return train[~np.isin(groups[train], groups[test])]
