"""Checking the columns of a scores table: probabilities, outcomes, counts and groups (shared
by allocation and cohort; the table itself is read by :func:`riskmodel._tables.read_scores`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from riskmodel._errors import DataError
from riskmodel._tables import MISSING_GROUP, ids_as_text
from riskmodel.allocation import _messages as msg

_TRUE = {"1", "1.0", "true", "yes"}
_FALSE = {"0", "0.0", "false", "no"}


def _column(
    values: ArrayLike | pd.Series, column: str | None, default: str, n: int | None = None
) -> tuple[str, pd.Series, np.ndarray]:
    """The column's name for messages, its values as a Series and where they are missing.

    The name is ``column``, else the Series name, else ``default``; with ``n``, a column of
    another length raises :class:`DataError`.
    """
    if column is None:
        name = getattr(values, "name", None) if isinstance(values, pd.Series) else None
        column = default if name is None else str(name)
    if isinstance(values, pd.Series):
        series = values.reset_index(drop=True)
    else:
        series = pd.Series(np.asarray(values, dtype=object).ravel())
    if n is not None and len(series) != n:
        raise DataError(msg.LENGTH_MISMATCH.format(what=column, got=len(series), expected=n))
    text = series.astype("string").str.strip()
    return column, series, (series.isna() | (text == "")).to_numpy(dtype=bool)


def _reject(bad: np.ndarray, template: str, column: str, examples: Any) -> None:
    """Raise ``template`` naming the count of ``bad`` rows and the first of them."""
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            template.format(
                column=column, count=int(bad.sum()), example=examples[row], row=row + 1
            )
        )


def _numbers(series: pd.Series, missing: np.ndarray) -> np.ndarray:
    return np.array(pd.to_numeric(series.where(~missing), errors="coerce"), dtype=float)


def as_probabilities(values: ArrayLike | pd.Series, column: str | None = None) -> np.ndarray:
    """Scores as floats in [0, 1], NaN where missing; anything else raises DataError.

    Messages name ``column`` (default: the Series name, else ``"score"``).

    Examples
    --------
    >>> as_probabilities(["0.2", "", 1]).tolist()
    [0.2, nan, 1.0]
    """
    column, series, missing = _column(values, column, "score")
    numbers = _numbers(series, missing)
    _reject(~missing & ~np.isfinite(numbers), msg.NOT_NUMERIC, column, series)
    _reject(~missing & ((numbers < 0) | (numbers > 1)), msg.OUT_OF_RANGE, column, numbers)
    numbers[missing] = np.nan
    return numbers


def as_outcomes(
    values: ArrayLike | pd.Series, column: str | None = None, n: int | None = None
) -> np.ndarray:
    """Outcomes as floats 0.0/1.0, NaN where unknown; other values raise DataError.

    Examples
    --------
    >>> as_outcomes([1, "0", "true", None]).tolist()
    [1.0, 0.0, 1.0, nan]
    """
    column, series, missing = _column(values, column, "outcome", n)
    text = series.astype("string").str.strip().str.lower()
    ones = text.isin(_TRUE).to_numpy(dtype=bool) & ~missing
    zeros = text.isin(_FALSE).to_numpy(dtype=bool) & ~missing
    _reject(~missing & ~ones & ~zeros, msg.BAD_OUTCOME, column, series)
    out = np.full(len(series), np.nan)
    out[ones] = 1.0
    out[zeros] = 0.0
    return out


def as_counts(
    values: ArrayLike | pd.Series, column: str | None = None, n: int | None = None
) -> np.ndarray:
    """Whole numbers >= 0 as floats, NaN where missing; other values raise DataError.

    A count of reoffences per person, say; ``n`` is the number of scores the counts must
    match.

    Examples
    --------
    >>> as_counts([0, "2", None]).tolist()
    [0.0, 2.0, nan]
    """
    column, series, missing = _column(values, column, "count", n)
    numbers = _numbers(series, missing)
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(numbers) & (numbers >= 0) & (numbers == np.round(numbers))
    _reject(~missing & ~whole, msg.BAD_COUNT, column, series)
    numbers[missing] = np.nan
    return numbers


def as_group_labels(values: ArrayLike | pd.Series, column: str, n: int) -> np.ndarray:
    """Group values as strings, read as ids are read (:func:`riskmodel._tables.ids_as_text`:
    stripped, whole-number floats without ``.0``); missing values become ``MISSING_GROUP``.

    Examples
    --------
    >>> as_group_labels([1.0, None, 2.0], "g", 3).tolist()
    ['1', '(missing)', '2']
    """
    _, series, _ = _column(values, column, column, n)
    if series.dtype == object:
        series = series.infer_objects()
    return ids_as_text(series).fillna(MISSING_GROUP).to_numpy(dtype=object).astype(str)


def as_group_columns(groups: Any, n: int) -> dict[str, np.ndarray]:
    """Normalise ``groups`` (None, a DataFrame, a mapping, a Series or an array) to a dict."""
    if groups is None:
        return {}
    if isinstance(groups, pd.DataFrame):
        items = {str(c): groups[c] for c in groups.columns}
    elif isinstance(groups, Mapping):
        items = {str(k): v for k, v in groups.items()}
    elif isinstance(groups, pd.Series):
        items = {str(groups.name) if groups.name is not None else "group": groups}
    else:
        items = {"group": groups}
    return {name: as_group_labels(v, name, n) for name, v in items.items()}


#: A column of a scores file with more distinct values than this is not reported as groups
#: unless named (a case officer, a free-text field).
MAX_GROUP_VALUES = 20


def find_group_columns(
    frame: pd.DataFrame,
    *,
    named: tuple[str, ...] = (),
    not_groups: Any = (),
    max_values: int = MAX_GROUP_VALUES,
) -> tuple[list[str], list[str]]:
    """The group columns of a scores table, and the columns left out with the reason.

    Every column named is a group column. Of the others (less ``not_groups``: the scores, the
    outcome, ids and other columns a scores file always has), a column of text (sex, age band,
    cohort, a carried column such as ethnicity) with at most ``max_values`` distinct values is
    one; a column of numbers, or of more values, is left out, and named in the second list
    with a message saying why.

    Examples
    --------
    >>> frame = pd.DataFrame({"p": [0.1, 0.2, 0.3], "sex": ["f", None, "m"], "age": [30, 41, 52],
    ...                       "officer": ["a", "b", "c"]})
    >>> groups, left_out = find_group_columns(frame, not_groups={"p"}, max_values=2)
    >>> groups
    ['sex']
    >>> for reason in left_out:
    ...     print(reason)
    age (numbers: name it with --group-column to report it by value)
    officer (3 values; at most 2 are reported as groups unless named with --group-column)
    """
    excluded = set(not_groups) - set(named)
    chosen = [c for c in named if c in frame.columns]
    left_out = []
    for column in frame.columns:
        column = str(column)
        if column in excluded or column in chosen:
            continue
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            left_out.append(msg.LEFT_OUT_NUMBERS.format(column=column))
            continue
        count = int(values.nunique(dropna=True))
        if count > max_values:
            left_out.append(
                msg.LEFT_OUT_MANY_VALUES.format(column=column, count=count, limit=max_values)
            )
            continue
        chosen.append(column)
    return chosen, left_out
