"""Reading a scores file and checking its columns (shared by allocation and cohort)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from riskmodel._errors import DataError
from riskmodel.allocation import _messages as msg

#: Label of people whose group value is missing, in per-group tables.
MISSING_GROUP = "(missing)"

_TRUE = {"1", "1.0", "true", "yes"}
_FALSE = {"0", "0.0", "false", "no"}


def read_scores(path: str | Path, columns: Mapping[str, str | None]) -> pd.DataFrame:
    """Read a CSV or Parquet scores file and check that the named columns exist.

    ``columns`` maps the option that named a column (``"--score-column"``) to the column.
    """
    from riskmodel.contract import read_table_file

    path = Path(path)
    frame = read_table_file(path)
    if frame.empty:
        raise DataError(msg.EMPTY_SCORES.format(file=path.name))
    for option, column in columns.items():
        if column is not None and column not in frame.columns:
            raise DataError(
                msg.UNKNOWN_COLUMN.format(
                    file=path.name,
                    column=column,
                    option=option,
                    columns=", ".join(map(str, frame.columns)),
                )
            )
    return frame


def _series(values: ArrayLike | pd.Series) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    return pd.Series(np.asarray(values, dtype=object).ravel())


def _missing(series: pd.Series) -> np.ndarray:
    text = series.astype("string").str.strip()
    return (series.isna() | (text == "")).to_numpy(dtype=bool)


def _name(values: Any, column: str | None, default: str) -> str:
    if column is not None:
        return column
    if isinstance(values, pd.Series) and values.name is not None:
        return str(values.name)
    return default


def as_probabilities(values: ArrayLike | pd.Series, column: str | None = None) -> np.ndarray:
    """Scores as floats in [0, 1], NaN where missing; anything else raises DataError.

    Messages name ``column`` (default: the Series name, else ``"score"``).
    """
    column = _name(values, column, "score")
    series = _series(values)
    missing = _missing(series)
    numbers = np.array(pd.to_numeric(series.where(~missing), errors="coerce"), dtype=float)
    bad = ~missing & ~np.isfinite(numbers)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            msg.NOT_NUMERIC.format(
                column=column, count=int(bad.sum()), example=series.iloc[row], row=row + 1
            )
        )
    outside = ~missing & ((numbers < 0) | (numbers > 1))
    if outside.any():
        row = int(np.flatnonzero(outside)[0])
        raise DataError(
            msg.OUT_OF_RANGE.format(
                column=column, count=int(outside.sum()), example=numbers[row], row=row + 1
            )
        )
    numbers[missing] = np.nan
    return numbers


def as_outcomes(
    values: ArrayLike | pd.Series, column: str | None = None, n: int | None = None
) -> np.ndarray:
    """Outcomes as floats 0.0/1.0, NaN where unknown; other values raise DataError."""
    column = _name(values, column, "outcome")
    series = _series(values)
    if n is not None and len(series) != n:
        raise DataError(msg.LENGTH_MISMATCH.format(what=column, got=len(series), expected=n))
    missing = _missing(series)
    text = series.astype("string").str.strip().str.lower()
    ones = text.isin(_TRUE).to_numpy(dtype=bool) & ~missing
    zeros = text.isin(_FALSE).to_numpy(dtype=bool) & ~missing
    bad = ~missing & ~ones & ~zeros
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            msg.BAD_OUTCOME.format(
                column=column, count=int(bad.sum()), example=series.iloc[row], row=row + 1
            )
        )
    out = np.full(len(series), np.nan)
    out[ones] = 1.0
    out[zeros] = 0.0
    return out


def as_counts(
    values: ArrayLike | pd.Series, column: str | None = None, n: int | None = None
) -> np.ndarray:
    """Whole numbers >= 0 as floats, NaN where missing; other values raise DataError."""
    column = _name(values, column, "count")
    series = _series(values)
    if n is not None and len(series) != n:
        raise DataError(msg.LENGTH_MISMATCH.format(what=column, got=len(series), expected=n))
    missing = _missing(series)
    numbers = np.array(pd.to_numeric(series.where(~missing), errors="coerce"), dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~missing & ~(np.isfinite(numbers) & (numbers >= 0) & (numbers == np.round(numbers)))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(
            msg.BAD_COUNT.format(
                column=column, count=int(bad.sum()), example=series.iloc[row], row=row + 1
            )
        )
    numbers[missing] = np.nan
    return numbers


def as_group_labels(values: ArrayLike | pd.Series, column: str, n: int) -> np.ndarray:
    """Group values as strings; missing values become ``MISSING_GROUP``."""
    series = _series(values)
    if len(series) != n:
        raise DataError(msg.LENGTH_MISMATCH.format(what=column, got=len(series), expected=n))
    missing = _missing(series)
    labels = series.astype("string").str.strip().to_numpy(dtype=object)
    labels[missing] = MISSING_GROUP
    return labels.astype(str)


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
