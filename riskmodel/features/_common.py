"""Vectorised helpers shared by the feature builders: dates, person codes, vocabulary codes.

Everything here works on whole columns at once (numpy or Arrow compute), never one person at a
time: the feature builders run on millions of offence rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from riskmodel._errors import ConfigError, DataError
from riskmodel.contract._messages import BAD_EXTRACT_DATE
from riskmodel.features._messages import (
    DUPLICATE_PEOPLE,
    MISSING_COLUMNS,
    MISSING_DATES,
    MISSING_EXTRACT_DATE,
)

NS_PER_DAY = 86_400 * 1_000_000_000
#: Days in an average year and month, used for durations expressed in years and months.
DAYS_PER_YEAR = 365.25
DAYS_PER_MONTH = DAYS_PER_YEAR / 12


def require_columns(frame: pd.DataFrame, columns: Sequence[str], table: str) -> None:
    """Raise :class:`DataError` naming every column of ``columns`` missing from ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(MISSING_COLUMNS.format(table=table, columns=", ".join(missing)))


def as_datetime(values: pd.Series | np.ndarray) -> np.ndarray:
    """Return ``values`` as a ``datetime64[ns]`` array (ISO strings and datetimes accepted)."""
    if isinstance(values, pd.Series) and values.dtype == "datetime64[ns]":
        return values.to_numpy()
    converted = pd.to_datetime(pd.Series(values), errors="coerce")
    if converted.dt.tz is not None:
        converted = converted.dt.tz_localize(None)
    return converted.to_numpy().astype("datetime64[ns]")


def required_dates(frame: pd.DataFrame, column: str, table: str) -> np.ndarray:
    """Dates of a required column as ``datetime64[ns]``; :class:`DataError` if any is empty."""
    values = as_datetime(frame[column])
    n_missing = int(np.isnat(values).sum())
    if n_missing:
        raise DataError(MISSING_DATES.format(table=table, column=column, n=n_missing))
    return values


def to_days(values: np.ndarray) -> np.ndarray:
    """Whole days since 1970-01-01 (int64, floored) of a ``datetime64[ns]`` array without NaT."""
    return values.astype("datetime64[ns]", copy=False).view(np.int64) // NS_PER_DAY


def add_months_array(values: np.ndarray, months: int) -> np.ndarray:
    """Add calendar months to a ``datetime64[ns]`` array, clipped to the month's last day.

    The same arithmetic as :func:`riskmodel.contract._ages.add_months`: 2020-08-31 plus 24
    months is 2022-08-31, and 2020-02-29 plus 12 months is 2021-02-28.
    """
    from riskmodel.contract._ages import add_months

    return add_months(pd.Series(values), months).to_numpy().astype("datetime64[ns]")


def parse_extract_date(value: object) -> pd.Timestamp:
    """An extract date (string, date or Timestamp) as a Timestamp; :class:`ConfigError` if not."""
    if value is None:
        raise ConfigError(MISSING_EXTRACT_DATE)
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(BAD_EXTRACT_DATE.format(value=value)) from exc
    if pd.isna(stamp):
        raise ConfigError(BAD_EXTRACT_DATE.format(value=value))
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp.normalize()


def _as_arrow_strings(values: pd.Series | np.ndarray | Sequence[object]) -> pa.Array:
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype("str")
    try:
        array = pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = pa.array(series.astype("str"), from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = pa.array(series.astype("str"), from_pandas=True)
    return array.cast(pa.large_string())


def person_codes(people_ids: pd.Series, other_ids: pd.Series) -> np.ndarray:
    """Position in ``people_ids`` of each of ``other_ids`` (int64; -1 when not in people).

    Raises :class:`DataError` when ``people_ids`` has duplicates.
    """
    people = _as_arrow_strings(people_ids)
    n_unique = len(pc.unique(people))
    if n_unique != len(people):
        raise DataError(DUPLICATE_PEOPLE.format(n=len(people) - n_unique))
    codes = pc.index_in(_as_arrow_strings(other_ids), value_set=people)
    return codes.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def equals_text(values: pd.Series, text: str) -> np.ndarray:
    """Boolean array: where ``values`` equals ``text`` (missing values are False)."""
    if len(values) == 0:
        return np.zeros(0, dtype=bool)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return (values == text).fillna(False).to_numpy(dtype=bool)
    equal = pc.equal(_as_arrow_strings(values), pa.scalar(text, pa.large_string()))
    return equal.fill_null(False).to_numpy(zero_copy_only=False)


def vocabulary_codes(values: pd.Series, vocabulary: Sequence[str]) -> np.ndarray:
    """Position of each value in ``vocabulary`` (int64; -1 for missing or unknown values)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    if isinstance(values.dtype, pd.CategoricalDtype):
        lookup = np.array(
            [vocabulary.index(c) if c in vocabulary else -1 for c in values.cat.categories] + [-1],
            dtype=np.int64,
        )
        return lookup[values.cat.codes.to_numpy()]
    codes = pc.index_in(_as_arrow_strings(values), value_set=pa.array(list(vocabulary)))
    return codes.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def offence_codes(people: pd.DataFrame, offences: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Person code (position in ``people``, -1 if absent) and offence-group code (position in
    OFFENCE_GROUPS, -1 if unknown) of every offence row."""
    from riskmodel.contract._vocabulary import OFFENCE_GROUPS

    return (
        person_codes(people["person_id"], offences["person_id"]),
        vocabulary_codes(offences["offence_group"], OFFENCE_GROUPS),
    )
